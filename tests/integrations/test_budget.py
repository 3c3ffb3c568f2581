"""A page's time budget for outside services, and the circuit breaker's counter shared atomically."""

from __future__ import annotations

import html
import threading
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from civiquest.core import budget
from civiquest.core.circuit import CircuitBreaker
from civiquest.core.http import ServiceConfig, ServiceUnavailable
from civiquest.integrations.passport.coordination import SERVICE as ANTS
from civiquest.sandbox import http_faults
from civiquest.sandbox.http_faults import HttpFault
from tests.core.test_http import ScriptedServer, client_for, server
from tests.integrations.ants.conftest import ants_api, catalogue
from tests.integrations.ants.helpers import future_slot, passport_quest, point
from tests.integrations.sandboxes import point_client_at
from tests.redis_server import PrivateRedis, private_redis

__all__ = ["ants_api", "catalogue", "private_redis", "server"]

ANTS_DOWN = "Nous n’arrivons pas à joindre le service de rendez-vous de l’ANTS"


# --- The JSON client within a budget ------------------------------------------------------------


def test_a_slow_service_costs_the_budget_not_timeout_times_attempts(server: ScriptedServer) -> None:
    server.script((200, {"late": True}, {}, 3.0))
    client = client_for(server, timeout=5.0, retries=2, backoff=0.2, failure_threshold=5)
    started = time.monotonic()
    with budget.outside_calls_budget(1.5), pytest.raises(ServiceUnavailable) as raised:
        client.get("/search")
    elapsed = time.monotonic() - started
    assert 1.3 < elapsed < 2.0
    assert len(server.requests) == 1  # no retry: the budget was spent
    assert "Ce que vous avez saisi est conservé" in raised.value.user_message
    # A fair trial (over a second) that timed out counts against the service.
    assert client.breaker.failures() == 1


def test_a_call_cut_short_by_the_budget_does_not_count_against_the_service(server: ScriptedServer) -> None:
    server.script((200, {"late": True}, {}, 1.0))
    client = client_for(server, timeout=5.0, retries=2, failure_threshold=1)
    with budget.outside_calls_budget(0.3), pytest.raises(ServiceUnavailable):
        client.get("/search")
    assert client.breaker.failures() == 0
    assert not client.breaker.is_open()


def test_a_spent_budget_makes_no_call(server: ScriptedServer) -> None:
    server.script((200, {"ok": True}))
    started = time.monotonic()
    with budget.outside_calls_budget(0), pytest.raises(ServiceUnavailable, match="budget"):
        client_for(server).get("/search")
    assert time.monotonic() - started < 0.1
    assert server.requests == []


def test_backoff_and_retry_after_waits_that_would_overrun_the_budget_are_skipped(server: ScriptedServer) -> None:
    server.script((500, {}), (200, {"ok": True}))
    client = client_for(server, backoff=1.0)
    started = time.monotonic()
    with budget.outside_calls_budget(0.5), pytest.raises(ServiceUnavailable, match="500"):
        client.get("/search")
    assert time.monotonic() - started < 0.5
    assert len(server.requests) == 1
    server.script((429, {}, {"Retry-After": "1"}), (200, {"ok": True}))
    with budget.outside_calls_budget(0.5), pytest.raises(ServiceUnavailable, match="429"):
        client.get("/search")
    assert len(server.requests) == 1
    # With time enough, the same retry happens.
    server.script((500, {}), (200, {"ok": True}))
    with budget.outside_calls_budget(3):
        assert client_for(server, backoff=0.1).get("/search") == {"ok": True}


def test_a_budget_is_per_block_and_none_outside(server: ScriptedServer) -> None:
    assert budget.time_left() is None
    with budget.outside_calls_budget(2):
        assert 1.9 < (budget.time_left() or 0) <= 2
        with budget.outside_calls_budget(None):
            assert budget.time_left() is None
        assert budget.time_left() is not None
    assert budget.time_left() is None


# --- A real page: the passport appointment booking, ANTS slow ---------------------------------


