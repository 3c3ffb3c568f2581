import pytest

from civiquest.actions.quests import quest_start, quest_submit, quest_transition
from civiquest.quests.models import QuestState
from tests.quests.fixtures import (  # noqa: F401 - fixtures shared with the procedures tests
    draft_quest,
    fill,
    instructor,
    mairie,
    manager,
    moving,
    passport,
    ready_quest,
)


@pytest.fixture
def accept():
    """``accept(quest, instructor)``: submit a filled quest and have the instructor accept it."""

    def run(quest, agent):
        quest_submit(quest=quest, actor=quest.citizen)
        quest_transition(quest=quest, to_state=QuestState.IN_REVIEW, actor=agent)
        quest_transition(quest=quest, to_state=QuestState.ACCEPTED, actor=agent)
        quest.refresh_from_db()
        return quest

    return run


@pytest.fixture
def start():
    return lambda citizen, procedure: quest_start(citizen=citizen, procedure=procedure)
