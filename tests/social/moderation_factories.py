"""Entraide posts for the moderation tests, written straight with the models (entraide's pages are another branch)."""

from __future__ import annotations

from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.social.entraide.models import Answer, PostStatus, Question
from civiquest.social.services import pseudonym_choose
from tests.catalogue.factories import ProcedureFactory


def a_question(
    author: User | None, *, status: str = PostStatus.PUBLISHED, title: str = "Quel justificatif de domicile ?"
) -> Question:
    return Question.objects.create(
        author=author,
        procedure=ProcedureFactory(),
        title=title,
        body="Je n’ai pas de facture à mon nom.",
        status=status,
        published_at=timezone.now() if status == PostStatus.PUBLISHED else None,
    )


def an_answer(author: User | None, *, question: Question | None = None, status: str = PostStatus.PUBLISHED) -> Answer:
    question = question or a_question(None)
    return Answer.objects.create(
        question=question,
        author=author,
        body="Une attestation d’hébergement avec la pièce d’identité de l’hébergeant suffit.",
        status=status,
        published_at=timezone.now() if status == PostStatus.PUBLISHED else None,
    )


def with_pseudonym(user: User, pseudonym: str) -> User:
    pseudonym_choose(user=user, pseudonym=pseudonym)
    return user
