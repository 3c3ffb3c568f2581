"""Helpers for the instruction tests: submitted quests, a frozen clock."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from civiquest.actions.quests import quest_start, quest_submit
from tests.accounts.factories import CitizenFactory
from tests.quests.fixtures import fill


def submitted_quest(procedure, citizen=None):
    citizen = citizen or CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=procedure)
    fill(quest)
    quest_submit(quest=quest, actor=citizen)
    quest.refresh_from_db()
    return quest


class Clock:
    """A frozen ``timezone.now`` that tests move forward by hand."""

    def __init__(self, monkeypatch, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now
