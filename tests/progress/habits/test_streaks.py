"""Periods and streaks in Europe/Paris time: pure rules, no database."""

import datetime as dt

import pytest

from civiquest.progress.habits import streaks
from civiquest.progress.habits.catalogue import (
    Period,
    local_date,
    next_period_start,
    period_end,
    period_start,
)

D = dt.date
UTC = dt.UTC


def weeks(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(weeks=n) for n in range(count)]


@pytest.mark.parametrize(
    ("moment", "week"),
    [
        # Spring forward, Sunday 29 March 2026 (CET → CEST, UTC+2 from 02:00).
        (dt.datetime(2026, 3, 29, 21, 30, tzinfo=UTC), D(2026, 3, 23)),  # Sunday 23:30 in Paris
        (dt.datetime(2026, 3, 29, 22, 30, tzinfo=UTC), D(2026, 3, 30)),  # Monday 00:30 in Paris
        # Fall back, Sunday 25 October 2026 (CEST → CET, UTC+1 from 03:00).
        (dt.datetime(2026, 10, 25, 22, 30, tzinfo=UTC), D(2026, 10, 19)),  # Sunday 23:30 in Paris
        (dt.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), D(2026, 10, 26)),  # Monday 00:30 in Paris
    ],
)
def test_a_week_starts_on_monday_midnight_in_paris_across_daylight_saving(moment, week):
    assert period_start(Period.WEEKLY, local_date(moment)) == week


@pytest.mark.parametrize(
    ("period", "day", "start", "end"),
    [
        (Period.WEEKLY, D(2026, 1, 1), D(2025, 12, 29), D(2026, 1, 4)),
        (Period.MONTHLY, D(2026, 2, 17), D(2026, 2, 1), D(2026, 2, 28)),
        (Period.QUARTERLY, D(2026, 11, 24), D(2026, 10, 1), D(2026, 12, 31)),
        (Period.QUARTERLY, D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),
        (Period.YEARLY, D(2026, 7, 14), D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_period_bounds(period, day, start, end):
    assert period_start(period, day) == start
    assert period_end(period, start) == end
    assert next_period_start(period, start) == end + dt.timedelta(days=1)


def test_a_weekly_streak_runs_through_both_daylight_saving_changes():
    # Every week from early March to mid-November 2026, checked late on Sunday evening, Paris time.
    first = D(2026, 3, 2)
    checked_moments = [
        dt.datetime.combine(monday + dt.timedelta(days=6), dt.time(23, 30), tzinfo=streaks_zone())
        for monday in weeks(first, 37)
    ]
    checked = [local_date(moment.astimezone(UTC)) for moment in checked_moments]
    streak = streaks.compute(period=Period.WEEKLY, since=first, checked=checked, today=D(2026, 11, 16))
    assert [p.status for p in streak.periods[:-1]] == [streaks.DONE] * 37
    assert streak.periods[-1].status == streaks.PENDING  # this week: still time
    assert streak.current == 37
    assert streak.best == 37


def streaks_zone():
    from civiquest.progress.habits.catalogue import HABITS_TIME_ZONE

    return HABITS_TIME_ZONE


def test_a_missed_week_without_a_freeze_restarts_the_streak_and_costs_nothing_else():
    first = D(2026, 3, 2)
    checked = weeks(first, 3) + weeks(first + dt.timedelta(weeks=4), 2)  # week 4 missed
    streak = streaks.compute(period=Period.WEEKLY, since=first, checked=checked, today=D(2026, 4, 6))
    assert [p.status for p in streak.periods] == ["done", "done", "done", "missed", "done", "done"]
    assert streak.current == 2
    assert streak.best == 3
    assert streak.freezes == 0


def test_a_missed_week_with_a_freeze_keeps_the_streak():
    first = D(2026, 3, 2)
    # Four weeks done earn a freeze; the fifth is missed and the freeze covers it.
    checked = weeks(first, 4) + weeks(first + dt.timedelta(weeks=5), 2)
    streak = streaks.compute(period=Period.WEEKLY, since=first, checked=checked, today=D(2026, 4, 13))
    assert [p.status for p in streak.periods] == ["done"] * 4 + ["frozen", "done", "done"]
    assert streak.current == 6
    assert streak.freezes == 0
    assert streak.freezes_used == 1


def test_freezes_are_capped():
    first = D(2026, 1, 5)
    streak = streaks.compute(period=Period.WEEKLY, since=first, checked=weeks(first, 20), today=D(2026, 5, 25))
    assert streak.freezes == streaks.FREEZE_CAP


def test_a_pause_keeps_the_streak_without_a_freeze():
    first = D(2026, 3, 2)
    checked = weeks(first, 2) + weeks(first + dt.timedelta(weeks=4), 1)
    pauses = [(D(2026, 3, 16), D(2026, 3, 27))]  # two weeks of holidays
    streak = streaks.compute(period=Period.WEEKLY, since=first, checked=checked, pauses=pauses, today=D(2026, 3, 30))
    assert [p.status for p in streak.periods] == ["done", "done", "paused", "paused", "done"]
    assert streak.current == 3


def test_the_current_period_never_breaks_the_streak():
    first = D(2026, 3, 2)
    streak = streaks.compute(period=Period.WEEKLY, since=first, checked=weeks(first, 2), today=D(2026, 3, 22))
    assert streak.periods[-1].status == streaks.PENDING
    assert streak.current == 2
    assert not streak.done_this_period


def test_monthly_habit_across_a_year():
    checked = [D(2026, month, 10) for month in range(1, 13) if month != 6]
    streak = streaks.compute(period=Period.MONTHLY, since=D(2026, 1, 1), checked=checked, today=D(2026, 12, 31))
    # Four months earn a freeze that covers June.
    assert streak.periods[5].status == streaks.FROZEN
    assert streak.current == 11