@pytest.mark.django_db
def test_a_slow_ants_costs_the_booking_page_its_budget_and_keeps_the_number(
    ants_api, catalogue, client, citizen, settings
):
    # Alone, these would hold the page 3 attempts × 5 s (+ backoff), twice (the page checks the number again).
    point_client_at(
        settings, ANTS, ants_api, TOKEN="sandbox-ants-token-for-tests", TIMEOUT=5.0, RETRIES=2, BACKOFF=0.2
    )
    settings.SANDBOX_HTTP_SLOW_SECONDS = 6
    settings.CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS = 3
    passport_quest(citizen, number="")
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580))
    http_faults.inject(ANTS, HttpFault.SLOW)
    client.force_login(citizen)

    started = time.monotonic()
    response = client.post(
        reverse("citizen:appointment-book", kwargs={"slot_id": slot.pk}),
        {"application_id": "AB12CD34EF", "reason": "PASSPORT"},
    )
    elapsed = time.monotonic() - started

    assert elapsed < 4.5, f"the page took {elapsed:.1f} s"
    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert ANTS_DOWN in content
    assert 'value="AB12CD34EF"' in content  # what the citizen typed is still there
    # One call reached ANTS; the retries and the page's second check were not made.
    assert http_faults.requests_seen(ANTS) == 1


# --- The assistant's model within the budget ---------------------------------------------------


@pytest.mark.django_db
def test_a_slow_model_falls_back_to_the_extractive_answer_within_the_budget(settings, live_server):
    from civiquest.assistant.answering import answer
    from civiquest.assistant.names import ner_model
    from civiquest.sandbox import llm
    from tests.assistant.test_providers_fake_server import PASSPORT, StaticRetriever

    settings.ASSISTANT_PROVIDER = "openai_compatible"
    settings.ASSISTANT_BASE_URL = f"{live_server.url}/sandbox/llm/v1"
    settings.ASSISTANT_MODEL = llm.MODEL
    settings.ASSISTANT_TIMEOUT = 20
    settings.SANDBOX_LLM_TIMEOUT_SLEEP = 4
    llm.inject(llm.LlmFault.TIMEOUT)
    ner_model()  # the redaction's model loads once per process: not an outside call, not timed here
    try:
        started = time.monotonic()
        with budget.outside_calls_budget(1.0):
            reply = answer("Combien coûte le timbre fiscal ?", retriever=StaticRetriever(PASSPORT))
        elapsed = time.monotonic() - started
    finally:
        llm.clear()
    assert elapsed < 2.0, f"the answer took {elapsed:.1f} s"
    assert reply.provider == "extractive"
    assert "Le service de rédaction est indisponible" in reply.notice


def test_a_streamed_page_keeps_its_request_budget_while_it_streams(rf, settings):
    from django.http import StreamingHttpResponse

    from civiquest.core.middleware import OutsideCallsBudgetMiddleware

    settings.CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS = 2
    seen: list[float | None] = []

    def body():
        seen.append(budget.time_left())
        yield b"x"

    middleware = OutsideCallsBudgetMiddleware(lambda request: StreamingHttpResponse(body()))
    response = middleware(rf.get("/"))
    assert budget.time_left() is None  # not leaked to whoever runs next
    assert b"".join(response.streaming_content) == b"x"
    assert seen[0] is not None and 1.5 < seen[0] <= 2


# --- The circuit breaker, shared by processes ------------------------------------------------


def _hammer(config: ServiceConfig, *, threads: int, failures_each: int) -> None:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            breaker = CircuitBreaker(config)  # each thread has its own cache connection (caches are per thread)
            for _ in range(failures_each):
                breaker.record_failure()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def _config(threshold: int) -> ServiceConfig:
    return ServiceConfig(
        name="ban",
        base_url="http://127.0.0.1:9",
        token="",
        timeout=1,
        retries=0,
        backoff=0,
        failure_threshold=threshold,
        recovery_seconds=60,
    )


@pytest.mark.parametrize("backend", ["redis", "in-process"])
def test_concurrent_failures_are_all_counted_and_open_the_circuit(backend, settings, request):
    if backend == "redis":
        private: PrivateRedis = request.getfixturevalue("private_redis")
        settings.CACHES = private.caches()
    threads, each = 8, 25
    config = _config(threshold=threads * each)
    _hammer(config, threads=threads, failures_each=each)
    breaker = CircuitBreaker(config)
    # A get-then-set would lose failures counted at the same time by other threads or processes.
    assert breaker.failures() == threads * each
    assert breaker.is_open()
    breaker.record_success()
    assert breaker.failures() == 0 and not breaker.is_open()


def test_the_circuit_opens_only_at_the_threshold_and_a_success_closes_it(settings):
    breaker = CircuitBreaker(_config(threshold=3))
    breaker.record_failure()
    breaker.record_failure()
    assert not breaker.is_open()
    breaker.record_failure()
    assert breaker.is_open()
    assert cache.get(breaker.open_until_key) > time.time()
    breaker.record_success()
    assert not breaker.is_open()
