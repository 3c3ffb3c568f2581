"""Booking a town-hall appointment for a passport or an identity card: check, book, cancel, change.

- **Check.** The pre-application number is upper-cased, checked against ``^[A-Z0-9]{10}$``
  and then against the ANTS coordination API (``/status``): only a ``validated`` number
  can be booked. An appointment it already has elsewhere is a warning the citizen must
  acknowledge (as rdv-service-public does), not a refusal. If ANTS cannot be reached,
  booking waits: the number stays in the quest and the citizen retries.
- **Book.** Atomic: the slot row is locked, its capacity checked against its booked
  appointments, the appointment created with a random management token; a quest keeps
  one booked appointment (booking again cancels the previous one). The appointment step
  of the quest is marked done with ``procedures.services.step_complete``. Then, after
  commit, the appointment is registered with ANTS; a failure leaves it booked with
  ``coordination_status = failed`` and ``tasks.appointments_coordination_sync`` retries.
- **Cancel.** Marks it cancelled, then deletes it from ANTS (retried the same way).

HTTP calls to ANTS are made outside the booking transaction but under the appointment's
row lock, so a registration and a cancellation of the same appointment never interleave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.appointments.models import (
    Appointment,
    AppointmentApplication,
    AppointmentReason,
    AppointmentStatus,
    CoordinationStatus,
    TimeSlot,
)
from civiquest.appointments.selectors import meeting_point_timezone, slot_free_places
from civiquest.catalogue.models import Step, StepKind
from civiquest.core.errors import ProcedureError
from civiquest.core.http import IntegrationError
from civiquest.integrations.passport import coordination
from civiquest.integrations.passport.coordination import ApplicationState, ApplicationStatus, RegisteredAppointment
from civiquest.quests import workflow
from civiquest.quests.models import Quest
from civiquest.quests.services import QuestEvents, step_complete, step_reopen

logger = logging.getLogger(__name__)

PRE_APPLICATION_ANSWER = "pre-demande.reference"


class BookingError(Exception):
    """Booking refused, with a translated message to show the citizen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Pre-application numbers ---------------------------------------------------------------


def status_message(status: ApplicationStatus) -> str:
    """What a non-bookable status means for the citizen, and what to do."""
    messages = {
        ApplicationStatus.CONSUMED: _(
            "Ce numéro de pré-demande a déjà servi pour un dossier traité en mairie. Faites une nouvelle "
            "pré-demande sur le site de l’ANTS, puis indiquez ici le nouveau numéro."
        ),
        ApplicationStatus.DECLARED: _(
            "Ce numéro de pré-demande n’est pas officiellement reconnu par l’ANTS. Vérifiez-le sur votre "
            "récapitulatif de pré-demande ; s’il est exact, refaites la pré-demande sur le site de l’ANTS."
        ),
        ApplicationStatus.UNKNOWN: _(
            "L’ANTS ne connaît pas ce numéro de pré-demande. Vérifiez qu’il est bien recopié (10 lettres et "
            "chiffres, sur votre récapitulatif de pré-demande), ou refaites la pré-demande sur le site de l’ANTS."
        ),
        ApplicationStatus.EXPIRED: _(
            "Ce numéro de pré-demande a expiré. Refaites une pré-demande sur le site de l’ANTS, puis indiquez "
            "ici le nouveau numéro."
        ),
    }
    return str(messages.get(status, ""))


@dataclass(frozen=True)
class ApplicationCheck:
    """What the citizen is told about their number: bookable, refused (``problem``), or ANTS unreachable."""

    application_id: str
    state: ApplicationState | None = None
    problem: str = ""
    unavailable: str = ""
    # Appointments the number already has at other town halls (or with another editor).
    elsewhere: tuple[RegisteredAppointment, ...] = ()

    @property
    def can_book(self) -> bool:
        return self.state is not None and self.state.can_book and not self.problem


