"""The one outside-service client over a real loopback socket: retries, jitter, deadline, circuit, pools, cache."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from civiquest.core import pools
from civiquest.core.http import (
    BadAnswer,
    CircuitOpen,
    RequestRejected,
    ServiceClient,
    ServiceConfig,
    ServiceUnavailable,
    backoff_delay,
)
from civiquest.core.pools import pooled_client
from tests.redis_server import PrivateRedis, private_redis
from tests.utils import run_django

__all__ = ["private_redis"]


class ScriptedServer:
    """Answers each request with the next scripted reply (then the last one forever).

    ``keep_alive`` speaks HTTP/1.1 and keeps each connection open for the next request;
    ``connections`` lists the client's (address, port) of each request, so a test sees
    whether a connection was reused.
    """

    def __init__(self, *, keep_alive: bool = False) -> None:
        self.replies: list[tuple[int, dict[str, str], bytes, float]] = []
        self.requests: list[tuple[str, str, bytes]] = []
        self.connections: list[tuple[str, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server.connections.append(self.client_address)
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


def _serving(scripted: ScriptedServer) -> Iterator[ScriptedServer]:
    thread = threading.Thread(target=scripted.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield scripted
    scripted.httpd.shutdown()
    scripted.httpd.server_close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    yield from _serving(ScriptedServer())


@pytest.fixture
def keep_alive_server() -> Iterator[ScriptedServer]:
    yield from _serving(ScriptedServer(keep_alive=True))


def client_for(server: ScriptedServer, **overrides: Any) -> ServiceClient:
    """A client of the scripted server as the service "ban" (its label, its pool, its circuit)."""
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
    return ServiceClient(ServiceConfig(**values))


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
    client = ServiceClient(
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


# --- Backoff with jitter -------------------------------------------------------------------------


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 0.2), (2, 0.4), (3, 0.8), (5, 3.2)])
def test_each_wait_is_between_half_and_all_of_the_exponential_backoff(attempt: int, ceiling: float) -> None:
    waits = [backoff_delay(attempt, 0.2) for _ in range(2000)]
    assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
    # Spread over the whole range, not one fixed value: clients that failed together retry apart.
    assert min(waits) < ceiling * 0.55 and max(waits) > ceiling * 0.95
    assert len(set(waits)) > 1900


def test_no_backoff_means_no_wait() -> None:
    assert backoff_delay(3, 0.0) == 0.0


# --- A total deadline across attempts ------------------------------------------------------------


def test_a_slow_service_costs_the_deadline_not_timeout_times_attempts(server: ScriptedServer) -> None:
    server.script((200, {"late": True}, {}, 0.8))
    client = client_for(server, timeout=0.5, retries=5, backoff=0.01, deadline=1.2, failure_threshold=10)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        client.get("/search")
    elapsed = time.monotonic() - started
    # Six attempts of 0.5 s would take 3 s: the third attempt gets only what is left of 1.2 s.
    assert 1.1 < elapsed < 1.8
    assert len(server.requests) == 3
    assert client.breaker.failures() == 1


def test_backoff_waits_count_against_the_deadline(server: ScriptedServer) -> None:
    server.script((503, {}))
    client = client_for(server, retries=10, backoff=0.2, deadline=1.0, failure_threshold=10)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="503"):
        client.get("/search")
    # Waits of 0.1-0.2, 0.2-0.4, 0.4-0.8 s: the deadline stops the retries after 3 or 4 calls.
    assert time.monotonic() - started < 1.05
    assert 3 <= len(server.requests) <= 4


def test_the_default_deadline_is_twice_the_timeout() -> None:
    config = ServiceConfig(
        name="ban",
        base_url="",
        token="",
        timeout=3.0,
        retries=2,
        backoff=0.2,
        failure_threshold=5,
        recovery_seconds=30,
    )
    assert config.total_seconds == 6.0


def test_the_deadline_is_read_from_the_settings(settings) -> None:
    settings.INTEGRATIONS = {**settings.INTEGRATIONS, "ban": {**settings.INTEGRATIONS["ban"], "DEADLINE": 4.5}}
    assert ServiceConfig.of("ban").total_seconds == 4.5


# --- One circuit per service, shared through the cache --------------------------------------------


def test_two_clients_of_a_service_share_its_circuit(server: ScriptedServer) -> None:
    server.script((500, {}))
    first = client_for(server, retries=0, failure_threshold=2, recovery_seconds=0.3)
    second = client_for(server, retries=0, failure_threshold=2, recovery_seconds=0.3)
    with pytest.raises(ServiceUnavailable):
        first.get("/search")
    with pytest.raises(ServiceUnavailable):
        second.get("/search")
    # Two failures in a row, one from each: open for both, and neither calls any more.
    with pytest.raises(CircuitOpen):
        first.get("/search")
    with pytest.raises(CircuitOpen):
        second.get("/search")
    assert len(server.requests) == 2
    time.sleep(0.35)
    server.script((200, {"ok": True}))
    assert second.get("/search") == {"ok": True}
    assert not first.breaker.is_open() and first.breaker.failures() == 0


OPEN_THE_CIRCUIT_ELSEWHERE = """
import sys, django
django.setup()
from civiquest.core.http import ServiceClient, ServiceConfig, ServiceUnavailable
config = ServiceConfig(name="ban", base_url=sys.argv[1], token="", timeout=0.5, retries=0, backoff=0,
                       failure_threshold=2, recovery_seconds=60)
