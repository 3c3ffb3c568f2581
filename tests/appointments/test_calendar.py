"""French public holidays, and the picker that never offers them."""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.appointments import places
from civiquest.appointments.calendar import easter_sunday, public_holidays
from tests.integrations.ants.helpers import NOUMEA_ADDRESS, point
from tests.integrations.ants_editor.factories import TimeSlotFactory


@pytest.mark.parametrize(
    ("year", "easter"), [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5))]
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_the_eleven_public_holidays_of_2026():
    holidays = public_holidays(2026)
    assert len(holidays) == 11
    assert dt.date(2026, 12, 25) in holidays and dt.date(2026, 7, 14) in holidays
    assert dt.date(2026, 4, 6) in holidays  # Easter Monday
    assert dt.date(2026, 5, 14) in holidays  # Ascension
    assert dt.date(2026, 5, 25) in holidays  # Whit Monday
    assert dt.date(2026, 12, 24) not in holidays


@pytest.mark.django_db
def test_no_slot_is_offered_on_a_public_holiday():
    noumea = point("Mairie de Nouméa", -22.2758, 166.4580)
    zone = dt.timezone(dt.timedelta(hours=11))
    christmas = dt.datetime(2030, 12, 25, 9, tzinfo=zone)
    TimeSlotFactory(meeting_point=noumea, starts_at=christmas)
    TimeSlotFactory(meeting_point=noumea, starts_at=christmas + dt.timedelta(days=1))
    found = places.points_with_slots(places.place_of(NOUMEA_ADDRESS), now=christmas - dt.timedelta(days=2))
    assert [day for near in found for day, _slots in near.days] == [dt.date(2030, 12, 26)]
