"""The citizen's town-hall appointments for a passport or an identity card.

- In the ``passeport`` and ``carte-identite`` quests, the appointment step shows the
  pre-application number's standing at ANTS and the free slots near the citizen's
  address (``appointment_panel``, called by ``quest_views``); booking and cancelling post
  to ``appointment-quest-book`` / ``appointment-quest-cancel``.
- ``appointment-book`` is the page ANTS's ``callback_url`` opens for one slot.
- ``appointment-manage`` is the management URL given to ANTS: the unguessable token is
  the key (the citizen may come from rendezvouspasseport.ants.gouv.fr without a session),
  so it shows no personal data beyond the appointment itself; ``appointment-cancel`` cancels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, public, role_required
from civiquest.accounts.models import Role
from civiquest.actions.appointments import appointment_book, appointment_cancel, quest_appointment_book
from civiquest.actions.mandates import helper_appointment_journal
from civiquest.appointments import places
from civiquest.appointments import selectors as appointment_selectors
from civiquest.appointments import services as booking
from civiquest.appointments.models import (
    Appointment,
    AppointmentReason,
    AppointmentStatus,
    CoordinationStatus,
    TimeSlot,
)
from civiquest.appointments.places import NearbyPoint, Place
from civiquest.appointments.selectors import meeting_point_timezone, open_quest_for_reason
from civiquest.appointments.services import ApplicationCheck, BookingError
from civiquest.integrations.passport import coordination
from civiquest.integrations.passport.timbre import Timbre, timbre_from_answers
from civiquest.quests.models import Quest
from civiquest.quests.selectors import quest_answers
from civiquest.www.citizen.mandate_access import quest_or_mandated, request_mandate

ANTS_SEARCH_URL = "https://rendezvouspasseport.ants.gouv.fr/"
PRE_APPLICATION_STEP = "pre-demande"
TIMBRE_STEP = "timbre-fiscal"


def local_start(slot: TimeSlot) -> dt.datetime:
    """The slot's start in its town hall's time, naive, so templates print it as is."""
    return timezone.localtime(slot.starts_at, meeting_point_timezone(slot.meeting_point)).replace(tzinfo=None)


@dataclass
class AppointmentView:
    appointment: Appointment
    starts: dt.datetime

    @property
    def point(self) -> Any:
        return self.appointment.slot.meeting_point

    @property
    def is_booked(self) -> bool:
        return self.appointment.status == AppointmentStatus.BOOKED

    @property
    def is_past(self) -> bool:
        return self.appointment.slot.starts_at <= timezone.now()

    @property
    def ants_pending(self) -> bool:
        return self.is_booked and self.appointment.coordination_status != CoordinationStatus.REGISTERED


def appointment_view(appointment: Appointment | None) -> AppointmentView | None:
    if appointment is None:
        return None
    return AppointmentView(appointment=appointment, starts=local_start(appointment.slot))


@dataclass(frozen=True)
class DayChoice:
    day: dt.date
    slots: int
    chosen: bool


def parse_day(raw: str | None) -> dt.date | None:
    """The ``?jour=YYYY-MM-DD`` of the picker; None when absent or malformed."""
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def day_choices(points: list[NearbyPoint], wanted: dt.date | None) -> tuple[list[DayChoice], dt.date | None]:
    """The days with free slots at any of the points (public holidays already left out), and the chosen one."""
    counts: dict[dt.date, int] = {}
    for near in points:
        for day, slots in near.days:
            counts[day] = counts.get(day, 0) + len(slots)
    chosen = wanted if wanted in counts else None
    return [DayChoice(day=day, slots=count, chosen=day == chosen) for day, count in sorted(counts.items())], chosen


def points_on(points: list[NearbyPoint], day: dt.date | None) -> list[NearbyPoint]:
    """The points with free slots on the chosen day, only that day's; none before a day is chosen."""
    if day is None:
        return []
    found = []
    for near in points:
        for slot_day, slots in near.days:
            if slot_day == day:
                found.append(NearbyPoint(point=near.point, distance_km=near.distance_km, days=[(slot_day, slots)]))
    return found


