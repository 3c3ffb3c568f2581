"""The production client of the BAN geocoder, over HTTP.

One protocol, three possible servers behind ``settings.INTEGRATIONS["ban"]["BASE_URL"]``:
the national Géoplateforme service (``https://data.geopf.fr/geocodage``), a self-hosted
addok (``http://addok:7878``) or the project's sandbox. All answer ``GET /search`` and
``GET /reverse`` with a GeoCodeJSON ``FeatureCollection``. The shared ``ServiceClient`` gives
timeouts, retries (GETs are idempotent) and the circuit breaker; this module checks the
answer's shape (else ``BadAnswer``) and caches good answers briefly, keyed by the
normalized parameters, so an autocomplete retyping the same prefix costs one call.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache

from civiquest.core.http import ServiceClient, answer_shape_error

SERVICE = "ban"
CACHE_KEY = "address:ban:{operation}:{digest}"
# Properties the client relies on, and the JSON types each may have (null is tolerated
# where real BAN data has it: street records without postcode, communes without citycode…).
_TEXT_PROPERTIES = ("id", "name", "postcode", "citycode", "city", "context", "street", "housenumber")


def _cache_seconds() -> int:
    return int(getattr(settings, "ADDRESS_CACHE_SECONDS", 300))


def normalize_query(q: str) -> str:
    """Whitespace collapsed: "8  bd du  Port " and "8 bd du Port" are the same question."""
    return " ".join(q.split())


def search_params(
    q: str,
    *,
    limit: int = 5,
    type: str | None = None,  # noqa: A002 - the protocol's parameter name
    postcode: str | None = None,
    citycode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    autocomplete: bool = True,
) -> dict[str, str]:
    """The query string of ``/search``, normalized (also the cache key)."""
    params = {"q": normalize_query(q), "limit": str(int(limit)), "autocomplete": "1" if autocomplete else "0"}
    optional = {"type": type, "postcode": postcode, "citycode": citycode}
    params.update({name: value.strip() for name, value in optional.items() if value and value.strip()})
    if lat is not None and lon is not None:
        # A bias, not a filter: ~10 m of rounding changes nothing and shares the cache.
        params["lat"] = f"{float(lat):.4f}"
        params["lon"] = f"{float(lon):.4f}"
    return params


def reverse_params(lat: float, lon: float, *, limit: int = 1, type: str | None = None) -> dict[str, str]:  # noqa: A002
    params = {"lat": f"{float(lat):.6f}", "lon": f"{float(lon):.6f}", "limit": str(int(limit))}
    if type and type.strip():
        params["type"] = type.strip()
    return params


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _feature_problem(feature: Any) -> str | None:
    """Why this feature is not a GeoCodeJSON address feature, or None."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        return "a feature is not a GeoJSON Feature"
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping) or geometry.get("type") != "Point":
        return "a feature has no Point geometry"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2 or not all(map(_is_number, coordinates[:2])):
        return "a feature has no [lon, lat] coordinates"
    lon, lat = coordinates[:2]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return "a feature's coordinates are out of range"
    properties = feature.get("properties")
    if not isinstance(properties, Mapping):
        return "a feature has no properties"
    if not isinstance(properties.get("label"), str) or not properties["label"].strip():
        return "a feature has no label"
    if not isinstance(properties.get("type"), str):
        return "a feature has no type"
    if "score" in properties and not _is_number(properties["score"]):
        return "a feature's score is not a number"
    for name in _TEXT_PROPERTIES:
        value = properties.get(name)
        if value is not None and not isinstance(value, str | int):
            return f"a feature's {name} is not text"
    return None


def answer_problem(answer: Any) -> str | None:
    """Why this answer is not a GeoCodeJSON FeatureCollection of addresses, or None."""
    if not isinstance(answer, Mapping) or answer.get("type") != "FeatureCollection":
        return "not a FeatureCollection"
    features = answer.get("features")
    if not isinstance(features, list):
        return "no features list"
    for feature in features:
        problem = _feature_problem(feature)
        if problem:
            return problem
    return None


class BanGeocoderClient:
    """``/search`` and ``/reverse`` of the Géoplateforme geocoder protocol (also addok's)."""

    def __init__(self, http: ServiceClient | None = None) -> None:
        # Settings are read at each call unless a client is given (tests point them at a live server).
        self._http = http

    @property
    def http(self) -> ServiceClient:
        return self._http or ServiceClient.for_service(SERVICE)

    def search(self, q: str, **options: Any) -> dict[str, Any]:
        """GeoCodeJSON for a free-text query; options as ``search_params``."""
        return self._get("search", search_params(q, **options))

    def reverse(self, lat: float, lon: float, *, limit: int = 1, type: str | None = None) -> dict[str, Any]:  # noqa: A002
        """GeoCodeJSON of the addresses nearest to a point."""
        return self._get("reverse", reverse_params(lat, lon, limit=limit, type=type))

    def _get(self, operation: str, params: dict[str, str]) -> dict[str, Any]:
        http = self.http
        seconds = _cache_seconds()
        raw = json.dumps([http.config.base_url, operation, sorted(params.items())])
        key = CACHE_KEY.format(operation=operation, digest=hashlib.sha256(raw.encode()).hexdigest())
        if seconds:
            cached = cache.get(key)
            if cached is not None:
                return cached
        # The ServiceClient does not cache: only an answer that passed the shape check is kept.
        answer = http.get(operation, params=params)
        problem = answer_problem(answer)
        if problem:
            raise answer_shape_error(SERVICE, problem)
        if seconds:
            cache.set(key, answer, seconds)
        return dict(answer)
