"""Address look-ups for the rest of the project, whichever geocoder is configured.

``settings.ADDRESS_BACKEND``: ``"http"`` (default) asks ``BanGeocoderClient`` over HTTP —
the national Géoplateforme service, a self-hosted addok or the project's sandbox, as
``settings.INTEGRATIONS["ban"]`` says; ``"local"`` asks the embedded engine
(``civiquest.integrations.address.local``, the BAN file imported by ``address_import``)
in-process. Both give the same GeoCodeJSON. A backend that fails raises an
``IntegrationError`` subclass whose ``user_message`` can be shown to the citizen.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from civiquest.core.http import ServiceUnavailable
from civiquest.integrations.address import local as engine
from civiquest.integrations.address.client import BanGeocoderClient

logger = logging.getLogger(__name__)

BACKENDS = ("http", "local")


def backend() -> str:
    name = getattr(settings, "ADDRESS_BACKEND", "http")
    if name not in BACKENDS:
        raise ValueError(f"ADDRESS_BACKEND must be one of {BACKENDS}, not {name!r}")
    return name


def _local_call(operation: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return dict(getattr(engine, operation)(*args, **kwargs))
    except DatabaseError as error:
        logger.exception("local geocoder failed")
        raise ServiceUnavailable("ban", f"local geocoder: {type(error).__name__}") from error


def address_search_collection(
    q: str,
    *,
    limit: int = 5,
    type: str | None = None,  # noqa: A002 - the protocol's parameter name
    postcode: str | None = None,
    citycode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    autocomplete: bool = True,
) -> dict[str, Any]:
    """The whole GeoCodeJSON FeatureCollection for a free-text query (what the API returns)."""
    options: dict[str, Any] = {
        "limit": limit,
        "type": type or None,
        "postcode": postcode or None,
        "citycode": citycode or None,
        "lat": lat,
        "lon": lon,
        "autocomplete": autocomplete,
    }
    if backend() == "local":
        return _local_call("search", q, **options)
    return BanGeocoderClient().search(q, **options)


def address_search(
    q: str,
    *,
    limit: int = 5,
    type: str | None = None,  # noqa: A002
    postcode: str | None = None,
    citycode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    autocomplete: bool = True,
) -> list[dict[str, Any]]:
    """The features (best first) for a free-text query."""
    collection = address_search_collection(
        q,
        limit=limit,
        type=type,
        postcode=postcode,
        citycode=citycode,
        lat=lat,
        lon=lon,
        autocomplete=autocomplete,
    )
    return list(collection.get("features", []))


def address_reverse(lat: float, lon: float, *, limit: int = 1, type: str | None = None) -> dict[str, Any]:  # noqa: A002
    """GeoCodeJSON FeatureCollection of the addresses nearest to a point."""
    if backend() == "local":
        return _local_call("reverse", lat, lon, limit=limit, type=type or None)
    return BanGeocoderClient().reverse(lat, lon, limit=limit, type=type or None)
