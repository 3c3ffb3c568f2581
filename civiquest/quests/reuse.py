"""Answers a citizen gave in their other quests, to offer again on a step ("dites-le-nous une fois").

An earlier answer is only ever offered: the step page shows it with the date and the procedure
it was given in, and it fills the field only when the citizen accepts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from civiquest.quests.models import Answer

# How many answer rows one step's offers read at most (newest first): the query stays bounded
# however many quests the citizen made.
EARLIER_ANSWERS_LIMIT = 200


@dataclass(frozen=True)
class EarlierAnswer:
    name: str
    value: Any
    given_on: dt.date
    procedure_title: str


def _usable(value: Any) -> bool:
    if value in (None, "", []):
        return False
    # A commune text that named no commune, or an address without a label, is nothing to offer.
    return not isinstance(value, dict) or bool(value.get("code") or value.get("label"))


def earlier_answers(*, citizen_id: int, exclude_quest_id: int, names: Collection[str]) -> dict[str, EarlierAnswer]:
    """The citizen's latest answer to each of ``names`` in their other quests: one query."""
    if not names:
        return {}
    rows = (
        Answer.objects.filter(quest__citizen_id=citizen_id, field_name__in=list(names))
        .exclude(quest_id=exclude_quest_id)
        .select_related("quest__procedure")
        .only("field_name", "value", "updated_at", "quest__procedure__title")
        .order_by("-updated_at", "-pk")[:EARLIER_ANSWERS_LIMIT]
    )
    found: dict[str, EarlierAnswer] = {}
    for row in rows:
        if row.field_name in found or not _usable(row.value):
            continue
        found[row.field_name] = EarlierAnswer(
            name=row.field_name,
            value=row.value,
            given_on=timezone.localdate(row.updated_at),
            procedure_title=row.quest.procedure.title,
        )
    return found
