"""LLM mode: a model that does not start answering in time is given up, and its circuit opens.

Against the fake OpenAI-compatible server on loopback: it accepts and never answers ("hang"),
sends its headers and then nothing ("headers_then_hang"), or keep-alive comments forever
("keepalive_forever"); it counts the connections it accepts and the requests it reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from civiquest.assistant import names
from civiquest.assistant.answering import answer
from civiquest.assistant.guardrails import fallback_notice
from civiquest.assistant.providers import SERVICE, OpenAICompatibleProvider
from civiquest.core import budget
from civiquest.core.circuit import CIRCUIT_KEY, CircuitBreaker
from tests.assistant.test_providers_fake_server import (
    HANGING_MODES,
    PASSPORT,
    FakeLLM,
    StaticRetriever,
    fake_llm,
    openai_settings,
)

# The extractive answer in the model's place reads the fiches' sections from the database.
pytestmark = pytest.mark.django_db

__all__ = ["fake_llm", "openai_settings"]

QUESTION = "Combien coûte le timbre fiscal ?"
QUOTE = "« Le timbre fiscal coûte 86 euros pour un adulte. »"


def _model_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "assistant-model"]


@pytest.fixture
def llm(openai_settings, fake_llm: FakeLLM) -> Iterator[FakeLLM]:
    """The fake model with the production timeouts: 20 s per read, 5 s for the first piece.

    The redaction's NER model is loaded first: its one-time load per process (docs/benchmarks.md)
    is not what these tests time.
    """
    openai_settings.ASSISTANT_TIMEOUT = 20
    openai_settings.ASSISTANT_FIRST_TOKEN_TIMEOUT = 5
    names.ner_model()
    yield fake_llm
    # Let the hanging requests end, and the threads reading them, before the next test's cache.
    fake_llm.released.set()
    for thread in _model_threads():
        thread.join(timeout=5)


def _circuit_open() -> bool:
    return CircuitBreaker(OpenAICompatibleProvider.from_settings().service.config).is_open()


@pytest.mark.parametrize("mode", HANGING_MODES)
def test_a_hanging_model_is_answered_extractively_in_under_6_s_and_then_skipped(llm, mode):
    llm.mode = mode
    started = time.monotonic()
    reply = answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    elapsed = time.monotonic() - started
    assert len(llm.requests) == 1, "the model was asked"
    assert elapsed < 6.0
    assert elapsed >= 5.0, "the model had its 5 s"
    assert reply.provider == "extractive"
    assert reply.notice == fallback_notice()
    assert QUOTE in reply.text
    assert _circuit_open()

    # The next question does not contact the model while its circuit is open.
    connections, requests = llm.connections, len(llm.requests)
    started = time.monotonic()
    reply = answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    assert time.monotonic() - started < 1.0
    assert reply.provider == "extractive" and reply.notice == fallback_notice()
    assert QUOTE in reply.text
    assert (llm.connections, len(llm.requests)) == (connections, requests)


def test_the_circuit_lets_the_model_be_tried_again_after_its_recovery(llm, settings):
    llm.mode = "headers_then_hang"
    settings.ASSISTANT_FIRST_TOKEN_TIMEOUT = 1
    answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    assert _circuit_open() and len(llm.requests) == 1
    # The recovery delay has passed (the state is in the cache: every process sees it).
    cache.set(CIRCUIT_KEY.format(service=SERVICE) + ":open-until", time.time() - 1, None)
    llm.mode = "ok"
    reply = answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    assert len(llm.requests) == 2
    assert reply.provider == "openai_compatible" and reply.text == llm.reply
    assert not _circuit_open()


def test_the_thread_reading_a_hanging_model_ends_when_it_is_given_up(llm, settings):
    settings.ASSISTANT_FIRST_TOKEN_TIMEOUT = 1
    llm.mode = "keepalive_forever"
    answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    # The socket was shut down: the read ends now, not at the 20 s read timeout nor ever.
    deadline = time.monotonic() + 2
    while _model_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _model_threads() == []


def test_a_slow_model_that_starts_in_time_is_not_cut_by_the_first_token_timeout(llm, settings):
    settings.ASSISTANT_FIRST_TOKEN_TIMEOUT = 1
    llm.piece_delay = 0.3  # seven pieces: the whole answer takes over 2 s
    started = time.monotonic()
    reply = answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    assert time.monotonic() - started > 2.0
    assert reply.provider == "openai_compatible" and reply.text == llm.reply
    assert not _circuit_open()


def test_headers_that_come_after_the_model_was_given_up_do_not_close_its_circuit(llm, settings):
    settings.ASSISTANT_FIRST_TOKEN_TIMEOUT = 1
    llm.mode = "timeout"
    llm.delay = 2.0  # then it answers, but too late
    reply = answer(QUESTION, retriever=StaticRetriever(PASSPORT))
    assert reply.provider == "extractive"
    assert _circuit_open()
    for thread in _model_threads():
        thread.join(timeout=5)  # the late answer came, and was recorded a success by the client
    assert _circuit_open()


def test_a_wait_cut_short_by_the_page_budget_does_not_open_the_circuit(llm):
    llm.mode = "hang"
    with budget.outside_calls_budget(0.5):
        started = time.monotonic()
        reply = answer(QUESTION, retriever=StaticRetriever(PASSPORT))
        assert time.monotonic() - started < 1.5
    assert reply.provider == "extractive"
    assert not _circuit_open()
