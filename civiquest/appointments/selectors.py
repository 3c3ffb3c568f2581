"""Reads of meeting points, slots and appointments: for the agent portal and the editor endpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from civiquest.accounts.models import Service, ServiceKind, ServiceMembership, ServiceRole, User
from civiquest.appointments.models import (
    Appointment,
    AppointmentApplication,
    AppointmentReason,
    AppointmentStatus,
    MeetingPoint,
    TimeSlot,
)
from civiquest.catalogue.models import AppointmentNeed
from civiquest.core.citizen_cache import cached_citizen_read
from civiquest.core.dates import PARIS
from civiquest.quests import workflow
from civiquest.quests.models import Quest

# Overseas INSEE prefixes whose local time is not Paris's. Opening hours are typed in local time.
_OVERSEAS_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}


def timezone_for_citycode(citycode: str) -> ZoneInfo:
    """The local time zone of a commune (INSEE code); Paris for mainland France and Corsica."""
    name = _OVERSEAS_TIMEZONES.get(citycode[:3])
    return ZoneInfo(name) if name else PARIS


def meeting_point_timezone(point: MeetingPoint) -> ZoneInfo:
    return timezone_for_citycode(point.citycode or point.zip_code)


# --- Agents ---------------------------------------------------------------------------------


class MeetingPointNotFound(Exception):
    """Not a point of one of the agent's mairies (shown as a 404)."""


@dataclass(frozen=True)
class AgentMairies:
    """The mairies an agent belongs to, and those where they may publish (managers)."""

    services: tuple[Service, ...]
    managed_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def ids(self) -> list[int]:
        return [service.pk for service in self.services]

    def may_publish(self, service_id: int) -> bool:
        return service_id in self.managed_ids


def agent_mairies(agent: User) -> AgentMairies:
    """The agent's mairie services (one query). Managers publish points and slots; every member sees them."""
    memberships = list(
        ServiceMembership.objects.filter(user=agent, service__kind=ServiceKind.MAIRIE)
        .select_related("service")
        .order_by("service__name", "service_id")
    )
    return AgentMairies(
        services=tuple(membership.service for membership in memberships),
        managed_ids=frozenset(
            membership.service_id for membership in memberships if membership.role == ServiceRole.MANAGER
        ),
    )


def meeting_points_of(service_ids: Sequence[int]) -> list[MeetingPoint]:
    """The points of these services with their count of upcoming free places (one query)."""
    now = timezone.now()
    upcoming = Q(slots__starts_at__gte=now, slots__cancelled_at__isnull=True)
    return list(
        MeetingPoint.objects.filter(service_id__in=service_ids)
        .select_related("service")
        .annotate(
            upcoming_slots=Count("slots", filter=upcoming, distinct=True),
            upcoming_bookings=Count(
                "slots__appointments",
                filter=upcoming & Q(slots__appointments__status=AppointmentStatus.BOOKED),
                distinct=True,
            ),
        )
        .order_by("service__name", "name", "pk")
    )


def meeting_point_for_agent(agent: User, point_id: int, *, mairies: AgentMairies | None = None) -> MeetingPoint:
    mairies = mairies if mairies is not None else agent_mairies(agent)
    point = MeetingPoint.objects.select_related("service").filter(pk=point_id, service_id__in=mairies.ids).first()
    if point is None:
        raise MeetingPointNotFound(point_id)
    return point


@dataclass(frozen=True)
class DaySlots:
    day: dt.date
    slots: list[TimeSlot]


def week_slots(point: MeetingPoint, monday: dt.date) -> list[DaySlots]:
    """The seven days from ``monday`` (local dates), each with its slots and their live appointments.

    Two queries whatever the number of slots: the slots, then their booked appointments with
    the citizen and the pre-application numbers (prefetch).
    """
    zone = meeting_point_timezone(point)
    start = dt.datetime.combine(monday, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=zone)
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED).select_related("citizen").order_by("pk")
    slots = list(
        TimeSlot.objects.filter(meeting_point=point, starts_at__gte=start, starts_at__lt=end)
        .prefetch_related(Prefetch("appointments", queryset=booked, to_attr="booked_appointments"))
        .order_by("starts_at")
    )
    days = [DaySlots(day=monday + dt.timedelta(days=offset), slots=[]) for offset in range(7)]
    for slot in slots:
        local = timezone.localtime(slot.starts_at, zone)
        days[(local.date() - monday).days].slots.append(slot)
        slot.local_start = local  # type: ignore[attr-defined]
        slot.booked_places = sum(a.documents_number for a in slot.booked_appointments)  # type: ignore[attr-defined]
    return days


