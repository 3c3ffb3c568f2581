"""A citizen's cached reads (``core.citizen_cache``): recomputed after any change to their data,
and every table the cached home reads declared, so that no change can leave it stale."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from civiquest.actions.quests import quest_start
from civiquest.core import citizen_cache
from civiquest.core.citizen_cache import cached_citizen_read, citizen_data_changed, citizen_generation
from civiquest.documents.models import DocumentType
from civiquest.progress.habits.models import GamePreferences
from civiquest.progress.habits.services import habit_adopt
from civiquest.progress.xp import xp_award
from civiquest.quests.models import Quest, QuestState
from civiquest.www.citizen.home import home_data_of
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import DocumentFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("citizen:dashboard")


def test_a_read_is_cached_until_the_citizen_data_changes():
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cached_citizen_read("thing", 7, compute) == 1
    assert cached_citizen_read("thing", 7, compute) == 1
    assert cached_citizen_read("thing", 8, compute) == 2  # another citizen
    citizen_data_changed(7)
    assert cached_citizen_read("thing", 7, compute) == 3
    assert cached_citizen_read("thing", 8, compute) == 2
    with translation.override("en"):
        assert cached_citizen_read("thing", 8, compute) == 4  # values may hold translated text


def test_a_change_draws_a_generation_now_and_another_after_commit(django_capture_on_commit_callbacks):
    before = citizen_generation(7)
    with django_capture_on_commit_callbacks(execute=True):
        citizen_data_changed(7)
        during = citizen_generation(7)
    # Another request may have cached the old rows under ``during`` before the commit.
    assert len({before, during, citizen_generation(7)}) == 3


def test_a_lost_generation_is_replaced_by_a_new_one():
    from django.core.cache import cache

    cached_citizen_read("thing", 7, lambda: "old")
    cache.delete("citizen:7:generation")  # evicted
    assert cached_citizen_read("thing", 7, lambda: "new") == "new"


# --- Every table the home reads is declared ---------------------------------------------------

# Tables written only by services that lock the quest first (``quests.services._lock``,
# ``quests.attachments._lock_quest``), which draws the new generation.
WRITTEN_UNDER_THE_QUEST_LOCK = {"procedures_answer", "procedures_stepprogress", "procedures_questdocument"}


def _tables(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"([a-z_]+)"', sql))


@pytest.fixture
def passport(db):
    """The demo catalogue's procedure with an appointment and a title to issue (the passport)."""
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.definitions import CATALOGUE
    from civiquest.catalogue.models import Procedure

    catalogue_load()
    slug = next(item.slug for item in CATALOGUE if item.instructing_service and item.appointment_need)
    return Procedure.objects.get(slug=slug)


