"""The address JSON API (mounted at ``/api/v1/address/``): the BAN geocoder, whichever backend, and
the official commune list (``/communes``, searched in memory: civiquest/integrations/address/communes.py).

Public: the Base Adresse Nationale is open data (Etalab 2.0) and the address autocomplete
must work before anyone signs in. A per-IP limit counted in the cache keeps one client from
spending the national service's quota (50 requests/s per IP) for everyone. Bad parameters
are a 400 with a French message; a geocoder that is down is a 503 with the translated
message of the integration error (the form then falls back to free entry).
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from civiquest.core import ratelimit
from civiquest.core.client_ip import client_ip
from civiquest.core.http import IntegrationError, RequestRejected
from civiquest.integrations.address import selectors
from civiquest.integrations.address.communes import commune_search

router = Router(tags=["address"])

QUERY_MIN_LENGTH = 3
QUERY_MAX_LENGTH = 200
LIMIT_MAX = 20
TYPES = ("housenumber", "street", "locality", "municipality")
_POSTCODE = re.compile(r"^\d{5}$")
_CITYCODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


class InvalidParameter(ValueError):
    """A parameter the geocoder would refuse; the message is French, for the caller."""


class ErrorOut(Schema):
    detail: str


class SearchIn(Schema):
    # Text, parsed by hand: the caller gets one clear French message, not a pydantic error list.
    # The examples are also the fuzzer's first cases (tests/core/test_api_fuzz.py).
    q: str = Field(
        default="",
        description="Free text, 3 to 200 characters (e.g. « 8 bd du Port Amiens »).",
        examples=["12 rue de Sébastopol Nouméa"],
    )
    limit: str = Field(default="5", description="Number of results, 1 to 20 (default 5).", examples=["5"])
    type: str = Field(default="", description="Filter: housenumber, street, locality or municipality.")
    postcode: str = Field(default="", description="Filter: postal code (5 digits).", examples=["98800"])
    citycode: str = Field(default="", description="Filter: INSEE code of the commune (5 characters).")
    lat: str = Field(
        default="", description="Latitude of a point to favour (with lon), −90 to 90.", examples=["-22.27"]
    )
    lon: str = Field(
        default="", description="Longitude of a point to favour (with lat), −180 to 180.", examples=["166.44"]
    )
    autocomplete: str = Field(default="1", description="1 (default) when q is being typed, 0 for a whole address.")


class ReverseIn(Schema):
    lat: str = Field(default="", description="Latitude, −90 to 90.", examples=["-22.27"])
    lon: str = Field(default="", description="Longitude, −180 to 180.", examples=["166.44"])
    limit: str = Field(default="1", description="Number of results, 1 to 20 (default 1).")
    type: str = Field(default="", description="Filter: housenumber, street, locality or municipality.")


def _limit(value: str) -> int:
    try:
        limit = int(value.strip() or "0")
    except ValueError:
        limit = 0
    if not 1 <= limit <= LIMIT_MAX:
        raise InvalidParameter(
            _("Le nombre de résultats (limit) doit être un entier entre 1 et %(max)d.") % {"max": LIMIT_MAX}
        )
    return limit


def _coordinate(value: str, *, name: str, bound: int) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        if name == "lat":
            raise InvalidParameter(_("La latitude (lat) doit être un nombre entre -90 et 90."))
        raise InvalidParameter(_("La longitude (lon) doit être un nombre entre -180 et 180."))
    return number


def _type(value: str) -> str | None:
    value = value.strip()
    if value and value not in TYPES:
        raise InvalidParameter(_("Le type doit être l’un de : %(types)s.") % {"types": ", ".join(TYPES)})
    return value or None


def _search_options(params: SearchIn) -> dict[str, Any]:
    q = " ".join(params.q.split())
    if len(q) < QUERY_MIN_LENGTH:
        raise InvalidParameter(
            _("Saisissez au moins %(min)d caractères pour chercher une adresse.") % {"min": QUERY_MIN_LENGTH}
        )
    if len(q) > QUERY_MAX_LENGTH:
        raise InvalidParameter(
            _("La recherche est trop longue : %(max)d caractères au plus.") % {"max": QUERY_MAX_LENGTH}
        )
    postcode = params.postcode.strip()
    if postcode and not _POSTCODE.match(postcode):
        raise InvalidParameter(_("Le code postal (postcode) doit compter 5 chiffres."))
    citycode = params.citycode.strip().upper()
    if citycode and not _CITYCODE.match(citycode):
        raise InvalidParameter(_("Le code INSEE de la commune (citycode) doit compter 5 caractères."))
    lat = lon = None
    if params.lat.strip() or params.lon.strip():
        if not (params.lat.strip() and params.lon.strip()):
            raise InvalidParameter(_("Donnez la latitude (lat) et la longitude (lon) ensemble."))
        lat = _coordinate(params.lat, name="lat", bound=90)
        lon = _coordinate(params.lon, name="lon", bound=180)
    autocomplete = params.autocomplete.strip()
    if autocomplete not in ("", "0", "1"):
        raise InvalidParameter(_("Le paramètre autocomplete vaut 0 ou 1."))
    return {
        "q": q,
        "limit": _limit(params.limit),
        "type": _type(params.type),
        "postcode": postcode or None,
        "citycode": citycode or None,
        "lat": lat,
        "lon": lon,
        "autocomplete": autocomplete != "0",
    }


def _answer(request: HttpRequest, response: HttpResponse, lookup: Any) -> Status[Any]:
    # Each request counts for the client's IP; over the limit, a 429 with Retry-After (api_errors).
    ratelimit.check(
        f"address:api:{client_ip(request)}",
        limit=settings.ADDRESS_API_RATE_LIMIT,
        window=settings.ADDRESS_API_RATE_LIMIT_WINDOW_SECONDS,
        message=gettext_lazy("Trop de recherches d’adresse en peu de temps : réessayez dans une minute."),
    )
    try:
        return Status(200, lookup())
    except InvalidParameter as error:
        return Status(400, {"detail": str(error)})
    except RequestRejected as error:
        return Status(400, {"detail": error.user_message})
    except IntegrationError as error:
        response["Retry-After"] = "30"
        return Status(503, {"detail": error.user_message})


@router.get(
    "/search",
    response={200: dict[str, Any], 400: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="Search addresses (BAN geocoder, GeoCodeJSON)",
)
def search(request: HttpRequest, response: HttpResponse, params: Query[SearchIn]) -> Status[Any]:
    """The geocoder's GeoCodeJSON ``FeatureCollection`` for a free-text address, best first."""
    return _answer(request, response, lambda: selectors.address_search_collection(**_search_options(params)))


