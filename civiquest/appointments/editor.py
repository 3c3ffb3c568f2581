"""The three editor endpoints ANTS (rendezvouspasseport.ants.gouv.fr) calls, all GET and JSON.

- ``getManagedMeetingPoints`` → ``[{id, name, longitude, latitude, public_entry_address, zip_code, city_name}]``
- ``availableTimeSlots?meeting_point_ids=1&meeting_point_ids=2&start_date&end_date&documents_number&reason``
  → ``{"<id>": [{"datetime": "2022-11-01T09:00Z", "callback_url": "…"}]}``
- ``searchApplicationIds?application_ids=A&application_ids=B``
  → ``{"A": [{"meeting_point", "datetime", "management_url", "cancel_url"}], "B": []}``

ANTS authenticates with the ``X-HUB-RDV-AUTH-TOKEN`` header (compared in constant time with
``settings.ANTS_EDITOR_TOKEN``). Lists are sent as repeated parameters without brackets; the
bracketed form is accepted too. Errors are ``{"error": {"code": 400, "message": "…"}}``; the
messages are English protocol text for ANTS, not UI (not translated). Each endpoint runs a
fixed number of queries whatever the number of points, slots or numbers (ANTS times out at 15 s).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civiquest.accounts.access import public
from civiquest.appointments import selectors
from civiquest.appointments.models import Appointment, AppointmentReason

TOKEN_HEADER = "X-HUB-RDV-AUTH-TOKEN"  # noqa: S105 - a header name, not a secret
DATETIME_FORMAT = "%Y-%m-%dT%H:%MZ"
# Guards against requests that would take longer than ANTS waits.
MAX_IDS = 500
MAX_RANGE_DAYS = 366
MAX_DOCUMENTS = 20
APPLICATION_ID = re.compile(r"^[A-Z0-9]{10}$")

Handler = Callable[[HttpRequest], JsonResponse]


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": status, "message": message}}, status=status)


class BadParam(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ants_endpoint(view: Handler) -> Handler:
    """GET only, token checked first, never cached, bad parameters answered as 400."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> JsonResponse:
        expected = settings.ANTS_EDITOR_TOKEN
        if not expected:
            # No token configured: the endpoints are off rather than open.
            return error(503, "ANTS editor endpoints are not configured")
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return error(401, f"{TOKEN_HEADER} header is missing or invalid")
        try:
            return view(request)
        except BadParam as bad:
            return error(400, bad.message)

    # Server to server: the token above is the access check, not a session.
    return public(never_cache(require_GET(wrapped)))


def _list_param(request: HttpRequest, name: str) -> list[str]:
    # ANTS repeats the name without brackets (a=1&a=2); accept a[]=1 and "1,2" too.
    values = request.GET.getlist(name) + request.GET.getlist(f"{name}[]")
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _date_param(request: HttpRequest, name: str) -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        raise BadParam(f"Missing {name} param")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError as bad:
        raise BadParam(f"Invalid {name} param") from bad


def _absolute(path: str) -> str:
    return f"{settings.CIVIQUEST_PUBLIC_URL}{path}"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(DATETIME_FORMAT)


def callback_urls(*, reason: str, documents_number: int) -> Callable[[int], str]:
    """Where ANTS sends the citizen who picked a slot: our booking page for it.

    Reversed once per answer (an answer may hold thousands of slots), then filled per slot.
    """
    marker = 987654321
    path = reverse("citizen:appointment-book", kwargs={"slot_id": marker})
    before, after = path.split(str(marker), 1)
    query = urlencode({"reason": reason, "documents_number": documents_number})
    prefix = _absolute(before)
    return lambda slot_id: f"{prefix}{slot_id}{after}?{query}"


def management_url(appointment: Appointment) -> str:
    """Where the citizen changes or cancels the appointment (also sent to the coordination API)."""
    return _absolute(reverse("citizen:appointment-manage", kwargs={"token": appointment.management_token}))


@ants_endpoint
def get_managed_meeting_points(request: HttpRequest) -> JsonResponse:
    points = selectors.managed_meeting_points().only(
        "pk", "name", "longitude", "latitude", "public_entry_address", "zip_code", "city_name"
    )
    answer = [
        {
            "id": str(point.pk),
            "name": point.name,
            "longitude": point.longitude,
            "latitude": point.latitude,
            "public_entry_address": point.public_entry_address,
            "zip_code": point.zip_code,
            "city_name": point.city_name,
        }
        for point in points
    ]
    return JsonResponse(answer, safe=False)


@ants_endpoint
def available_time_slots(request: HttpRequest) -> JsonResponse:
    raw_ids = _list_param(request, "meeting_point_ids")
    if not raw_ids:
        raise BadParam("Missing meeting_point_ids param")
    if len(raw_ids) > MAX_IDS or not all(raw.isdigit() and len(raw) <= 18 for raw in raw_ids):
        raise BadParam("Invalid meeting_point_ids param")
    start = _date_param(request, "start_date")
    end = _date_param(request, "end_date")
    if start > end:
        raise BadParam("start_date is after end_date")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise BadParam("Date range is too long")
    reason = request.GET.get("reason", "").strip()
    if not reason:
        raise BadParam("Missing reason param")
    if reason not in AppointmentReason.values:
        raise BadParam("Invalid reason param")
    # documents_number is optional (one document by default), as ANTS's own editors treat it.
    raw_documents = request.GET.get("documents_number", "1").strip() or "1"
    if not raw_documents.isdigit() or not 1 <= int(raw_documents) <= MAX_DOCUMENTS:
        raise BadParam("Invalid documents_number param")
    documents_number = int(raw_documents)

    # Ids ANTS sends but we no longer manage (a point just deactivated) are left out, not an error.
    points, slots = selectors.free_slots(
        {int(raw) for raw in raw_ids}, start=start, end=end, documents_number=documents_number
    )
    url_of = callback_urls(reason=reason, documents_number=documents_number)
    answer = {
        str(point.pk): [
            {"datetime": slot.starts_at.astimezone(dt.UTC).strftime(DATETIME_FORMAT), "callback_url": url_of(slot.pk)}
            for slot in slots[point.pk]
        ]
        for point in points
    }
    return JsonResponse(answer)


@ants_endpoint
def search_application_ids(request: HttpRequest) -> JsonResponse:
    raw_ids = _list_param(request, "application_ids")
    if not raw_ids:
        raise BadParam("Missing application_ids param")
    if len(raw_ids) > MAX_IDS:
        raise BadParam("Invalid application_ids param")
    # Numbers are stored upper case; answer under the key ANTS sent. A malformed number has no appointment.
    wanted = {raw: raw.upper() for raw in raw_ids}
    found = selectors.booked_by_application({number for number in wanted.values() if APPLICATION_ID.match(number)})
    answer: dict[str, list[dict[str, Any]]] = {}
    for raw, number in wanted.items():
        answer[raw] = []
        for appointment in found.get(number, []):
            url = management_url(appointment)
            answer[raw].append(
                {
                    "meeting_point": appointment.slot.meeting_point.name,
                    "datetime": _utc(appointment.slot.starts_at),
                    "management_url": url,
                    # The management page is where the citizen cancels too.
                    "cancel_url": url,
                }
            )
    return JsonResponse(answer)
