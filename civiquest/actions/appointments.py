"""Booking an appointment at a mairie, for a quest or on its own.

A booking talks to ANTS twice, outside any transaction: the pre-application number is
checked first, then, once the booking committed, the appointment is registered (and the ones
it replaced withdrawn). Between the two, one transaction books the slot and marks the
quest's appointment step done, with what follows.
"""

from __future__ import annotations

from typing import Any

from civiquest.accounts.models import User
from civiquest.actions.follow import quest_events_follow
from civiquest.appointments import notices
from civiquest.appointments import services as booking
from civiquest.appointments.models import Appointment, AppointmentStatus
from civiquest.core.transactions import use_case
from civiquest.instruction import marks
from civiquest.instruction.models import QuestChangeKind
from civiquest.quests.models import Quest
from civiquest.quests.services import QuestEvents


def appointment_book(
    *,
    citizen: User,
    slot_id: int,
    application_id: str,
    reason: str,
    quest: Quest | None = None,
    replacing: Appointment | None = None,
    confirm_elsewhere: bool = False,
) -> Appointment:
    """Check the number with ANTS, book the slot, then register it with ANTS; ``BookingError`` otherwise."""
    number = booking.booking_check(application_id, confirm_elsewhere=confirm_elsewhere)
    with use_case():
        events = QuestEvents()
        appointment, replaced = booking.book_locked(
            citizen=citizen,
            slot_id=slot_id,
            application_ids=[number],
            reason=reason,
            quest=quest,
            replacing=replacing,
            events=events,
        )
        quest_events_follow(events=events)
        # Told in the app and by e-mail with the .ics (after commit), once per appointment.
        notices.booked_notice(appointment)
        if quest is not None:
            marks.quest_changed(quest=quest, kind=QuestChangeKind.APPOINTMENT, actor=citizen)
    return booking.book_announce(appointment=appointment, replaced=replaced)


def quest_appointment_book(
    *, quest: Quest, slot_id: int, answers: dict[str, Any], confirm_elsewhere: bool = False
) -> Appointment:
    """Book the quest's appointment with its pre-application number; replaces the quest's previous one."""
    wanted = booking.quest_booking(quest=quest, answers=answers)
    return appointment_book(
        citizen=wanted.citizen,
        slot_id=slot_id,
        application_id=wanted.application_id,
        reason=wanted.reason,
        quest=quest,
        confirm_elsewhere=confirm_elsewhere,
    )


def appointment_cancel(*, appointment: Appointment) -> Appointment:
    """The citizen cancels their appointment (idempotent); the quest's step is to be done again."""
    was_booked = appointment.status == AppointmentStatus.BOOKED
    cancelled = booking.cancel(appointment=appointment)
    if was_booked and cancelled.quest_id is not None:
        with use_case():
            # The quest's agents are told (a write of its own, after the cancellation committed).
            marks.quest_changed_by_id(
                quest_id=cancelled.quest_id, kind=QuestChangeKind.APPOINTMENT, actor=cancelled.citizen
            )
    return cancelled
