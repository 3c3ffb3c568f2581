"""The agent's appointment pages: a mairie's meeting points, their slots week by week, bulk
publication and cancellations.

Every member of a mairie sees its points, slots and appointments and may cancel an
appointment (the front desk handles citizens' calls); only the service's managers create or
edit points, publish slots and withdraw free slots. Points of other services are a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role, Service
from civiquest.appointments import selectors, slots
from civiquest.appointments.models import AppointmentStatus, MeetingPoint
from civiquest.www.agent.appointment_forms import WEEKDAYS, AppointmentCancelForm, MeetingPointForm, SlotPlanForm


def _point_or_404(request: AuthenticatedHttpRequest, point_id: int) -> tuple[MeetingPoint, selectors.AgentMairies]:
    mairies = selectors.agent_mairies(request.user)
    try:
        return selectors.meeting_point_for_agent(request.user, point_id, mairies=mairies), mairies
    except selectors.MeetingPointNotFound as error:
        raise Http404 from error


def _require_manager(mairies: selectors.AgentMairies, service_id: int) -> None:
    if not mairies.may_publish(service_id):
        raise PermissionDenied(_("Seuls les responsables du service publient les lieux et les créneaux."))


# Weeks that can be shown with their neighbours' links (a date next to ``date.min`` or ``date.max`` cannot).
_FIRST_DAY_SHOWN = dt.date(1900, 1, 1)
_LAST_DAY_SHOWN = dt.date(9999, 1, 1)


def _week_start(raw: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    if not _FIRST_DAY_SHOWN <= day <= _LAST_DAY_SHOWN:
        day = today
    return day - dt.timedelta(days=day.weekday())


def _week_url(point: MeetingPoint, day: dt.date) -> str:
    return reverse("agent:meeting-point", kwargs={"point_id": point.pk}) + f"?semaine={day:%Y-%m-%d}"


@role_required(Role.AGENT)
def appointments(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The meeting points of the agent's mairies (two queries)."""
    mairies = selectors.agent_mairies(request.user)
    points = selectors.meeting_points_of(mairies.ids) if mairies.services else []
    services = [
        {
            "service": service,
            "may_publish": mairies.may_publish(service.pk),
            "points": [point for point in points if point.service_id == service.pk],
        }
        for service in mairies.services
    ]
    return render(
        request,
        "agent/appointments/list.html",
        {"title": _("Rendez-vous passeport et carte d’identité"), "services": services},
    )


@role_required(Role.AGENT)
def meeting_point_create(request: AuthenticatedHttpRequest, service_id: int) -> HttpResponse:
    mairies = selectors.agent_mairies(request.user)
    service = next((service for service in mairies.services if service.pk == service_id), None)
    if service is None:
        raise Http404
    _require_manager(mairies, service.pk)
    form = MeetingPointForm(
        request.POST or None,
        initial={"citycode": service.commune_code, "name": service.name},
        instance=MeetingPoint(service=service),
    )
    if request.method == "POST" and form.is_valid():
        point = slots.meeting_point_create(service=service, by=request.user, **form.cleaned_data)
        messages.success(
            request, _("Le lieu « %(name)s » est créé. Publiez maintenant ses créneaux.") % {"name": point.name}
        )
        return redirect("agent:slots-publish", point_id=point.pk)
    return _point_form(request, form, service=service, point=None)


@role_required(Role.AGENT)
def meeting_point_edit(request: AuthenticatedHttpRequest, point_id: int) -> HttpResponse:
    point, mairies = _point_or_404(request, point_id)
    _require_manager(mairies, point.service_id)
    form = MeetingPointForm(request.POST or None, instance=selectors.meeting_point_fresh(point))
    if request.method == "POST" and form.is_valid():
        slots.meeting_point_update(point, by=request.user, **form.cleaned_data)
        messages.success(request, _("Le lieu est enregistré."))
        return redirect("agent:appointments")
    return _point_form(request, form, service=point.service, point=point)


def _point_form(
    request: AuthenticatedHttpRequest, form: MeetingPointForm, *, service: Service, point: MeetingPoint | None
) -> HttpResponse:
    title = _("Modifier le lieu « %(name)s »") % {"name": point.name} if point else _("Nouveau lieu de rendez-vous")
    return render(
        request,
        "agent/appointments/point_form.html",
        {"title": title, "form": form, "service": service, "point": point},
        status=400 if form.is_bound and form.errors else 200,
    )


