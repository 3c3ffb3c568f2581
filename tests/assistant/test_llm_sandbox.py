"""The LLM sandbox: an OpenAI-compatible server in the project, and the real client against it over a socket."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from civiquest.accounts.access import ACCESS_ATTRIBUTE, PUBLIC
from civiquest.assistant.answering import answer, answer_stream
from civiquest.assistant.markers import invalid_markers_notice
from civiquest.assistant.providers import build_messages
from civiquest.sandbox import llm
from tests.assistant.test_answering import kb_retriever
from tests.assistant.test_providers_fake_server import MOVING, PASSPORT, StaticRetriever

__all__ = ["kb_retriever"]

BASE = "/sandbox/llm/v1"
NOTICE = "Le service de rédaction est indisponible : voici les extraits des sources officielles."


def _body(question: str = "Combien coûte le timbre fiscal ?", **extra) -> dict:
    return {"model": llm.MODEL, "messages": build_messages(question=question, passages=[PASSPORT, MOVING]), **extra}


def _post(client, body) -> object:
    return client.post(f"{BASE}/chat/completions", data=json.dumps(body), content_type="application/json")


def _events(response) -> list[str]:
    text = b"".join(response.streaming_content).decode()
    return [block.removeprefix("data: ") for block in text.split("\n\n") if block]


@pytest.fixture(autouse=True)
def _no_faults():
    llm.clear()
    yield
    llm.clear()


def test_views_are_public_and_csrf_exempt():
    for view in (llm.models, llm.chat_completions):
        assert getattr(view, ACCESS_ATTRIBUTE) == PUBLIC
    assert getattr(llm.chat_completions, "csrf_exempt", False)


def test_models_lists_the_sandbox_model_and_the_fault_models(client):
    data = client.get(f"{BASE}/models").json()
    assert data["object"] == "list"
    assert [m["id"] for m in data["data"]] == [llm.MODEL, *llm.FAULT_MODELS]


def test_chat_completion_quotes_the_best_sentence_of_each_source(client):
    response = _post(client, _body())
    assert response.status_code == 200
    content = response.json()["choices"][0]["message"]["content"]
    assert content == (
        "Voici ce qu'indiquent les sources officielles :\n"
        "- Le timbre fiscal coûte 86 euros pour un adulte. [1]\n"
        "- En cas de déménagement, vous pouvez signaler votre changement d'adresse en ligne. [2]"
    )
    assert _post(client, _body()).json()["choices"][0]["message"]["content"] == content  # deterministic


def test_chat_completion_without_sources_says_it_cannot_answer(client):
    body = {"model": llm.MODEL, "messages": [{"role": "user", "content": "<question>Bonjour ?</question>"}]}
    content = _post(client, body).json()["choices"][0]["message"]["content"]
    assert content == "Les sources fournies ne permettent pas de répondre à cette question."


def test_streaming_sends_chunks_then_done(client):
    response = _post(client, _body(stream=True))
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    events = _events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == _post(client, _body()).json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"messages": []}', b'{"messages": [{"role": "system"}]}'])
def test_bad_requests_are_answered_400(client, body):
    response = client.post(f"{BASE}/chat/completions", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_get_on_chat_completions_is_refused(client):
    assert client.get(f"{BASE}/chat/completions").status_code == 405


@pytest.mark.parametrize("how", ["inject", "model"])
def test_server_error_fault(client, how):
    body = _body()
    if how == "inject":
        llm.inject(llm.LlmFault.SERVER_ERROR)
    else:
        body["model"] = "sandbox-server-error"
    assert _post(client, body).status_code == 500


def test_malformed_stream_fault_ends_without_done(client):
    llm.inject(llm.LlmFault.MALFORMED_STREAM)
    events = _events(_post(client, _body(stream=True)))
    assert "[DONE]" not in events
    with pytest.raises(json.JSONDecodeError):
        json.loads(events[-1])


def test_faults_are_ignored_when_the_sandboxes_are_off(settings):
    llm.inject(llm.LlmFault.SERVER_ERROR)
    assert llm.active() == {llm.LlmFault.SERVER_ERROR}
    settings.SANDBOXES_ENABLED = False
    assert llm.active("sandbox-timeout") == frozenset()


# --- The real client against the sandbox over a socket ---------------------------------------------


@pytest.fixture
def sandbox_provider(settings, live_server):
    settings.ASSISTANT_PROVIDER = "openai_compatible"
    settings.ASSISTANT_BASE_URL = f"{live_server.url}{BASE}"
    settings.ASSISTANT_MODEL = llm.MODEL
    settings.ASSISTANT_TIMEOUT = 0.5
    settings.SANDBOX_LLM_TIMEOUT_SLEEP = 1.5
    return settings


def test_the_assistant_answers_through_the_sandbox(sandbox_provider):
    httpx.get(sandbox_provider.ASSISTANT_BASE_URL + "/models", timeout=5).raise_for_status()
    events = list(answer_stream("Combien coûte le timbre fiscal ?", retriever=StaticRetriever(PASSPORT)))
    assert events[0].kind == "sources"
    assert sum(event.kind == "token" for event in events) > 3
    reply = events[-1].reply
    assert reply.provider == "openai_compatible"
    assert reply.notice == ""
    assert "Le timbre fiscal coûte 86 euros pour un adulte. [1]" in reply.text


@pytest.mark.parametrize("fault", [fault for fault in llm.LlmFault if fault is not llm.LlmFault.INVALID_MARKERS])
def test_each_sandbox_fault_falls_back_to_extractive(sandbox_provider, fault):
    llm.inject(fault)
    reply = answer("Combien coûte le timbre fiscal ?", retriever=StaticRetriever(PASSPORT))
    assert reply.provider == "extractive"
    assert reply.notice == NOTICE
    assert "« Le timbre fiscal coûte 86 euros pour un adulte. »" in reply.text


def test_the_stall_fault_sends_its_headers_then_waits(client, settings):
    settings.SANDBOX_LLM_TIMEOUT_SLEEP = 0.3
    chunks = iter(_post(client, {**_body(stream=True), "model": "sandbox-stall"}).streaming_content)
    assert json.loads(next(chunks).decode().removeprefix("data: "))["choices"][0]["delta"] == {"role": "assistant"}
    started = time.monotonic()
    rest = b"".join(chunks)
    assert time.monotonic() - started >= 0.3
    assert rest.endswith(b"data: [DONE]\n\n")


def test_the_invalid_markers_fault_is_caught_by_the_assistant(sandbox_provider):
    sandbox_provider.ASSISTANT_MODEL = "sandbox-invalid-markers"
    reply = answer("Combien coûte le timbre fiscal ?", retriever=StaticRetriever(PASSPORT))
    assert reply.provider == "openai_compatible"
    assert reply.invalid_markers == 1 and reply.notice == invalid_markers_notice()
    assert reply.text.endswith("- Le timbre fiscal coûte 86 euros pour un adulte. [1]\nVoir aussi la source.")


def test_fault_by_model_name_falls_back(sandbox_provider):
    sandbox_provider.ASSISTANT_MODEL = "sandbox-malformed-stream"
    reply = answer("Combien coûte le timbre fiscal ?", retriever=StaticRetriever(PASSPORT))
    assert reply.provider == "extractive" and reply.notice == NOTICE


def test_knowledge_base_retriever_then_the_sandbox_model(sandbox_provider, kb_retriever):
    reply = answer("je serai absent le jour du vote, comment voter par procuration ?", retriever=kb_retriever)
    assert reply.provider == "openai_compatible" and reply.outcome == "answered"
    assert reply.citations[0].id == "F1604"
    assert "procuration" in reply.text and "[1]" in reply.text
