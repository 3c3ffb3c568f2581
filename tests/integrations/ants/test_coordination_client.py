"""The production coordination client against the ANTS sandbox over a live socket, faults included."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest

from civiquest.core.http import BadAnswer, CircuitOpen, RequestRejected, ServiceUnavailable
from civiquest.integrations.passport import coordination
from civiquest.integrations.passport.coordination import SERVICE, ApplicationStatus
from civiquest.sandbox.http_faults import HttpFault, inject, requests_seen
from tests.core.test_http import ScriptedServer, server  # noqa: F401 - the fixture
from tests.integrations.sandboxes import point_client_at

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2031, 3, 4, 8, 30, tzinfo=dt.UTC)  # 9:30 in Paris


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("AB12CD34EF", ApplicationStatus.VALIDATED),
        ("CO12345678", ApplicationStatus.CONSUMED),
        ("DE12345678", ApplicationStatus.DECLARED),
        ("EX12345678", ApplicationStatus.EXPIRED),
        ("UN12345678", ApplicationStatus.UNKNOWN),
    ],
)
def test_status_of_each_kind_of_number(ants_api, number, status):
    state = coordination.status_of(number)
    assert state.application_id == number
    assert state.status == status
    assert state.can_book == (status == ApplicationStatus.VALIDATED)
    assert state.appointments == ()


def test_status_shows_an_appointment_booked_elsewhere(ants_api):
    state = coordination.status_of("DU12345678")
    assert state.status == ApplicationStatus.VALIDATED
    [elsewhere] = state.appointments
    assert elsewhere.meeting_point == "Mairie de Lyon 3e arrondissement"
    assert elsewhere.management_url.startswith("https://")
    assert elsewhere.starts_at is not None and elsewhere.starts_at.hour in (9, 8)


def test_several_numbers_in_one_call(ants_api):
    states = coordination.status(["AB12CD34EF", "EX12345678"])
    assert {key: state.status for key, state in states.items()} == {
        "AB12CD34EF": ApplicationStatus.VALIDATED,
        "EX12345678": ApplicationStatus.EXPIRED,
    }


def test_register_is_listed_by_status_then_deleted(ants_api):
    url = "http://testserver/rendez-vous/gestion/abc/"
    coordination.register(
        application_id="AB12CD34EF",
        meeting_point_id="7",
        meeting_point="Mairie de Nouméa",
        starts_at=WHEN,
        management_url=url,
    )
    # The same registration again (a retry) replaces it: still one.
    coordination.register(
        application_id="AB12CD34EF",
        meeting_point_id="7",
        meeting_point="Mairie de Nouméa",
        starts_at=WHEN,
        management_url=url,
    )
    [listed] = coordination.status_of("AB12CD34EF").appointments
    assert listed.meeting_point_id == "7"
    assert listed.appointment_date == "2031-03-04 09:30:00"
    assert listed.management_url == url
    args = {"application_id": "AB12CD34EF", "meeting_point_id": "7", "meeting_point": "Mairie de Nouméa"}
    assert coordination.unregister(**args, starts_at=WHEN) == 1
    assert coordination.unregister(**args, starts_at=WHEN) == 0
    assert coordination.status_of("AB12CD34EF").appointments == ()


def test_the_date_is_sent_in_the_meeting_points_time(ants_api):
    from zoneinfo import ZoneInfo

    coordination.register(
        application_id="AB12CD34EF",
        meeting_point_id="7",
        meeting_point="Mairie de Nouméa",
        starts_at=WHEN,
        management_url="http://testserver/x/",
        tz=ZoneInfo("Pacific/Noumea"),
    )
    assert coordination.status_of("AB12CD34EF").appointments[0].appointment_date == "2031-03-04 19:30:00"


def test_a_consumed_number_cannot_be_registered(ants_api):
    with pytest.raises(RequestRejected) as caught:
        coordination.register(
            application_id="CO12345678",
            meeting_point_id="7",
            meeting_point="M",
            starts_at=WHEN,
            management_url="http://testserver/x/",
        )
    assert caught.value.status == 400


def test_a_wrong_token_is_refused(ants_api):
    wrong = {"x-rdv-opt-auth-token": "not-the-token"}
    answer = httpx.get(f"{ants_api}/status", params={"application_ids": "AB12CD34EF"}, headers=wrong)
    assert answer.status_code == 401


def test_the_sandbox_checks_the_header_and_arguments(ants_api, settings):
    assert httpx.get(f"{ants_api}/status", params={"application_ids": "AB12CD34EF"}).status_code == 401
    headers = {"x-rdv-opt-auth-token": settings.INTEGRATIONS[SERVICE]["TOKEN"]}
    missing = httpx.post(f"{ants_api}/appointments", params={"application_id": "AB12CD34EF"}, headers=headers)
    assert missing.status_code == 422
    assert {item["loc"][1] for item in missing.json()["detail"]} == {
        "meeting_point",
        "appointment_date",
        "management_url",
    }
    bad_date = httpx.delete(
        f"{ants_api}/appointments",
        params={"application_id": "AB12CD34EF", "meeting_point": "M", "appointment_date": "2031-03-04T09:30"},
        headers=headers,
    )
    assert bad_date.status_code == 422


def test_a_slow_answer_times_out(ants_api):
    inject(SERVICE, HttpFault.SLOW)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        coordination.status_of("AB12CD34EF")
    assert caught.value.detail == "timeout"
    # Three attempts of 0.5 s, not three of 1.5 s.
    assert time.monotonic() - started < 3.5
    assert "ANTS" in caught.value.user_message


def test_a_429_is_retried_after_its_retry_after(ants_api):
    inject(SERVICE, HttpFault.TOO_MANY_REQUESTS, times=1)
    assert coordination.status_of("AB12CD34EF").status == ApplicationStatus.VALIDATED
    assert requests_seen(SERVICE) == 2


def test_a_500_is_retried_then_reported(ants_api):
    inject(SERVICE, HttpFault.SERVER_ERROR, times=1)
    assert coordination.status_of("AB12CD34EF").can_book
    inject(SERVICE, HttpFault.SERVER_ERROR)
    with pytest.raises(ServiceUnavailable):
        coordination.status_of("AB12CD34EF")


def test_a_post_is_not_retried(ants_api):
    inject(SERVICE, HttpFault.SERVER_ERROR, times=1)
    with pytest.raises(ServiceUnavailable):
        coordination.register(
            application_id="AB12CD34EF",
            meeting_point_id="7",
            meeting_point="M",
            starts_at=WHEN,
            management_url="http://testserver/x/",
        )
    assert requests_seen(SERVICE) == 1


def test_malformed_json_is_a_bad_answer(ants_api):
    inject(SERVICE, HttpFault.MALFORMED_JSON, times=1)
    with pytest.raises(BadAnswer):
        coordination.status_of("AB12CD34EF")


def test_the_circuit_opens_then_recovers(ants_api):
    inject(SERVICE, HttpFault.SERVER_ERROR)
    for _attempt in range(3):
        with pytest.raises(ServiceUnavailable):
            coordination.status_of("AB12CD34EF")
    seen = requests_seen(SERVICE)
    with pytest.raises(CircuitOpen):
        coordination.status_of("AB12CD34EF")
    assert requests_seen(SERVICE) == seen  # no call made while open
    from civiquest.sandbox.http_faults import clear

    clear(SERVICE)
    time.sleep(1.1)
    assert coordination.status_of("AB12CD34EF").can_book
    assert requests_seen(SERVICE) == seen + 1


# --- Strict answers (a scripted server says what the sandbox never would) -----------------------


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},  # the number asked is missing
        {"AB12CD34EF": {"status": "approved", "appointments": []}},
        {"AB12CD34EF": {"status": "validated", "appointments": {}}},
        {"AB12CD34EF": {"status": "validated", "appointments": [{"meeting_point": 3}]}},
        {"AB12CD34EF": "validated"},
    ],
)
def test_status_answers_of_another_shape_are_bad(server, settings, body):  # noqa: F811
    point_client_at(settings, SERVICE, server.url)
    server.script((200, body))
    with pytest.raises(BadAnswer):
        coordination.status_of("AB12CD34EF")


@pytest.mark.parametrize("body", [{"success": False}, {}, {"success": "true"}, []])
def test_a_registration_must_answer_success_true(server, settings, body):  # noqa: F811
    point_client_at(settings, SERVICE, server.url)
    server.script((200, body))
    with pytest.raises(BadAnswer):
        coordination.register(
            application_id="AB12CD34EF",
            meeting_point_id="7",
            meeting_point="M",
            starts_at=WHEN,
            management_url="http://testserver/x/",
        )


@pytest.mark.parametrize("body", [{"rowcount": "1"}, {}, {"rowcount": -1}, {"rowcount": True}])
def test_a_deletion_must_answer_a_rowcount(server, settings, body):  # noqa: F811
    point_client_at(settings, SERVICE, server.url)
    server.script((200, body))
    with pytest.raises(BadAnswer):
        coordination.unregister(application_id="AB12CD34EF", meeting_point_id="7", meeting_point="M", starts_at=WHEN)


def test_the_token_header_and_query_are_sent(server, settings):  # noqa: F811
    point_client_at(settings, SERVICE, server.url)
    server.script((200, {"rowcount": 1}))
    coordination.unregister(application_id="AB12CD34EF", meeting_point_id="7", meeting_point="Mairie", starts_at=WHEN)
    method, path, _body = server.requests[0]
    assert method == "DELETE"
    assert path.startswith("/appointments?")
    assert "application_id=AB12CD34EF" in path and "appointment_date=2031-03-04+09%3A30%3A00" in path
