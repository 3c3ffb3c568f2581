"""Dates a rule computes from its event: ``{"days": n}``, ``{"months": n}``, ``"month_end"``, ``"last": "MM-DD"``.

Months keep the day of the month, or the month's last day when it has none (31 March + 1 month
is 30 April; 29 February + 12 months is 28 February), as the civil code counts them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

Offset = Mapping[str, Any]
KEYS = frozenset({"days", "months", "month_end", "last", "calendar"})


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def shifted(event: dt.date, offset: Offset) -> dt.date:
    """The event's date moved by ``offset``.

    ``last: "MM-DD"``: the last such day on or before the moved date (the 31 May before a
    September start of studies).
    """
    day = add_months(event, int(offset.get("months", 0))) + dt.timedelta(days=int(offset.get("days", 0)))
    if offset.get("month_end"):
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if "last" in offset:
        month, month_day = (int(part) for part in str(offset["last"]).split("-"))
        candidate = _on(day.year, month, month_day)
        day = candidate if candidate <= day else _on(day.year - 1, month, month_day)
    return day


def _on(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def offset_problems(offset: Any, *, allow_calendar: bool = False) -> list[str]:
    """What is wrong with an offset as written in the rules (empty: nothing)."""
    if not isinstance(offset, Mapping):
        return ["not a mapping"]
    problems = [f"unknown key {key!r}" for key in offset if key not in KEYS]
    for key in ("days", "months"):
        if key in offset and (not isinstance(offset[key], int) or isinstance(offset[key], bool)):
            problems.append(f"{key} must be an integer")
    if "calendar" in offset and not allow_calendar:
        problems.append("calendar is only for a deadline of the tax calendar")
    if "last" in offset:
        try:
            month, day = (int(part) for part in str(offset["last"]).split("-"))
            _on(2024, month, day)
        except ValueError:
            problems.append("last must be MM-DD")
    return problems
