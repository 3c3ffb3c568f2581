"""Where the citizen lives (their address answer) and the meeting points around, with their free slots."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.appointments.calendar import is_public_holiday
from civiquest.appointments.models import AppointmentStatus, MeetingPoint, TimeSlot
from civiquest.appointments.selectors import meeting_point_timezone
from civiquest.core.geo import distance_m

ADDRESS_ANSWER = "adresse"
# How far ahead slots are offered, and how many meeting points around the citizen.
DAYS_AHEAD = 28
NEAREST_POINTS = 5
# Around coordinates, points are first looked for in this box (degrees; ~55 km north–south).
BOX_DEGREES = 0.5
POSTCODE_RE = re.compile(r"\b(\d{5})\b")


@dataclass(frozen=True)
class Place:
    """The citizen's address as far as we know it: coordinates and codes when normalized."""

    label: str = ""
    citycode: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def place_of(answer: Any) -> Place:
    """An address answer: the normalized dict (``label, ban_id, citycode, postcode, city, lat, lon``),
    its free-text fallback (a dict with a label only), or the plain string of older quests."""
    if isinstance(answer, dict):
        label = str(answer.get("label") or answer.get("text") or "")
        postcode = str(answer.get("postcode") or "")
        if not postcode:
            found = POSTCODE_RE.search(label)
            postcode = found.group(1) if found else ""
        return Place(
            label=label,
            citycode=str(answer.get("citycode") or ""),
            postcode=postcode,
            lat=_float(answer.get("lat")),
            lon=_float(answer.get("lon")),
        )
    if isinstance(answer, str):
        found = POSTCODE_RE.search(answer)
        return Place(label=answer, postcode=found.group(1) if found else "")
    return Place()


@dataclass
class NearbyPoint:
    point: MeetingPoint
    distance_km: float | None
    # (local day, slots of that day), in order.
    days: list[tuple[date, list[TimeSlot]]] = field(default_factory=list)

    @property
    def distance_label(self) -> str:
        if self.distance_km is None:
            return ""
        if self.distance_km < 1:
            return _("à moins d’1 km")
        return _("à %(km)s km") % {"km": round(self.distance_km)}


def _department(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def nearest_points(place: Place, *, limit: int = NEAREST_POINTS) -> list[NearbyPoint]:
    """The active meeting points nearest the place (one query, two when the box around it is empty).

    By distance when the address has coordinates; otherwise same commune, then same
    postcode, then same département, then by name.
    """
    active = MeetingPoint.objects.filter(is_active=True)
    if place.lat is not None and place.lon is not None:
        lat, lon = place.lat, place.lon
        box = active.filter(
            latitude__range=(lat - BOX_DEGREES, lat + BOX_DEGREES),
            longitude__range=(lon - BOX_DEGREES * 1.5, lon + BOX_DEGREES * 1.5),
        )
        candidates = list(box) or list(active)
        ranked = sorted(
            (
                NearbyPoint(point=p, distance_km=distance_m(lat, lon, p.latitude, p.longitude) / 1000)
                for p in candidates
            ),
            key=lambda near: (near.distance_km or 0.0, near.point.name, near.point.pk),
        )
        return ranked[:limit]
    department = _department(place.citycode or place.postcode)

    def rank(point: MeetingPoint) -> tuple[int, str, int]:
        if place.citycode and point.citycode == place.citycode:
            score = 0
        elif place.postcode and point.zip_code == place.postcode:
            score = 1
        elif department and _department(point.zip_code) == department:
            score = 2
        else:
            score = 3
        return (score, point.name, point.pk)

    return [NearbyPoint(point=p, distance_km=None) for p in sorted(active, key=rank)[:limit]]


def free_slots(points: Iterable[MeetingPoint], *, now: datetime | None = None) -> QuerySet[TimeSlot]:
    """Slots of these points in the coming weeks that still have room (one query)."""
    now = now or timezone.now()
    return (
        TimeSlot.objects.filter(
            meeting_point__in=list(points),
            cancelled_at__isnull=True,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=DAYS_AHEAD),
        )
        # Places are documents (ANTS's documents_number), as the editor endpoints count them.
        .annotate(
            booked=Coalesce(
                Sum("appointments__documents_number", filter=Q(appointments__status=AppointmentStatus.BOOKED)),
                Value(0),
            )
        )
        .filter(booked__lt=F("capacity"))
        .order_by("starts_at", "pk")
    )


def points_with_slots(place: Place, *, now: datetime | None = None) -> list[NearbyPoint]:
    """The nearest points, each with its free slots grouped by local day (two queries; points without any left out).

    Public holidays (``calendar.public_holidays``) are left out; a day without free slots
    (a closed day) has no entry.
    """
    nearby = nearest_points(place)
    by_point: dict[int, NearbyPoint] = {near.point.pk: near for near in nearby}
    for slot in free_slots([near.point for near in nearby], now=now):
        near = by_point[slot.meeting_point_id]
        slot.meeting_point = near.point
        day = timezone.localtime(slot.starts_at, meeting_point_timezone(near.point)).date()
        if is_public_holiday(day):
            continue  # a slot left on a public holiday is never offered
        if near.days and near.days[-1][0] == day:
            near.days[-1][1].append(slot)
        else:
            near.days.append((day, [slot]))
    return [near for near in nearby if near.days]
