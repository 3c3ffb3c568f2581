"""The editor endpoints ANTS calls: auth, every parameter error, exact answer shapes, UTC times, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.accounts.models import ServiceKind
from civiquest.appointments.models import AppointmentStatus
from tests.integrations.ants_editor.factories import MeetingPointFactory, TimeSlotFactory, book, mairie

pytestmark = pytest.mark.django_db

TOKEN = "test-ants-token"
AUTH = {"HTTP_X_HUB_RDV_AUTH_TOKEN": TOKEN}
ENDPOINTS = ["getManagedMeetingPoints", "availableTimeSlots", "searchApplicationIds"]


@pytest.fixture(autouse=True)
def _token(settings):
    settings.ANTS_EDITOR_TOKEN = TOKEN
    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def booking_url(slot, reason="CNI", documents_number=1) -> str:
    path = reverse("citizen:appointment-book", kwargs={"slot_id": slot.pk})
    return f"https://civiquest.example{path}?reason={reason}&documents_number={documents_number}"


def manage_url(appointment) -> str:
    return "https://civiquest.example" + reverse(
        "citizen:appointment-manage", kwargs={"token": appointment.management_token}
    )


def slots_query(ids, start="2030-01-08", end="2030-01-09", reason="CNI", documents_number="1") -> str:
    parts = [f"meeting_point_ids={point_id}" for point_id in ids]
    parts += [f"start_date={start}", f"end_date={end}", f"reason={reason}", f"documents_number={documents_number}"]
    return "/api/ants/availableTimeSlots?" + "&".join(parts)


# --- Authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_missing_token_is_refused(client, endpoint):
    response = client.get(f"/api/ants/{endpoint}")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "X-HUB-RDV-AUTH-TOKEN header is missing or invalid"}}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("token", ["wrong", "", TOKEN + "x", TOKEN.upper()])
def test_a_wrong_token_is_refused(client, endpoint, token):
    response = client.get(f"/api/ants/{endpoint}", HTTP_X_HUB_RDV_AUTH_TOKEN=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


def test_the_right_token_is_accepted(client):
    response = client.get("/api/ants/getManagedMeetingPoints", **AUTH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_without_a_configured_token_the_endpoints_are_off(client, settings, endpoint):
    settings.ANTS_EDITOR_TOKEN = ""
    response = client.get(f"/api/ants/{endpoint}", HTTP_X_HUB_RDV_AUTH_TOKEN="")
    assert response.status_code == 503
    assert response.json() == {"error": {"code": 503, "message": "ANTS editor endpoints are not configured"}}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_only_get_is_allowed(client, endpoint):
    assert client.post(f"/api/ants/{endpoint}", **AUTH).status_code == 405


# --- getManagedMeetingPoints ----------------------------------------------------------------


def test_managed_meeting_points_are_the_active_points_of_mairies(client, django_assert_num_queries):
    noumea = MeetingPointFactory(
        service=mairie(),
        name="Hôtel de ville de Nouméa",
        public_entry_address="16 Rue du Général Mangin",
        zip_code="98800",
        city_name="Nouméa",
        latitude=-22.2758,
        longitude=166.458,
    )
    MeetingPointFactory(service=noumea.service, is_active=False)
    MeetingPointFactory(service=mairie("Haut-commissariat", kind=ServiceKind.PREFECTURE))
    dumbea = MeetingPointFactory(
        service=mairie("Mairie de Dumbéa"), name="Mairie de Dumbéa", latitude=-22.15, longitude=166.44
    )

    with django_assert_num_queries(1):
        response = client.get("/api/ants/getManagedMeetingPoints", **AUTH)

    assert response.json() == [
        {
            "id": str(noumea.pk),
            "name": "Hôtel de ville de Nouméa",
            "longitude": 166.458,
            "latitude": -22.2758,
            "public_entry_address": "16 Rue du Général Mangin",
            "zip_code": "98800",
            "city_name": "Nouméa",
        },
        {
            "id": str(dumbea.pk),
            "name": "Mairie de Dumbéa",
            "longitude": 166.44,
            "latitude": -22.15,
            "public_entry_address": dumbea.public_entry_address,
            "zip_code": dumbea.zip_code,
            "city_name": dumbea.city_name,
        },
    ]


def test_managed_meeting_points_query_count_does_not_grow(client, django_assert_num_queries):
    for index in range(30):
        MeetingPointFactory(service=mairie(f"Mairie {index}"))
    with django_assert_num_queries(1):
        assert len(client.get("/api/ants/getManagedMeetingPoints", **AUTH).json()) == 30


# --- availableTimeSlots ---------------------------------------------------------------------


def test_available_time_slots_exact_answer(client):
    noumea = MeetingPointFactory(service=mairie())  # Pacific/Noumea, UTC+11
    paris = MeetingPointFactory(service=mairie("Mairie de Paris 1er"), citycode="75101", zip_code="75001")
    # 2030-01-08 09:00 and 09:15 in Nouméa are 2030-01-07 22:00 and 22:15 UTC.
    first = TimeSlotFactory(meeting_point=noumea, starts_at=utc(2030, 1, 7, 22, 0))
    second = TimeSlotFactory(meeting_point=noumea, starts_at=utc(2030, 1, 7, 22, 15))
    # 2030-01-09 09:00 in Paris is 08:00 UTC.
    third = TimeSlotFactory(meeting_point=paris, starts_at=utc(2030, 1, 9, 8, 0))

    response = client.get(slots_query([noumea.pk, paris.pk]), **AUTH)

    assert response.status_code == 200
    assert response.json() == {
        str(noumea.pk): [
            {"datetime": "2030-01-07T22:00Z", "callback_url": booking_url(first)},
            {"datetime": "2030-01-07T22:15Z", "callback_url": booking_url(second)},
        ],
        str(paris.pk): [{"datetime": "2030-01-09T08:00Z", "callback_url": booking_url(third)}],
    }


def test_dates_are_local_days_of_each_point(client):
    noumea = MeetingPointFactory(service=mairie())
    # 2030-01-07 22:00 UTC is already the 8th in Nouméa: outside a search of the 7th only.
    TimeSlotFactory(meeting_point=noumea, starts_at=utc(2030, 1, 7, 22, 0))
    evening = TimeSlotFactory(meeting_point=noumea, starts_at=utc(2030, 1, 7, 5, 0))  # 16:00 on the 7th
    answer = client.get(slots_query([noumea.pk], start="2030-01-07", end="2030-01-07"), **AUTH).json()
    assert answer == {str(noumea.pk): [{"datetime": "2030-01-07T05:00Z", "callback_url": booking_url(evening)}]}


def test_only_free_future_open_slots_are_offered(client):
    point = MeetingPointFactory(service=mairie())
    free = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 0))
    booked = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 15))
    book(booked)
    TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 30), cancelled_at=timezone.now())
    freed = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 45))
    book(freed, status=AppointmentStatus.CANCELLED, cancelled_at=timezone.now())
    shared = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 23, 0), capacity=2)
    book(shared)

    answer = client.get(slots_query([point.pk], start="2030-01-07", end="2030-01-09"), **AUTH).json()

    assert answer == {
        str(point.pk): [
            {"datetime": "2030-01-07T22:00Z", "callback_url": booking_url(free)},
            {"datetime": "2030-01-07T22:45Z", "callback_url": booking_url(freed)},
            {"datetime": "2030-01-07T23:00Z", "callback_url": booking_url(shared)},
        ]
    }


def test_past_slots_are_not_offered(client):
    point = MeetingPointFactory(service=mairie())
    now = timezone.now().replace(second=0, microsecond=0)
    TimeSlotFactory(meeting_point=point, starts_at=now - dt.timedelta(minutes=5))
    soon = TimeSlotFactory(meeting_point=point, starts_at=now + dt.timedelta(hours=1))
    today = now.date()
    answer = client.get(
        slots_query([point.pk], start=str(today - dt.timedelta(days=1)), end=str(today + dt.timedelta(days=2))), **AUTH
    ).json()
    assert answer == {
        str(point.pk): [{"datetime": soon.starts_at.strftime("%Y-%m-%dT%H:%MZ"), "callback_url": booking_url(soon)}]
    }


def test_documents_number_needs_that_many_places(client):
    point = MeetingPointFactory(service=mairie())
    TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 0), capacity=1)
    big = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 15), capacity=3)
    half = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 30), capacity=3)
    book(half, documents_number=2, application_ids=["AAAAA11111", "BBBBB22222"])

    answer = client.get(slots_query([point.pk], reason="CNI-PASSPORT", documents_number="2"), **AUTH).json()

    assert answer == {
        str(point.pk): [
            {"datetime": "2030-01-07T22:15Z", "callback_url": booking_url(big, "CNI-PASSPORT", 2)},
        ]
    }


def test_meeting_point_ids_may_come_with_brackets_or_commas(client):
    one = MeetingPointFactory(service=mairie())
    two = MeetingPointFactory(service=one.service)
    three = MeetingPointFactory(service=one.service)
    query = (
        f"/api/ants/availableTimeSlots?meeting_point_ids[]={one.pk}&meeting_point_ids={two.pk},{three.pk}"
        "&start_date=2030-01-08&end_date=2030-01-08&reason=PASSPORT&documents_number=1"
    )
    assert client.get(query, **AUTH).json() == {str(one.pk): [], str(two.pk): [], str(three.pk): []}


def test_unknown_or_inactive_points_are_left_out(client):
    point = MeetingPointFactory(service=mairie())
    inactive = MeetingPointFactory(service=point.service, is_active=False)
    prefecture = MeetingPointFactory(service=mairie("Haut-commissariat", kind=ServiceKind.PREFECTURE))
    answer = client.get(slots_query([point.pk, inactive.pk, prefecture.pk, 999_999]), **AUTH).json()
    assert answer == {str(point.pk): []}


def test_documents_number_defaults_to_one(client):
    point = MeetingPointFactory(service=mairie())
    slot = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 0))
    query = (
        f"/api/ants/availableTimeSlots?meeting_point_ids={point.pk}&start_date=2030-01-08&end_date=2030-01-08"
        "&reason=CNI"
    )
    assert client.get(query, **AUTH).json() == {
        str(point.pk): [{"datetime": "2030-01-07T22:00Z", "callback_url": booking_url(slot)}]
    }


VALID = {
    "meeting_point_ids": "1",
    "start_date": "2030-01-08",
    "end_date": "2030-01-09",
    "reason": "CNI",
    "documents_number": "1",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meeting_point_ids": None}, "Missing meeting_point_ids param"),
        ({"meeting_point_ids": ""}, "Missing meeting_point_ids param"),
        ({"meeting_point_ids": "abc"}, "Invalid meeting_point_ids param"),
        ({"meeting_point_ids": "-1"}, "Invalid meeting_point_ids param"),
        ({"start_date": None}, "Missing start_date param"),
        ({"start_date": "08/01/2030"}, "Invalid start_date param"),
        ({"start_date": "2030-02-30"}, "Invalid start_date param"),
        ({"start_date": "2030-1-8"}, "Invalid start_date param"),
        ({"end_date": None}, "Missing end_date param"),
        ({"end_date": "demain"}, "Invalid end_date param"),
        ({"start_date": "2030-01-10", "end_date": "2030-01-09"}, "start_date is after end_date"),
        ({"start_date": "2030-01-01", "end_date": "2031-01-02"}, "Date range is too long"),
        ({"reason": None}, "Missing reason param"),
        ({"reason": "cni"}, "Invalid reason param"),
        ({"reason": "PERMIS"}, "Invalid reason param"),
        ({"documents_number": "0"}, "Invalid documents_number param"),
        ({"documents_number": "-2"}, "Invalid documents_number param"),
        ({"documents_number": "deux"}, "Invalid documents_number param"),
        ({"documents_number": "21"}, "Invalid documents_number param"),
    ],
)
def test_every_bad_parameter_is_a_400_with_its_message(client, changes, message):
    params = {name: value for name, value in {**VALID, **changes}.items() if value is not None}
    response = client.get("/api/ants/availableTimeSlots", params, **AUTH)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": 400, "message": message}}


def test_available_time_slots_query_count_is_fixed(client, django_assert_num_queries):
    points = [MeetingPointFactory(service=mairie(f"Mairie {index}")) for index in range(5)]
    for point in points:
        for index in range(40):
            slot = TimeSlotFactory(
                meeting_point=point, starts_at=utc(2030, 1, 7, 20, 0) + dt.timedelta(minutes=15 * index)
            )
            if index % 4 == 0:
                book(slot)
    with django_assert_num_queries(2):
        answer = client.get(
            slots_query([point.pk for point in points], start="2030-01-07", end="2030-01-09"), **AUTH
        ).json()
    assert sorted(len(slots) for slots in answer.values()) == [30] * 5


# --- searchApplicationIds -------------------------------------------------------------------


def test_search_application_ids_exact_answer(client, django_assert_num_queries):
    point = MeetingPointFactory(service=mairie(), name="Hôtel de ville de Nouméa")
    slot = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 7, 22, 0))
    later = TimeSlotFactory(meeting_point=point, starts_at=utc(2030, 1, 8, 22, 0))
    family = book(slot, application_ids=["ABCDE12345", "FGHIJ67890"])
    again = book(later, application_ids=["ABCDE12345"])
    book(TimeSlotFactory(meeting_point=point), application_ids=["ZZZZZ99999"], status=AppointmentStatus.CANCELLED)
    book(
        TimeSlotFactory(meeting_point=point, starts_at=timezone.now() - dt.timedelta(days=1)),
        application_ids=["YYYYY88888"],
    )

    with django_assert_num_queries(1):
        response = client.get(
            "/api/ants/searchApplicationIds?application_ids=ABCDE12345&application_ids=fghij67890"
            "&application_ids=ZZZZZ99999&application_ids=YYYYY88888&application_ids=UNKNOWN000&application_ids=x",
            **AUTH,
        )

    assert response.status_code == 200
    assert response.json() == {
        "ABCDE12345": [
            {
                "meeting_point": "Hôtel de ville de Nouméa",
                "datetime": "2030-01-07T22:00Z",
                "management_url": manage_url(family),
                "cancel_url": manage_url(family),
            },
            {
                "meeting_point": "Hôtel de ville de Nouméa",
                "datetime": "2030-01-08T22:00Z",
                "management_url": manage_url(again),
                "cancel_url": manage_url(again),
            },
        ],
        "fghij67890": [
            {
                "meeting_point": "Hôtel de ville de Nouméa",
                "datetime": "2030-01-07T22:00Z",
                "management_url": manage_url(family),
                "cancel_url": manage_url(family),
            }
        ],
        "ZZZZZ99999": [],
        "YYYYY88888": [],
        "UNKNOWN000": [],
        "x": [],
    }


def test_search_application_ids_without_ids_is_a_400(client):
    response = client.get("/api/ants/searchApplicationIds", **AUTH)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": 400, "message": "Missing application_ids param"}}


def test_search_application_ids_accepts_brackets(client):
    answer = client.get("/api/ants/searchApplicationIds?application_ids[]=AAAAA11111", **AUTH).json()
    assert answer == {"AAAAA11111": []}
