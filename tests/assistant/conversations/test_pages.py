"""The chat pages: plain form (post/redirect/get), the server-sent event stream, feedback, history, access."""

from html import unescape

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse

from civiquest.assistant.conversations.models import Conversation, Feedback, Message, MessageRole
from civiquest.assistant.conversations.services import answer_record, question_ask
from civiquest.assistant.types import Citation, Reply
from tests.accounts.factories import CitizenFactory, login_verified
from tests.assistant.conversations.conftest import sse_events

pytestmark = pytest.mark.django_db

PASSPORT_QUESTION = "Quels documents pour demander un passeport ?"
REPLY = Reply(
    text="Réponse.",
    citations=(Citation(id="passeport", title="Passeport", url="https://example.fr/p", kind="procedure"),),
    confidence=0.7,
    provider="extractive",
)


@pytest.fixture
def signed_in(client, citizen):
    login_verified(client, citizen)
    return client


def test_the_chat_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("citizen:assistant"))
    assert response.status_code == 302
    assert "franceconnect" in response["Location"]


def test_a_question_as_a_plain_form_is_answered_with_its_sources(signed_in, knowledge):
    response = signed_in.post(reverse("citizen:assistant"), {"question": PASSPORT_QUESTION})
    answer = Message.objects.get(role=MessageRole.ASSISTANT)
    conversation_url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": answer.conversation_id})
    assert response.status_code == 302
    assert response["Location"] == f"{conversation_url}#message-{answer.pk}"

    page = signed_in.get(conversation_url)
    html = unescape(page.content.decode())
    assert page.status_code == 200
    assert PASSPORT_QUESTION in html
    assert "Passeport d'un majeur : première demande" in html  # the fiche cited, as a link
    assert "Fiche service-public.fr" in html  # its kind
    # The procedure to start, apart from the sources.
    assert "Demander ou renouveler un passeport" in html
    assert reverse("citizen:procedure", kwargs={"slug": "passeport"}) in html
    assert "Confiance" in html
    assert reverse("citizen:assistant-feedback", kwargs={"message_id": answer.pk}) in html
    assert Message.objects.count() == 2


def test_a_follow_up_question_continues_the_conversation(signed_in, citizen, knowledge):
    signed_in.post(reverse("citizen:assistant"), {"question": PASSPORT_QUESTION})
    conversation = Conversation.objects.get()
    url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": conversation.pk})
    response = signed_in.post(url, {"question": "Combien coûte une carte d’identité ?"})
    assert response.status_code == 302
    assert Conversation.objects.count() == 1
    assert conversation.messages.count() == 4


def test_a_legal_situation_offers_a_human(signed_in, knowledge, settings):
    signed_in.post(
        reverse("citizen:assistant"),
        {"question": "Mon propriétaire refuse de me rendre ma caution, je porte plainte ?"},
    )
    answer = Message.objects.get(role=MessageRole.ASSISTANT)
    page = signed_in.get(reverse("citizen:assistant-conversation", kwargs={"conversation_id": answer.conversation_id}))
    html = page.content.decode()
    assert answer.outcome == "legal_case"
    assert "Parler à un humain" in html
    assert html.count(settings.ASSISTANT_FRANCE_SERVICES_URL) >= 2  # the answer's offer and the page's


@pytest.mark.parametrize(
    ("question", "error"),
    [("   ", "« Votre question » est vide"), ("x" * 1001, "« Votre question » est trop longue")],
)
def test_an_empty_or_too_long_question_names_the_field_and_keeps_the_text(signed_in, question, error):
    response = signed_in.post(reverse("citizen:assistant"), {"question": question})
    assert response.status_code == 400
    assert error in response.content.decode()
    if question.strip():
        assert question in response.content.decode()
    assert not Message.objects.exists()


