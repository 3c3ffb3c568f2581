"""Conversations: redaction before storage, one answer per question, retention purge, rate limit."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from civiquest.assistant.conversations.models import Conversation, Feedback, Message, MessageRole
from civiquest.assistant.conversations.services import (
    answer_record,
    feedback_give,
    history_purge,
    question_answer,
    question_ask,
    question_count,
    question_key,
)
from civiquest.assistant.conversations.tasks import history_purge as history_purge_task
from civiquest.assistant.types import Citation, Reply
from civiquest.core.ratelimit import RateLimited
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db

REPLY = Reply(
    text="Réponse.",
    citations=(Citation(id="passeport", title="Passeport", url="https://example.fr/p", kind="procedure"),),
    confidence=0.7,
    provider="extractive",
)


def test_a_question_is_stored_redacted_never_as_typed(citizen):
    question = question_ask(
        citizen=citizen, text="Je suis camille.martin@example.fr, tél 06 12 34 56 78 : mon passeport ?"
    )
    assert "camille.martin@example.fr" not in question.text
    assert "06 12 34 56 78" not in question.text
    assert "passeport" in question.text
    conversation = question.conversation
    assert "camille.martin@example.fr" not in conversation.title
    assert question.question_key == question_key(question.text)


def test_question_key_folds_case_accents_and_punctuation():
    assert question_key("Où  renouveler MON passeport ?!") == question_key("ou renouveler mon passeport")


def test_a_question_continues_the_given_conversation_and_keeps_its_context(citizen):
    first = question_ask(citizen=citizen, text="Passeport ?", procedure_slug="passeport", step_slug="photo")
    second = question_ask(citizen=citizen, text="Et le prix ?", conversation=first.conversation)
    assert second.conversation_id == first.conversation_id
    assert Conversation.objects.get().procedure_slug == "passeport"


def test_a_conversation_of_another_citizen_is_refused(citizen):
    other = question_ask(citizen=CitizenFactory(), text="Passeport ?")
    with pytest.raises(ValueError):
        question_ask(citizen=citizen, text="Et alors ?", conversation=other.conversation)


def test_an_answer_is_recorded_once_per_question(citizen):
    question = question_ask(citizen=citizen, text="Passeport ?")
    first = answer_record(question=question, reply=REPLY)
    again = answer_record(question=question, reply=REPLY)
    assert first.pk == again.pk
    assert Message.objects.filter(role=MessageRole.ASSISTANT).count() == 1
    assert first.citations == [
        {"id": "passeport", "title": "Passeport", "url": "https://example.fr/p", "kind": "procedure", "updated_on": ""}
    ]
    assert first.question_key == question.question_key


def test_question_answer_goes_through_the_real_assistant(citizen, knowledge):
    question = question_ask(citizen=citizen, text="Quels documents pour demander un passeport ?")
    answer = question_answer(question=question)
    assert answer.reply_to_id == question.pk
    assert answer.provider == "extractive"
    assert answer.citations[0]["id"] == "F14929"
    assert answer.suggested_procedures == ["passeport"]


def test_feedback_is_one_per_answer_and_its_comment_is_redacted(citizen):
    answer = answer_record(question=question_ask(citizen=citizen, text="Passeport ?"), reply=REPLY)
    feedback_give(message=answer, vote="up")
    feedback_give(message=answer, vote="down", comment="Faux, écrivez-moi à camille@example.fr")
    feedback = Feedback.objects.get()
    assert feedback.vote == "down"
    assert "camille@example.fr" not in feedback.comment
    with pytest.raises(ValueError):
        feedback_give(message=answer.reply_to, vote="up")


def test_the_rate_limit_counts_per_citizen_in_a_window(settings):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 2
    question_count(1)
    question_count(1)
    with pytest.raises(RateLimited) as refused:
        question_count(1)
    assert "2 questions en moins de 10 minutes" in refused.value.message
    assert 590 <= refused.value.retry_after <= 600
    question_count(2)


def test_a_question_over_the_limit_is_refused_and_not_stored(citizen, settings):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 1
    question_ask(citizen=citizen, text="Passeport ?")
    with pytest.raises(RateLimited) as refused:
        question_ask(citizen=citizen, text="Et la carte ?")
    assert "Réessayez" in refused.value.message
    assert Message.objects.count() == 1


def _aged(message: Message, days: int) -> None:
    at = timezone.now() - timedelta(days=days)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    Conversation.objects.filter(pk=message.conversation_id).update(updated_at=at)


def test_the_purge_deletes_what_is_past_retention_and_nothing_else(citizen):
    old_question = question_ask(citizen=citizen, text="Vieille question ?")
    old_answer = answer_record(question=old_question, reply=REPLY)
    feedback_give(message=old_answer, vote="down")
    _aged(old_question, settings.ASSISTANT_HISTORY_RETENTION_DAYS + 1)
    _aged(old_answer, settings.ASSISTANT_HISTORY_RETENTION_DAYS + 1)
    recent = question_ask(citizen=citizen, text="Question récente ?")
    answer_record(question=recent, reply=REPLY)
    # A conversation still in use keeps its recent messages and loses the old ones.
    mixed_old = question_ask(citizen=citizen, text="Au début ?")
    _aged(mixed_old, settings.ASSISTANT_HISTORY_RETENTION_DAYS + 2)
    question_ask(citizen=citizen, text="Et maintenant ?", conversation=mixed_old.conversation)

    result = history_purge()

    assert result.messages == 3
    assert result.conversations == 1
    assert not Conversation.objects.filter(pk=old_question.conversation_id).exists()
    assert not Feedback.objects.exists()
    assert set(Message.objects.values_list("text", flat=True)) == {"Question récente ?", "Réponse.", "Et maintenant ?"}
    assert history_purge().messages == 0  # idempotent


def test_the_purge_command_and_its_daily_task(citizen):
    question = question_ask(citizen=citizen, text="Vieille question ?")
    _aged(question, settings.ASSISTANT_HISTORY_RETENTION_DAYS + 1)
    out = StringIO()
    call_command("assistant_history_purge", stdout=out)
    assert "1 messages, 1 conversations deleted" in out.getvalue()
    assert not Message.objects.exists()
    history_purge_task.delay()  # runs inline without a broker
    entry = settings.CELERY_BEAT_SCHEDULE["assistant-history-purge"]
    assert entry["task"] == history_purge_task.name
