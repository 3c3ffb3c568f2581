"""Streaks and freezes, derived from check-ins and pauses (a pure function: no query, no clock).

Rules (version 1, published on the habits page):

- A period is *done* when the habit was checked in it; the streak is the number of done
  periods in a row.
- Every ``FREEZE_EVERY`` done periods in a row earn a freeze, up to ``FREEZE_CAP`` in stock.
- A past period that was not done is covered by a pause if a pause touches any of its days:
  it neither counts nor breaks the streak.
- Otherwise a freeze, if there is one, is used automatically: the streak is kept.
- Otherwise the streak starts again from zero. Nothing else is ever lost.
- The current period is never missed: it can still be done until its last day (Europe/Paris).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from civiquest.progress.habits.catalogue import next_period_start, period_end, period_start

RULES_VERSION = 1
FREEZE_EVERY = 4
FREEZE_CAP = 2

DONE = "done"
FROZEN = "frozen"
PAUSED = "paused"
MISSED = "missed"
PENDING = "pending"


@dataclass(frozen=True)
class PeriodState:
    start: dt.date
    end: dt.date
    status: str

    @property
    def is_done(self) -> bool:
        return self.status == DONE


@dataclass
class Streak:
    current: int = 0
    best: int = 0
    freezes: int = 0
    freezes_used: int = 0
    periods: list[PeriodState] = field(default_factory=list)

    @property
    def this_period(self) -> PeriodState | None:
        return self.periods[-1] if self.periods else None

    @property
    def done_this_period(self) -> bool:
        return bool(self.periods) and self.periods[-1].is_done

    def last(self, count: int) -> list[PeriodState]:
        return self.periods[-count:]


def _paused(start: dt.date, end: dt.date, pauses: Iterable[tuple[dt.date, dt.date]]) -> bool:
    return any(pause_start <= end and pause_end >= start for pause_start, pause_end in pauses)


def compute(
    *,
    period: str,
    since: dt.date,
    checked: Iterable[dt.date],
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
    today: dt.date,
) -> Streak:
    """Walk the periods from the one holding ``since`` (or the first check-in) to the one holding ``today``."""
    done = {period_start(period, day) for day in checked}
    pause_list = list(pauses)
    current_start = period_start(period, today)
    start = min([period_start(period, since), *done]) if done else period_start(period, since)
    streak = Streak()
    since_earned = 0
    while start <= current_start:
        end = period_end(period, start)
        if start in done:
            status = DONE
            streak.current += 1
            since_earned += 1
            if since_earned == FREEZE_EVERY:
                streak.freezes = min(streak.freezes + 1, FREEZE_CAP)
                since_earned = 0
        elif start == current_start:
            status = PAUSED if _paused(start, end, pause_list) else PENDING
        elif _paused(start, end, pause_list):
            status = PAUSED
        elif streak.freezes > 0:
            status = FROZEN
            streak.freezes -= 1
            streak.freezes_used += 1
        else:
            status = MISSED
            streak.current = 0
            since_earned = 0
        streak.best = max(streak.best, streak.current)
        streak.periods.append(PeriodState(start=start, end=end, status=status))
        start = next_period_start(period, start)
    return streak
