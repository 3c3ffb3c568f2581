"""The address a form stores, built from one GeoCodeJSON feature of the BAN geocoder.

The geocoder (Géoplateforme, a self-hosted addok or the embedded local engine) answers a
``FeatureCollection`` whose features carry ``properties`` (label, id, citycode, postcode,
city…) and a ``Point`` geometry in ``[lon, lat]`` order. A form keeps only what it needs
to find the address again and to route a procedure: ``NormalizedAddress``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

_TEXT_FIELDS = ("label", "ban_id", "citycode", "postcode", "city")


def _text(value: Any) -> str:
    """A property as text: real BAN data has ``null`` postcodes and list-valued city fields."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if value is None:
        return ""
    return str(value).strip()


def _coordinate(value: Any, *, name: str, bound: float) -> float | None:
    if value is None:
        return None
    # bool is an int: refuse it explicitly, a stored "true" is not a latitude.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number or null, not {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise ValueError(f"{name} must be between -{bound:g} and {bound:g}")
    return number


@dataclass(frozen=True)
class NormalizedAddress:
    """What a form stores: label, BAN id, citycode, postcode, city and coordinates (WGS84)."""

    label: str
    # The BAN interoperability key (``id``, e.g. ``75111_9907_00016``), stable across exports.
    ban_id: str
    citycode: str
    postcode: str
    city: str
    lat: float | None
    lon: float | None

    @classmethod
    def from_feature(cls, feature: Mapping[str, Any]) -> NormalizedAddress:
        """Build from one GeoCodeJSON feature; raises ``ValueError`` if it has no label."""
        if not isinstance(feature, Mapping):
            raise ValueError("a feature must be an object")
        properties = feature.get("properties")
        if not isinstance(properties, Mapping):
            raise ValueError("a feature must have properties")
        label = _text(properties.get("label"))
        if not label:
            raise ValueError("a feature must have a label")
        lat = lon = None
        geometry = feature.get("geometry")
        if isinstance(geometry, Mapping):
            coordinates = geometry.get("coordinates")
            if isinstance(coordinates, list | tuple) and len(coordinates) >= 2:
                lon = _coordinate(coordinates[0], name="lon", bound=180)
                lat = _coordinate(coordinates[1], name="lat", bound=90)
        return cls(
            label=label,
            ban_id=_text(properties.get("id")),
            citycode=_text(properties.get("citycode")),
            postcode=_text(properties.get("postcode")),
            city=_text(properties.get("city")),
            lat=lat,
            lon=lon,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (what a quest answer stores)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NormalizedAddress:
        """Read back what ``as_dict`` wrote (or a client posted); raises ``ValueError`` on bad types."""
        if not isinstance(data, Mapping):
            raise ValueError("an address must be an object")
        values: dict[str, Any] = {}
        for name in _TEXT_FIELDS:
            value = data.get(name, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ValueError(f"{name} must be text, not {type(value).__name__}")
            values[name] = value.strip()
        if not values["label"]:
            raise ValueError("label must not be empty")
        values["lat"] = _coordinate(data.get("lat"), name="lat", bound=90)
        values["lon"] = _coordinate(data.get("lon"), name="lon", bound=180)
        if (values["lat"] is None) != (values["lon"] is None):
            raise ValueError("lat and lon go together")
        return cls(**values)
