"""A sandbox of the ANTS coordination API, under ``/sandbox/ants/api/`` (never in production).

Same protocol as api-coordination.rendezvouspasseport.ants.gouv.fr: the
``x-rdv-opt-auth-token`` header (401 without the configured token), arguments in the
query string, ``GET /status``, ``POST /appointments`` and ``DELETE /appointments``, and
FastAPI-style 422 answers for a missing argument.

What a pre-application number is depends on its first two characters, so demos and tests
can pick any case (everything else is ``validated``):

=========  ==========================================================================
prefix     status
=========  ==========================================================================
``CO``     ``consumed`` (already used for a processed file)
``DE``     ``declared`` (typed in, not officially recognised)
``EX``     ``expired``
``UN``     ``unknown``
``DU``     ``validated``, with an appointment already booked at another town hall
=========  ==========================================================================

Appointments registered through ``POST`` are kept per number in the cache (shared with a
live server's thread or another process) and listed by ``/status`` until deleted.
``civiquest.sandbox.http_faults`` makes any call slow, 429, 500 or malformed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from civiquest.accounts.access import public
from civiquest.integrations.passport.coordination import AUTH_HEADER, DATE_FORMAT, SERVICE, is_application_id
from civiquest.sandbox.http_faults import faulty

PREFIX_STATUSES = {"CO": "consumed", "DE": "declared", "EX": "expired", "UN": "unknown", "DU": "validated"}
KEY = "sandbox:ants:appointments:{application_id}"
LIFETIME_SECONDS = 30 * 24 * 3600
# The appointment a "DU…" number already has elsewhere.
ELSEWHERE = {
    "meeting_point": "Mairie de Lyon 3e arrondissement",
    "meeting_point_id": "lyon-3",
    "management_url": "https://rdv.mairie-lyon.example/rendez-vous/gestion/123456",
}


def status_of(application_id: str) -> str:
    return PREFIX_STATUSES.get(application_id[:2], "validated")


def appointments_of(application_id: str) -> list[dict[str, str]]:
    stored = list(cache.get(KEY.format(application_id=application_id), []))
    if application_id.startswith("DU"):
        # A fixed appointment in a fortnight at 9:30, as another editor registered it.
        day = timezone.localdate() + dt.timedelta(days=14)
        stored.insert(0, {**ELSEWHERE, "appointment_date": f"{day.isoformat()} 09:30:00"})
    return stored


def _save(application_id: str, appointments: list[dict[str, str]]) -> None:
    key = KEY.format(application_id=application_id)
    if appointments:
        cache.set(key, appointments, LIFETIME_SECONDS)
    else:
        cache.delete(key)


def reset() -> None:
    """Forget every registered appointment (tests clear the whole cache instead)."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern(KEY.format(application_id="*"))


def _unauthorized(request: HttpRequest) -> JsonResponse | None:
    expected = str(settings.INTEGRATIONS[SERVICE].get("TOKEN", ""))
    if not expected or request.headers.get(AUTH_HEADER, "") != expected:
        return JsonResponse({"detail": "X-RDV-OPT-AUTH-TOKEN header invalid"}, status=401)
    return None


def _missing(names: list[str]) -> JsonResponse:
    return JsonResponse(
        {
            "detail": [
                {"type": "missing", "loc": ["query", name], "msg": "Field required", "input": None} for name in names
            ]
        },
        status=422,
    )


def _params(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str] | JsonResponse:
    values = {name: request.GET.get(name, "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        return _missing(missing)
    return values


def _bad_date(value: str) -> bool:
    try:
        dt.datetime.strptime(value, DATE_FORMAT)  # noqa: DTZ007 (only the format is checked)
    except ValueError:
        return True
    return False


def _unprocessable(name: str, message: str, value: Any) -> JsonResponse:
    return JsonResponse(
        {"detail": [{"type": "value_error", "loc": ["query", name], "msg": message, "input": value}]}, status=422
    )


@public
@csrf_exempt
@require_GET
@faulty(SERVICE)
def status(request: HttpRequest) -> JsonResponse:
    refused = _unauthorized(request)
    if refused is not None:
        return refused
    ids = [value.strip().upper() for value in request.GET.getlist("application_ids") if value.strip()]
    if not ids:
        return _missing(["application_ids"])
    answer: dict[str, Any] = {}
    for application_id in ids:
        known = is_application_id(application_id)
        answer[application_id] = {
            "status": status_of(application_id) if known else "unknown",
            "appointments": appointments_of(application_id) if known else [],
        }
    return JsonResponse(answer)


@public
@csrf_exempt
@require_http_methods(["POST", "DELETE"])
@faulty(SERVICE)
def appointments(request: HttpRequest) -> JsonResponse:
    refused = _unauthorized(request)
    if refused is not None:
        return refused
    names: tuple[str, ...] = ("application_id", "meeting_point", "appointment_date")
    if request.method == "POST":
        names += ("management_url",)
    values = _params(request, names)
    if isinstance(values, JsonResponse):
        return values
    application_id = values["application_id"].upper()
    if _bad_date(values["appointment_date"]):
        return _unprocessable("appointment_date", "Expected YYYY-MM-DD HH:MM:SS", values["appointment_date"])
    meeting_point_id = request.GET.get("meeting_point_id", "").strip()
    stored = list(cache.get(KEY.format(application_id=application_id), []))
    if request.method == "POST":
        if not is_application_id(application_id) or status_of(application_id) != "validated":
            return JsonResponse({"detail": "Application id cannot be booked"}, status=400)
        # (application id, management URL) is unique: the same registration again replaces it.
        kept = [item for item in stored if item["management_url"] != values["management_url"]]
        kept.append(
            {
                "meeting_point": values["meeting_point"],
                "meeting_point_id": meeting_point_id,
                "appointment_date": values["appointment_date"],
                "management_url": values["management_url"],
            }
        )
        _save(application_id, kept)
        return JsonResponse({"success": True})
    kept = [
        item
        for item in stored
        if not (
            item["appointment_date"] == values["appointment_date"]
            and item["meeting_point"] == values["meeting_point"]
            and (not meeting_point_id or item["meeting_point_id"] == meeting_point_id)
        )
    ]
    _save(application_id, kept)
    return JsonResponse({"rowcount": len(stored) - len(kept)})
