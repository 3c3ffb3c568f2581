"""Where a quest is: its visible steps in stages, which are done, and where the citizen is.

One source of truth for every page that shows a quest's progress (the quest page and its
stepper, a step, the review, "Mes démarches", the dashboard): the steps counted are the
visible ones (``catalogue.conditions.visibility`` for the quest's answers), the service's
steps included, grouped in stages by ``catalogue.stages`` so that the DSFR stepper never
shows more than 8.

``journey_of`` works on a quest loaded by ``quest_detail`` (no query); ``with_journeys``
gives a list of quests theirs in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from civiquest.catalogue.conditions import Visibility, visibility
from civiquest.catalogue.models import Step, StepKind
from civiquest.catalogue.services import revisions_content
from civiquest.catalogue.stages import Stage, stages_of
from civiquest.quests import workflow
from civiquest.quests.models import Answer, Quest, StepProgress

# The attribute ``with_journeys`` sets on each quest.
JOURNEY_ATTRIBUTE = "journey"


@dataclass
class StepRow:
    step: Step
    number: int  # among the visible steps, from 1
    done: bool
    current: bool
    stage_number: int
    number_in_stage: int

    @property
    def is_agents(self) -> bool:
        return self.step.kind == StepKind.AGENT_REVIEW


@dataclass
class StageRow:
    stage: Stage
    rows: list[StepRow]

    @property
    def number(self) -> int:
        return self.stage.number

    @property
    def label(self) -> str:
        return self.stage.label

    @property
    def current(self) -> bool:
        return any(row.current for row in self.rows)

    @property
    def done(self) -> bool:
        return all(row.done for row in self.rows)

    @property
    def has_substeps(self) -> bool:
        """Several visible steps in the stage: the stepper says which one ("Sous-étape 2 sur 3")."""
        return len(self.rows) > 1


@dataclass
class Journey:
    """The quest's stages and steps, and where the citizen is in them."""

    rows: list[StepRow]
    stages: list[StageRow]

    @property
    def current_row(self) -> StepRow | None:
        return next((row for row in self.rows if row.current), None)

    @property
    def current_stage(self) -> StageRow | None:
        current = self.current_row
        return self.stages[current.stage_number - 1] if current is not None else None

    @property
    def next_row(self) -> StepRow | None:
        current = self.current_row
        return self.rows[current.number] if current is not None and current.number < len(self.rows) else None

    @property
    def next_stage(self) -> StageRow | None:
        current = self.current_stage
        return self.stages[current.number] if current is not None and current.number < len(self.stages) else None

    @property
    def stage_number(self) -> int:
        """The stage the citizen is at; the last once every step is behind them."""
        current = self.current_stage
        return current.number if current is not None else len(self.stages)

    @property
    def total(self) -> int:
        """How many stages: the "sur N" of "Étape 2 sur N", the same on every page."""
        return len(self.stages)

    @property
    def steps_done(self) -> int:
        return sum(1 for row in self.rows if row.done)

    @property
    def steps_total(self) -> int:
        return len(self.rows)


def current_step_id(quest: Quest, seen: Visibility) -> int | None:
    """Where the quest is: its current step while the citizen fills it, then the service's step."""
    if quest.state in workflow.EDITABLE_STATES:
        return quest.current_step_id
    return next((step.pk for step in seen.steps if step.kind == StepKind.AGENT_REVIEW), None)


def journey_of(seen: Visibility, done: Collection[int], current_id: int | None) -> Journey:
    """The journey through these visible steps, ``done`` the ids of the steps done."""
    rows: list[StepRow] = []
    stages: list[StageRow] = []
    number = 0
    for stage in stages_of(seen.steps):
        stage_rows = []
        for number_in_stage, step in enumerate(stage.steps, start=1):
            number += 1
            stage_rows.append(
                StepRow(
                    step=step,
                    number=number,
                    done=step.pk in done,
                    current=step.pk == current_id,
                    stage_number=stage.number,
                    number_in_stage=number_in_stage,
                )
            )
        rows += stage_rows
        stages.append(StageRow(stage=stage, rows=stage_rows))
    return Journey(rows=rows, stages=stages)


def with_journeys(quests: Sequence[Quest]) -> Sequence[Quest]:
    """Give each quest its ``journey`` (see ``JOURNEY_ATTRIBUTE``), in at most four queries whatever their number.

    The quests must have their ``revision`` loaded (``select_related``). Their answers and
    done steps are read in one query each; the revisions' steps come from the catalogue's
    cache (two queries for those not cached yet).
    """
    if not quests:
        return quests
    revisions_content([quest.revision for quest in quests])
    ids = [quest.pk for quest in quests]
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    for quest_id, name, value in Answer.objects.filter(quest_id__in=ids).values_list(
        "quest_id", "field_name", "value"
    ):
        answers[quest_id][name] = value
    done: dict[int, set[int]] = defaultdict(set)
    for quest_id, step_id in StepProgress.objects.filter(quest_id__in=ids, done_at__isnull=False).values_list(
        "quest_id", "step_id"
    ):
        done[quest_id].add(step_id)
    for quest in quests:
        seen = visibility(quest.revision, answers[quest.pk])
        setattr(quest, JOURNEY_ATTRIBUTE, journey_of(seen, done[quest.pk], current_step_id(quest, seen)))
    return quests
