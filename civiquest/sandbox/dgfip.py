"""The API Impôt particulier sandbox (FranceConnect-scoped variant), under ``/sandbox/dgfip/``.

Speaks the DGFiP's protocol: ``GET situations/ir/assiettes/annrev/<year>`` with ``Authorization:
Bearer <FranceConnect access token>``; 401 without a usable token, 404 for a year without a
return, otherwise ``rfr``, ``nbPart``, ``aft``, ``aftDetail``, ``sitFam``, ``nbPac``. Like the
DGFiP's own editor sandbox it returns fake households: one of several realistic profiles,
chosen deterministically from the citizen's FranceConnect ``sub``, which the access token names
(checked with the FranceConnect sandbox, which must have granted ``dgfip_rfr``), so a citizen
always gets the same household.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from civiquest.accounts.access import public
from civiquest.sandbox.http_faults import faulty
from civiquest.sandbox.providers import FRANCECONNECT
from civiquest.sandbox.services import TokenError, grant_for_access_token, pairwise_sub

# Contract tests may name a citizen directly: ``sandbox-fc.<FranceConnect sub>``.
SANDBOX_TOKEN_PREFIX = "sandbox-fc."  # noqa: S105 - a prefix, not a secret

SERVICE = "dgfip"
FIRST_YEAR = 2019

# Fake households (figures coherent with the 2024 barème): rfr, parts, situation, dependants, address.
PROFILES: tuple[dict[str, Any], ...] = (
    {
        "rfr": 27000,
        "nbPart": 1.0,
        "sitFam": "C",
        "nbPac": 0,
        "complementAdresse": "APT 12",
        "voie": "8 RUE DES LILAS",
        "codePostal": "69003 LYON",
    },
    {
        "rfr": 65700,
        "nbPart": 3.0,
        "sitFam": "M",
        "nbPac": 2,
        "complementAdresse": None,
        "voie": "24 AVENUE JEAN JAURES",
        "codePostal": "33000 BORDEAUX",
    },
    {
        "rfr": 31500,
        "nbPart": 2.0,
        "sitFam": "D",
        "nbPac": 1,
        "complementAdresse": "BAT B",
        "voie": "3 BOULEVARD DE LA LIBERTE",
        "codePostal": "59000 LILLE",
    },
    {
        "rfr": 41601,
        "nbPart": 2.0,
        "sitFam": "M",
        "nbPac": 0,
        "complementAdresse": None,
        "voie": "15 CHEMIN DU MOULIN",
        "codePostal": "20000 AJACCIO",
    },
    {
        "rfr": 14400,
        "nbPart": 1.0,
        "sitFam": "C",
        "nbPac": 0,
        "complementAdresse": None,
        "voie": "2 RUE VICTOR HUGO",
        "codePostal": "97400 SAINT DENIS",
    },
    {
        "rfr": 99000,
        "nbPart": 4.0,
        "sitFam": "O",
        "nbPac": 3,
        "complementAdresse": None,
        "voie": "47 RUE DE LA REPUBLIQUE",
        "codePostal": "13001 MARSEILLE",
    },
)


def profile_for(token: str) -> dict[str, Any]:
    """The same fake household for the same token, whatever the process."""
    digest = hashlib.sha256(token.encode()).digest()
    return PROFILES[digest[0] % len(PROFILES)]


def _household_key(token: str) -> str | None:
    """Whose household a bearer names: a FranceConnect sandbox access token granted ``dgfip_rfr``
    (as the real API checks the token with FranceConnect), or, for contract tests,
    ``sandbox-fc.<sub>``. Both give the same household for the same citizen."""
    if token.startswith(SANDBOX_TOKEN_PREFIX) and len(token) > len(SANDBOX_TOKEN_PREFIX):
        return token
    try:
        grant = grant_for_access_token(FRANCECONNECT, f"Bearer {token}")
    except TokenError:
        return None
    if "dgfip_rfr" not in grant.scope.split():
        return None
    return SANDBOX_TOKEN_PREFIX + pairwise_sub(grant.identity_id, grant.client_id)


def _error(status: int, reason: str, message: str) -> JsonResponse:
    return JsonResponse({"reason": reason, "message": message, "error": str(status)}, status=status)


def declaration_of(profile: dict[str, Any]) -> dict[str, Any]:
    parts = [profile["complementAdresse"], profile["voie"], profile["codePostal"]]
    return {
        "rfr": profile["rfr"],
        "nbPart": profile["nbPart"],
        "sitFam": profile["sitFam"],
        "nbPac": profile["nbPac"],
        "aft": " ".join(part for part in parts if part),
        "aftDetail": {
            "complementAdresse": profile["complementAdresse"],
            "voie": profile["voie"],
            "commune": None,
            "codePostal": profile["codePostal"],
        },
    }


@public
@csrf_exempt
@require_GET
@faulty(SERVICE)
def situation_ir(request: HttpRequest, year: int) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    household_key = _household_key(token)
    if household_key is None:
        return _error(401, "invalid_token", "Le token ne vous permet pas d'accéder à l'API")
    if not FIRST_YEAR <= year < timezone.localdate().year:
        return _error(404, "not_found", "Les paramètres fournis sont incorrects ou ne correspondent pas à un avis")
    return JsonResponse(declaration_of(profile_for(household_key)))
