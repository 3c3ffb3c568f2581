"""Demo data: the Mairie de Nouméa's meeting point and three weeks of slots (idempotent)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from civiquest.accounts.models import Service, ServiceKind
from civiquest.appointments import slots
from civiquest.appointments.models import MeetingPoint
from civiquest.appointments.selectors import meeting_point_timezone

SERVICE = ("Mairie de Nouméa", ServiceKind.MAIRIE, "98818")
# The town hall's public entrance; coordinates of this house number in the BAN extract.
POINT = {
    "name": "Hôtel de ville de Nouméa",
    "public_entry_address": "16 Rue du Général Mangin",
    "zip_code": "98800",
    "city_name": "Nouméa",
    "citycode": "98818",
    "latitude": -22.271235,
    "longitude": 166.439782,
    "is_active": True,
}
WEEKS = 3


class Command(BaseCommand):
    help = "Create the Mairie de Nouméa's meeting point and its slots for the next three weeks (idempotent)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        name, kind, code = SERVICE
        service, _created = Service.objects.get_or_create(name=name, defaults={"kind": kind, "commune_code": code})
        point = MeetingPoint.objects.filter(service=service, name=POINT["name"]).first()
        if point is None:
            point = slots.meeting_point_create(service=service, by=None, **POINT)
        today = timezone.localtime(timezone.now(), meeting_point_timezone(point)).date()
        plan = slots.SlotPlan(
            start_date=today,
            end_date=today + dt.timedelta(days=7 * WEEKS - 1),
            weekdays=frozenset({0, 1, 2, 3, 4}),
            opening_hours=((dt.time(7, 45), dt.time(11, 30)), (dt.time(12, 30), dt.time(15, 30))),
            duration_minutes=15,
            capacity=2,
        )
        created = slots.slots_publish(point, plan, by=None)
        self.stdout.write(
            f"Meeting point #{point.pk} '{point.name}' ({service.name}): {created} new slots"
            f" from {plan.start_date} to {plan.end_date} (Pacific/Noumea, weekdays 07:45-11:30 and 12:30-15:30)."
        )
