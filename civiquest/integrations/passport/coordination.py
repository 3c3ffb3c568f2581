"""The client of the ANTS anti-duplicate "coordination" API (api-coordination.rendezvouspasseport.ants.gouv.fr).

Every booking editor tells it which pre-application numbers have an appointment where,
so a citizen cannot hold several. Three calls, all with the ``x-rdv-opt-auth-token``
header and their arguments in the query string:

- ``GET /status?application_ids=X`` → ``{X: {status, appointments: [{meeting_point,
  meeting_point_id, appointment_date, management_url}]}}``; ``status`` is ``validated``
  (an appointment may be booked), ``consumed``, ``declared``, ``unknown`` or ``expired``;
- ``POST /appointments?application_id&meeting_point_id&meeting_point&appointment_date
  &management_url`` → ``{"success": true}``;
- ``DELETE /appointments?application_id&meeting_point_id&meeting_point&appointment_date``
  → ``{"rowcount": 1}``.

Answers are validated strictly: anything else is ``BadAnswer`` (and counts against the
circuit). Transport, retries and the circuit are ``civiquest.core.http``'s.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import timezone

from civiquest.core.http import ServiceClient, answer_shape_error

SERVICE = "ants_coordination"
AUTH_HEADER = "x-rdv-opt-auth-token"
APPLICATION_ID_RE = re.compile(r"^[A-Z0-9]{10}$")
# The date format the coordination API takes and gives, in French local time.
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class ApplicationStatus(StrEnum):
    VALIDATED = "validated"  # an appointment may be booked
    CONSUMED = "consumed"  # already used for a file that was processed
    DECLARED = "declared"  # typed in, but not officially recognised by ANTS
    UNKNOWN = "unknown"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RegisteredAppointment:
    """An appointment some editor registered for an application number."""

    meeting_point: str
    meeting_point_id: str
    appointment_date: str
    management_url: str

    @property
    def starts_at(self) -> dt.datetime | None:
        """The date as an aware datetime, when it parses (editors are not all strict)."""
        for pattern in (DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"):
            try:
                parsed = dt.datetime.strptime(self.appointment_date, pattern)  # noqa: DTZ007 (made aware below)
            except ValueError:
                continue
            if self.appointment_date.endswith("Z"):
                return parsed.replace(tzinfo=dt.UTC)
            return timezone.make_aware(parsed)
        return None


@dataclass(frozen=True)
class ApplicationState:
    application_id: str
    status: ApplicationStatus
    appointments: tuple[RegisteredAppointment, ...]

    @property
    def can_book(self) -> bool:
        return self.status == ApplicationStatus.VALIDATED


def normalize_application_id(raw: str) -> str:
    """Upper-cased and without spaces, as ANTS compares them."""
    return "".join(str(raw).split()).upper()


def is_application_id(value: str) -> bool:
    return APPLICATION_ID_RE.match(value) is not None


def format_date(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """In the meeting point's local time (ANTS shows it as is)."""
    return timezone.localtime(moment, tz).strftime(DATE_FORMAT)


def _client() -> ServiceClient:
    return ServiceClient.for_service(SERVICE)


def _headers() -> dict[str, str]:
    return {AUTH_HEADER: str(settings.INTEGRATIONS[SERVICE].get("TOKEN", ""))}


def _text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # Some editors send their meeting point ids as numbers.
        return str(value)
    raise answer_shape_error(SERVICE, f"{what} is not a string")


def _appointment(raw: Any) -> RegisteredAppointment:
    if not isinstance(raw, dict):
        raise answer_shape_error(SERVICE, "appointment is not an object")
    return RegisteredAppointment(
        meeting_point=_text(raw.get("meeting_point"), "meeting_point"),
        meeting_point_id=_text(raw.get("meeting_point_id", ""), "meeting_point_id"),
        appointment_date=_text(raw.get("appointment_date"), "appointment_date"),
        management_url=_text(raw.get("management_url", ""), "management_url"),
    )


def _state(application_id: str, raw: Any) -> ApplicationState:
    if not isinstance(raw, dict):
        raise answer_shape_error(SERVICE, "status entry is not an object")
    try:
        status = ApplicationStatus(str(raw.get("status")))
    except ValueError as error:
        raise answer_shape_error(SERVICE, "unknown status") from error
    appointments = raw.get("appointments", [])
    if not isinstance(appointments, list):
        raise answer_shape_error(SERVICE, "appointments is not a list")
    return ApplicationState(
        application_id=application_id,
        status=status,
        appointments=tuple(_appointment(item) for item in appointments),
    )


def status(application_ids: list[str]) -> dict[str, ApplicationState]:
    """Where each number stands (``/status``); the numbers must be normalized and valid.

    Raises ``IntegrationError`` subclasses: ``ServiceUnavailable`` (down, slow, 5xx, 429),
    ``CircuitOpen``, ``BadAnswer`` (not the documented shape, or a number missing).
    """
    params = [("application_ids", application_id) for application_id in application_ids]
    payload = _client().get("status", params=params, headers=_headers())
    if not isinstance(payload, dict):
        raise answer_shape_error(SERVICE, "status answer is not an object")
    states = {}
    for application_id in application_ids:
        if application_id not in payload:
            raise answer_shape_error(SERVICE, "an application id is missing from the status answer")
        states[application_id] = _state(application_id, payload[application_id])
    return states


def status_of(application_id: str) -> ApplicationState:
    return status([application_id])[application_id]


def _appointment_params(
    *, application_id: str, meeting_point_id: str, meeting_point: str, starts_at: dt.datetime, tz: dt.tzinfo | None
) -> dict[str, str]:
    return {
        "application_id": application_id,
        "meeting_point_id": meeting_point_id,
        "meeting_point": meeting_point,
        "appointment_date": format_date(starts_at, tz),
    }


def register(
    *,
    application_id: str,
    meeting_point_id: str,
    meeting_point: str,
    starts_at: dt.datetime,
    management_url: str,
    tz: dt.tzinfo | None = None,
) -> None:
    """Tell ANTS this number has an appointment here (``POST /appointments`` → ``{"success": true}``).

    Not retried by the client (a POST); the caller's task retries it, which is safe since
    (application id, management URL) is unique at ANTS.
    """
    params = {
        **_appointment_params(
            application_id=application_id,
            meeting_point_id=meeting_point_id,
            meeting_point=meeting_point,
            starts_at=starts_at,
            tz=tz,
        ),
        "management_url": management_url,
    }
    payload = _client().post("appointments", params=params, headers=_headers())
    if not isinstance(payload, dict) or payload.get("success") is not True:
        raise answer_shape_error(SERVICE, "appointment creation did not answer success: true")


def unregister(
    *,
    application_id: str,
    meeting_point_id: str,
    meeting_point: str,
    starts_at: dt.datetime,
    tz: dt.tzinfo | None = None,
) -> int:
    """Withdraw the appointment from ANTS (``DELETE /appointments`` → ``{"rowcount": n}``); returns n.

    0 means ANTS had nothing to delete (already deleted): fine for a retried cancellation.
    """
    params = _appointment_params(
        application_id=application_id,
        meeting_point_id=meeting_point_id,
        meeting_point=meeting_point,
        starts_at=starts_at,
        tz=tz,
    )
    payload = _client().delete("appointments", params=params, headers=_headers())
    rowcount = payload.get("rowcount") if isinstance(payload, dict) else None
    if not isinstance(rowcount, int) or isinstance(rowcount, bool) or rowcount < 0:
        raise answer_shape_error(SERVICE, "appointment deletion did not answer a rowcount")
    return rowcount
