import json
import logging

import pytest
from django.urls import reverse

from civiquest.core.logging import RequestIdFilter


def test_each_response_carries_a_fresh_request_id(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_well_formed_incoming_request_id_is_echoed(client):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": "proxy-abc-12345678"})
    assert response["X-Request-ID"] == "proxy-abc-12345678"


@pytest.mark.parametrize("bad", ["short", "has spaces in it", "x" * 200, "evil\\r\\nSet-Cookie: a=b"])
def test_a_malformed_incoming_request_id_is_replaced(client, bad):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": bad})
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_requests_are_logged_as_json_with_their_request_id(client):
    from pythonjsonlogger.json import JsonFormatter

    records: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    logger = logging.getLogger("civiquest.request")
    logger.addHandler(handler)
    try:
        response = client.get(reverse("citizen:home"), headers={"X-Request-ID": "trace-0123456789"})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in records]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-0123456789" == response["X-Request-ID"]
    assert line["method"] == "GET"
    assert line["path"] == "/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
