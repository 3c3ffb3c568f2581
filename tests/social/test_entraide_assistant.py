"""The assistant links to accepted entraide answers of the procedures it suggests when its confidence is low."""

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.assistant.conversations.models import Conversation, Message, MessageRole, Outcome
from civiquest.social.entraide.models import Answer
from tests.social.conftest import published_answer, published_question

pytestmark = pytest.mark.django_db


def _conversation(citizen, slug, *, outcome, confidence):
    conversation = Conversation.objects.create(citizen=citizen, title="Passeport")
    question = Message.objects.create(conversation=conversation, role=MessageRole.CITIZEN, text="Et si… ?")
    Message.objects.create(
        conversation=conversation,
        role=MessageRole.ASSISTANT,
        text="Je ne suis pas sûr.",
        reply_to=question,
        outcome=outcome,
        confidence=confidence,
        suggested_procedures=[slug],
    )
    return conversation


def test_a_low_confidence_answer_links_to_accepted_answers_of_its_procedure(client, passport, asker, helper):
    accepted = published_question(asker, passport, title="Passeport perdu à l’étranger ?")
    Answer.objects.filter(pk=published_answer(helper, accepted).pk).update(accepted_at=timezone.now())
    published_question(asker, passport, title="Question sans réponse acceptée")
    client.force_login(asker)
    unsure = _conversation(asker, passport.slug, outcome=Outcome.LOW_CONFIDENCE, confidence=0.2)
    page = client.get(reverse("citizen:assistant-conversation", args=[unsure.pk])).content.decode()
    assert "Passeport perdu à l’étranger ?" in page
    assert reverse("citizen:entraide-question", args=[accepted.pk]) in page
    assert "Question sans réponse acceptée" not in page
    sure = _conversation(asker, passport.slug, outcome=Outcome.ANSWERED, confidence=0.9)
    page = client.get(reverse("citizen:assistant-conversation", args=[sure.pk])).content.decode()
    assert "Passeport perdu à l’étranger ?" not in page
