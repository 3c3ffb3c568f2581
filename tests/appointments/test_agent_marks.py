"""Booking or cancelling the appointment of a quest under correction marks it "nouveau" for its agents."""

from __future__ import annotations

import pytest

from civiquest.accounts.models import ServiceRole
from civiquest.actions.appointments import appointment_cancel, quest_appointment_book
from civiquest.catalogue.models import Procedure
from civiquest.instruction.models import QuestChangeKind, QuestMark
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.quests.models import Quest, QuestState
from tests.catalogue.factories import ServiceFactory, member_of
from tests.integrations.ants.helpers import future_slot, passport_quest, point

pytestmark = pytest.mark.django_db


def test_booking_and_cancelling_mark_the_quest_for_its_assignee(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    service = ServiceFactory(name="Mairie de Nouméa")
    Procedure.objects.filter(pk=quest.procedure_id).update(instructing_service=service)
    agent = member_of(service, ServiceRole.INSTRUCTOR)
    Quest.objects.filter(pk=quest.pk).update(state=QuestState.CHANGES_REQUESTED, assignee=agent)
    quest = Quest.objects.select_related("procedure").get(pk=quest.pk)
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    appointment = quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    assert set(QuestMark.objects.values_list("agent_id", "quest_id", "kind")) == {
        (agent.pk, quest.pk, QuestChangeKind.APPOINTMENT)
    }
    QuestMark.objects.all().delete()
    appointment_cancel(appointment=appointment)
    assert QuestMark.objects.filter(agent=agent, quest=quest, kind=QuestChangeKind.APPOINTMENT).exists()
    assert Notification.objects.filter(recipient=agent, kind=NotificationKind.QUEST_CHANGE).count() == 2
    # Cancelling again (idempotent) tells nobody anything more.
    QuestMark.objects.all().delete()
    appointment_cancel(appointment=appointment)
    assert not QuestMark.objects.exists()