for _ in range(2):
    try:
        ServiceClient(config).get("/search")
    except ServiceUnavailable:
        pass
print("open" if ServiceClient(config).breaker.is_open() else "closed")
"""


@pytest.mark.django_db
def test_a_circuit_opened_by_another_process_is_open_here(
    server: ScriptedServer, settings, private_redis: PrivateRedis, tmp_path
) -> None:
    settings.CACHES = private_redis.caches()
    server.script((500, {}))
    result = run_django(["-c", OPEN_THE_CIRCUIT_ELSEWHERE, server.url], {"REDIS_URL": private_redis.url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "open"
    assert len(server.requests) == 2
    with pytest.raises(CircuitOpen):
        client_for(server, failure_threshold=2, recovery_seconds=60).get("/search")
    assert len(server.requests) == 2


# --- One connection pool per service ---------------------------------------------------------------


def test_every_call_to_a_service_goes_through_its_one_pool_and_reuses_the_connection(
    keep_alive_server: ScriptedServer,
) -> None:
    keep_alive_server.script((200, {"ok": True}))
    first, second = client_for(keep_alive_server), client_for(keep_alive_server)
    assert first.http is second.http is pooled_client("ban")
    assert first.get("/search") == {"ok": True}
    assert second.get("/search", params={"q": "rue"}) == {"ok": True}
    assert first.request("GET", "/status").status_code == 200
    # Three calls, from two client objects, over one TCP connection.
    assert len(keep_alive_server.connections) == 3
    assert len(set(keep_alive_server.connections)) == 1


def test_each_service_has_its_own_pool() -> None:
    assert pooled_client("ban") is pooled_client("ban")
    assert pooled_client("ban") is not pooled_client("dgfip")


def test_threads_asking_at_once_get_the_same_pool() -> None:
    pools.close_pools()
    barrier = threading.Barrier(8)
    found: list[int] = []

    def take() -> None:
        barrier.wait()
        found.append(id(pooled_client("ants_coordination")))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1


def test_closed_pools_are_replaced_on_next_use(server: ScriptedServer) -> None:
    server.script((200, {"ok": True}))
    before = pooled_client("ban")
    pools.close_pools()
    assert before.is_closed
    assert client_for(server).get("/search") == {"ok": True}
    assert pooled_client("ban") is not before


def test_a_forked_child_does_not_use_its_parents_pools() -> None:
    import os

    pooled_client("ban")
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's exit code is the assertion
        os._exit(0 if not pools._pools.clients else 1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pools._pools.clients  # the parent keeps its own


# --- Any content, and streams --------------------------------------------------------------------


def test_a_raw_request_returns_any_content_and_a_4xx_for_the_caller(server: ScriptedServer) -> None:
    server.script((200, b"eyJhbGciOi.payload.sig", {"Content-Type": "application/jwt"}))
    response = client_for(server).request("GET", "/userinfo")
    assert response.headers["Content-Type"] == "application/jwt" and response.text.startswith("eyJ")
    server.script((401, {"error": "invalid_token"}))
    assert client_for(server).request("GET", server.url + "/userinfo").status_code == 401  # an absolute URL


def test_a_raw_post_is_sent_once_and_a_form_is_encoded(server: ScriptedServer) -> None:
    server.script((500, {}), (200, {"ok": True}))
    with pytest.raises(ServiceUnavailable, match="500"):
        client_for(server).request("POST", "/token", data={"grant_type": "authorization_code", "code": "a b"})
    assert len(server.requests) == 1
    assert server.requests[0][2] == b"grant_type=authorization_code&code=a+b"


def test_a_stream_is_read_as_it_comes_and_its_failures_count(server: ScriptedServer) -> None:
    server.script((200, b"data: 1\n\ndata: 2\n\n", {"Content-Type": "text/event-stream"}))
    client = client_for(server, failure_threshold=1)
    with client.stream("POST", "/chat/completions", json={"stream": True}) as response:
        assert list(response.iter_lines()) == ["data: 1", "", "data: 2", ""]
    server.script((502, {}))
    with pytest.raises(ServiceUnavailable, match="502"), client.stream("POST", "/chat/completions"):
        pass
    assert len(server.requests) == 1  # a stream is not retried
    with pytest.raises(CircuitOpen), client.stream("POST", "/chat/completions"):
        pass
