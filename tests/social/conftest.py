import pytest
from django.utils import timezone

from civiquest.social.entraide.models import Answer, PostStatus, Question
from civiquest.social.services import pseudonym_choose
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import ProcedureFactory
from tests.quests.fixtures import mairie, passport  # noqa: F401 - fixtures


def trusted(pseudonym: str = "", **kwargs):
    """A citizen with a pseudonym and one published question (their posts are published at once)."""
    citizen = CitizenFactory(**kwargs)
    pseudonym_choose(user=citizen, pseudonym=pseudonym or f"Pseudo{citizen.pk}")
    procedure = ProcedureFactory()
    Question.objects.create(
        author=citizen,
        procedure=procedure,
        title="Première question",
        status=PostStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    return citizen


def published_question(author, procedure, *, step_slug: str = "", title: str = "Quels justificatifs ?") -> Question:
    return Question.objects.create(
        author=author,
        procedure=procedure,
        step_slug=step_slug,
        title=title,
        status=PostStatus.PUBLISHED,
        published_at=timezone.now(),
    )


def published_answer(author, question, body: str = "Il faut un justificatif de domicile récent.") -> Answer:
    return Answer.objects.create(
        author=author, question=question, body=body, status=PostStatus.PUBLISHED, published_at=timezone.now()
    )


@pytest.fixture
def asker(db):
    return trusted("Asker")


@pytest.fixture
def helper(db):
    return trusted("Helper")
