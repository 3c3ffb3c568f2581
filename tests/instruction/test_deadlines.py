import datetime as dt

import pytest
from django.core.management import call_command

from civiquest.actions import instruction as decisions
from civiquest.actions.quests import quest_submit
from civiquest.catalogue.models import Procedure
from civiquest.instruction import deadlines
from civiquest.instruction import services as instruction
from civiquest.notifications.models import Notification
from civiquest.quests.models import Quest, QuestState
from tests.instruction.helpers import Clock, submitted_quest

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, START)


@pytest.fixture
def timed_passport(passport):
    Procedure.objects.filter(pk=passport.pk).update(legal_delay_days=30)
    passport.refresh_from_db()
    return passport


def test_the_deadline_is_the_first_submission_plus_the_legal_delay(clock, timed_passport):
    quest = submitted_quest(timed_passport)
    assert quest.deadline_at == START + dt.timedelta(days=30)
    assert quest.deadline_paused_seconds == 0
    assert quest.deadline_paused_since is None


def test_no_delay_no_deadline(clock, passport):
    quest = submitted_quest(passport)
    assert quest.deadline_at is None
    assert not deadlines.is_overdue(quest)


def test_the_deadline_is_paused_exactly_while_the_quest_is_with_the_citizen(clock, timed_passport, instructor):
    quest = submitted_quest(timed_passport)
    clock.advance(days=2)
    decisions.quest_start_review(quest=quest, actor=instructor)
    clock.advance(hours=5)
    decisions.quest_request_changes(quest=quest, actor=instructor, message="Photo floue", targets=["pieces.id_photo"])
    quest.refresh_from_db()
    assert quest.deadline_paused_since == clock.now
    assert quest.state == QuestState.CHANGES_REQUESTED
    # While paused, the effective deadline moves with the clock.
    paused_at = clock.now
    clock.advance(days=4, hours=3, minutes=17, seconds=11)
    assert deadlines.effective_deadline(quest) == START + dt.timedelta(days=30) + (clock.now - paused_at)
    quest_submit(quest=quest, actor=quest.citizen)
    quest.refresh_from_db()
    with_citizen = dt.timedelta(days=4, hours=3, minutes=17, seconds=11)
    assert quest.deadline_paused_since is None
    assert quest.deadline_paused_seconds == with_citizen.total_seconds()
    assert quest.deadline_at == START + dt.timedelta(days=30) + with_citizen
    # A second round adds up; the submission date stays the first one.
    clock.advance(days=1)
    decisions.quest_request_changes(quest=quest, actor=instructor, message="Encore", targets=[])
    clock.advance(hours=1)
    quest_submit(quest=quest, actor=quest.citizen)
    quest.refresh_from_db()
    assert quest.deadline_at == START + dt.timedelta(days=30) + with_citizen + dt.timedelta(hours=1)


def test_overdue_only_while_the_service_must_act(clock, timed_passport, instructor):
    quest = submitted_quest(timed_passport)
    clock.advance(days=31)
    assert deadlines.is_overdue(quest)
    assert Quest.objects.filter(deadlines.overdue_q()).filter(pk=quest.pk).exists()
    decisions.quest_request_changes(quest=quest, actor=instructor, message="À revoir")
    quest.refresh_from_db()
    assert not deadlines.is_overdue(quest)
    assert not Quest.objects.filter(deadlines.overdue_q()).filter(pk=quest.pk).exists()


def test_the_daily_job_warns_the_agents_of_quests_due_within_three_days(clock, timed_passport, instructor, manager):
    soon = submitted_quest(timed_passport)
    clock.advance(days=10)
    later = submitted_quest(timed_passport)
    clock.advance(days=18)  # soon is due in 2 days, later in 20
    call_command("deadlines_warn")
    warned = Notification.objects.filter(key__startswith="deadline:", quest=soon)
    assert {notification.recipient_id for notification in warned} == {instructor.pk, manager.pk}
    assert not Notification.objects.filter(key__startswith="deadline:", quest=later).exists()
    assert soon.reference in warned.first().title
    # Idempotent the same day; once taken, only the assignee is warned.
    call_command("deadlines_warn")
    assert Notification.objects.filter(key__startswith="deadline:", quest=soon).count() == 2
    instruction.quest_take(quest=soon, actor=instructor)
    clock.advance(days=1)
    call_command("deadlines_warn")
    assert Notification.objects.filter(key__startswith="deadline:", quest=soon).count() == 3
    assert (
        Notification.objects.filter(key__startswith="deadline:", quest=soon).order_by("-pk").first().recipient
        == instructor
    )
