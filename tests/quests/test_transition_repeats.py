"""Asking for the state a quest is already in: the transition that brought it there, or a clear refusal.

Written against the mutants of ``quests/transitions.py`` that survived the state machine's tests
(docs/testing.md): a quest that never moved, a state set outside the state machine (an
administrator's fix in the database), and a transition asked outside any transaction.
"""

import pytest

from civiquest.instruction import services as instruction
from civiquest.quests.errors import IllegalTransition
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.services import quest_start
from civiquest.quests.transitions import quest_submit, quest_transition
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import fill

S = QuestState


@pytest.mark.django_db
def test_a_quest_that_never_moved_is_already_a_draft(citizen, passport):
    quest = quest_start(citizen=citizen, procedure=passport)
    with pytest.raises(IllegalTransition, match="Le dossier est déjà dans l’état « Brouillon »"):
        quest_transition(quest=quest, to_state=S.DRAFT, actor=citizen)


@pytest.mark.django_db
def test_asking_again_for_the_state_returns_the_transition_that_brought_it(passport, instructor):
    quest = submitted_quest(passport)
    first = instruction.quest_start_review(quest=quest, actor=instructor)
    again = quest_transition(quest=quest, to_state=S.IN_REVIEW, actor=instructor)
    assert again.pk == first.pk
    assert QuestTransition.objects.filter(quest=quest, to_state=S.IN_REVIEW).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decided", "forced"),
    [
        # The last transition's state sorts before the state set by hand, then after it.
        (S.ACCEPTED, S.REJECTED),
        (S.REJECTED, S.ACCEPTED),
    ],
)
def test_a_state_set_outside_the_state_machine_is_not_taken_for_a_repeat(passport, instructor, decided, forced):
    quest = submitted_quest(passport)
    instruction.quest_start_review(quest=quest, actor=instructor)
    if decided == S.ACCEPTED:
        instruction.quest_accept(quest=quest, actor=instructor)
    else:
        instruction.quest_reject(quest=quest, actor=instructor, motivation="Pièce illisible.")
    Quest.objects.filter(pk=quest.pk).update(state=forced)
    quest.refresh_from_db()
    # No transition brought the quest into this state: nothing is returned as if one had.
    with pytest.raises(IllegalTransition):
        quest_transition(quest=quest, to_state=forced, actor=instructor, motivation="Pièce illisible.")


@pytest.mark.django_db(transaction=True)
def test_a_transition_asked_outside_any_transaction_runs_in_its_own(citizen, passport):
    """The row lock needs a transaction: the use case opens it (PostgreSQL refuses a lock in autocommit)."""
    quest = quest_start(citizen=citizen, procedure=passport)
    fill(quest)
    transition = quest_submit(quest=quest, actor=citizen)
    assert transition.to_state == S.SUBMITTED
    assert Quest.objects.get(pk=quest.pk).state == S.SUBMITTED
