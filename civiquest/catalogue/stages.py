"""Stages of a journey: the steps a citizen sees, grouped so that the DSFR stepper can show them.

The DSFR stepper ("Indicateur d’étapes") shows at most ``MAX_STAGES`` steps. A revision groups
its steps into stages with ``Step.stage``: consecutive steps with the same label are one stage,
a step without a label is a stage of its own. When the visible steps (``conditions.visibility``)
make more than ``MAX_STAGES`` stages that way (a long revision that declares none, or too
few), they are grouped automatically instead: consecutive steps in groups of equal size,
each named after its first step.

This is the one place stages are counted: every page that shows where a quest is reads them
from here (through ``quests.journey``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from civiquest.catalogue.models import Step

MAX_STAGES = 8


@dataclass(frozen=True)
class Stage:
    """A stage of the journey: its number (from 1), its label and its visible steps, in order."""

    number: int
    label: str
    steps: tuple[Step, ...]
    declared: bool  # named by the revision (``Step.stage``), not grouped automatically


def _declared(steps: Sequence[Step]) -> list[tuple[str, list[Step], bool]]:
    groups: list[tuple[str, list[Step], bool]] = []
    for step in steps:
        label = step.stage.strip()
        if label and groups and groups[-1][2] and groups[-1][0] == label:
            groups[-1][1].append(step)
        else:
            groups.append((label or step.title, [step], bool(label)))
    return groups


def _automatic(steps: Sequence[Step]) -> list[tuple[str, list[Step], bool]]:
    size = math.ceil(len(steps) / MAX_STAGES)
    count = math.ceil(len(steps) / size)
    # Equal groups, the larger ones first: 13 steps make 7 stages of 2, 2, 2, 2, 2, 2 and 1.
    base, extra = divmod(len(steps), count)
    groups: list[tuple[str, list[Step], bool]] = []
    start = 0
    for index in range(count):
        end = start + base + (1 if index < extra else 0)
        chunk = list(steps[start:end])
        groups.append((chunk[0].title, chunk, False))
        start = end
    return groups


def stages_of(steps: Sequence[Step]) -> list[Stage]:
    """The stages of these visible steps (in order): as declared, or grouped automatically past ``MAX_STAGES``."""
    if not steps:
        return []
    groups = _declared(steps)
    if len(groups) > MAX_STAGES:
        groups = _automatic(steps)
    return [
        Stage(number=number, label=label, steps=tuple(members), declared=declared)
        for number, (label, members, declared) in enumerate(groups, start=1)
    ]


def split_stage_problems(steps: Sequence[Step]) -> list[str]:
    """A stage label given to steps that do not follow each other (all steps, in order): a problem to publish."""
    seen: set[str] = set()
    problems: list[str] = []
    previous = ""
    for step in steps:
        label = step.stage.strip()
        if label and label != previous and label in seen:
            problems.append(
                _("Étape « %(title)s » : l’étape du parcours « %(stage)s » regroupe des étapes qui ne se suivent pas.")
                % {"title": step.title, "stage": label}
            )
        if label:
            seen.add(label)
        previous = label
    return problems
