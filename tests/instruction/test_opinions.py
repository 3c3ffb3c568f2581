"""Expert opinions (“avis”): who may ask, who may answer (once), who may read the quest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from civiquest.accounts.models import AuditEvent, ServiceRole
from civiquest.actions import opinions as actions
from civiquest.core.errors import ProcedureError
from civiquest.instruction import opinions
from civiquest.instruction.models import OpinionRequest
from civiquest.instruction.services import InstructionRefused, QuestNotFound
from civiquest.notifications.models import Notification
from tests.accounts.factories import AgentFactory
from tests.catalogue.factories import ServiceFactory, member_of
from tests.instruction.helpers import submitted_quest


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def expert(db):
    """An agent of another service."""
    return member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.INSTRUCTOR)


def ask(quest, instructor, expert, question="La pièce d’identité est-elle valable ?"):
    return actions.opinion_request(quest=quest, actor=instructor, expert_email=expert.email, question=question)


def test_an_instructor_asks_an_agent_of_another_service_who_is_notified(quest, instructor, expert):
    opinion = ask(quest, instructor, expert)
    assert (opinion.quest_id, opinion.asked_by_id, opinion.expert_id, opinion.answered_at) == (
        quest.pk,
        instructor.pk,
        expert.pk,
        None,
    )
    notification = Notification.objects.get(recipient=expert, key=f"opinion-request:{opinion.pk}")
    assert quest.reference in notification.title and notification.url == f"/agent/avis/{opinion.pk}/"
    event = AuditEvent.objects.get(action="quest.opinion_request")
    assert event.actor_id == instructor.pk and event.details == {"opinion": opinion.pk, "expert": expert.pk}
    # The expert's e-mail is matched whatever its case.
    again = actions.opinion_request(quest=quest, actor=instructor, expert_email=expert.email.upper(), question="Et ?")
    assert again.expert_id == expert.pk


def test_only_an_agent_of_the_quests_service_may_ask(quest, instructor, expert):
    with pytest.raises(QuestNotFound):
        ask(quest, expert, instructor)
    with pytest.raises(QuestNotFound):
        ask(quest, quest.citizen, expert)
    assert not OpinionRequest.objects.exists()


@pytest.mark.parametrize("case", ["unknown", "citizen", "inactive", "self", "no question"])
def test_the_expert_must_be_another_active_agent_and_the_question_written(quest, instructor, case):
    email, question = "personne@example.org", "Avis ?"
    if case == "citizen":
        email = quest.citizen.email
    elif case == "inactive":
        email = AgentFactory(is_active=False).email
    elif case == "self":
        email = instructor.email
    elif case == "no question":
        email, question = AgentFactory().email, "   "
    with pytest.raises(InstructionRefused):
        actions.opinion_request(quest=quest, actor=instructor, expert_email=email, question=question)
    assert not OpinionRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="quest.opinion_request").exists()


def test_the_expert_answers_once_the_asker_is_notified_and_it_is_audited(quest, instructor, expert):
    opinion = ask(quest, instructor, expert)
    answered = actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer="Oui, valable.")
    assert answered.answer == "Oui, valable." and answered.answered_at is not None
    notification = Notification.objects.get(recipient=instructor, key=f"opinion-answer:{opinion.pk}")
    assert notification.url.endswith(f"/agent/dossiers/{quest.pk}/#avis")
    assert AuditEvent.objects.filter(action="quest.opinion_answer", actor=expert).count() == 1
    with pytest.raises(InstructionRefused, match="déjà rendu votre avis"):
        actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer="Finalement non.")
    opinion.refresh_from_db()
    assert opinion.answer == "Oui, valable."
    assert AuditEvent.objects.filter(action="quest.opinion_answer").count() == 1


def test_only_the_expert_may_answer(quest, instructor, expert):
    opinion = ask(quest, instructor, expert)
    for someone in (instructor, AgentFactory(), quest.citizen):
        with pytest.raises(QuestNotFound):
            actions.opinion_answer(opinion_id=opinion.pk, expert=someone, answer="Oui.")
    for bad_id in ("x", None, opinion.pk + 1):
        with pytest.raises(QuestNotFound):
            actions.opinion_answer(opinion_id=bad_id, expert=expert, answer="Oui.")
        with pytest.raises(QuestNotFound):
            opinions.opinion_for_expert(expert=expert, opinion_id=bad_id)
    with pytest.raises(InstructionRefused):
        actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer=" ")
    opinion.refresh_from_db()
    assert opinion.answered_at is None


def test_the_expert_may_read_the_quest_asked_about_only(passport, instructor, expert):
    quest, other = submitted_quest(passport), submitted_quest(passport)
    assert not opinions.may_read_quest(agent=expert, quest=quest)
    ask(quest, instructor, expert)
    assert opinions.may_read_quest(agent=expert, quest=quest)
    assert not opinions.may_read_quest(agent=expert, quest=other)
    assert opinions.may_read_quest(agent=instructor, quest=other)
    assert not opinions.may_read_quest(agent=AgentFactory(), quest=quest)
    assert opinions.quest_readable_by(agent=expert, quest_id=quest.pk) == quest
    for not_asked in (other.pk, "x", None):
        with pytest.raises(QuestNotFound):
            opinions.quest_readable_by(agent=expert, quest_id=not_asked)
    expert.is_active = False
    expert.save(update_fields=["is_active"])
    assert not opinions.may_read_quest(agent=expert, quest=quest)
    with pytest.raises(QuestNotFound):
        opinions.quest_readable_by(agent=expert, quest_id=quest.pk)


def test_the_experts_list_shows_pending_requests_first(passport, instructor, expert):
    first, second = submitted_quest(passport), submitted_quest(passport)
    old = ask(first, instructor, expert)
    new = ask(second, instructor, expert)
    actions.opinion_answer(opinion_id=new.pk, expert=expert, answer="Vu.")
    assert list(opinions.opinions_for_expert(expert=expert)) == [old, new]
    assert list(opinions.opinions_for_expert(expert=instructor)) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_keep_one(passport, instructor, expert):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so no race can happen")
    opinion = ask(submitted_quest(passport), instructor, expert)
    threads = 4
    barrier = threading.Barrier(threads)

    def run(index: int) -> object:
        try:
            barrier.wait(timeout=10)
            return actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer=f"Avis {index}")
        except ProcedureError as refused:
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(run, range(threads)))
    answered = [result for result in results if isinstance(result, OpinionRequest)]
    assert len(answered) == 1
    assert all(isinstance(result, InstructionRefused) for result in results if result not in answered)
    opinion.refresh_from_db()
    assert opinion.answer == answered[0].answer
    assert AuditEvent.objects.filter(action="quest.opinion_answer").count() == 1
    assert Notification.objects.filter(key=f"opinion-answer:{opinion.pk}").count() == 1


def test_the_request_and_answer_outlive_the_experts_account(quest, instructor, expert):
    opinion = ask(quest, instructor, expert)
    actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer="Vu.")
    expert.delete()
    kept = opinions.opinions_of_quest(quest=quest).get()
    assert (kept.pk, kept.expert_id, kept.answer) == (opinion.pk, None, "Vu.")