@pytest.fixture
def busy_citizen(passport):
    """A citizen with something in every part of the home: quests, wallet, habits, XP."""
    citizen = CitizenFactory(birthdate=dt.date(1980, 5, 4))
    GamePreferences.objects.create(citizen=citizen, sober_mode=False, chosen_at=timezone.now())
    quest_start(citizen=citizen, procedure=passport)
    DocumentFactory(
        owner=citizen,
        type=DocumentType.PASSPORT,
        title="Passeport",
        issued_on=dt.date(2017, 1, 10),
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    habit_adopt(citizen=citizen, code=_a_habit_code())
    xp_award(citizen=citizen, amount=5, reason="test", key=f"test:{citizen.pk}")
    return citizen


def _a_habit_code() -> str:
    from civiquest.progress.habits.catalogue import CATALOGUE

    return CATALOGUE[0].code


def test_every_table_the_cached_home_reads_is_watched(busy_citizen):
    with CaptureQueriesContext(connection) as queries:
        home = home_data_of(citizen=busy_citizen, now=timezone.now(), today=timezone.localdate())
    assert home.quests and home.deadlines and home.rewards  # every part was read
    read = set().union(*(_tables(query["sql"]) for query in queries.captured_queries))
    watched = {model._meta.db_table for model in citizen_cache.WATCHED}
    # The catalogue's own tables: the cached home is keyed on the catalogue's version.
    catalogue = {model._meta.db_table for model in apps.get_app_config("catalogue").get_models()}
    assert read - watched - WRITTEN_UNDER_THE_QUEST_LOCK - catalogue == set()


# What the quest page shows of other people's rows: the instructing service's name and the agent
# who made a transition. Renamed, they show within ``READ_SECONDS`` (a rename is rare and harmless).
OTHERS_SHOWN_ON_THE_QUEST_PAGE = {"accounts_service"}


def test_every_table_the_cached_quest_page_reads_is_watched(busy_citizen):
    from civiquest.quests.selectors import _quest_detail_of

    quest = Quest.objects.get(citizen=busy_citizen)
    with CaptureQueriesContext(connection) as queries:
        assert _quest_detail_of(quest.pk, busy_citizen) == quest
    read = set().union(*(_tables(query["sql"]) for query in queries.captured_queries))
    watched = {model._meta.db_table for model in citizen_cache.WATCHED}
    catalogue = {model._meta.db_table for model in apps.get_app_config("catalogue").get_models()}
    assert "procedures_questtransition" in read
    assert read - watched - WRITTEN_UNDER_THE_QUEST_LOCK - catalogue - OTHERS_SHOWN_ON_THE_QUEST_PAGE == set()


# --- The dashboard shows each change at once ----------------------------------------------------


@pytest.fixture
def signed_in(client, busy_citizen):
    client.force_login(busy_citizen)
    client.get(DASHBOARD)  # the home is cached from now on
    return client


def _dashboard(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_quest_shows_at_once(signed_in, busy_citizen):
    from civiquest.catalogue.definitions import CATALOGUE
    from civiquest.catalogue.models import Procedure

    shown = Quest.objects.get(citizen=busy_citizen).procedure_id
    other = Procedure.objects.filter(slug__in=[item.slug for item in CATALOGUE]).exclude(pk=shown).first()
    quest = quest_start(citizen=busy_citizen, procedure=other)
    assert quest.reference in _dashboard(signed_in)


def test_a_decision_of_the_service_shows_at_once(signed_in, busy_citizen):
    quest = Quest.objects.get(citizen=busy_citizen)
    assert quest.reference in _dashboard(signed_in)
    quest.state = QuestState.REJECTED
    quest.save(update_fields=["state"])
    assert quest.reference not in _dashboard(signed_in)  # no longer among the ongoing ones


def test_a_document_removed_from_the_wallet_leaves_the_deadlines_at_once(signed_in, busy_citizen):
    assert 'id="home-deadlines"' in _dashboard(signed_in)
    document = busy_citizen.documents.get()
    assert document.title in _dashboard(signed_in)
    document.delete()
    assert document.title not in _dashboard(signed_in).split('id="home-deadlines"')[1].split("</section>")[0]


def test_a_reward_and_mode_sobre_show_at_once(signed_in, busy_citizen):
    xp_award(citizen=busy_citizen, amount=3, reason="test again", key=f"test-again:{busy_citizen.pk}")
    html = _dashboard(signed_in)
    assert html.count("data-game=") >= 2
    preferences = GamePreferences.objects.get(citizen=busy_citizen)
    preferences.sober_mode = True
    preferences.save()
    assert 'data-game="summary"' not in _dashboard(signed_in)


def test_writes_under_the_quest_lock_draw_a_new_generation(busy_citizen):
    from civiquest.quests.attachments import document_attach
    from civiquest.quests.services import step_reopen

    quest = Quest.objects.get(citizen=busy_citizen)
    step = quest.revision.steps.order_by("position").first()
    before = citizen_generation(busy_citizen.pk)
    document_attach(quest=quest, document=busy_citizen.documents.get(), step_slug=step.slug)
    attached = citizen_generation(busy_citizen.pk)
    step_reopen(quest=quest, step=step)
    assert len({before, attached, citizen_generation(busy_citizen.pk)}) == 3


def test_every_table_the_cached_ranking_reads_is_watched(busy_citizen):
    from civiquest.recommendations.models import ProcedurePair, ProcedurePopularity, Rule, RuleRevision
    from civiquest.recommendations.rules import active_rules
    from civiquest.recommendations.selectors import recommendations_for, shared_data

    active_rules(), shared_data()  # shared by every citizen, keyed on ``recommendations_version``
    with CaptureQueriesContext(connection) as queries:
        recommendations_for(busy_citizen, today=timezone.localdate())
    read = set().union(*(_tables(query["sql"]) for query in queries.captured_queries))
    watched = {model._meta.db_table for model in citizen_cache.WATCHED}
    catalogue = {model._meta.db_table for model in apps.get_app_config("catalogue").get_models()}
    shared = {model._meta.db_table for model in (ProcedurePair, ProcedurePopularity, Rule, RuleRevision)}
    assert "recommendations_feedback" in read
    assert read - watched - catalogue - shared == set()


def test_what_the_citizen_tells_the_recommender_draws_a_new_generation(busy_citizen):
    """A dismissed proposal, a life event declared, "similar citizens" turned off: the ranking is read again."""
    from civiquest.catalogue.models import LifeEventCode
    from civiquest.recommendations.models import Feedback, FeedbackKind, LifeEvent, Preferences

    today = timezone.localdate()
    quest = Quest.objects.get(citizen=busy_citizen)
    writes = [
        lambda: Feedback.objects.create(
            citizen=busy_citizen, procedure_id=quest.procedure_id, kind=FeedbackKind.DISMISSED, given_on=today
        ),
        lambda: LifeEvent.objects.create(citizen=busy_citizen, code=LifeEventCode.values[0], occurred_on=today),
        lambda: Preferences.objects.create(citizen=busy_citizen, use_similar=False),
    ]
    for write in writes:
        before = citizen_generation(busy_citizen.pk)
        write()
        assert citizen_generation(busy_citizen.pk) != before