def test_the_procedure_context_is_shown_and_kept(signed_in, knowledge):
    page = signed_in.get(reverse("citizen:assistant") + "?procedure=passeport&step=photo")
    html = page.content.decode()
    assert "À propos de la démarche « Demander ou renouveler un passeport »" in html
    assert 'value="passeport"' in html and 'value="photo"' in html
    signed_in.post(
        reverse("citizen:assistant"), {"question": "Quelle photo ?", "procedure": "passeport", "step": "photo"}
    )
    conversation = Conversation.objects.get()
    assert (conversation.procedure_slug, conversation.step_slug) == ("passeport", "photo")


def test_an_unknown_procedure_context_is_dropped(signed_in, knowledge):
    signed_in.post(reverse("citizen:assistant"), {"question": "Passeport ?", "procedure": "inconnue", "step": "x"})
    conversation = Conversation.objects.get()
    assert (conversation.procedure_slug, conversation.step_slug) == ("", "")


# --- The stream -------------------------------------------------------------------------------------------


def _stream(client, **data):
    response = client.post(reverse("citizen:assistant-stream"), data)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, sse_events(body)


def test_the_stream_sends_sources_then_tokens_then_done_and_saves_the_answer_once(signed_in, knowledge):
    response, events = _stream(signed_in, question=PASSPORT_QUESTION, procedure="passeport")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    names = [name for name, _data in events]
    assert names[0] == "sources"
    assert names[-1] == "done"
    assert "token" in names
    assert set(names[1:-1]) <= {"token", "notice"}
    sources = events[0][1]["sources"]
    assert sources[0]["id"] == "F14929"
    assert sources[0]["kind_label"] == "Fiche service-public.fr"
    streamed = "".join(data["text"] for name, data in events if name == "token")
    answer = Message.objects.get(role=MessageRole.ASSISTANT)
    assert streamed.strip() == answer.text.strip()
    done = events[-1][1]
    assert done["message"] == answer.pk
    assert "Demander ou renouveler un passeport" in done["html"]
    assert Message.objects.filter(role=MessageRole.CITIZEN).count() == 1
    assert Message.objects.filter(role=MessageRole.ASSISTANT).count() == 1
    assert Conversation.objects.get().procedure_slug == "passeport"


def test_the_stream_continues_a_conversation(signed_in, knowledge):
    _response, events = _stream(signed_in, question=PASSPORT_QUESTION)
    conversation = events[0][1]["conversation"]
    _response, _events = _stream(signed_in, question="Et pour une carte d’identité ?", conversation=conversation)
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation_id=conversation).count() == 4


def test_the_stream_reports_an_invalid_question_as_an_error_event(signed_in):
    response, events = _stream(signed_in, question="")
    assert response.status_code == 400
    assert events == [("error", {"message": "« Votre question » est vide : écrivez votre question."})]


def test_the_stream_refuses_get(signed_in):
    assert signed_in.get(reverse("citizen:assistant-stream")).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_stream_is_an_async_iterator_with_the_same_events(knowledge):
    citizen = CitizenFactory()
    client = AsyncClient()
    client.force_login(citizen)

    async def ask():
        response = await client.post(reverse("citizen:assistant-stream"), {"question": PASSPORT_QUESTION})
        assert response.is_async
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, body = async_to_sync(ask)()
    names = [name for name, _data in sse_events(body)]
    assert response.status_code == 200
    assert names[0] == "sources" and names[-1] == "done" and "token" in names
    assert Message.objects.filter(role=MessageRole.ASSISTANT).count() == 1


# --- Rate limit -----------------------------------------------------------------------------------------------


def test_over_the_rate_limit_the_page_says_so_with_429_and_keeps_the_question(signed_in, knowledge, settings):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 1
    signed_in.post(reverse("citizen:assistant"), {"question": PASSPORT_QUESTION})
    response = signed_in.post(reverse("citizen:assistant"), {"question": "Et la carte d’identité ?"})
    html = response.content.decode()
    assert response.status_code == 429
    assert 590 <= int(response["Retry-After"]) <= 600
    assert "Vous avez posé 1 question en moins de 10 minutes" in html
    assert "Et la carte d’identité ?" in html
    _response, events = _stream(signed_in, question="Encore une ?")
    assert _response.status_code == 429 and _response["Retry-After"]
    assert events[0][0] == "error" and "Réessayez" in events[0][1]["message"]
    assert Message.objects.filter(role=MessageRole.CITIZEN).count() == 1


