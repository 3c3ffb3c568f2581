"""The assistant's JSON API: POST /api/v1/assistant/ask and /ask/stream, for signed-in citizens."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from civiquest.actions.catalogue import catalogue_load
from civiquest.assistant.conversations.models import Message, MessageRole
from civiquest.assistant.services import feed_import, knowledge_refresh_now
from tests.accounts.factories import AgentFactory, login_verified
from tests.assistant.conversations.conftest import sse_events

pytestmark = pytest.mark.django_db

ASK = "/api/v1/assistant/ask"
STREAM = "/api/v1/assistant/ask/stream"


@pytest.fixture(autouse=True)
def _index_in_tmp(settings, tmp_path):
    settings.ASSISTANT_INDEX_DIR = tmp_path / "assistant-index"
    settings.ASSISTANT_PROVIDER = "extractive"


@pytest.fixture
def knowledge(db):
    """As the demo: the catalogue of procedures and the sample fiches, indexed; the real retriever answers."""
    catalogue_load()
    feed_import(path=Path(settings.BASE_DIR) / "data" / "service-public", delete_missing=False)
    knowledge_refresh_now()


@pytest.fixture
def api(client, citizen):
    login_verified(client, citizen)
    return client


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_anonymous_callers_are_refused(client):
    assert post(client, ASK, {"question": "Passeport ?"}).status_code == 401
    assert post(client, STREAM, {"question": "Passeport ?"}).status_code == 401


def test_agents_are_refused(client):
    login_verified(client, AgentFactory())
    assert post(client, ASK, {"question": "Passeport ?"}).status_code == 403


def test_ask_answers_with_sources_confidence_and_provider(api, knowledge):
    response = post(api, ASK, {"question": "Quels documents pour demander un passeport ?", "procedure": "passeport"})
    body = response.json()
    assert response.status_code == 200
    assert body["provider"] == "extractive"
    assert body["answer"]
    assert 0 < body["confidence"] <= 1
    # The fiches are the sources; the procedure is offered apart.
    assert body["sources"][0] == {
        "id": "F14929",
        "title": "Passeport d'un majeur : première demande",
        "url": "https://www.service-public.fr/particuliers/vosdroits/F14929",
        "kind": "fiche",
        "updated_on": body["sources"][0]["updated_on"],
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["sources"][0]["updated_on"])
    assert [source["kind"] for source in body["sources"]] == ["fiche"] * len(body["sources"])
    assert body["procedures"][0]["id"] == "passeport"
    assert body["procedures"][0]["url"].endswith("/demarches/passeport/")
    # Recorded in the citizen's history, with its procedure.
    answer = Message.objects.get(role=MessageRole.ASSISTANT)
    assert answer.conversation.procedure_slug == "passeport"


def test_out_of_scope_questions_are_declined(api, knowledge):
    body = post(api, ASK, {"question": "Donne-moi une recette de tarte aux pommes"}).json()
    assert body["sources"] == []
    assert body["outcome"] == "out_of_scope"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"question": "   "}, "La question est vide"),
        ({"question": "x" * 1001}, "La question est trop longue : 1000 caractères au plus."),
        ({}, "question : Ce champ est obligatoire."),
        ({"question": "Passeport ?", "procedure": "p" * 101}, "procedure : Ce texte est trop long : 100 caractères"),
        ({"question": 12}, "question : Ce champ attend un texte."),
    ],
)
def test_an_invalid_question_is_400_with_a_clear_message(api, payload, message):
    response = post(api, ASK, payload)
    assert response.status_code == 400
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not Message.objects.exists()


def test_over_the_rate_limit_the_api_answers_429(api, knowledge, settings):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 1
    assert post(api, ASK, {"question": "Passeport ?"}).status_code == 200
    response = post(api, ASK, {"question": "Passeport ?"})
    assert response.status_code == 429
    assert "Réessayez dans quelques minutes" in response.json()["detail"]
    assert 590 <= int(response["Retry-After"]) <= 600
    streamed = post(api, STREAM, {"question": "Passeport ?"})
    assert streamed.status_code == 429 and 590 <= int(streamed["Retry-After"]) <= 600


def test_the_session_api_checks_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    login_verified(client, citizen)
    response = post(client, ASK, {"question": "Passeport ?"})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_the_stream_sends_sources_tokens_then_done_shaped_as_ask(api, knowledge):
    response = post(api, STREAM, {"question": "Quels documents pour demander un passeport ?"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    events = sse_events(b"".join(response.streaming_content))
    names = [name for name, _data in events]
    assert names[0] == "sources" and names[-1] == "done" and "token" in names
    assert events[0][1]["sources"][0]["id"] == "F14929"
    done = events[-1][1]
    assert set(done) >= {"answer", "sources", "confidence", "provider"}
    assert "".join(data["text"] for name, data in events if name == "token").strip() == done["answer"].strip()
    assert Message.objects.filter(role=MessageRole.ASSISTANT).count() == 1


def test_streams_beyond_the_process_cap_are_refused_before_the_question_is_stored(api, knowledge, settings):
    """A stream keeps a server thread: past the cap, 503 at once, so pages keep their threads."""
    from civiquest.assistant.conversations.streaming import StreamSlot

    settings.ASSISTANT_MAX_STREAMS_PER_PROCESS = 1
    held = StreamSlot()
    assert held.taken
    try:
        response = post(api, STREAM, {"question": "Quels documents pour demander un passeport ?"})
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        events = sse_events(b"".join(response.streaming_content))
        assert events[0][0] == "error" and "Réessayez" in events[0][1]["message"]
        assert not Message.objects.exists()
    finally:
        held.release()
    response = post(api, STREAM, {"question": "Quels documents pour demander un passeport ?"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    # The finished stream gave its slot back: another one may start.
    again = StreamSlot()
    assert again.taken
    again.release()