def management_url(appointment: Appointment) -> str:
    """The absolute URL ANTS shows the citizen to change or cancel (no sign-in: the token is the key)."""
    path = reverse("citizen:appointment-manage", kwargs={"token": appointment.management_token})
    return f"{settings.CIVIQUEST_PUBLIC_URL}{path}"


def _our_management_urls(application_id: str) -> set[str]:
    tokens = AppointmentApplication.objects.filter(
        application_id=application_id, appointment__status=AppointmentStatus.BOOKED
    ).values_list("appointment__management_token", flat=True)
    return {f"{settings.CIVIQUEST_PUBLIC_URL}{reverse('citizen:appointment-manage', args=[t])}" for t in tokens}


def application_check(raw: str) -> ApplicationCheck:
    """Normalize and check a pre-application number against ANTS (one ``/status`` call)."""
    application_id = coordination.normalize_application_id(raw or "")
    if not coordination.is_application_id(application_id):
        return ApplicationCheck(
            application_id=application_id,
            problem=_(
                "Le numéro de pré-demande compte 10 caractères, lettres et chiffres (par exemple AB12CD34EF). "
                "Corrigez-le à l’étape « Faire la pré-demande en ligne »."
            ),
        )
    try:
        state = coordination.status_of(application_id)
    except IntegrationError as error:
        return ApplicationCheck(application_id=application_id, unavailable=error.user_message)
    if not state.can_book:
        return ApplicationCheck(application_id=application_id, state=state, problem=status_message(state.status))
    ours = _our_management_urls(application_id) if state.appointments else set()
    elsewhere = tuple(item for item in state.appointments if item.management_url not in ours)
    return ApplicationCheck(application_id=application_id, state=state, elsewhere=elsewhere)


# --- Quests ---------------------------------------------------------------------------------


def books_through_ants(quest: Quest) -> bool:
    """Whether the quest's revision books a town hall appointment (ANTS), as set in the builder."""
    return bool(quest.revision.appointment_need)


def active_appointment(*, quest: Quest) -> Appointment | None:
    return (
        Appointment.objects.filter(quest=quest, status=AppointmentStatus.BOOKED)
        .select_related("slot__meeting_point")
        .order_by("-created_at", "-pk")
        .first()
    )


def appointment_step(quest: Quest) -> Step | None:
    return Step.objects.filter(revision_id=quest.revision_id, kind=StepKind.APPOINTMENT).order_by("position").first()


def quest_step_reopen(appointment: Appointment) -> None:
    """A cancelled appointment leaves its quest without one: the appointment step is to be done again.

    Call it in the cancelling transaction. Nothing changes once the quest is submitted (the
    service then handles the appointment) or while another appointment is booked for it.
    """
    if appointment.quest_id is None:
        return
    if Appointment.objects.filter(quest_id=appointment.quest_id, status=AppointmentStatus.BOOKED).exists():
        return
    quest = Quest.objects.get(pk=appointment.quest_id)
    step = appointment_step(quest)
    if step is not None:
        step_reopen(quest=quest, step=step)


# --- Booking ----------------------------------------------------------------------------------


def _check_bookable(check: ApplicationCheck, *, confirm_elsewhere: bool) -> None:
    if check.unavailable:
        raise BookingError(check.unavailable)
    if check.problem:
        raise BookingError(check.problem)
    if check.elsewhere and not confirm_elsewhere:
        raise BookingError(
            _(
                "Ce numéro de pré-demande a déjà un rendez-vous dans une autre mairie. Annulez-le d’abord, ou "
                "confirmez que vous voulez prendre celui-ci aussi."
            )
        )


def applications_release(appointment_ids: list[int]) -> None:
    """Cancelled appointments give their pre-application numbers back (``AppointmentApplication.live``)."""
    AppointmentApplication.objects.filter(appointment_id__in=appointment_ids, live=True).update(live=False)