@role_required(Role.AGENT)
def meeting_point(request: AuthenticatedHttpRequest, point_id: int) -> HttpResponse:
    """A week of a point's slots, with the appointments booked in them (a fixed number of queries)."""
    point, mairies = _point_or_404(request, point_id)
    zone = selectors.meeting_point_timezone(point)
    today = timezone.localtime(timezone.now(), zone).date()
    monday = _week_start(request.GET.get("semaine"), today)
    days = selectors.week_slots(point, monday)
    return render(
        request,
        "agent/appointments/week.html",
        {
            "title": _("Créneaux de « %(name)s »") % {"name": point.name},
            "point": point,
            "days": days,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous_week": _week_url(point, monday - dt.timedelta(days=7)),
            "next_week": _week_url(point, monday + dt.timedelta(days=7)),
            "this_week": _week_url(point, today),
            "may_publish": mairies.may_publish(point.service_id),
            "timezone_name": str(zone),
            "slot_count": sum(len(day.slots) for day in days),
            "now": timezone.now(),
        },
    )


@role_required(Role.AGENT)
def slots_publish(request: AuthenticatedHttpRequest, point_id: int) -> HttpResponse:
    """Bulk publication: the first submit previews how many slots will be created, the second publishes."""
    point, mairies = _point_or_404(request, point_id)
    _require_manager(mairies, point.service_id)
    zone = selectors.meeting_point_timezone(point)
    today = timezone.localtime(timezone.now(), zone).date()
    form = SlotPlanForm(request.POST or None, today=today)
    preview = None
    if request.method == "POST" and form.is_valid():
        plan = form.plan()
        if request.POST.get("action") == "publish":
            try:
                created = slots.slots_publish(point, plan, by=request.user)
            except slots.SlotError as error:
                form.add_error(None, error.message)
            else:
                if created:
                    messages.success(
                        request,
                        ngettext("%(count)s créneau publié.", "%(count)s créneaux publiés.", created)
                        % {"count": created},
                    )
                else:
                    messages.info(request, _("Aucun nouveau créneau : ils étaient déjà tous publiés."))
                return redirect(_week_url(point, plan.start_date))
        else:
            preview = slots.slots_preview(point, plan)
    return render(
        request,
        "agent/appointments/publish.html",
        {
            "title": _("Publier des créneaux — %(name)s") % {"name": point.name},
            "point": point,
            "form": form,
            "preview": preview,
            "too_many": preview is not None and len(preview.planned) > slots.MAX_PLAN_SLOTS,
            "max_slots": slots.MAX_PLAN_SLOTS,
            "timezone_name": str(zone),
            "weekdays": WEEKDAYS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@role_required(Role.AGENT)
def slot_cancel(request: AuthenticatedHttpRequest, slot_id: int) -> HttpResponse:
    slot = selectors.slot_of(slot_id)
    if slot is None:
        raise Http404
    point, mairies = _point_or_404(request, slot.meeting_point_id)
    _require_manager(mairies, point.service_id)
    try:
        slots.slot_cancel(slot, by=request.user)
    except slots.SlotError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le créneau est retiré."))
    return redirect(
        _week_url(point, timezone.localtime(slot.starts_at, selectors.meeting_point_timezone(point)).date())
    )


@role_required(Role.AGENT)
def appointment_cancel(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    try:
        appointment = selectors.appointment_for_agent(request.user, appointment_id)
    except selectors.MeetingPointNotFound as error:
        raise Http404 from error
    point = appointment.slot.meeting_point
    local_start = timezone.localtime(appointment.slot.starts_at, selectors.meeting_point_timezone(point))
    back = _week_url(point, local_start.date())
    if appointment.status == AppointmentStatus.CANCELLED:
        messages.info(request, _("Ce rendez-vous est déjà annulé."))
        return redirect(back)
    form = AppointmentCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        slots.appointment_cancel(appointment, by=request.user, motivation=form.cleaned_data["motivation"])
        messages.success(request, _("Le rendez-vous est annulé ; le créneau est de nouveau libre."))
        return redirect(back)
    return render(
        request,
        "agent/appointments/appointment_cancel.html",
        {
            "title": _("Annuler un rendez-vous"),
            "appointment": appointment,
            "point": point,
            "local_start": local_start,
            "point_timezone": str(selectors.meeting_point_timezone(point)),
            "form": form,
            "back": back,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
