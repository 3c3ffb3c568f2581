import pytest

from civiquest.accounts.models import ServiceRole
from civiquest.actions.quests import quest_start, quest_step_complete
from civiquest.catalogue.models import Step
from civiquest.quests.services import answers_save
from tests.catalogue.factories import (
    GUIDED_STEPS,
    INSTRUCTED_ANSWERS,
    INSTRUCTED_STEPS,
    ServiceFactory,
    member_of,
    published,
    with_wallet_documents,
)


@pytest.fixture
def mairie(db):
    return ServiceFactory(name="Mairie de Nouméa")


@pytest.fixture
def instructor(mairie):
    return member_of(mairie, ServiceRole.INSTRUCTOR)


@pytest.fixture
def manager(mairie):
    return member_of(mairie, ServiceRole.MANAGER)


@pytest.fixture
def passport(mairie):
    """An instructed procedure (the mairie) with every kind of step, published."""
    procedure, _revision = published(INSTRUCTED_STEPS, service=mairie, slug="passeport", title="Passeport")
    return procedure


@pytest.fixture
def moving(db):
    """A guided procedure: no instructing service, no agent review."""
    procedure, _revision = published(GUIDED_STEPS, slug="changement-adresse", title="Changement d’adresse")
    return procedure


def step(quest, slug):
    return Step.objects.get(revision=quest.revision, slug=slug)


def fill(quest, answers=INSTRUCTED_ANSWERS):
    """Answer and complete every step the citizen does on a passport quest."""
    for current in quest.revision.steps.order_by("position"):
        if current.slug in answers:
            data = with_wallet_documents(quest, current, answers[current.slug])
            result = answers_save(quest=quest, step=current, data=data)
            assert result.errors == {}
        if current.kind not in ("agent_review",) and current.required and current.slug != "perte":
            quest_step_complete(quest=quest, step=current)
    return quest


@pytest.fixture
def draft_quest(citizen, passport):
    return quest_start(citizen=citizen, procedure=passport)


@pytest.fixture
def ready_quest(draft_quest):
    """A passport quest whose every required step is done: it can be submitted."""
    return fill(draft_quest)