@transaction.atomic
def book_locked(
    *,
    citizen: User,
    slot_id: int,
    application_ids: list[str],
    reason: str,
    quest: Quest | None,
    replacing: Appointment | None,
    events: QuestEvents | None = None,
) -> tuple[Appointment, list[int]]:
    """Create the appointment if the slot has room; returns it and the ids of the appointments it replaced."""
    slot = (
        TimeSlot.objects.select_for_update(of=("self",))
        .select_related("meeting_point")
        .filter(pk=slot_id, meeting_point__is_active=True)
        .first()
    )
    if slot is None or slot.cancelled_at is not None or slot.starts_at <= timezone.now():
        raise BookingError(_("Ce créneau n’est plus proposé. Choisissez-en un autre."))
    if slot_free_places(slot) < max(len(application_ids), 1):
        raise BookingError(_("Ce créneau vient d’être pris. Choisissez-en un autre."))
    # What this booking replaces: the quest's appointment, or the one the citizen is changing.
    which = [Q(quest=quest)] if quest is not None else []
    which += [Q(pk=replacing.pk)] if replacing is not None else []
    old = Appointment.objects.none()
    if which:
        condition = which[0] if len(which) == 1 else which[0] | which[1]
        old = Appointment.objects.select_for_update().filter(
            condition, citizen=citizen, status=AppointmentStatus.BOOKED
        )
    replaced = list(old.values_list("pk", flat=True))
    now = timezone.now()
    if replaced:
        Appointment.objects.filter(pk__in=replaced).update(status=AppointmentStatus.CANCELLED, cancelled_at=now)
        applications_release(replaced)
    # An appointment whose time has passed no longer holds its numbers.
    AppointmentApplication.objects.filter(
        application_id__in=application_ids, live=True, appointment__slot__starts_at__lte=now
    ).update(live=False)
    appointment = Appointment.objects.create(
        slot=slot,
        citizen=citizen,
        quest=quest,
        application_ids=application_ids,
        reason=reason,
        documents_number=len(application_ids),
    )
    try:
        with transaction.atomic():
            AppointmentApplication.objects.bulk_create(
                [AppointmentApplication(appointment=appointment, application_id=number) for number in application_ids]
            )
    except IntegrityError as error:
        # Another appointment to come holds the number (one of the citizen's own, or a concurrent booking).
        raise BookingError(
            _(
                "Ce numéro de pré-demande a déjà un rendez-vous à venir sur CiviQuest. Modifiez ou annulez ce "
                "rendez-vous depuis votre démarche avant d’en prendre un autre."
            )
        ) from error
    if quest is not None and quest.state in workflow.EDITABLE_STATES:
        # Once the file is submitted the step stays as it was; the appointment can still change.
        step = appointment_step(quest)
        if step is not None:
            try:
                step_complete(quest=quest, step=step, events=events)
            except ProcedureError as error:
                raise BookingError(error.message) from error
    return appointment, replaced


def booking_check(application_id: str, *, confirm_elsewhere: bool) -> str:
    """Check the number with ANTS (outside any transaction): the number to book, or ``BookingError``."""
    check = application_check(application_id)
    _check_bookable(check, confirm_elsewhere=confirm_elsewhere)
    return check.application_id


def book_announce(*, appointment: Appointment, replaced: list[int]) -> Appointment:
    """After the booking committed: register it with ANTS, the new one first, then withdraw those it replaced."""
    appointment_register(appointment_id=appointment.pk)
    for old_id in replaced:
        appointment_unregister(appointment_id=old_id)
    appointment.refresh_from_db()
    return appointment


@dataclass(frozen=True)
class QuestBooking:
    """Who books for a quest, with which pre-application number and for what."""

    citizen: User
    application_id: str
    reason: str


def quest_booking(*, quest: Quest, answers: dict[str, Any]) -> QuestBooking:
    """What booking the quest's appointment needs, from its answers; ``BookingError`` if it can't be booked."""
    if not quest.revision.appointment_need:
        raise BookingError(_("Cette démarche ne se réserve pas en ligne."))
    reason = AppointmentReason(quest.revision.appointment_need)
    number = str(answers.get(PRE_APPLICATION_ANSWER) or "")
    if not number:
        raise BookingError(
            _("Indiquez d’abord votre numéro de pré-demande, à l’étape « Faire la pré-demande en ligne ».")
        )
    return QuestBooking(citizen=User.objects.get(pk=quest.citizen_id), application_id=number, reason=reason)


