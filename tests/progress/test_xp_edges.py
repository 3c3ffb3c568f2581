"""The ledger at its edges: the smallest awards, the caps' boundaries, reasons cut, levels kept.

Written against the survivors of ``make mutate`` on ``xp`` (docs/testing.md): no test awarded
zero, a negative amount or one point, reached a cap on the day's first award, lowered a cap
during the day, nor looked at what a reversal stores.
"""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.notifications.models import Notification, NotificationKind
from civiquest.progress import xp
from civiquest.progress.badges import badge_codes_of
from civiquest.progress.models import LevelState, XpEntry
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caps(settings):
    settings.PROGRESS_XP_DAILY_CAP = 100
    settings.PROGRESS_XP_SELF_DECLARED_DAILY_CAP = 20
    settings.PROGRESS_XP_REPEAT_FACTOR = 0.5


def level_ups(citizen) -> list[str]:
    return list(
        Notification.objects.filter(recipient=citizen, kind=NotificationKind.LEVEL_UP)
        .order_by("pk")
        .values_list("key", flat=True)
    )


@pytest.mark.parametrize("amount", [0, -5])
def test_nothing_to_award_writes_no_line(citizen, amount):
    assert xp.xp_award(citizen=citizen, amount=amount, reason="r", key="nothing") is None
    assert not XpEntry.objects.filter(citizen=citizen).exists()
    assert not LevelState.objects.filter(citizen=citizen).exists()


def test_a_single_point_is_awarded_and_can_be_reversed(citizen):
    entry = xp.xp_award(citizen=citizen, amount=1, reason="r", key="one")
    assert entry is not None and (entry.amount, entry.requested) == (1, 1)
    reversal = xp.xp_reverse(entry=entry, reason="undo", key="one:undo")
    assert reversal is not None and (reversal.amount, reversal.requested) == (-1, -1)
    assert xp.balance_of(citizen) == 0


def test_a_reversal_stores_the_negative_request_and_its_entry(citizen):
    entry = xp.xp_award(citizen=citizen, amount=20, reason="quest.done", key="done", self_declared=True)
    reversal = xp.xp_reverse(entry=entry, reason="quest.reopened", key="undo")
    reversal.refresh_from_db()
    assert (reversal.amount, reversal.requested, reversal.reverses_id) == (-20, -20, entry.pk)
    assert reversal.self_declared is True