@dataclass
class AppointmentPanel:
    """What the appointment step of a passport or identity-card quest shows."""

    application_id: str
    check: ApplicationCheck | None
    current: AppointmentView | None
    place: Place
    points: list[NearbyPoint] = field(default_factory=list)
    # The picker, as ANTS does it: the days with free slots first, then the chosen day's times.
    days: list[DayChoice] = field(default_factory=list)
    day: dt.date | None = None

    @property
    def can_book(self) -> bool:
        return self.check is not None and self.check.can_book


def _with_local_starts(points: list[NearbyPoint]) -> list[NearbyPoint]:
    for near in points:
        for _day, slots in near.days:
            for slot in slots:
                slot.local_start = local_start(slot)  # type: ignore[attr-defined]
    return points


def appointment_panel(quest: Quest, answers: dict[str, Any], *, day: dt.date | None = None) -> AppointmentPanel:
    """The number's standing at ANTS (one HTTP call), the current appointment, the days with free slots
    near the address, and the times of the chosen ``day``."""
    number = str(answers.get(booking.PRE_APPLICATION_ANSWER) or "")
    check = booking.application_check(number) if number else None
    place = places.place_of(answers.get(places.ADDRESS_ANSWER))
    points = _with_local_starts(places.points_with_slots(place)) if check is not None and check.can_book else []
    days, chosen = day_choices(points, day)
    return AppointmentPanel(
        application_id=check.application_id if check is not None else "",
        check=check,
        current=appointment_view(booking.active_appointment(quest=quest)),
        place=place,
        points=points_on(points, chosen),
        days=days,
        day=chosen,
    )


def quest_step_extra(
    quest: Quest, step_kind: str, step_slug: str, answers: dict[str, Any], *, day: str | None = None
) -> dict[str, Any]:
    """Extra context of a quest step page: the appointment panel (``day``: the picker's ``?jour=``),
    the computed timbre fiscal."""
    if not booking.books_through_ants(quest):
        return {}
    if step_kind == "appointment":
        return {
            "ants": appointment_panel(quest, answers, day=parse_day(day)),
            "pre_application_step": PRE_APPLICATION_STEP,
        }
    if step_slug == TIMBRE_STEP:
        return {"timbre": quest_timbre(quest, answers)}
    number = str(answers.get(booking.PRE_APPLICATION_ANSWER) or "")
    if step_slug == PRE_APPLICATION_STEP and number:
        # Said as soon as the number is saved, not only at the appointment step.
        return {"ants_check": booking.application_check(number)}
    return {}


def quest_timbre(quest: Quest, answers: dict[str, Any]) -> Timbre | None:
    return timbre_from_answers(title=quest.revision.issued_title, answers=answers, today=timezone.localdate())


def _own_quest(request: AuthenticatedHttpRequest, quest_id: int) -> Quest:
    quest = quest_or_mandated(request, quest_id)
    if not booking.books_through_ants(quest):
        raise Http404
    return quest


def _journal_if_helper(request: AuthenticatedHttpRequest, quest: Quest, *, booked: bool) -> None:
    """A helper's booking or cancellation under a mandate goes to the mandate's journal."""
    mandate = request_mandate(request)
    if mandate is not None:
        helper_appointment_journal(helper=request.user, mandate=mandate, quest=quest, booked=booked)


def appointment_step_url(quest: Quest) -> str:
    step = booking.appointment_step(quest)
    if step is None:
        return reverse("citizen:quest", args=[quest.pk])
    return reverse("citizen:quest-step", args=[quest.pk, step.slug])


