"""Which answers a citizen may change while the service asks for corrections on some of them.

The instruction domain opens the inputs it asks about (``inputs_open``) when it sends the
quest back, and every write of answers keeps the others as the service read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from civiquest.catalogue.cleaning import clean_value, is_empty
from civiquest.catalogue.inputs import InputInvalid, InputSpec
from civiquest.quests.models import Quest


def step_target(step_slug: str) -> str:
    """How a whole step is named among the targets of a correction (beside its inputs' names)."""
    return f"step:{step_slug}"


def is_open(quest: Quest, input_name: str) -> bool:
    """Whether the citizen may change this answer (all may, but during a correction of some)."""
    return quest.open_inputs is None or input_name in quest.open_inputs


def answer_changes(spec: InputSpec, raw: Any, stored: Any) -> bool:
    """Whether what was posted for an input differs from its stored answer."""
    if is_empty(raw):
        return stored is not None
    try:
        return bool(clean_value(spec, raw) != stored)
    except InputInvalid:
        return True


def inputs_open(*, locked: Quest, names: Iterable[str] | None) -> None:
    """Only these inputs may change from now on (``None``: all of them). The caller holds the quest's lock."""
    wanted = None if names is None else sorted(set(names))
    if locked.open_inputs != wanted:
        locked.open_inputs = wanted
        Quest.objects.filter(pk=locked.pk).update(open_inputs=wanted)