def appointment_for_agent(agent: User, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_related("slot__meeting_point__service", "citizen")
        .filter(pk=appointment_id, slot__meeting_point__service_id__in=agent_mairies(agent).ids)
        .first()
    )
    if appointment is None:
        raise MeetingPointNotFound(appointment_id)
    return appointment


# --- Places ---------------------------------------------------------------------------------


def _booked_places() -> Coalesce:
    # A slot's capacity counts documents ("titres"): a family of three needs three places.
    return Coalesce(
        Sum("appointments__documents_number", filter=Q(appointments__status=AppointmentStatus.BOOKED)), Value(0)
    )


def slot_free_places(slot: TimeSlot) -> int:
    """Places left in a slot. Call it with the slot row locked (``select_for_update``) when booking."""
    booked = (
        Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).aggregate(
            places=Coalesce(Sum("documents_number"), Value(0))
        )["places"]
        or 0
    )
    return max(slot.capacity - int(booked), 0)


# --- Editor endpoints (ANTS) ----------------------------------------------------------------


def managed_meeting_points() -> QuerySet[MeetingPoint]:
    """The points ANTS may send citizens to: active points of mairies (one query)."""
    return MeetingPoint.objects.filter(is_active=True, service__kind=ServiceKind.MAIRIE).order_by("pk")


class FreeSlot(NamedTuple):
    pk: int
    meeting_point_id: int
    starts_at: dt.datetime


def free_slots(
    point_ids: Iterable[int], *, start: dt.date, end: dt.date, documents_number: int, now: dt.datetime | None = None
) -> tuple[list[MeetingPoint], dict[int, list[FreeSlot]]]:
    """The managed points among ``point_ids`` and, for each, its future, open slots with room for
    ``documents_number`` documents between ``start`` and ``end`` (local dates, inclusive).

    Two queries whatever the number of points and slots; rows come back as tuples (no model
    instances: thousands of slots per answer). Local days differ by point, so the query takes
    the widest UTC window (UTC+14 to UTC−12) and each slot is then kept by its point's local date.
    """
    now = now or timezone.now()
    points = list(managed_meeting_points().filter(pk__in=list(point_ids)))
    if not points:
        return [], {}
    window_start = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=14)
    window_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) + dt.timedelta(hours=12)
    rows = (
        TimeSlot.objects.filter(
            meeting_point_id__in=[point.pk for point in points],
            cancelled_at__isnull=True,
            starts_at__gte=max(window_start, now),
            starts_at__lt=window_end,
        )
        .annotate(booked_places=_booked_places())
        .filter(capacity__gte=F("booked_places") + documents_number)
        .order_by("meeting_point_id", "starts_at")
        .values_list("pk", "meeting_point_id", "starts_at")
    )
    zones = {point.pk: meeting_point_timezone(point) for point in points}
    found: dict[int, list[FreeSlot]] = {point.pk: [] for point in points}
    for pk, point_id, starts_at in rows:
        if start <= starts_at.astimezone(zones[point_id]).date() <= end:
            found[point_id].append(FreeSlot(pk, point_id, starts_at))
    return points, found


def booked_by_application(
    application_ids: Iterable[str], *, now: dt.datetime | None = None
) -> dict[str, list[Appointment]]:
    """Upcoming booked appointments of these pre-application numbers (upper case), one query."""
    now = now or timezone.now()
    found: dict[str, list[Appointment]] = {}
    rows = (
        AppointmentApplication.objects.filter(
            application_id__in=list(application_ids),
            appointment__status=AppointmentStatus.BOOKED,
            appointment__slot__starts_at__gte=now,
        )
        .select_related("appointment__slot__meeting_point")
        .order_by("appointment__slot__starts_at", "appointment_id")
    )
    for row in rows:
        found.setdefault(row.application_id, []).append(row.appointment)
    return found


