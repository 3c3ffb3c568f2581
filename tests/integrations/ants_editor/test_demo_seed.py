import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from civiquest.accounts.models import Service
from civiquest.appointments.models import MeetingPoint, TimeSlot

pytestmark = pytest.mark.django_db


def test_the_demo_seed_creates_the_noumea_point_and_three_weeks_of_slots_once(client, settings):
    settings.ANTS_EDITOR_TOKEN = "demo"
    call_command("appointments_demo_seed", stdout=StringIO())
    point = MeetingPoint.objects.get()
    slots = TimeSlot.objects.filter(meeting_point=point)
    count = slots.count()

    call_command("appointments_demo_seed", stdout=StringIO())

    assert Service.objects.filter(name="Mairie de Nouméa").count() == 1
    assert (point.service.name, point.citycode, point.latitude, point.longitude) == (
        "Mairie de Nouméa",
        "98818",
        -22.271235,
        166.439782,
    )
    assert MeetingPoint.objects.count() == 1
    assert slots.count() == count
    # Weekdays over three weeks, 27 quarters a day (07:45–11:30 and 12:30–15:30), minus those already past today.
    assert 14 * 27 <= count <= 15 * 27
    assert slots.filter(starts_at__lte=timezone.now()).count() == 0
    assert slots.order_by("-starts_at").first().starts_at < timezone.now() + dt.timedelta(days=22)
    managed = client.get("/api/ants/getManagedMeetingPoints", HTTP_X_HUB_RDV_AUTH_TOKEN="demo").json()
    assert [entry["name"] for entry in managed] == ["Hôtel de ville de Nouméa"]
