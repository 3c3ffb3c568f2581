"""Writes of the agent portal: meeting points, bulk slot publication, cancellations.

Every write is atomic and logged in the audit log. Publishing is idempotent: submitting the
same plan twice creates nothing the second time (the unique (point, start) constraint backs it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import Service, User
from civiquest.appointments import services as booking
from civiquest.appointments.models import Appointment, AppointmentStatus, MeetingPoint, TimeSlot
from civiquest.appointments.selectors import meeting_point_timezone
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify

# A single publication stays reasonable: three months, a few thousand slots.
MAX_PLAN_DAYS = 92
MAX_PLAN_SLOTS = 5_000
MEETING_POINT_FIELDS = (
    "name",
    "public_entry_address",
    "zip_code",
    "city_name",
    "citycode",
    "latitude",
    "longitude",
    "is_active",
)


class SlotError(Exception):
    """A write refused for a reason to show the agent (translated message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Meeting points -------------------------------------------------------------------------


@transaction.atomic
def meeting_point_create(*, service: Service, by: User | None, **fields: Any) -> MeetingPoint:
    point = MeetingPoint(service=service, **{name: fields[name] for name in MEETING_POINT_FIELDS if name in fields})
    point.full_clean()
    point.save()
    audit_record(actor=by, action="passport.meeting_point_create", target=point, details={"service": service.pk})
    return point


@transaction.atomic
def meeting_point_update(point: MeetingPoint, *, by: User, **fields: Any) -> MeetingPoint:
    locked = MeetingPoint.objects.select_for_update().get(pk=point.pk)
    changed = {}
    for name in MEETING_POINT_FIELDS:
        if name in fields and getattr(locked, name) != fields[name]:
            changed[name] = fields[name]
            setattr(locked, name, fields[name])
    if changed:
        locked.full_clean()
        locked.save(update_fields=list(changed))
        audit_record(actor=by, action="passport.meeting_point_update", target=locked, details=changed)
    return locked


# --- Bulk publication -----------------------------------------------------------------------


@dataclass(frozen=True)
class SlotPlan:
    """Slots every ``duration_minutes`` within the opening hours, on the chosen weekdays (0 = Monday)."""

    start_date: dt.date
    end_date: dt.date
    weekdays: frozenset[int]
    opening_hours: tuple[tuple[dt.time, dt.time], ...]
    duration_minutes: int = 15
    capacity: int = 1

    def local_starts(self, zone: dt.tzinfo) -> Iterator[dt.datetime]:
        """Every start as an aware local datetime, in order; a start must leave room for its duration."""
        step = dt.timedelta(minutes=self.duration_minutes)
        day = self.start_date
        while day <= self.end_date:
            if day.weekday() in self.weekdays:
                for opens, closes in self.opening_hours:
                    current = dt.datetime.combine(day, opens)
                    end = dt.datetime.combine(day, closes)
                    while current + step <= end:
                        yield current.replace(tzinfo=zone)
                        current += step
            day += dt.timedelta(days=1)


@dataclass(frozen=True)
class PlanPreview:
    planned: list[dt.datetime]  # future starts (UTC)
    existing: int  # of which already published (or cancelled) for this point
    to_create: list[dt.datetime]

    @property
    def new_count(self) -> int:
        return len(self.to_create)


def _planned_starts(point: MeetingPoint, plan: SlotPlan, now: dt.datetime) -> list[dt.datetime]:
    zone = meeting_point_timezone(point)
    starts: list[dt.datetime] = []
    seen: set[dt.datetime] = set()
    for local in plan.local_starts(zone):
        # Round trip through UTC: a wall time that does not exist (spring DST gap) moves, and
        # a repeated one (autumn) is kept once.
        start = local.astimezone(dt.UTC)
        if start > now and start not in seen:
            seen.add(start)
            starts.append(start)
            if len(starts) > MAX_PLAN_SLOTS:
                break
    return starts


def slots_preview(point: MeetingPoint, plan: SlotPlan, *, now: dt.datetime | None = None) -> PlanPreview:
    """What publishing ``plan`` would do (one query): the future starts and those already there."""
    planned = _planned_starts(point, plan, now or timezone.now())
    if not planned:
        return PlanPreview(planned=[], existing=0, to_create=[])
    existing = set(
        TimeSlot.objects.filter(
            meeting_point=point, starts_at__gte=planned[0], starts_at__lte=planned[-1]
        ).values_list("starts_at", flat=True)
    )
    to_create = [start for start in planned if start not in existing]
    return PlanPreview(planned=planned, existing=len(planned) - len(to_create), to_create=to_create)


def plan_check(plan: SlotPlan) -> None:
    """Refuse plans too big for one publication (the form checks the rest)."""
    if plan.end_date < plan.start_date:
        raise SlotError(_("La date de fin doit être postérieure ou égale à la date de début."))
    if (plan.end_date - plan.start_date).days >= MAX_PLAN_DAYS:
        raise SlotError(_("Publiez au plus %(days)s jours à la fois.") % {"days": MAX_PLAN_DAYS})


@transaction.atomic
def slots_publish(point: MeetingPoint, plan: SlotPlan, *, by: User | None, now: dt.datetime | None = None) -> int:
    """Create the plan's missing slots; return how many were created. Safe to submit twice."""
    plan_check(plan)
    # Lock the point: two agents publishing at once on the same point run one after the other.
    MeetingPoint.objects.select_for_update().filter(pk=point.pk).first()
    preview = slots_preview(point, plan, now=now)
    if len(preview.planned) > MAX_PLAN_SLOTS:
        raise SlotError(_("Publiez au plus %(count)s créneaux à la fois.") % {"count": MAX_PLAN_SLOTS})
    if not preview.to_create:
        return 0
    TimeSlot.objects.bulk_create(
        [
            TimeSlot(
                meeting_point=point,
                starts_at=start,
                duration_minutes=plan.duration_minutes,
                capacity=plan.capacity,
                created_by=by,
            )
            for start in preview.to_create
        ],
        batch_size=500,
        # Backed by the unique (point, start) constraint, should anything slip past the lock.
        ignore_conflicts=True,
    )
    audit_record(
        actor=by,
        action="passport.slots_publish",
        target=point,
        details={
            "created": preview.new_count,
            "skipped": preview.existing,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
            "weekdays": sorted(plan.weekdays),
            "opening_hours": [f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in plan.opening_hours],
            "duration_minutes": plan.duration_minutes,
            "capacity": plan.capacity,
        },
    )
    return preview.new_count


# --- Cancellations --------------------------------------------------------------------------


@transaction.atomic
def slot_cancel(slot: TimeSlot, *, by: User) -> TimeSlot:
    """Withdraw a slot nobody booked; cancelling twice changes nothing."""
    locked = TimeSlot.objects.select_for_update().get(pk=slot.pk)
    if locked.cancelled_at is not None:
        return locked
    if locked.appointments.filter(status=AppointmentStatus.BOOKED).exists():
        raise SlotError(_("Ce créneau a un rendez-vous : annulez d’abord le rendez-vous."))
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    audit_record(
        actor=by, action="passport.slot_cancel", target=locked, details={"meeting_point": locked.meeting_point_id}
    )
    return locked


@transaction.atomic
def appointment_cancel(appointment: Appointment, *, by: User | None, motivation: str) -> Appointment:
    """Cancel a booked appointment (agent side) with the reason given to the citizen; idempotent.

    The place is free again at once and the citizen is told why (a notification, emailed if
    they chose so). Withdrawing it from the ANTS coordination API is the booking module's job:
    its sync task withdraws cancelled appointments (``coordination_status`` tells where it stands).
    """
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__meeting_point", "citizen", "quest")
        .get(pk=appointment.pk)
    )
    if locked.status == AppointmentStatus.CANCELLED:
        return locked
    locked.status = AppointmentStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_at"])
    booking.applications_release([locked.pk])
    booking.quest_step_reopen(locked)
    _cancellation_notify(locked, motivation=motivation)
    # Withdrawn from ANTS as soon as the cancellation is committed; the sync task retries on failure.
    transaction.on_commit(lambda: booking.appointment_unregister(appointment_id=locked.pk))
    audit_record(
        actor=by,
        action="passport.appointment_cancel",
        target=locked,
        motivation=motivation,
        details={
            "slot": locked.slot_id,
            "starts_at": locked.slot.starts_at,
            "application_ids": list(locked.application_ids),
            "citizen": locked.citizen_id,
        },
    )
    return locked


def _cancellation_notify(appointment: Appointment, *, motivation: str) -> None:
    # Explicit cross-app call (never a signal): the citizen learns it from their space and by email.
    point = appointment.slot.meeting_point
    local = timezone.localtime(appointment.slot.starts_at, meeting_point_timezone(point))
    path = reverse("citizen:appointment-manage", kwargs={"token": appointment.management_token})
    notify(
        recipient=appointment.citizen,
        kind=NotificationKind.APPOINTMENT,
        key=f"appointment-cancelled:{appointment.pk}",
        title=_("Votre rendez-vous du %(date)s à %(time)s est annulé par la mairie")
        % {"date": date_format(local, "j F Y"), "time": date_format(local, "H:i")},
        body=_("%(place)s : %(motivation)s Vous pouvez réserver un autre créneau.")
        % {"place": point.name, "motivation": motivation.strip().rstrip(".") + "."},
        url=f"{settings.CIVIQUEST_PUBLIC_URL}{path}",
        quest=appointment.quest,
    )