def cancel(*, appointment: Appointment) -> Appointment:
    """Cancel a booked appointment (idempotent), then withdraw it from ANTS."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status == AppointmentStatus.BOOKED:
            locked.status = AppointmentStatus.CANCELLED
            locked.cancelled_at = timezone.now()
            locked.save(update_fields=["status", "cancelled_at"])
            applications_release([locked.pk])
            quest_step_reopen(locked)
    appointment_unregister(appointment_id=appointment.pk)
    appointment.refresh_from_db()
    return appointment


# --- The coordination API, retried ------------------------------------------------------------


def _coordination_args(appointment: Appointment) -> dict[str, Any]:
    point = appointment.slot.meeting_point
    return {
        "meeting_point_id": point.ants_id,
        "meeting_point": point.name,
        "starts_at": appointment.slot.starts_at,
        "tz": meeting_point_timezone(point),
    }


def appointment_register(*, appointment_id: int) -> bool:
    """Register a booked appointment with ANTS unless done; True once registered. Idempotent.

    ANTS keys a registration by (application id, management URL): posting it again is harmless.
    """
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot__meeting_point")
            .filter(pk=appointment_id)
            .first()
        )
        if locked is None or locked.status != AppointmentStatus.BOOKED:
            return False
        if locked.coordination_status == CoordinationStatus.REGISTERED:
            return True
        url = management_url(locked)
        try:
            for number in locked.application_ids:
                coordination.register(application_id=number, management_url=url, **_coordination_args(locked))
        except IntegrationError as error:
            logger.warning("ANTS registration failed", extra={"appointment": appointment_id, "detail": error.detail})
            locked.coordination_status = CoordinationStatus.FAILED
            locked.save(update_fields=["coordination_status"])
            return False
        locked.coordination_status = CoordinationStatus.REGISTERED
        locked.save(update_fields=["coordination_status"])
        return True


def appointment_unregister(*, appointment_id: int) -> bool:
    """Withdraw a cancelled appointment from ANTS unless done; True once withdrawn. Idempotent."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot__meeting_point")
            .filter(pk=appointment_id)
            .first()
        )
        if locked is None or locked.status != AppointmentStatus.CANCELLED:
            return False
        if locked.coordination_status == CoordinationStatus.DELETED:
            return True
        try:
            for number in locked.application_ids:
                coordination.unregister(application_id=number, **_coordination_args(locked))
        except IntegrationError as error:
            # Still listed at ANTS (or maybe): the sync task tries again.
            logger.warning("ANTS deletion failed", extra={"appointment": appointment_id, "detail": error.detail})
            return False
        locked.coordination_status = CoordinationStatus.DELETED
        locked.save(update_fields=["coordination_status"])
        return True


# Booked appointments younger than this are being registered by their request: the sweep leaves them.
SWEEP_GRACE = timedelta(minutes=1)


def coordination_sync(*, now: datetime | None = None) -> tuple[int, int]:
    """Retry what ANTS has not heard yet: registrations of booked appointments, deletions of cancelled ones.

    Returns (registered, deleted). Only appointments whose slot is still to come matter to ANTS.
    """
    now = now or timezone.now()
    upcoming = Appointment.objects.filter(slot__starts_at__gt=now)
    to_register = upcoming.filter(
        status=AppointmentStatus.BOOKED,
        coordination_status__in=[CoordinationStatus.FAILED, CoordinationStatus.PENDING],
        created_at__lt=now - SWEEP_GRACE,
    )
    to_delete = upcoming.filter(status=AppointmentStatus.CANCELLED).exclude(
        coordination_status=CoordinationStatus.DELETED
    )
    registered = sum(appointment_register(appointment_id=pk) for pk in to_register.values_list("pk", flat=True))
    deleted = sum(appointment_unregister(appointment_id=pk) for pk in to_delete.values_list("pk", flat=True))
    return registered, deleted
