"""What follows a quest's writes, whichever use case made them."""

from __future__ import annotations

from civiquest.core.dates import paris_today
from civiquest.instruction import deadlines
from civiquest.progress import services as progress_services
from civiquest.quests.models import QuestTransition
from civiquest.quests.notices import quest_transition_notify
from civiquest.quests.selectors import transition_quest
from civiquest.quests.services import QuestEvents
from civiquest.recommendations.selectors import DONE_STATES, deadline_kept


def quest_events_follow(*, events: QuestEvents) -> None:
    """In the writes' transaction: rewards for the steps newly done; for each transition, in order,
    the deadline and the change requests it closes, the citizen told, the completion reward."""
    for progress in events.steps_done:
        progress_services.step_done_recorded(progress=progress, quest=progress.quest)
    for transition in events.transitions:
        deadlines.transition_recorded(transition=transition)
        quest_transition_notify(transition=transition)
        progress_services.quest_transition_recorded(transition=transition)
        _on_time(transition)


def _on_time(transition: QuestTransition) -> None:
    """A quest ended well before the deadline of the rule that recommended it earns the bonus."""
    if transition.to_state not in DONE_STATES:
        return
    quest = transition_quest(transition, "citizen")
    kept = deadline_kept(quest.citizen, procedure_id=quest.procedure_id, today=paris_today())
    if kept is not None:
        progress_services.quest_done_on_time(quest=quest)
