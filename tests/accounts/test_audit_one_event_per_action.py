"""One user action, one audit event, carrying what the action did.

Each action goes through its real page (agent portal, staff builder); the events recorded
by the setup are left out by counting from the last one before the action.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.accounts.audit import audit_verify
from civiquest.accounts.models import AuditEvent, ServiceRole
from civiquest.catalogue import builder
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation, ChangeRequest, Label, QuestLabel
from civiquest.quests.models import QuestState, QuestTransition
from tests.accounts.factories import StaffFactory
from tests.catalogue.factories import member_of
from tests.instruction.helpers import submitted_quest
from tests.integrations.ants_editor.factories import MeetingPointFactory
from tests.integrations.ants_editor.test_agent_appointments import plan_data
from tests.quests.fixtures import instructor, mairie, passport  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


class NewEvents:
    """The events recorded after this point."""

    def __init__(self) -> None:
        self.after = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0

    def all(self) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(sequence__gt=self.after).order_by("sequence"))

    def one(self) -> AuditEvent:
        events = self.all()
        assert len(events) == 1, [(event.action, event.details) for event in events]
        return events[0]


@pytest.fixture
def quest(passport):  # noqa: F811 - the fixture above
    return submitted_quest(passport)


@pytest.fixture
def agent_client(client, instructor, login_verified):  # noqa: F811
    login_verified(client, instructor)
    return client


def act(client, quest, **data):
    response = client.post(reverse("agent:quest-action", args=[quest.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]


def test_one_acceptance_is_one_event_with_the_states_and_the_attestation(agent_client, quest, instructor):  # noqa: F811
    new = NewEvents()
    act(agent_client, quest, action="accept", confirme="1")
    event = new.one()
    attestation = Attestation.objects.get(quest=quest)
    assert (event.action, event.actor_id, event.target_id) == ("quest.accepted", instructor.pk, str(quest.pk))
    assert event.details["from_state"] == QuestState.SUBMITTED
    assert event.details["to_state"] == QuestState.ACCEPTED
    assert event.details["attestation"] == {"id": attestation.pk, "code": attestation.code}
    transitions = QuestTransition.objects.filter(quest=quest, actor=instructor).order_by("at", "pk")
    assert event.details["transitions"] == [transition.pk for transition in transitions]
    assert len(event.details["transitions"]) == 2  # through in_review, in the same action

    # The same decision again (a double submit) changes nothing and records nothing.
    again = NewEvents()
    instruction.quest_accept(quest=quest, actor=instructor)
    assert again.all() == []
    assert audit_verify().ok


def test_one_rejection_is_one_event_with_its_motivation(agent_client, quest):
    new = NewEvents()
    act(agent_client, quest, action="reject", motivation="Pièce d’identité expirée", confirme="1")
    event = new.one()
    assert event.action == "quest.rejected" and event.motivation == "Pièce d’identité expirée"
    assert (event.details["from_state"], event.details["to_state"]) == (QuestState.SUBMITTED, QuestState.REJECTED)


def test_one_correction_request_is_one_event_listing_the_fields_asked(agent_client, quest):
    targets = ["pieces.id_photo", "nom", "step:identite"]
    new = NewEvents()
    act(agent_client, quest, action="request_changes", motivation="Photo floue, nom mal orthographié", targets=targets)
    event = new.one()
    request = ChangeRequest.objects.get(quest=quest)
    assert event.action == "quest.changes_requested"
    assert event.motivation == "Photo floue, nom mal orthographié"
    assert event.details["targets"] == targets
    assert event.details["change_request"] == request.pk
    assert event.details["to_state"] == QuestState.CHANGES_REQUESTED


def test_starting_the_review_is_one_event_naming_the_agent_who_took_it(agent_client, quest, instructor):  # noqa: F811
    new = NewEvents()
    act(agent_client, quest, action="start_review")
    event = new.one()
    assert event.action == "quest.in_review" and event.details["assignee"] == instructor.pk


def test_one_bulk_acceptance_is_one_event_for_every_quest(agent_client, passport):  # noqa: F811
    quests = [submitted_quest(passport) for _ in range(3)]
    new = NewEvents()
    response = agent_client.post(
        reverse("agent:bulk"), {"action": "accept", "quests": [str(quest.pk) for quest in quests] + ["999999"]}
    )
    assert response.status_code == 302
    event = new.one()
    assert event.action == "quest.bulk" and event.details["action"] == "accept"
    assert set(event.details["quests"]) == {str(quest.pk) for quest in quests}
    for quest in quests:
        done = event.details["quests"][str(quest.pk)]
        assert done["to_state"] == QuestState.ACCEPTED
        assert done["attestation"]["code"] == Attestation.objects.get(quest=quest).code
        assert quest.reference in event.target_label
    assert event.details["failed"] == [999999]


def test_a_failing_quest_of_a_bulk_action_is_rolled_back_alone(agent_client, passport, mairie):  # noqa: F811
    good, bad = submitted_quest(passport), submitted_quest(passport)
    instruction.quest_reject(quest=bad, actor=member_of(mairie, ServiceRole.INSTRUCTOR), motivation="Non")
    new = NewEvents()
    agent_client.post(reverse("agent:bulk"), {"action": "accept", "quests": [str(good.pk), str(bad.pk)]})
    event = new.one()
    assert list(event.details["quests"]) == [str(good.pk)] and event.details["failed"] == [bad.pk]
    bad.refresh_from_db()
    assert bad.state == QuestState.REJECTED and not Attestation.objects.filter(quest=bad).exists()


def test_one_labels_form_is_one_event(agent_client, quest, mairie):  # noqa: F811
    kept = Label.objects.create(service=mairie, name="Urgent")
    dropped = Label.objects.create(service=mairie, name="À rappeler")
    QuestLabel.objects.create(quest=quest, label=dropped)
    new = NewEvents()
    response = agent_client.post(
        reverse("agent:quest-labels", args=[quest.pk]), {"labels": [str(kept.pk)], "name": "Pièce manquante"}
    )
    assert response.status_code == 302
    event = new.one()
    created = Label.objects.get(name="Pièce manquante")
    assert event.action == "quest.labels"
    assert event.details == {"created": created.pk, "added": sorted([kept.pk, created.pk]), "removed": [dropped.pk]}
    assert set(QuestLabel.objects.filter(quest=quest).values_list("label_id", flat=True)) == {kept.pk, created.pk}


def test_one_builder_publication_is_one_event(client, login_verified, passport):  # noqa: F811
    staff = StaffFactory()
    login_verified(client, staff)
    builder.draft_ensure(actor=staff, procedure=passport)
    new = NewEvents()
    response = client.post(reverse("staff:builder-publish", kwargs={"procedure_id": passport.pk}))
    assert response.status_code == 302
    event = new.one()
    assert (event.action, event.target_id, event.details["revision"]) == ("procedure.publish", str(passport.pk), 2)


def test_one_bulk_slot_publication_is_one_event(client, login_verified, mairie):  # noqa: F811
    manager = member_of(mairie, ServiceRole.MANAGER)
    point = MeetingPointFactory(service=mairie)
    login_verified(client, manager)
    new = NewEvents()
    response = client.post(reverse("agent:slots-publish", args=[point.pk]), plan_data())
    assert response.status_code == 302
    event = new.one()
    assert event.action == "passport.slots_publish" and event.details["created"] > 10
    assert audit_verify().ok


def test_a_retried_correction_request_records_nothing_a_new_one_records_itself(quest, instructor):  # noqa: F811
    instruction.quest_request_changes(quest=quest, actor=instructor, message="Photo floue", targets=["nom"])
    new = NewEvents()
    instruction.quest_request_changes(quest=quest, actor=instructor, message="Photo floue", targets=["nom"])
    assert new.all() == [] and ChangeRequest.objects.filter(quest=quest).count() == 1
    instruction.quest_request_changes(quest=quest, actor=instructor, message="Et la signature", targets=[])
    event = new.one()
    assert event.motivation == "Et la signature" and event.details["transitions"] == []
    assert ChangeRequest.objects.filter(quest=quest).count() == 2
