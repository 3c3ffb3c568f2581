"""Entraide in the citizen's data export and erasure."""

import pytest

from civiquest.privacy.selectors import citizen_data
from civiquest.privacy.services import citizen_erase
from civiquest.social.entraide.models import Answer, PostStatus, Question, Vote
from tests.social.conftest import published_answer, published_question

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_pseudonym_questions_answers_and_votes(passport, asker, helper):
    question = published_question(asker, passport, title="Question exportée")
    answer = published_answer(helper, question)
    Vote.objects.create(answer=answer, voter=asker)
    data = citizen_data(asker)["entraide"]
    assert data["pseudonym"] == "Asker"
    assert "Question exportée" in [row["title"] for row in data["questions"]]
    assert [row["answer"] for row in data["votes"]] == [answer.pk]


def test_erasure_keeps_published_posts_without_their_author_and_deletes_the_rest(passport, asker, helper):
    question = published_question(helper, passport)
    kept = published_answer(asker, question)
    pending = Answer.objects.create(question=question, author=asker, body="En attente", status=PostStatus.PENDING)
    Vote.objects.create(answer=published_answer(helper, question), voter=asker)
    citizen_erase(citizen=asker)
    kept.refresh_from_db()
    assert kept.author_id is None
    assert not Answer.objects.filter(pk=pending.pk).exists()
    assert not Question.objects.filter(author_id=asker.pk).exists() and not Vote.objects.exists()