def test_an_award_capped_to_nothing_cannot_be_reversed(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10
    xp.xp_award(citizen=citizen, amount=10, reason="a", key="full")
    assert xp.xp_award(citizen=citizen, amount=5, reason="b", key="capped") is None
    capped = XpEntry.objects.get(key="capped")
    assert capped.amount == 0
    assert xp.xp_reverse(entry=capped, reason="undo", key="capped:undo") is None
    assert not XpEntry.objects.filter(key="capped:undo").exists()


@pytest.mark.parametrize(("cap", "amount", "granted"), [(10, 10, 10), (10, 11, 10), (10, 9, 9)])
def test_the_daily_cap_on_the_first_award_of_the_day(citizen, settings, cap, amount, granted):
    settings.PROGRESS_XP_DAILY_CAP = cap
    assert xp.xp_award(citizen=citizen, amount=amount, reason="r", key="first").amount == granted


@pytest.mark.parametrize(("amount", "granted"), [(20, 20), (21, 20), (19, 19)])
def test_the_self_declared_cap_on_the_first_award_of_the_day(citizen, amount, granted):
    entry = xp.xp_award(citizen=citizen, amount=amount, reason="r", key="first", self_declared=True)
    assert entry.amount == granted


def test_a_cap_lowered_during_the_day_grants_nothing_and_never_takes_back(citizen, settings):
    assert xp.xp_award(citizen=citizen, amount=60, reason="a", key="before").amount == 60
    assert xp.xp_award(citizen=citizen, amount=15, reason="b", key="self", self_declared=True).amount == 15
    settings.PROGRESS_XP_DAILY_CAP = 10
    settings.PROGRESS_XP_SELF_DECLARED_DAILY_CAP = 5
    assert xp.xp_award(citizen=citizen, amount=5, reason="c", key="after") is None
    settings.PROGRESS_XP_DAILY_CAP = 1000
    assert xp.xp_award(citizen=citizen, amount=5, reason="d", key="after-self", self_declared=True) is None
    assert [line.amount for line in XpEntry.objects.filter(key__startswith="after")] == [0, 0]
    assert xp.balance_of(citizen) == 75


def test_one_point_earned_today_counts_toward_the_cap(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10
    assert xp.xp_award(citizen=citizen, amount=1, reason="a", key="one").amount == 1
    assert xp.xp_award(citizen=citizen, amount=10, reason="b", key="ten").amount == 9


def test_self_declared_points_of_another_day_do_not_count_today(citizen, monkeypatch):
    monkeypatch.setattr(xp, "paris_today", lambda: dt.date(2026, 3, 28))
    assert xp.xp_award(citizen=citizen, amount=20, reason="a", key="yesterday", self_declared=True).amount == 20
    monkeypatch.setattr(xp, "paris_today", lambda: dt.date(2026, 3, 29))
    assert xp.xp_award(citizen=citizen, amount=15, reason="a", key="today", self_declared=True).amount == 15
    # Nor do the other citizens' points, nor the points that were not self-declared.
    assert xp.xp_award(citizen=CitizenFactory(), amount=20, reason="a", key="other", self_declared=True).amount == 20
    assert xp.xp_award(citizen=citizen, amount=50, reason="b", key="verified").amount == 50
    assert xp.xp_award(citizen=citizen, amount=10, reason="c", key="today-2", self_declared=True).amount == 5


def test_reasons_keep_their_first_200_characters(citizen):
    reason = "r" * 199 + "st" + "x" * 49
    entry = xp.xp_award(citizen=citizen, amount=5, reason=reason, key="long")
    reversal = xp.xp_reverse(entry=entry, reason=reason, key="long:undo")
    entry.refresh_from_db()
    reversal.refresh_from_db()
    assert entry.reason == reversal.reason == reason[:200]
    assert len(entry.reason) == 200


def test_a_first_award_of_exactly_the_next_threshold_reaches_it(citizen):
    xp.xp_award(citizen=citizen, amount=50, reason="r", key="fifty")
    assert LevelState.objects.get(citizen=citizen).max_level == 2
    assert level_ups(citizen) == [f"level-up:{citizen.pk}:2"]


def test_a_first_award_one_point_short_reaches_nothing(citizen):
    xp.xp_award(citizen=citizen, amount=49, reason="r", key="forty-nine")
    assert LevelState.objects.get(citizen=citizen).max_level == 1
    assert level_ups(citizen) == []


def test_a_level_lost_by_a_reversal_is_kept_and_announced_once(citizen):
    entry = xp.xp_award(citizen=citizen, amount=60, reason="a", key="up")
    xp.xp_reverse(entry=entry, reason="undo", key="up:undo")
    xp.xp_award(citizen=citizen, amount=10, reason="b", key="after")
    assert LevelState.objects.get(citizen=citizen).max_level == 2
    assert xp.level_of(citizen).level == 2
    assert level_ups(citizen) == [f"level-up:{citizen.pk}:2"]


def test_a_citizen_without_any_award_is_level_1_with_0_xp(citizen, django_capture_on_commit_callbacks):
    for _ in range(2):  # computed, then read from the cache (its last entry: none)
        with django_capture_on_commit_callbacks(execute=True):
            info = xp.level_of(citizen)
        assert (info.level, info.xp, xp.balance_of(citizen)) == (1, 0, 0)


def test_the_cache_is_used_whatever_the_last_entry_id(
    citizen, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # An id beyond the small integers Python shares: the check compares values, not objects.
    XpEntry.objects.create(pk=10**6, citizen=citizen, amount=7, reason="raw", key="raw", day=xp.paris_today())
    with django_capture_on_commit_callbacks(execute=True):
        assert xp.level_of(citizen).xp == 7
    with django_assert_num_queries(1):
        assert xp.level_of(citizen).xp == 7


def test_a_level_reached_evaluates_the_level_badges_unless_the_caller_does(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10**6
    xp.xp_award(citizen=citizen, amount=800, reason="r", key="level-5")
    assert LevelState.objects.get(citizen=citizen).max_level == 5
    assert "niveau-5" in badge_codes_of(citizen)
    other = CitizenFactory()
    xp.xp_award(citizen=other, amount=800, reason="r", key="other-level-5", level_badges=False)
    assert LevelState.objects.get(citizen=other).max_level == 5
    assert "niveau-5" not in badge_codes_of(other)
