"""Who may take a transition, and in which capacity: the state machine's ``actor_role`` and messages.

Written against the mutants of ``quests/workflow.py`` that survived the state machine's tests
(docs/testing.md): identities that only hold for small ids or for enum members not yet read
back from the database, an account that is no longer an agent, the capacity of a manager.
"""

import dataclasses

import pytest

from civiquest.accounts.models import Role, ServiceMembership, ServiceRole, User
from civiquest.quests import workflow
from civiquest.quests.errors import TransitionForbidden
from civiquest.quests.models import ActorRole, Quest, QuestState
from civiquest.quests.services import quest_start
from tests.accounts.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db

SUBMIT = workflow.RULES_BY_NAME["submit"]
ACCEPT = workflow.RULES_BY_NAME["accept"]
REOPEN = workflow.RULES_BY_NAME["reopen"]


def fresh(user: User) -> User:
    """The account as a request reads it: its fields are plain values from the database."""
    return User.objects.get(pk=user.pk)


def quest_of(citizen: User, procedure) -> Quest:
    return Quest.objects.select_related("procedure").get(pk=quest_start(citizen=citizen, procedure=procedure).pk)


def test_the_rules_cannot_be_changed_while_the_service_runs():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ACCEPT.by = ActorRole.CITIZEN  # type: ignore[misc]


def test_a_move_between_two_other_states_is_not_said_to_be_a_repeat():
    error = workflow.illegal(QuestState.ACCEPTED, QuestState.REJECTED)
    assert str(error) == "Un dossier dans l’état « Accepté » ne peut pas passer à l’état « Refusé »."
    repeat = workflow.illegal(QuestState.ACCEPTED, QuestState.ACCEPTED)
    assert str(repeat) == "Le dossier est déjà dans l’état « Accepté »."


def test_the_owner_acts_as_citizen_whatever_their_id(passport):
    owner = CitizenFactory(pk=100_000)
    quest = quest_of(owner, passport)
    assert workflow.actor_role(SUBMIT, fresh(owner), quest) == ActorRole.CITIZEN


def test_a_citizen_with_a_smaller_id_may_not_act_on_someone_else_s_quest(passport):
    other = CitizenFactory(pk=50_000)
    owner = CitizenFactory(pk=60_000)
    quest = quest_of(owner, passport)
    with pytest.raises(TransitionForbidden):
        workflow.actor_role(SUBMIT, fresh(other), quest)


def test_an_instructor_read_from_the_database_acts_as_agent(passport, instructor, citizen):
    quest = quest_of(citizen, passport)
    assert workflow.actor_role(ACCEPT, fresh(instructor), quest) == ActorRole.AGENT


def test_a_manager_acts_as_manager_even_on_an_agent_s_rule(passport, manager, citizen):
    quest = quest_of(citizen, passport)
    assert workflow.actor_role(ACCEPT, fresh(manager), quest) == ActorRole.MANAGER
    assert workflow.actor_role(REOPEN, fresh(manager), quest) == ActorRole.MANAGER


def test_an_instructor_may_not_take_a_manager_s_rule(passport, instructor, citizen):
    quest = quest_of(citizen, passport)
    with pytest.raises(TransitionForbidden):
        workflow.actor_role(REOPEN, fresh(instructor), quest)


@pytest.mark.parametrize("role", [Role.STAFF, Role.CITIZEN])
def test_an_account_that_is_no_longer_an_agent_keeps_no_power_from_an_old_membership(passport, mairie, role, citizen):
    former = StaffFactory() if role == Role.STAFF else CitizenFactory()
    ServiceMembership.objects.create(user=former, service=mairie, role=ServiceRole.MANAGER)
    quest = quest_of(citizen, passport)
    for rule in (ACCEPT, REOPEN):
        with pytest.raises(TransitionForbidden):
            workflow.actor_role(rule, fresh(former), quest)
