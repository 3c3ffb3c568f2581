"""What progress does when something happens in procedures. Called by the procedures
services inside their transaction: what is written here commits or rolls back with them.
"""

from __future__ import annotations

from civiquest.procedures.models import Quest, QuestTransition, StepProgress
from civiquest.progress.notifications import quest_transition_notify


def quest_transition_recorded(*, transition: QuestTransition) -> None:
    """A quest changed state: tell its citizen."""
    quest_transition_notify(transition=transition)


def step_done_recorded(*, progress: StepProgress, quest: Quest) -> None:
    """A step of a quest was done (again, after it was undone: rewards are keyed per step)."""
