"""A citizen's actions on their quest: start it, save a step, submit it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.actions.follow import quest_events_follow
from civiquest.actions.prefill import certified_data
from civiquest.catalogue.models import Procedure, Step
from civiquest.core.transactions import use_case
from civiquest.instruction import marks
from civiquest.instruction.models import QuestChangeKind
from civiquest.quests import services as quest_services
from civiquest.quests import transitions
from civiquest.quests.edits import EditMark
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.services import QuestEvents


@use_case
def quest_start(*, citizen: User, procedure: Procedure) -> Quest:
    """Open a draft quest on the procedure's published revision."""
    return quest_services.quest_start(citizen=citizen, procedure=procedure)


@dataclass(frozen=True)
class StepSaved:
    """What saving a step did: the refused inputs by name, or the problem that stopped it."""

    errors: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    completed: bool = False
    # Dropped: a later save of the same page was applied first (``quests.edits``).
    stale: bool = False


@use_case
def quest_step_save(
    *, quest: Quest, step: Step, data: Mapping[str, Any], complete: bool = False, edit: EditMark | None = None
) -> StepSaved:
    """Save a step's answers and, when asked and all valid, mark it done: one transaction.

    What is valid is kept even when the step cannot be marked done (its errors are returned),
    so nothing the citizen typed is lost: ``step_save`` checks the step before it writes that
    it is done, and reports what stops it instead of raising.
    """
    events = QuestEvents()
    # A correction may give new documents: its agents are told (two small reads, corrections only).
    correcting = quest.state == QuestState.CHANGES_REQUESTED
    documents_before = marks.attachment_keys(quest=quest) if correcting else set()
    saved = quest_services.step_save(
        quest=quest, step=step, data=data, complete=complete, events=events, certify=certified_data, edit=edit
    )
    quest_events_follow(events=events)
    if correcting and marks.attachment_keys(quest=quest) - documents_before:
        marks.quest_changed(quest=quest, kind=QuestChangeKind.DOCUMENT)
    return StepSaved(errors=dict(saved.errors), problem=saved.problem, completed=saved.completed, stale=saved.stale)


@use_case
def quest_step_complete(*, quest: Quest, step: Step) -> None:
    """Mark a step done (``StepIncomplete`` with its errors otherwise), then what follows."""
    events = QuestEvents()
    quest_services.step_complete(quest=quest, step=step, events=events)
    quest_events_follow(events=events)


@use_case
def quest_submit(*, quest: Quest, actor: User) -> QuestTransition:
    """Submit (or resubmit after corrections) the quest to its service; idempotent."""
    events = QuestEvents()
    transition = transitions.quest_submit(quest=quest, actor=actor, events=events)
    if events.transitions:
        audit_record(actor=actor, action="quest.submitted", target=quest, details={"transition": transition.pk})
    quest_events_follow(events=events)
    if events.transitions and transition.from_state == QuestState.CHANGES_REQUESTED:
        # A resubmission after corrections: new for the assignee and the followers.
        marks.quest_changed(quest=quest, kind=QuestChangeKind.RESUBMITTED, actor=actor)
    return transition


@use_case
def quest_transition(*, quest: Quest, to_state: str, actor: User, motivation: str = "") -> QuestTransition:
    """Any other move of the state machine the actor may make (a citizen completing a guided quest…)."""
    events = QuestEvents()
    transition = transitions.quest_transition(
        quest=quest, to_state=to_state, actor=actor, motivation=motivation, events=events
    )
    quest_events_follow(events=events)
    return transition
