"""Finishing a recommended procedure before its deadline earns a bonus, once, and never in "mode sobre"."""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.actions.quests import quest_start, quest_step_complete
from civiquest.catalogue.conditions import visibility
from civiquest.catalogue.models import Procedure, StepKind
from civiquest.catalogue.services import revision_loaded
from civiquest.core.dates import paris_today
from civiquest.progress.habits.models import GamePreferences
from civiquest.progress.models import XpEntry
from civiquest.progress.rewards import ON_TIME_XP, REASON_ON_TIME
from civiquest.quests.models import QuestState
from civiquest.quests.services import answers_save
from civiquest.recommendations.models import LifeEvent
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import with_wallet_documents

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daily_cap_out_of_the_way(settings):
    """The steps of the quest fill the day's cap (100 XP) before the bonus: the cap is not what is tested here."""
    settings.PROGRESS_XP_DAILY_CAP = 1000


ANSWERS = {
    "situation": {"inscription": "premiere", "date_fin_contrat": "2026-01-31"},
    "pieces": {"pieces.identity_card": 1, "pieces.bank_details": 2},
    "teleservice": {"teleservice.reference": "1234567A"},
}


def register_as_job_seeker(citizen):
    """The France Travail quest, answered and completed step by step through the use cases."""
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="inscription-france-travail"))
    revision = revision_loaded(quest.revision_id)
    for step in revision.steps.all():
        if step.slug in ANSWERS:
            data = with_wallet_documents(quest, step, ANSWERS[step.slug])
            assert answers_save(quest=quest, step=step, data=data).errors == {}
    saved = dict(quest.answers.values_list("field_name", "value"))
    for step in visibility(revision, saved).steps:
        if step.required and step.kind != StepKind.AGENT_REVIEW:
            quest_step_complete(quest=quest, step=step)
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED
    return quest


def bonuses(citizen):
    return list(XpEntry.objects.filter(citizen=citizen, reason=REASON_ON_TIME).values_list("amount", flat=True))


def test_a_job_seeker_registered_within_the_12_months_earns_the_on_time_bonus(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    LifeEvent.objects.create(citizen=citizen, code="emploi", occurred_on=paris_today() - dt.timedelta(days=30))

    register_as_job_seeker(citizen)

    assert bonuses(citizen) == [ON_TIME_XP]


def test_no_bonus_without_the_event_that_makes_it_due(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    register_as_job_seeker(citizen)
    assert bonuses(citizen) == []


def test_no_bonus_in_mode_sobre(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    GamePreferences.objects.create(citizen=citizen, sober_mode=True)
    LifeEvent.objects.create(citizen=citizen, code="emploi", occurred_on=paris_today())

    register_as_job_seeker(citizen)

    assert bonuses(citizen) == []
