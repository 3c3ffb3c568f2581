"""What follows a quest's writes, whichever use case made them."""

from __future__ import annotations

from civiquest.instruction import deadlines
from civiquest.progress import services as progress_services
from civiquest.quests.notices import quest_transition_notify
from civiquest.quests.services import QuestEvents


def quest_events_follow(*, events: QuestEvents) -> None:
    """In the writes' transaction: rewards for the steps newly done; for each transition, in order,
    the deadline and the change requests it closes, the citizen told, the completion reward."""
    for progress in events.steps_done:
        progress_services.step_done_recorded(progress=progress, quest=progress.quest)
    for transition in events.transitions:
        deadlines.transition_recorded(transition=transition)
        quest_transition_notify(transition=transition)
        progress_services.quest_transition_recorded(transition=transition)
