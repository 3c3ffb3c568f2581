"""Meeting points, slots and appointments for the ANTS editor tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from civiquest.accounts.models import Service, User
from civiquest.appointments.models import (
    Appointment,
    AppointmentApplication,
    AppointmentReason,
    AppointmentStatus,
    MeetingPoint,
    TimeSlot,
)
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import ServiceFactory


class MeetingPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingPoint

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Hôtel de ville n°{n}")
    public_entry_address = "16 Rue du Général Mangin"
    zip_code = "98800"
    city_name = "Nouméa"
    citycode = "98818"
    latitude = -22.2758
    longitude = 166.4580


class TimeSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeSlot

    meeting_point = factory.SubFactory(MeetingPointFactory)
    starts_at = factory.Sequence(
        lambda n: dt.datetime(2031, 3, 3, 22, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=15 * n)
    )


def book(
    slot: TimeSlot,
    *,
    citizen: User | None = None,
    application_ids: list[str] | None = None,
    reason: str = AppointmentReason.PASSPORT,
    documents_number: int | None = None,
    **kwargs: Any,
) -> Appointment:
    """An appointment booked in ``slot`` with its indexed application numbers."""
    numbers = application_ids if application_ids is not None else ["ABCDE12345"]
    appointment = Appointment.objects.create(
        slot=slot,
        citizen=citizen or CitizenFactory(),
        application_ids=numbers,
        reason=reason,
        documents_number=documents_number or max(len(numbers), 1),
        **kwargs,
    )
    # Written directly, as rows may be (made before the rule, or by another path): a number holds
    # only one live appointment, so a later booked one with the same number is kept, not live.
    booked = appointment.status == AppointmentStatus.BOOKED
    AppointmentApplication.objects.bulk_create(
        [
            AppointmentApplication(
                appointment=appointment,
                application_id=number,
                live=booked and not AppointmentApplication.objects.filter(application_id=number, live=True).exists(),
            )
            for number in numbers
        ]
    )
    return appointment


def mairie(name: str = "Mairie de Nouméa", **kwargs: Any) -> Service:
    return ServiceFactory(name=name, **kwargs)
