"""Every transition rule is checked on the locked row, never on the caller's (maybe stale) copy.

Each test loads a quest, lets someone else change it through the services, then acts with the
copy it loaded first: what decides is the state in the database at the time of the action.
"""

import pytest

from civiquest.accounts.models import AuditEvent, ServiceRole
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation
from civiquest.quests.errors import IllegalTransition, QuestNotEditable
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.services import answers_save
from civiquest.quests.transitions import quest_submit, quest_transition
from tests.catalogue.factories import member_of
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import step

S = QuestState


@pytest.fixture
def colleague(mairie):
    """A second instructor of the same service, deciding from their own page."""
    return member_of(mairie, ServiceRole.INSTRUCTOR)


@pytest.fixture
def in_review(passport, instructor):
    quest = submitted_quest(passport)
    instruction.quest_start_review(quest=quest, actor=instructor)
    return quest


def fresh(quest: Quest) -> Quest:
    return Quest.objects.get(pk=quest.pk)


def history(quest: Quest) -> list[tuple[str, str]]:
    return list(QuestTransition.objects.filter(quest=quest).order_by("at", "pk").values_list("from_state", "to_state"))


@pytest.mark.django_db
def test_an_agent_with_a_stale_page_cannot_accept_a_quest_a_colleague_rejected(in_review, instructor, colleague):
    stale = fresh(in_review)
    assert stale.state == S.IN_REVIEW
    instruction.quest_reject(quest=fresh(in_review), actor=colleague, motivation="Pièce d’identité expirée")
    before = history(in_review)

    with pytest.raises(IllegalTransition) as refused:
        instruction.quest_accept(quest=stale, actor=instructor)

    assert str(refused.value.message) == "Un dossier dans l’état « Refusé » ne peut pas passer à l’état « Accepté »."
    assert fresh(in_review).state == S.REJECTED
    assert history(in_review) == before
    assert not Attestation.objects.filter(quest=in_review).exists()
    assert not AuditEvent.objects.filter(action="quest.accepted").exists()


@pytest.mark.django_db
def test_the_state_machine_itself_refuses_a_stale_copy(in_review, instructor, colleague):
    stale = fresh(in_review)
    quest_transition(quest=fresh(in_review), to_state=S.REJECTED, actor=colleague, motivation="Dossier incomplet")

    with pytest.raises(IllegalTransition):
        quest_transition(quest=stale, to_state=S.ACCEPTED, actor=instructor)

    assert fresh(in_review).state == S.REJECTED
    assert history(in_review)[-1] == (S.IN_REVIEW, S.REJECTED)


@pytest.mark.django_db
def test_a_stale_submitted_page_cannot_start_the_review_of_a_closed_quest(passport, instructor, colleague):
    quest = submitted_quest(passport)
    stale = fresh(quest)
    instruction.quest_close(quest=fresh(quest), actor=colleague, motivation="Demande en double")

    with pytest.raises(IllegalTransition):
        instruction.quest_start_review(quest=stale, actor=instructor)

    assert fresh(quest).state == S.CLOSED
    assert history(quest)[-1] == (S.SUBMITTED, S.CLOSED)


@pytest.mark.django_db
def test_a_stale_accepted_copy_does_not_pass_for_a_retry_once_the_quest_was_reopened(in_review, instructor, manager):
    # The agent's copy says "accepted"; a manager has reopened the quest since.
    instruction.quest_accept(quest=in_review, actor=instructor)
    assert in_review.state == S.ACCEPTED
    instruction.quest_reopen(quest=fresh(in_review), actor=manager, motivation="Erreur de saisie")

    transition = instruction.quest_accept(quest=in_review, actor=instructor)

    # A real second decision, not the first one handed back as if nothing had happened.
    assert (transition.from_state, transition.to_state) == (S.IN_REVIEW, S.ACCEPTED)
    assert history(in_review)[-3:] == [(S.IN_REVIEW, S.ACCEPTED), (S.ACCEPTED, S.IN_REVIEW), (S.IN_REVIEW, S.ACCEPTED)]
    assert fresh(in_review).state == S.ACCEPTED


@pytest.mark.django_db
def test_a_stale_draft_page_cannot_change_a_submitted_quest(ready_quest):
    stale = fresh(ready_quest)
    quest_submit(quest=fresh(ready_quest), actor=ready_quest.citizen)

    with pytest.raises(QuestNotEditable):
        answers_save(quest=stale, step=step(stale, "identite"), data={"nom": "Durand"})

    assert fresh(ready_quest).state == S.SUBMITTED


@pytest.mark.django_db
def test_the_audit_of_a_decision_from_a_stale_page_tells_what_really_happened(passport, instructor, colleague):
    quest = submitted_quest(passport)
    stale = fresh(quest)
    instruction.quest_start_review(quest=fresh(quest), actor=colleague)

    accepted = instruction.quest_accept(quest=stale, actor=instructor)

    # The colleague started the review; this agent's decision went from in_review to accepted only.
    event = AuditEvent.objects.get(action="quest.accepted")
    assert event.details["from_state"] == S.IN_REVIEW
    assert event.details["transitions"] == [accepted.pk]
    assert history(quest)[-2:] == [(S.SUBMITTED, S.IN_REVIEW), (S.IN_REVIEW, S.ACCEPTED)]
