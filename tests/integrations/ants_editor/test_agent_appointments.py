"""The agent's appointment pages: meeting points, bulk publication, the week, cancellations, access."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civiquest.accounts.models import AuditEvent, ServiceKind, ServiceRole
from civiquest.appointments import slots
from civiquest.appointments.models import AppointmentStatus, MeetingPoint, TimeSlot
from civiquest.notifications.models import Notification
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import member_of
from tests.integrations.ants_editor.factories import MeetingPointFactory, TimeSlotFactory, book, mairie

pytestmark = pytest.mark.django_db
NOUMEA = ZoneInfo("Pacific/Noumea")


@pytest.fixture
def service():
    return mairie()


@pytest.fixture
def manager(service):
    return member_of(service, ServiceRole.MANAGER, first_name="Karim", last_name="Benali")


@pytest.fixture
def instructor(service):
    return member_of(service, ServiceRole.INSTRUCTOR)


@pytest.fixture
def point(service):
    return MeetingPointFactory(service=service, name="Hôtel de ville de Nouméa")


@pytest.fixture
def manager_client(client, manager, login_verified):
    login_verified(client, manager)
    return client


@pytest.fixture
def instructor_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


@pytest.fixture
def outsider_client(client, login_verified):
    login_verified(client, member_of(mairie("Mairie de Dumbéa"), ServiceRole.MANAGER))
    return client


def local_today() -> dt.date:
    return timezone.localtime(timezone.now(), NOUMEA).date()


def plan_data(**changes):
    start = local_today() + dt.timedelta(days=1)
    data = {
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=6)).isoformat(),
        "weekdays": ["0", "1", "2", "3", "4"],
        "morning_opens": "08:00",
        "morning_closes": "11:30",
        "afternoon_opens": "13:30",
        "afternoon_closes": "16:00",
        "duration_minutes": "15",
        "capacity": "1",
        "action": "publish",
    }
    data.update(changes)
    return data


# --- The list of points ---------------------------------------------------------------------


def test_the_list_shows_the_agents_mairies_points_with_counts(manager_client, point, django_assert_max_num_queries):
    book(TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=2)))
    TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=3))
    MeetingPointFactory(service=mairie("Mairie de Dumbéa"), name="Mairie de Dumbéa")

    response = manager_client.get(reverse("agent:appointments"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Hôtel de ville de Nouméa" in page
    assert "Mairie de Dumbéa" not in page
    assert response.context["services"][0]["points"][0].upcoming_slots == 2
    assert response.context["services"][0]["points"][0].upcoming_bookings == 1
    assert reverse("agent:slots-publish", args=[point.pk]) in page


def test_the_list_query_count_does_not_grow_with_points(
    client, login_verified, manager, service, django_assert_num_queries
):
    login_verified(client, manager)
    MeetingPointFactory(service=service)
    client.get(reverse("agent:appointments"))  # warm the session and the cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("agent:appointments"))
    baseline = len(few.captured_queries)
    # Session, user, memberships (with their services), points (with counts).
    assert baseline <= 4
    for _index in range(10):
        point = MeetingPointFactory(service=service)
        book(TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1)))
    with django_assert_num_queries(baseline):
        client.get(reverse("agent:appointments"))


def test_instructors_see_the_points_without_the_publishing_buttons(instructor_client, point):
    page = instructor_client.get(reverse("agent:appointments")).content.decode()
    assert "Hôtel de ville de Nouméa" in page
    assert reverse("agent:slots-publish", args=[point.pk]) not in page
    assert "Seuls les responsables du service" in page


def test_an_agent_outside_mairies_is_told_so(client, login_verified):
    login_verified(client, member_of(mairie("Préfecture", kind=ServiceKind.PREFECTURE), ServiceRole.MANAGER))
    page = client.get(reverse("agent:appointments")).content.decode()
    assert "Vous n’êtes rattaché à aucune mairie" in page


# --- Meeting points -------------------------------------------------------------------------


POINT = {
    "name": "Mairie annexe de Rivière-Salée",
    "public_entry_address": "2 Rue Jules Garnier",
    "zip_code": "98800",
    "city_name": "Nouméa",
    "citycode": "98818",
    "latitude": "-22,2466",
    "longitude": "166.4598",
    "is_active": "on",
}


def test_a_manager_creates_a_point(manager_client, service, manager):
    response = manager_client.post(reverse("agent:meeting-point-create", args=[service.pk]), POINT)
    point = MeetingPoint.objects.get(name="Mairie annexe de Rivière-Salée")
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:slots-publish", args=[point.pk])
    assert (point.service, point.latitude, point.longitude, point.is_active) == (service, -22.2466, 166.4598, True)
    assert AuditEvent.objects.filter(action="passport.meeting_point_create", actor=manager).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"latitude": "95"}, "latitude"),
        ({"longitude": "-181"}, "longitude"),
        ({"latitude": "nord"}, "latitude"),
        ({"zip_code": "988"}, "zip_code"),
        ({"citycode": ""}, "citycode"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_point_is_refused_and_nothing_typed_is_lost(manager_client, service, changes, field):
    response = manager_client.post(reverse("agent:meeting-point-create", args=[service.pk]), {**POINT, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    page = response.content.decode()
    assert "2 Rue Jules Garnier" in page
    assert f'aria-describedby="id_{field}' in page
    assert not MeetingPoint.objects.exists()


def test_a_manager_edits_a_point(manager_client, point):
    response = manager_client.post(
        reverse("agent:meeting-point-edit", args=[point.pk]), {**POINT, "name": "Hôtel de ville", "is_active": ""}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.name, point.is_active) == ("Hôtel de ville", False)
    assert AuditEvent.objects.get(action="passport.meeting_point_update").details["name"] == "Hôtel de ville"


def test_instructors_may_not_create_or_edit_points(instructor_client, service, point):
    assert instructor_client.get(reverse("agent:meeting-point-create", args=[service.pk])).status_code == 403
    assert instructor_client.post(reverse("agent:meeting-point-edit", args=[point.pk]), POINT).status_code == 403
    assert MeetingPoint.objects.count() == 1


# --- Bulk publication -----------------------------------------------------------------------


def test_preview_counts_without_creating(manager_client, point):
    response = manager_client.post(reverse("agent:slots-publish", args=[point.pk]), plan_data(action="preview"))
    assert response.status_code == 200
    preview = response.context["preview"]
    weekdays = sum(1 for offset in range(7) if (local_today() + dt.timedelta(days=1 + offset)).weekday() < 5)
    # 08:00–11:30 is 14 quarters, 13:30–16:00 is 10.
    assert preview.new_count == weekdays * 24
    assert preview.existing == 0
    assert f"{weekdays * 24} créneaux seront créés" in response.content.decode()
    assert not TimeSlot.objects.exists()


def test_publishing_creates_the_slots_in_local_time_once(manager_client, point, manager):
    response = manager_client.post(reverse("agent:slots-publish", args=[point.pk]), plan_data())
    assert response.status_code == 302
    created = TimeSlot.objects.filter(meeting_point=point).order_by("starts_at")
    weekdays = sum(1 for offset in range(7) if (local_today() + dt.timedelta(days=1 + offset)).weekday() < 5)
    assert created.count() == weekdays * 24
    first = timezone.localtime(created.first().starts_at, NOUMEA)
    assert (first.hour, first.minute) == (8, 0)
    assert {slot.created_by_id for slot in created} == {manager.pk}
    last = timezone.localtime(created.last().starts_at, NOUMEA)
    assert (last.hour, last.minute) == (15, 45)

    again = manager_client.post(reverse("agent:slots-publish", args=[point.pk]), plan_data(), follow=True)
    assert TimeSlot.objects.filter(meeting_point=point).count() == weekdays * 24
    assert "Aucun nouveau créneau" in again.content.decode()
    assert AuditEvent.objects.filter(action="passport.slots_publish").count() == 1


def test_publishing_skips_existing_slots_and_keeps_withdrawn_ones(manager_client, point):
    start = local_today() + dt.timedelta(days=1)
    while start.weekday() >= 5:
        start += dt.timedelta(days=1)
    eight = dt.datetime.combine(start, dt.time(8, 0), tzinfo=NOUMEA)
    TimeSlotFactory(meeting_point=point, starts_at=eight, capacity=3)
    TimeSlotFactory(meeting_point=point, starts_at=eight + dt.timedelta(minutes=15), cancelled_at=timezone.now())
    data = plan_data(start_date=start.isoformat(), end_date=start.isoformat(), afternoon_opens="", afternoon_closes="")

    preview = manager_client.post(reverse("agent:slots-publish", args=[point.pk]), {**data, "action": "preview"})
    assert (preview.context["preview"].new_count, preview.context["preview"].existing) == (12, 2)
    manager_client.post(reverse("agent:slots-publish", args=[point.pk]), data)

    assert TimeSlot.objects.filter(meeting_point=point).count() == 14
    assert TimeSlot.objects.get(starts_at=eight).capacity == 3
    assert TimeSlot.objects.filter(cancelled_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": "2020-01-01"}, "end_date"),
        ({"start_date": "2020-01-01"}, "start_date"),
        ({"morning_closes": "07:00"}, "morning_closes"),
        ({"afternoon_closes": ""}, "afternoon_closes"),
        ({"afternoon_opens": "10:00"}, "afternoon_opens"),
        ({"weekdays": []}, "weekdays"),
        ({"capacity": "0"}, "capacity"),
        ({"duration_minutes": "7"}, "duration_minutes"),
        ({"start_date": "demain"}, "start_date"),
    ],
)
def test_a_bad_plan_is_refused_with_its_reason(manager_client, point, changes, field):
    response = manager_client.post(reverse("agent:slots-publish", args=[point.pk]), plan_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not TimeSlot.objects.exists()


def test_a_plan_longer_than_the_limit_is_refused(manager_client, point):
    start = local_today() + dt.timedelta(days=1)
    data = plan_data(end_date=(start + dt.timedelta(days=slots.MAX_PLAN_DAYS)).isoformat())
    response = manager_client.post(reverse("agent:slots-publish", args=[point.pk]), data)
    assert response.status_code == 400
    assert "end_date" in response.context["form"].errors


def test_paris_slots_follow_daylight_saving_time(db):
    point = MeetingPointFactory(service=mairie("Mairie de Paris 1er"), citycode="75101", zip_code="75001")
    plan = slots.SlotPlan(
        start_date=dt.date(2030, 3, 29),
        end_date=dt.date(2030, 4, 1),
        weekdays=frozenset({0, 4}),
        opening_hours=((dt.time(9, 0), dt.time(9, 15)),),
    )
    preview = slots.slots_preview(point, plan, now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert preview.to_create == [
        dt.datetime(2030, 3, 29, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2030, 4, 1, 7, 0, tzinfo=dt.UTC),
    ]


def test_instructors_may_not_publish_and_outsiders_get_404(instructor_client, point):
    assert instructor_client.get(reverse("agent:slots-publish", args=[point.pk])).status_code == 403
    assert instructor_client.post(reverse("agent:slots-publish", args=[point.pk]), plan_data()).status_code == 403
    assert not TimeSlot.objects.exists()


# --- The week -------------------------------------------------------------------------------


def test_the_week_shows_bookings(manager_client, point):
    day = local_today() + dt.timedelta(days=1)
    slot = TimeSlotFactory(meeting_point=point, starts_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=NOUMEA))
    citizen = CitizenFactory(first_name="Angela", last_name="Dubois")
    book(slot, citizen=citizen, application_ids=["ABCDE12345", "FGHIJ67890"], reason="CNI-PASSPORT")
    TimeSlotFactory(meeting_point=point, starts_at=dt.datetime.combine(day, dt.time(9, 15), tzinfo=NOUMEA))

    response = manager_client.get(reverse("agent:meeting-point", args=[point.pk]) + f"?semaine={day.isoformat()}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Angela Dubois" in page
    assert "ABCDE12345, FGHIJ67890" in page
    assert "Carte d’identité et passeport" in page
    assert "09:00" in page and "09:15" in page
    assert "Pacific/Noumea" in page


def test_the_week_query_count_does_not_grow(manager_client, point, django_assert_num_queries):
    day = local_today() + dt.timedelta(days=1)
    monday = day - dt.timedelta(days=day.weekday())
    url = reverse("agent:meeting-point", args=[point.pk]) + f"?semaine={monday.isoformat()}"
    book(TimeSlotFactory(meeting_point=point, starts_at=dt.datetime.combine(monday, dt.time(8), tzinfo=NOUMEA)))
    manager_client.get(url)
    with CaptureQueriesContext(connection) as few:
        manager_client.get(url)
    baseline = len(few.captured_queries)
    # Session, user, memberships, the point, its slots, their appointments with citizens.
    assert baseline <= 6
    for index in range(1, 30):
        slot = TimeSlotFactory(
            meeting_point=point,
            starts_at=dt.datetime.combine(monday, dt.time(8), tzinfo=NOUMEA) + dt.timedelta(minutes=15 * index),
        )
        if index % 2:
            book(slot)
    with django_assert_num_queries(baseline):
        assert manager_client.get(url).status_code == 200


def test_an_agent_of_another_mairie_gets_404(outsider_client, point):
    slot = TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1))
    appointment = book(TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=2)))
    for url in (
        reverse("agent:meeting-point", args=[point.pk]),
        reverse("agent:meeting-point-edit", args=[point.pk]),
        reverse("agent:slots-publish", args=[point.pk]),
        reverse("agent:appointment-cancel", args=[appointment.pk]),
    ):
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.post(reverse("agent:slot-cancel", args=[slot.pk])).status_code == 404
    assert outsider_client.get(reverse("agent:meeting-point-create", args=[point.service_id])).status_code == 404


def test_citizens_do_not_enter(client, login_verified, point):
    login_verified(client, CitizenFactory())
    assert client.get(reverse("agent:appointments")).status_code == 403
    assert client.get(reverse("agent:meeting-point", args=[point.pk])).status_code == 403


# --- Cancellations --------------------------------------------------------------------------


def test_a_manager_withdraws_a_free_slot_but_not_a_booked_one(manager_client, point):
    free = TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1))
    booked = TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1, minutes=15))
    book(booked)

    assert manager_client.post(reverse("agent:slot-cancel", args=[free.pk])).status_code == 302
    refused = manager_client.post(reverse("agent:slot-cancel", args=[booked.pk]), follow=True)

    free.refresh_from_db()
    booked.refresh_from_db()
    assert free.cancelled_at is not None
    assert booked.cancelled_at is None
    assert "annulez d’abord le rendez-vous" in refused.content.decode()
    assert AuditEvent.objects.filter(action="passport.slot_cancel").count() == 1


def test_instructors_may_not_withdraw_slots(instructor_client, point):
    slot = TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1))
    assert instructor_client.post(reverse("agent:slot-cancel", args=[slot.pk])).status_code == 403
    assert instructor_client.get(reverse("agent:slot-cancel", args=[slot.pk])).status_code == 405


def test_an_instructor_cancels_an_appointment_with_a_motivation(instructor_client, instructor, point):
    slot = TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1))
    appointment = book(slot, application_ids=["ABCDE12345"])
    url = reverse("agent:appointment-cancel", args=[appointment.pk])

    assert instructor_client.get(url).status_code == 200
    refused = instructor_client.post(url, {"motivation": ""})
    assert refused.status_code == 400
    assert "motivation" in refused.context["form"].errors

    response = instructor_client.post(url, {"motivation": "Station de recueil en panne."})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_at is not None
    event = AuditEvent.objects.get(action="passport.appointment_cancel")
    assert (event.actor, event.motivation) == (instructor, "Station de recueil en panne.")
    assert event.details["application_ids"] == ["ABCDE12345"]
    notice = Notification.objects.get(recipient=appointment.citizen)
    assert "est annulé par la mairie" in notice.title
    assert "Station de recueil en panne." in notice.body
    assert notice.url.endswith(reverse("citizen:appointment-manage", args=[appointment.management_token]))
    # Cancelling again is harmless.
    assert instructor_client.post(url, {"motivation": "encore"}).status_code == 302
    assert AuditEvent.objects.filter(action="passport.appointment_cancel").count() == 1
    assert Notification.objects.count() == 1


def test_a_cancelled_appointment_frees_its_slot_for_ants(instructor_client, point, settings, client):
    settings.ANTS_EDITOR_TOKEN = "t"
    slot = TimeSlotFactory(meeting_point=point, starts_at=timezone.now() + dt.timedelta(days=1))
    appointment = book(slot)
    slots.appointment_cancel(appointment, by=appointment.citizen, motivation="test")
    day = timezone.localtime(slot.starts_at, NOUMEA).date().isoformat()
    answer = instructor_client.get(
        f"/api/ants/availableTimeSlots?meeting_point_ids={point.pk}&start_date={day}&end_date={day}&reason=CNI",
        HTTP_X_HUB_RDV_AUTH_TOKEN="t",
    ).json()
    assert len(answer[str(point.pk)]) == 1


def _winter_plan(days: int) -> slots.SlotPlan:
    """100 slots of 5 minutes a day (08:00 to 16:20), every day, in January and February."""
    start = dt.date(2031, 1, 6)
    return slots.SlotPlan(
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        weekdays=frozenset(range(7)),
        opening_hours=((dt.time(8, 0), dt.time(16, 20)),),
        duration_minutes=5,
    )


def test_a_publication_holds_at_most_five_thousand_slots(point):
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(slots.SlotError) as refused:
        slots.slots_publish(point, _winter_plan(51), by=None, now=now)
    assert refused.value.message == "Publiez au plus 5000 créneaux à la fois."
    assert not TimeSlot.objects.exists()
    assert slots.slots_publish(point, _winter_plan(50), by=None, now=now) == 5_000


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            dt.date(2031, 1, 6),
            dt.date(2031, 1, 5),
            "La date de fin doit être postérieure ou égale à la date de début.",
        ),
        (dt.date(2031, 1, 6), dt.date(2031, 4, 8), "Publiez au plus 92 jours à la fois."),
        (dt.date(2031, 1, 6), dt.date(2031, 7, 25), "Publiez au plus 92 jours à la fois."),
    ],
    ids=["ends-before-start", "92-days-after-start", "200-days-after-start"],
)
def test_a_plan_ending_before_its_start_or_too_long_is_refused_with_its_reason(point, start, end, message):
    plan = slots.SlotPlan(
        start_date=start, end_date=end, weekdays=frozenset({0}), opening_hours=((dt.time(9, 0), dt.time(9, 15)),)
    )
    with pytest.raises(slots.SlotError) as refused:
        slots.slots_publish(point, plan, by=None, now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert refused.value.message == message
    assert not TimeSlot.objects.exists()


@pytest.mark.parametrize(
    ("end", "now", "created"),
    [
        (dt.date(2031, 1, 6), dt.datetime(2030, 1, 1, tzinfo=dt.UTC), 1),
        (dt.date(2031, 4, 7), dt.datetime(2030, 1, 1, tzinfo=dt.UTC), 14),
        # Published at the very start of its first slot, or after: that slot is past, the 13 others are not.
        (dt.date(2031, 4, 7), dt.datetime(2031, 1, 6, 9, 0, tzinfo=NOUMEA), 13),
        (dt.date(2031, 4, 7), dt.datetime(2031, 1, 6, 9, 5, tzinfo=NOUMEA), 13),
    ],
    ids=["one-day", "91-days-after-start", "at-its-first-start", "after-its-first-start"],
)
def test_a_plan_of_one_day_up_to_ninety_two_days_publishes_its_future_slots(point, end, now, created):
    plan = slots.SlotPlan(
        start_date=dt.date(2031, 1, 6),
        end_date=end,
        weekdays=frozenset({0}),  # Mondays, 2031-01-06 the first
        opening_hours=((dt.time(9, 0), dt.time(9, 15)),),
    )
    assert slots.slots_publish(point, plan, by=None, now=now) == created
    assert TimeSlot.objects.filter(meeting_point=point).count() == created
