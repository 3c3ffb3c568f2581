"""An oversized body is refused from its declared length, before the server reads it."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

DECLARED = 200 * 1024 * 1024


def post_headers_only(base_url: str, path: str, declared: int, content_type: str) -> tuple[int, str]:
    """Declares a body of ``declared`` bytes, sends 1 KiB of it, and reads what comes back."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {declared}\r\nAccept-Language: fr\r\n\r\n"
            ).encode()
            + b"x" * 1024
        )
        received = b""
        # A server that tried to read the body would wait here for 200 MiB: the timeout fails the test.
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(head.split()[1]), body.decode(errors="replace")


def test_an_oversized_upload_is_refused_unread_with_a_clear_page(live_server):
    status, body = post_headers_only(
        live_server.url, "/mon-espace/documents/ajouter/", DECLARED, "multipart/form-data; boundary=x"
    )
    assert status == 413
    assert "Envoi trop volumineux" in body and "taille maximale" in body and "11,0" in body


def test_an_oversized_api_body_gets_a_json_error(live_server):
    status, body = post_headers_only(live_server.url, "/api/v1/taxes/simulate", DECLARED, "application/json")
    assert status == 413
    assert "taille maximale" in json.loads(body[body.index("{") :])["detail"]


def test_a_body_within_the_limit_goes_through(client, settings):
    settings.CIVIQUEST_REQUEST_MAX_BYTES = 2048
    response = client.post("/mon-espace/documents/ajouter/", {"note": "x" * 100})
    # Through the size check to the view, which sends a visitor to sign in.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("oidc:franceconnect"))
    assert client.post("/mon-espace/documents/ajouter/", {"note": "x" * 4000}).status_code == 413