@router.get(
    "/reverse",
    response={200: dict[str, Any], 400: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="Addresses nearest to a point (BAN geocoder, GeoCodeJSON)",
)
def reverse(request: HttpRequest, response: HttpResponse, params: Query[ReverseIn]) -> Status[Any]:
    """The geocoder's GeoCodeJSON ``FeatureCollection`` of the addresses nearest to ``lat``/``lon``."""

    def lookup() -> dict[str, Any]:
        if not (params.lat.strip() and params.lon.strip()):
            raise InvalidParameter(_("Donnez la latitude (lat) et la longitude (lon) du point."))
        lat = _coordinate(params.lat, name="lat", bound=90)
        lon = _coordinate(params.lon, name="lon", bound=180)
        return selectors.address_reverse(lat, lon, limit=_limit(params.limit), type=_type(params.type))

    return _answer(request, response, lookup)


COMMUNE_QUERY_MIN_LENGTH = 2
COMMUNE_QUERY_MAX_LENGTH = 100


class CommunesIn(Schema):
    q: str = Field(
        default="",
        description="A commune's name (or its beginning), postcode or INSEE code, 2 to 100 characters.",
        examples=["st etienne"],
    )
    limit: str = Field(default="10", description="Number of results, 1 to 20 (default 10).", examples=["10"])


@router.get(
    "/communes",
    response={200: dict[str, Any], 400: ErrorOut, 429: ErrorOut},
    summary="Search the official commune list (COG)",
)
def communes(request: HttpRequest, response: HttpResponse, params: Query[CommunesIn]) -> Status[Any]:
    """Communes and arrondissements municipaux matching a name, a postcode or a code, best first.

    Names are compared without case, accents or hyphens ("st" reads "saint"); a misspelt name
    finds close ones. Data: the Code officiel géographique (INSEE), Licence Ouverte / Etalab 2.0.
    """

    def lookup() -> dict[str, Any]:
        q = " ".join(params.q.split())
        if len(q) < COMMUNE_QUERY_MIN_LENGTH:
            raise InvalidParameter(
                _("Saisissez au moins %(min)d caractères pour chercher une commune.")
                % {"min": COMMUNE_QUERY_MIN_LENGTH}
            )
        if len(q) > COMMUNE_QUERY_MAX_LENGTH:
            raise InvalidParameter(
                _("La recherche est trop longue : %(max)d caractères au plus.") % {"max": COMMUNE_QUERY_MAX_LENGTH}
            )
        found = commune_search(q, limit=_limit(params.limit))
        return {
            "query": q,
            "communes": [
                {
                    "code": commune.code,
                    "name": commune.name,
                    "label": commune.label,
                    "departement": commune.departement,
                    "departement_name": commune.departement_name,
                    "postcodes": list(commune.postcodes),
                    "population": commune.population,
                    "type": commune.kind,
                }
                for commune in found
            ],
        }

    return _answer(request, response, lookup)
