"""The BAN geocoder sandbox: the Géoplateforme's ``/geocodage/search`` and ``/reverse``, answered by the local engine.

Same parameters, same GeoCodeJSON and the same 400 errors as the real service, so the
production HTTP client (and a self-hosted addok client) can be pointed at it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from civiquest.accounts.access import public
from civiquest.integrations.address import local
from civiquest.sandbox.http_faults import faulty


class BadParameter(ValueError):
    pass


def _error(detail: list[str]) -> JsonResponse:
    return JsonResponse({"code": 400, "message": "Failed parsing query", "detail": detail}, status=400)


def _limit(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("limit", "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter("limit: must be an integer") from None
    if not 1 <= value <= local.MAX_LIMIT:
        raise BadParameter(f"limit: must be between 1 and {local.MAX_LIMIT}")
    return value


def _coordinate(request: HttpRequest, name: str, bound: float, *, required: bool) -> float | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        if required:
            raise BadParameter(f"{name}: required")
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(f"{name}: must be a number") from None
    if not -bound <= value <= bound:
        raise BadParameter(f"{name}: must be between {-bound:g} and {bound:g}")
    return value


def _type(request: HttpRequest) -> str | None:
    value = request.GET.get("type", "").strip() or None
    if value is not None and value not in local.TYPES:
        raise BadParameter(f"type: must be one of {', '.join(local.TYPES)}")
    return value


def _code(request: HttpRequest, name: str) -> str | None:
    value = request.GET.get(name, "").strip() or None
    if value is not None and not (len(value) == 5 and value.isalnum()):
        raise BadParameter(f"{name}: must be 5 characters")
    return value


@public
@require_GET
@faulty("ban")
def search(request: HttpRequest) -> JsonResponse:
    q = " ".join(request.GET.get("q", "").split())
    try:
        if not 3 <= len(q) <= 200 or not q[0].isalnum():
            raise BadParameter("q: must contain between 3 and 200 chars and start with a number or a letter")
        lat = _coordinate(request, "lat", 90, required=False)
        lon = _coordinate(request, "lon", 180, required=False)
        if (lat is None) != (lon is None):
            raise BadParameter("lat and lon: both or neither")
        autocomplete = request.GET.get("autocomplete", "1").strip()
        if autocomplete not in ("0", "1", "true", "false"):
            raise BadParameter("autocomplete: must be 0 or 1")
        options: dict[str, Any] = {
            "limit": _limit(request, 5),
            "type": _type(request),
            "postcode": _code(request, "postcode"),
            "citycode": _code(request, "citycode"),
            "lat": lat,
            "lon": lon,
            "autocomplete": autocomplete in ("1", "true"),
        }
    except BadParameter as error:
        return _error([str(error)])
    return JsonResponse(local.search(q, **options))


@public
@require_GET
@faulty("ban")
def reverse(request: HttpRequest) -> JsonResponse:
    try:
        lat = _coordinate(request, "lat", 90, required=True)
        lon = _coordinate(request, "lon", 180, required=True)
        limit = _limit(request, 1)
        kind = _type(request)
    except BadParameter as error:
        return _error([str(error)])
    assert lat is not None and lon is not None  # noqa: S101 - required above
    return JsonResponse(local.reverse(lat, lon, limit=limit, type=kind))
