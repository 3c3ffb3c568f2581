"""The shared resilient client over a real loopback socket: retries, timeouts, circuit, cache."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from civiquest.integrations.http import (
    BadAnswer,
    CircuitOpen,
    JsonClient,
    RequestRejected,
    ServiceConfig,
    ServiceUnavailable,
)


class ScriptedServer:
    """Answers each request with the next scripted reply (then the last one forever)."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, str], bytes, float]] = []
        self.requests: list[tuple[str, str, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server.requests.append((self.command, self.path, self.rfile.read(length)))
                index = min(len(server.requests), len(server.replies)) - 1
                status, headers, body, delay = server.replies[index]
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _reply

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def script(self, *replies: tuple[Any, ...]) -> None:
        """Each reply: (status, body), (status, body, headers) or (status, body, headers, delay)."""
        self.replies = []
        self.requests = []
        for status, body, *rest in replies:
            headers = rest[0] if rest else {}
            delay = rest[1] if len(rest) > 1 else 0.0
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.replies.append((status, headers, raw, delay))


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    thread = threading.Thread(target=scripted.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield scripted
    scripted.httpd.shutdown()
    scripted.httpd.server_close()


def client_for(server: ScriptedServer, **overrides: Any) -> JsonClient:
    values: dict[str, Any] = {
        "name": "ban",
        "base_url": server.url,
        "token": "",
        "timeout": 0.5,
        "retries": 2,
        "backoff": 0.01,
        "failure_threshold": 3,
        "recovery_seconds": 0.3,
    }
    values.update(overrides)
    return JsonClient(ServiceConfig(**values))


def test_a_good_answer_is_returned(server: ScriptedServer) -> None:
    server.script((200, {"ok": True}))
    assert client_for(server).get("/search", params={"q": "rue"}) == {"ok": True}
    assert server.requests[0][1] == "/search?q=rue"


def test_server_errors_are_retried_on_idempotent_calls(server: ScriptedServer) -> None:
    server.script((500, {}), (502, {}), (200, {"ok": True}))
    assert client_for(server).get("/search") == {"ok": True}
    assert len(server.requests) == 3


def test_a_post_is_not_retried_unless_idempotent(server: ScriptedServer) -> None:
    server.script((500, {}), (200, {"ok": True}))
    with pytest.raises(ServiceUnavailable):
        client_for(server).post("/appointments", json={"a": 1})
    assert len(server.requests) == 1
    server.script((500, {}), (200, {"ok": True}))
    assert client_for(server).post("/appointments", json={"a": 1}, idempotent=True) == {"ok": True}


def test_a_short_retry_after_is_honoured_and_a_long_one_gives_up(server: ScriptedServer) -> None:
    server.script((429, {}, {"Retry-After": "0.1"}), (200, {"ok": True}))
    assert client_for(server).get("/search") == {"ok": True}
    server.script((429, {}, {"Retry-After": "120"}), (200, {"ok": True}))
    with pytest.raises(ServiceUnavailable, match="429"):
        client_for(server).get("/search")
    assert len(server.requests) == 1


def test_a_timeout_is_retried_then_reported(server: ScriptedServer) -> None:
    server.script((200, {"late": True}, {}, 0.8))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="timeout"):
        client_for(server, retries=1).get("/search")
    assert len(server.requests) == 2
    assert time.monotonic() - started < 2.5


def test_malformed_json_is_a_bad_answer(server: ScriptedServer) -> None:
    server.script((200, b'{"features": ['))
    with pytest.raises(BadAnswer) as raised:
        client_for(server).get("/search")
    assert "réponse inattendue" in raised.value.user_message


def test_a_client_error_is_rejected_without_retry_and_does_not_open_the_circuit(server: ScriptedServer) -> None:
    server.script((400, {"code": 400, "message": "q must contain at least 3 chars"}))
    client = client_for(server, failure_threshold=1)
    with pytest.raises(RequestRejected) as raised:
        client.get("/search")
    assert raised.value.status == 400
    assert raised.value.payload["message"].startswith("q must")
    assert len(server.requests) == 1
    assert not client.breaker.is_open()


def test_the_circuit_opens_after_failures_then_recovers(server: ScriptedServer) -> None:
    server.script((500, {}))
    client = client_for(server, retries=0, failure_threshold=3, recovery_seconds=0.3)
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            client.get("/search")
    assert len(server.requests) == 3
    with pytest.raises(CircuitOpen) as raised:
        client.get("/search")
    assert len(server.requests) == 3  # no call while open
    assert "quelques minutes" in raised.value.user_message
    time.sleep(0.35)
    server.script((200, {"ok": True}))
    assert client.get("/search") == {"ok": True}
    assert not client.breaker.is_open()
    # Closed again: a single failure does not reopen it.
    server.script((500, {}))
    with pytest.raises(ServiceUnavailable):
        client.get("/search")
    assert not client.breaker.is_open()


def test_a_half_open_failure_reopens_at_once(server: ScriptedServer) -> None:
    server.script((500, {}))
    client = client_for(server, retries=0, failure_threshold=2, recovery_seconds=0.2)
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            client.get("/search")
    time.sleep(0.25)
    with pytest.raises(ServiceUnavailable):
        client.get("/search")
    with pytest.raises(CircuitOpen):
        client.get("/search")


def test_reads_can_be_cached(server: ScriptedServer) -> None:
    server.script((200, {"n": 1}), (200, {"n": 2}))
    client = client_for(server)
    assert client.get("/search", params={"q": "a"}, cache_seconds=60) == {"n": 1}
    assert client.get("/search", params={"q": "a"}, cache_seconds=60) == {"n": 1}
    assert client.get("/search", params={"q": "b"}, cache_seconds=60) == {"n": 2}
    assert len(server.requests) == 2


def test_no_base_url_means_unavailable() -> None:
    client = JsonClient(
        ServiceConfig(
            name="dgfip",
            base_url="",
            token="",
            timeout=1,
            retries=0,
            backoff=0,
            failure_threshold=1,
            recovery_seconds=1,
        )
    )
    with pytest.raises(ServiceUnavailable) as raised:
        client.get("/situations")
    assert "impôts" in raised.value.user_message


def test_messages_start_a_sentence_without_lowering_names(server: ScriptedServer) -> None:
    server.script((400, {}))
    with pytest.raises(RequestRejected) as raised:
        client_for(server, name="ants_coordination").get("/status")
    assert raised.value.user_message == "Le service de rendez-vous de l’ANTS a refusé la demande."