# --- Feedback --------------------------------------------------------------------------------------------------


@pytest.fixture
def answer(citizen):
    return answer_record(question=question_ask(citizen=citizen, text="Passeport ?"), reply=REPLY)


def test_feedback_as_a_plain_post_then_changed(signed_in, answer):
    url = reverse("citizen:assistant-feedback", kwargs={"message_id": answer.pk})
    response = signed_in.post(url, {"vote": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#message-{answer.pk}")
    signed_in.post(url, {"vote": "down", "comment": "Il manque le prix."})
    feedback = Feedback.objects.get()
    assert (feedback.vote, feedback.comment) == ("down", "Il manque le prix.")


def test_feedback_with_htmx_answers_the_fragment(signed_in, answer):
    url = reverse("citizen:assistant-feedback", kwargs={"message_id": answer.pk})
    response = signed_in.post(url, {"vote": "up"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="feedback-{answer.pk}"' in html
    assert "Merci pour votre avis" in html
    assert "<html" not in html


def test_feedback_without_a_vote_is_refused(signed_in, answer):
    url = reverse("citizen:assistant-feedback", kwargs={"message_id": answer.pk})
    response = signed_in.post(url, {"comment": "?"}, follow=True)
    assert "choisissez « Utile » ou « Pas utile »" in response.content.decode()
    assert not Feedback.objects.exists()


# --- Another citizen's conversations --------------------------------------------------------------------------


def test_another_citizens_conversation_and_feedback_are_404(client, answer):
    login_verified(client, CitizenFactory())
    conversation_url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": answer.conversation_id})
    assert client.get(conversation_url).status_code == 404
    assert client.post(conversation_url, {"question": "Et moi ?"}).status_code == 404
    feedback_url = reverse("citizen:assistant-feedback", kwargs={"message_id": answer.pk})
    assert client.post(feedback_url, {"vote": "down"}).status_code == 404
    # A question is not an answer: no feedback on it, even for its author.
    question_url = reverse("citizen:assistant-feedback", kwargs={"message_id": answer.reply_to_id})
    assert client.post(question_url, {"vote": "down"}).status_code == 404
    stream = client.post(
        reverse("citizen:assistant-stream"), {"question": "Et moi ?", "conversation": answer.conversation_id}
    )
    assert stream.status_code == 404
    assert not Feedback.objects.exists()
    assert Message.objects.count() == 2


# --- History ------------------------------------------------------------------------------------------------


def test_the_history_lists_the_citizens_conversations_in_bounded_queries(
    signed_in, citizen, django_assert_max_num_queries, settings
):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 1000
    for number in range(3):
        answer_record(question=question_ask(citizen=citizen, text=f"Question {number} ?"), reply=REPLY)
    answer_record(question=question_ask(citizen=CitizenFactory(), text="Pas la mienne ?"), reply=REPLY)
    with django_assert_max_num_queries(8) as few:
        signed_in.get(reverse("citizen:assistant"))
    for number in range(3, 30):
        answer_record(question=question_ask(citizen=citizen, text=f"Question {number} ?"), reply=REPLY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = signed_in.get(reverse("citizen:assistant"))
    html = page.content.decode()
    assert "Question 29 ?" in html
    assert "Pas la mienne ?" not in html


def test_a_conversation_page_is_bounded_in_queries(signed_in, citizen, django_assert_max_num_queries):
    question = question_ask(citizen=citizen, text="Question ?")
    answer_record(question=question, reply=REPLY)
    url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": question.conversation_id})
    with django_assert_max_num_queries(12) as few:
        signed_in.get(url)
    for number in range(10):
        feedback_question = question_ask(citizen=citizen, text=f"Q{number} ?", conversation=question.conversation)
        answer_record(question=feedback_question, reply=REPLY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert signed_in.get(url).status_code == 200
