"""A citizen with something in every table, written with distinctive strings the erasure must remove."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import ExternalIdentity, IdentityProvider, ServiceRole, User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.actions import instruction as decisions
from civiquest.actions.opinions import opinion_answer, opinion_request
from civiquest.actions.quests import quest_start
from civiquest.appointments.models import (
    Appointment,
    AppointmentApplication,
    AppointmentStatus,
    MeetingPoint,
    TimeSlot,
)
from civiquest.assistant.conversations.models import Conversation, Feedback, Message, MessageRole
from civiquest.instruction import services as instruction
from civiquest.integrations.address.moving.models import HomeAddress
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.progress.habits.models import GamePreferences, Habit, Pause
from civiquest.progress.models import BadgeAward
from civiquest.quests.models import Quest
from tests.accounts.factories import AgentFactory, CitizenFactory
from tests.accounts.oidc.flow import point_providers_at
from tests.catalogue.factories import INSTRUCTED_STEPS, DocumentFactory, ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import fill

# Strings only this citizen's data contains: none may survive the erasure, in any table.
MARKERS = ("Zorglubien", "zorglub@example.fr", "sub-zorglub-42", "Rue des Zorglubs", "Passeport de Zorglub")


@pytest.fixture
def providers_on_live_server(settings, live_server, transactional_db):
    point_providers_at(settings, live_server.url)
    return live_server


@pytest.fixture
def mairie(db):
    return ServiceFactory(name="Mairie de Nouméa")


@pytest.fixture
def instructor(mairie):
    return member_of(mairie, ServiceRole.INSTRUCTOR)


@pytest.fixture
def passport(mairie):
    procedure, _revision = published(INSTRUCTED_STEPS, service=mairie, slug="passeport", title="Passeport")
    return procedure


@dataclass
class RichCitizen:
    user: User
    accepted: Quest
    rejected: Quest
    draft: Quest


@pytest.fixture
def rich_citizen(passport, instructor) -> RichCitizen:
    user = CitizenFactory(
        first_name="Wéa",
        last_name="Zorglubien",
        given_names="Wéa Marie",
        family_name="Zorglubien",
        email="zorglub@example.fr",
        birthdate=dt.date(1990, 5, 17),
    )
    ExternalIdentity.objects.create(user=user, provider=IdentityProvider.FRANCECONNECT, sub="sub-zorglub-42")
    HomeAddress.objects.create(
        citizen=user, address={"label": "12 Rue des Zorglubs 98800 Nouméa"}, label="12 Rue des Zorglubs 98800 Nouméa"
    )
    DocumentFactory(owner=user, title="Passeport de Zorglub", original_filename="passeport-zorglubien.pdf")

    accepted = submitted_quest(passport, citizen=user)
    instruction.message_send(quest=accepted, author=user, body="Bonjour, ici Zorglubien.")
    instruction.message_send(
        quest=accepted,
        author=instructor,
        body="Merci Zorglubien, voici le récépissé.",
        attachment=SimpleUploadedFile("recu.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    instruction.note_add(quest=accepted, actor=instructor, body="Zorglubien a appelé.")
    expert = AgentFactory()
    opinion = opinion_request(
        quest=accepted,
        actor=instructor,
        expert_email=expert.email,
        question="La photo de Zorglubien est-elle conforme ?",
    )
    opinion_answer(opinion_id=opinion.pk, expert=expert, answer="Oui, Zorglubien est reconnaissable.")
    decisions.quest_accept(quest=accepted, actor=instructor)
    rejected = submitted_quest(passport, citizen=user)
    decisions.quest_reject(quest=rejected, actor=instructor, motivation="Pièce d’identité illisible.")
    draft = fill(quest_start(citizen=user, procedure=passport))

    Notification.objects.create(
        recipient=user, kind=NotificationKind.QUEST_STATE, key="test-zorglub", title="Pour Zorglubien"
    )
    BadgeAward.objects.get_or_create(citizen=user, code="premiere-demarche")
    Habit.objects.create(citizen=user, code=_any_habit_code(), adopted_at=timezone.now())
    Pause.objects.create(citizen=user, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 5))
    GamePreferences.objects.update_or_create(citizen=user, defaults={"avatar": {"name": "Zorglubien"}})
    conversation = Conversation.objects.create(citizen=user, title="Zorglubien demande un passeport")
    question = Message.objects.create(conversation=conversation, role=MessageRole.CITIZEN, text="Zorglubien ?")
    answer = Message.objects.create(
        conversation=conversation, role=MessageRole.ASSISTANT, text="Réponse", reply_to=question
    )
    Feedback.objects.create(message=answer, vote="up", comment="Merci, Zorglubien")
    point = MeetingPoint.objects.create(
        service=accepted.procedure.instructing_service,
        name="Mairie",
        public_entry_address="1 place",
        zip_code="98800",
        city_name="Nouméa",
        latitude=-22.27,
        longitude=166.44,
    )
    slot = TimeSlot.objects.create(meeting_point=point, starts_at=timezone.now() - dt.timedelta(days=3))
    appointment = Appointment.objects.create(
        slot=slot,
        citizen=user,
        quest=accepted,
        application_ids=["AB12CD34EF"],
        reason="PASSPORT",
        status=AppointmentStatus.CANCELLED,
    )
    AppointmentApplication.objects.create(appointment=appointment, application_id="AB12CD34EF", live=False)
    audit_record(actor=instructor, action="citizen.view", target=user)
    return RichCitizen(user=user, accepted=accepted, rejected=rejected, draft=draft)


def _any_habit_code() -> str:
    from civiquest.progress.habits.catalogue import CODE_CHOICES

    return str(CODE_CHOICES[0][0])


def reauthenticate(client, user: User) -> None:
    """What a FranceConnect re-authentication leaves in the session (the round trip is tested apart)."""
    session = client.session
    oidc_session.remember_recent_authentication(session, user_id=user.pk, at=time.time())
    session.save()
