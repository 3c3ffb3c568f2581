"""The citizen's own appointment pages: the confirmation after booking, its .ics, and cancelling it.

Reached signed in (the appointment is the citizen's own; anyone else gets a 404). The
token-keyed management page ANTS shows stays in ``appointment_views``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role, User
from civiquest.actions.appointments import appointment_cancel
from civiquest.appointments import calendar, notices
from civiquest.appointments import selectors as appointment_selectors
from civiquest.appointments.models import Appointment, AppointmentStatus, MeetingPoint
from civiquest.www.citizen.appointment_views import ANTS_SEARCH_URL, appointment_step_url


@dataclass(frozen=True)
class Upcoming:
    """An upcoming appointment as the dashboard, "Mes démarches" and the quest page show it."""

    appointment: Appointment
    when: str
    url: str

    @property
    def point(self) -> MeetingPoint:
        return self.appointment.slot.meeting_point


def upcoming_of(citizen: User | int) -> list[Upcoming]:
    """The citizen's upcoming appointments, soonest first (one query: ``upcoming_appointments_of``)."""
    return [
        Upcoming(
            appointment=appointment,
            when=calendar.when_label(appointment),
            url=reverse("citizen:appointment-confirmation", args=[appointment.pk]),
        )
        for appointment in appointment_selectors.upcoming_appointments_of(citizen)
    ]


def upcoming_by_quest(upcoming: list[Upcoming]) -> dict[int, Upcoming]:
    """The soonest upcoming appointment of each quest, by quest id."""
    found: dict[int, Upcoming] = {}
    for item in upcoming:
        if item.appointment.quest_id is not None:
            found.setdefault(item.appointment.quest_id, item)
    return found


def _own(request: AuthenticatedHttpRequest, appointment_id: int) -> Appointment:
    appointment = appointment_selectors.appointment_of_citizen(request.user, appointment_id)
    if appointment is None:
        raise Http404
    return appointment


def _changeable(appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and appointment.slot.starts_at > timezone.now()


@never_cache
@role_required(Role.CITIZEN)
def confirmation(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own(request, appointment_id)
    booked = appointment.status == AppointmentStatus.BOOKED
    return render(
        request,
        "citizen/appointments/confirmation.html",
        {
            "title": _("Votre rendez-vous est confirmé") if booked else _("Rendez-vous annulé"),
            "appointment": appointment,
            "point": appointment.slot.meeting_point,
            "when": calendar.when_label(appointment),
            "bring": notices.what_to_bring(),
            "changeable": _changeable(appointment),
            "change_url": appointment_step_url(appointment.quest) if appointment.quest else ANTS_SEARCH_URL,
        },
    )


@role_required(Role.CITIZEN)
def ics(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own(request, appointment_id)
    response = HttpResponse(notices.ics_text(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.ics_filename(appointment)}"'
    return response


@never_cache
@role_required(Role.CITIZEN)
def cancel(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    """GET: the confirmation step; POST: cancel (idempotent), then back to the appointment."""
    appointment = _own(request, appointment_id)
    if request.method == "POST":
        if _changeable(appointment):
            appointment_cancel(appointment=appointment)
            messages.success(request, _("Votre rendez-vous est annulé. La mairie et l’ANTS en sont informées."))
        return redirect("citizen:appointment-confirmation", appointment_id=appointment.pk)
    if not _changeable(appointment):
        return redirect("citizen:appointment-confirmation", appointment_id=appointment.pk)
    return render(
        request,
        "citizen/appointments/cancel.html",
        {
            "title": _("Annuler votre rendez-vous"),
            "appointment": appointment,
            "point": appointment.slot.meeting_point,
            "when": calendar.when_label(appointment),
        },
    )