def _slot_id(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@require_POST
@role_required(Role.CITIZEN)
def quest_book(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    quest = _own_quest(request, quest_id)
    slot_id = _slot_id(request.POST.get("slot"))
    if slot_id is None:
        messages.error(request, _("Choisissez un créneau dans la liste."))
        return redirect(appointment_step_url(quest))
    try:
        appointment = quest_appointment_book(
            quest=quest,
            slot_id=slot_id,
            answers=quest_answers(quest),
            confirm_elsewhere=request.POST.get("confirm_elsewhere") == "on",
        )
    except BookingError as error:
        messages.error(request, error.message)
        return redirect(appointment_step_url(quest))
    _journal_if_helper(request, quest, booked=True)
    messages.success(request, _booked_message(appointment))
    if appointment.citizen_id != request.user.pk:
        # A helper under a mandate: the confirmation page is the citizen's own.
        return redirect(appointment_step_url(quest))
    return redirect("citizen:appointment-confirmation", appointment_id=appointment.pk)


def _booked_message(appointment: Appointment) -> str:
    starts = local_start(appointment.slot)
    text = _("Votre rendez-vous est réservé : %(day)s à %(time)s, %(place)s.") % {
        "day": starts.strftime("%d/%m/%Y"),
        "time": starts.strftime("%H:%M"),
        "place": appointment.slot.meeting_point.name,
    }
    if appointment.coordination_status != CoordinationStatus.REGISTERED:
        text += " " + _(
            "L’ANTS n’a pas encore pu en être informée : nous réessayons automatiquement, vous n’avez rien à faire."
        )
    return text


@require_POST
@role_required(Role.CITIZEN)
def quest_cancel(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    quest = _own_quest(request, quest_id)
    current = booking.active_appointment(quest=quest)
    if current is not None:
        appointment_cancel(appointment=current)
        _journal_if_helper(request, quest, booked=False)
        messages.success(request, _("Votre rendez-vous est annulé. Vous pouvez en choisir un autre."))
    return redirect(appointment_step_url(quest))


# --- The booking page ANTS sends the citizen to ----------------------------------------------


def _bookable_slot(slot_id: int) -> TimeSlot:
    slot = appointment_selectors.bookable_slot(slot_id)
    if slot is None:
        raise Http404
    return slot


def _reason(raw: str | None) -> str:
    return raw if raw in AppointmentReason.values else AppointmentReason.PASSPORT


@never_cache
@role_required(Role.CITIZEN)
def book(request: AuthenticatedHttpRequest, slot_id: int) -> HttpResponse:
    slot = _bookable_slot(slot_id)
    source = request.POST if request.method == "POST" else request.GET
    reason = _reason(source.get("reason"))
    quest = open_quest_for_reason(citizen=request.user, reason=reason)
    number = source.get("application_id")
    if number is None and quest is not None:
        number = coordination.normalize_application_id(
            str(quest_answers(quest).get(booking.PRE_APPLICATION_ANSWER) or "")
        )
    context: dict[str, Any] = {
        "title": _("Réserver un rendez-vous en mairie"),
        "slot": slot,
        "starts": local_start(slot),
        "reason": reason,
        "reasons": AppointmentReason.choices,
        "application_id": number or "",
        "quest": quest,
        "error": "",
        "elsewhere": (),
    }
    if request.method != "POST":
        return render(request, "citizen/appointments/book.html", context)
    try:
        appointment = appointment_book(
            citizen=request.user,
            slot_id=slot.pk,
            application_id=number or "",
            reason=reason,
            quest=quest,
            confirm_elsewhere=request.POST.get("confirm_elsewhere") == "on",
        )
    except BookingError as error:
        check = booking.application_check(number or "") if number else None
        context["error"] = error.message
        context["elsewhere"] = check.elsewhere if check is not None else ()
        return render(request, "citizen/appointments/book.html", context, status=400)
    messages.success(request, _booked_message(appointment))
    return redirect("citizen:appointment-confirmation", appointment_id=appointment.pk)


# --- The management page (the URL ANTS shows) ---------------------------------------------------


def _by_token(token: str) -> Appointment:
    appointment = appointment_selectors.appointment_by_token(token)
    if appointment is None:
        raise Http404
    return appointment


@public
@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _by_token(token)
    own_quest = (
        appointment.quest
        if appointment.quest is not None
        and request.user.is_authenticated
        and appointment.quest.citizen_id == request.user.pk
        else None
    )
    response = render(
        request,
        "citizen/appointments/manage.html",
        {
            "title": _("Votre rendez-vous en mairie"),
            "current": appointment_view(appointment),
            "own_quest": own_quest,
            "change_url": appointment_step_url(own_quest) if own_quest is not None else ANTS_SEARCH_URL,
            "ants_search_url": ANTS_SEARCH_URL,
        },
    )
    # The token is the key: keep it out of referrers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _by_token(token)
    if appointment.status == AppointmentStatus.BOOKED and appointment.slot.starts_at > timezone.now():
        appointment_cancel(appointment=appointment)
        messages.success(request, _("Votre rendez-vous est annulé. La mairie et l’ANTS en sont informées."))
    return redirect("citizen:appointment-manage", token=token)
