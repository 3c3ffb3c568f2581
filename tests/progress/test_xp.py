"""The ledger: exactly once, capped, diminishing, append-only, derived balance."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as h_settings
from hypothesis import strategies as st

from civiquest.notifications.models import Notification, NotificationKind
from civiquest.progress import xp
from civiquest.progress.levels import LEVEL_CAP, THRESHOLDS, level_for_xp, level_info, threshold
from civiquest.progress.models import LedgerIsAppendOnly, LevelState, XpEntry
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_same_key_twice_is_one_entry(citizen):
    first = xp.xp_award(citizen=citizen, amount=20, reason="quest.step", key=f"k:{citizen.pk}")
    again = xp.xp_award(citizen=citizen, amount=20, reason="quest.step", key=f"k:{citizen.pk}")
    assert first is not None and first.amount == 20
    assert again is None
    assert XpEntry.objects.filter(citizen=citizen).count() == 1
    assert xp.balance_of(citizen) == 20


def test_entries_refuse_update_and_delete(citizen):
    entry = xp.xp_award(citizen=citizen, amount=5, reason="r", key="one")
    entry.amount = 500
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        XpEntry.objects.filter(pk=entry.pk).update(amount=500)
    with pytest.raises(LedgerIsAppendOnly):
        XpEntry.objects.filter(pk=entry.pk).delete()
    assert xp.balance_of(citizen) == 5


def test_daily_cap_and_self_declared_cap(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 100
    settings.PROGRESS_XP_SELF_DECLARED_DAILY_CAP = 20
    assert xp.xp_award(citizen=citizen, amount=15, reason="a", key="s1", self_declared=True).amount == 15
    assert xp.xp_award(citizen=citizen, amount=15, reason="b", key="s2", self_declared=True).amount == 5
    assert xp.xp_award(citizen=citizen, amount=15, reason="c", key="s3", self_declared=True) is None
    assert xp.xp_award(citizen=citizen, amount=60, reason="d", key="v1").amount == 60
    assert xp.xp_award(citizen=citizen, amount=60, reason="e", key="v2").amount == 20
    assert xp.xp_award(citizen=citizen, amount=60, reason="f", key="v3") is None
    assert xp.balance_of(citizen) == 100
    # What was capped to nothing is still written, so the event stays spent and the ledger says why.
    capped = XpEntry.objects.get(key="v3")
    assert capped.amount == 0 and capped.requested == 60
    # Another citizen has their own cap.
    other = CitizenFactory()
    assert xp.xp_award(citizen=other, amount=60, reason="d", key="o1").amount == 60


def test_the_cap_resets_the_next_day_in_paris(citizen, settings, monkeypatch):
    settings.PROGRESS_XP_DAILY_CAP = 10
    monkeypatch.setattr(xp, "paris_today", lambda: dt.date(2026, 3, 28))
    assert xp.xp_award(citizen=citizen, amount=10, reason="a", key="d1").amount == 10
    assert xp.xp_award(citizen=citizen, amount=10, reason="b", key="d2") is None
    monkeypatch.setattr(xp, "paris_today", lambda: dt.date(2026, 3, 29))
    assert xp.xp_award(citizen=citizen, amount=10, reason="b", key="d3").amount == 10


def test_repeated_identical_actions_earn_less(citizen):
    amounts = [xp.xp_award(citizen=citizen, amount=8, reason="habit.checkin", key=f"h{i}").amount for i in range(3)]
    assert amounts == [8, 4, 2]
    # A different action is not a repetition.
    assert xp.xp_award(citizen=citizen, amount=8, reason="other", key="x").amount == 8


def test_an_award_is_a_constant_number_of_queries(citizen, django_assert_max_num_queries):
    xp.xp_award(citizen=citizen, amount=1, reason="warm", key="warm")  # creates the level row
    counts = []
    for number in range(3):
        with CaptureQueriesContext(connection) as captured:
            xp.xp_award(citizen=citizen, amount=1, reason=f"r{number}", key=f"q{number}")
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2]
    # Savepoints (2 × 2), the level row locked, one aggregate (key taken, balance, today's totals), the insert.
    with django_assert_max_num_queries(7):
        xp.xp_award(citizen=citizen, amount=1, reason="again", key="q-again")


def test_reversal_is_a_negative_line_once_and_levels_never_go_down(citizen):
    entry = xp.xp_award(citizen=citizen, amount=60, reason="quest.done", key="done")
    assert xp.level_of(citizen).level == 2
    reversal = xp.xp_reverse(entry=entry, reason="quest.reopened", key="undo")
    assert reversal.amount == -60 and reversal.reverses == entry
    assert xp.xp_reverse(entry=entry, reason="quest.reopened", key="undo-2") is None
    assert xp.balance_of(citizen) == 0
    info = xp.level_of(citizen)
    assert info.level == 2 and info.xp == 0 and info.progress == 0.0
    assert LevelState.objects.get(citizen=citizen).max_level == 2


def test_level_up_notifies_once(citizen):
    xp.xp_award(citizen=citizen, amount=30, reason="a", key="l1")
    assert not Notification.objects.filter(recipient=citizen, kind=NotificationKind.LEVEL_UP).exists()
    xp.xp_award(citizen=citizen, amount=20, reason="b", key="l2")
    notes = Notification.objects.filter(recipient=citizen, kind=NotificationKind.LEVEL_UP)
    assert [n.key for n in notes] == [f"level-up:{citizen.pk}:2"]
    assert notes[0].url == "/mon-espace/progression/"


def test_level_boundaries():
    assert [threshold(level) for level in (1, 2, 3, 5, 10, 20)] == [0, 50, 280, 800, 2700, 8280]
    assert level_for_xp(0) == 1 and level_for_xp(-50) == 1
    assert level_for_xp(49) == 1 and level_for_xp(50) == 2
    assert level_for_xp(279) == 2 and level_for_xp(280) == 3
    assert level_for_xp(8279) == 19 and level_for_xp(8280) == LEVEL_CAP == 20
    assert level_for_xp(10**9) == LEVEL_CAP
    top = level_info(xp=10**6)
    assert top.is_max and top.xp_next_level is None and top.progress == 1.0
    middle = level_info(xp=165)
    assert (middle.level, middle.xp_current_level, middle.xp_next_level, middle.percent) == (2, 50, 280, 50)
    assert level_info(xp=0, max_level=7).level == 7
    assert all(b > a for a, b in zip(THRESHOLDS, THRESHOLDS[1:], strict=False))


def test_level_is_cached_with_a_consistency_check(
    citizen, django_capture_on_commit_callbacks, django_assert_num_queries
):
    xp.xp_award(citizen=citizen, amount=30, reason="a", key="c1")
    with django_capture_on_commit_callbacks(execute=True):
        assert xp.level_of(citizen).xp == 30
    with django_assert_num_queries(1):  # the check: is the cached last entry still the last?
        assert xp.level_of(citizen).xp == 30
    # A line written behind the cache's back (no invalidation) is seen by the check.
    XpEntry.objects.create(citizen=citizen, amount=7, reason="raw", key="raw", day=xp.paris_today())
    assert xp.level_of(citizen).xp == 37


@h_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=60), st.booleans(), st.integers(0, 3)), max_size=15))
def test_derived_balance_equals_the_ledger_sum(citizen, operations):
    from django.db.models import Sum

    for index, (amount, self_declared, kind) in enumerate(operations):
        key = f"p:{citizen.pk}:{XpEntry.objects.count()}:{index}"
        entry = xp.xp_award(citizen=citizen, amount=amount, reason=f"r{kind}", key=key, self_declared=self_declared)
        if entry is not None and kind == 0:
            xp.xp_reverse(entry=entry, reason="undo", key=f"{key}:undo")
        total = XpEntry.objects.filter(citizen=citizen).aggregate(s=Sum("amount"))["s"] or 0
        assert xp.balance_of(citizen) == total
        assert xp.level_of(citizen).xp == total


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_awarding_the_same_event_make_one_entry():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")
    citizen = CitizenFactory()
    barrier = threading.Barrier(20)
    results: list[object] = []
    errors: list[BaseException] = []

    def award() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(xp.xp_award(citizen=citizen, amount=20, reason="quest.done", key=f"race:{citizen.pk}"))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=award) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert XpEntry.objects.filter(key=f"race:{citizen.pk}").count() == 1
    assert sum(1 for result in results if result is not None) == 1
    assert xp.balance_of(citizen) == 20


def test_every_catalogue_quest_reaches_level_2():
    """The first quest reaches level 2, whatever it is: its steps (declared ones at half) and completion."""
    from civiquest.catalogue.definitions import CATALOGUE
    from civiquest.catalogue.models import StepKind

    verified = {StepKind.FORM, StepKind.DOCUMENTS, StepKind.OUTSIDE_SERVICE}
    for definition in CATALOGUE:
        worth = definition.completion_xp
        for spec in definition.steps:
            if spec["kind"] == StepKind.AGENT_REVIEW or not spec.get("required", True):
                continue
            base = spec.get("xp") if spec.get("xp") is not None else definition.xp_per_step
            worth += base if spec["kind"] in verified else -(-base // 2)
        assert level_for_xp(worth) >= 2, definition.slug
