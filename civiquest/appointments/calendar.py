"""Dates of appointments: French public holidays, the wording of a date, and the ``.ics`` file (RFC 5545).

Written by hand (neither ``holidays`` nor ``icalendar`` is a dependency): the holidays are
the eleven of the Code du travail (L3133-1), Easter computed by the anonymous Gregorian
algorithm; the calendar file has one VEVENT, CRLF line endings and lines folded at 75 octets.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from civiquest.appointments.models import Appointment
from civiquest.appointments.selectors import meeting_point_timezone


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, "Meeus/Jones/Butcher")."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=16)
def public_holidays(year: int) -> frozenset[dt.date]:
    """The French public holidays (jours fériés) of a year, mainland France."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=days) for days in (1, 39, 50)]  # Easter Monday, Ascension, Whit Monday
    return frozenset([dt.date(year, month, day) for month, day in fixed] + moving)


def is_public_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)


def local_start(appointment: Appointment) -> dt.datetime:
    """The start in the town hall's own time zone (aware)."""
    return timezone.localtime(appointment.slot.starts_at, meeting_point_timezone(appointment.slot.meeting_point))


def time_label(moment: dt.datetime) -> str:
    """ "9 h 30", "14 h" (the French typographic way)."""
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


def when_label(appointment: Appointment) -> str:
    """ "mardi 8 décembre 2026 à 9 h 30", in the town hall's time, month and day names in the active language."""
    starts = local_start(appointment)
    return _("%(day)s à %(time)s") % {"day": dateformat.format(starts, "l j F Y"), "time": time_label(starts)}


def place_label(appointment: Appointment) -> str:
    point = appointment.slot.meeting_point
    return f"{point.name}, {point.public_entry_address}, {point.zip_code} {point.city_name}"


# --- iCalendar (RFC 5545) -----------------------------------------------------------------------


def _escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_of(appointment: Appointment, *, domain: str, description: str, now: dt.datetime | None = None) -> str:
    """The appointment as an iCalendar object (one VEVENT, times in UTC), CRLF-terminated lines."""
    slot = appointment.slot
    starts = slot.starts_at
    ends = starts + dt.timedelta(minutes=slot.duration_minutes)
    summary = _("Rendez-vous en mairie : %(reason)s") % {"reason": appointment.get_reason_display()}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CiviQuest//Rendez-vous en mairie//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@{domain}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(starts)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(place_label(appointment))}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:CONFIRMED" if appointment.status == "booked" else "STATUS:CANCELLED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def ics_filename(appointment: Appointment) -> str:
    return f"rendez-vous-mairie-{appointment.pk}.ics"