# Which appointment a quest's revision books, for a booking made from ANTS's reason.
NEED_OF_REASON = {
    AppointmentReason.PASSPORT: AppointmentNeed.PASSPORT,
    AppointmentReason.CNI_PASSPORT: AppointmentNeed.PASSPORT,
    AppointmentReason.CNI: AppointmentNeed.CNI,
}


def open_quest_for_reason(*, citizen: User, reason: str) -> Quest | None:
    """The citizen's latest editable quest whose revision books this kind of appointment."""
    return (
        Quest.objects.filter(
            citizen=citizen,
            revision__appointment_need=NEED_OF_REASON[AppointmentReason(reason)],
            state__in=workflow.EDITABLE_STATES,
        )
        .select_related("procedure")
        .order_by("-updated_at", "-pk")
        .first()
    )


def meeting_point_fresh(point: MeetingPoint) -> MeetingPoint:
    """The point as stored, for a form bound to it (the caller's copy may carry annotations)."""
    return MeetingPoint.objects.get(pk=point.pk)


def slot_of(slot_id: int) -> TimeSlot | None:
    return TimeSlot.objects.select_related("meeting_point").filter(pk=slot_id).first()


def bookable_slot(slot_id: int) -> TimeSlot | None:
    """A slot still offered: not cancelled, at an active meeting point."""
    return (
        TimeSlot.objects.select_related("meeting_point")
        .filter(pk=slot_id, cancelled_at__isnull=True, meeting_point__is_active=True)
        .first()
    )


def appointment_by_token(token: str) -> Appointment | None:
    """The appointment its management link names (the link ANTS shows the citizen)."""
    return Appointment.objects.select_related("slot__meeting_point", "quest").filter(management_token=token).first()


# --- The citizen's appointments ---------------------------------------------------------------


def has_booked_appointment(citizen_id: int) -> bool:
    """Whether the citizen holds a booked appointment, past or to come (the citizen's cache).

    A booking is a new row (a save: a new generation, ``AppointmentsConfig.ready``); a booked
    appointment left as it is once its hour passed only costs the query it saves otherwise.
    """
    return cached_citizen_read(
        "booked-appointment",
        citizen_id,
        lambda: Appointment.objects.filter(citizen_id=citizen_id, status=AppointmentStatus.BOOKED).exists(),
    )


def upcoming_appointments_of(citizen: User | int, *, now: dt.datetime | None = None) -> list[Appointment]:
    """The citizen's booked appointments still to come, soonest first (one query).

    The one source for the dashboard, "Mes démarches" and the quest page.
    """
    citizen_id = citizen if isinstance(citizen, int) else citizen.pk
    if not has_booked_appointment(citizen_id):
        return []  # most citizens: no query
    now = now or timezone.now()
    return list(
        Appointment.objects.filter(citizen_id=citizen_id, status=AppointmentStatus.BOOKED, slot__starts_at__gt=now)
        .select_related("slot__meeting_point", "quest__procedure")
        .order_by("slot__starts_at", "pk")
    )


def appointment_of_citizen(citizen: User, appointment_id: int) -> Appointment | None:
    """One of the citizen's own appointments (any status), with its slot and place."""
    return (
        Appointment.objects.select_related("slot__meeting_point", "quest__procedure")
        .filter(pk=appointment_id, citizen=citizen)
        .first()
    )


def reminders_due(*, now: dt.datetime, ahead: dt.timedelta) -> list[Appointment]:
    """Booked appointments starting within ``ahead`` from now (one query), for the reminders."""
    return list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, slot__starts_at__gt=now, slot__starts_at__lte=now + ahead
        )
        .select_related("slot__meeting_point", "citizen", "quest")
        .order_by("slot__starts_at", "pk")
    )
