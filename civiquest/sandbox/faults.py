# ruff: noqa: S105 - the members name faulty tokens; none of them is a secret
"""Test-only knobs that make a sandbox provider misbehave, to prove the relying party refuses it.

Nothing is injected by default. Tests (or a person exploring the sandbox from a shell)
turn faults on for one provider; they live in the cache for a few minutes at most, and are
ignored whenever the sandboxes are off (always, in production).
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.core.cache import cache

LIFETIME_SECONDS = 10 * 60


class Fault(StrEnum):
    ID_TOKEN_BAD_SIGNATURE = "id_token_bad_signature"
    ID_TOKEN_WRONG_AUDIENCE = "id_token_wrong_audience"
    ID_TOKEN_WRONG_ISSUER = "id_token_wrong_issuer"
    ID_TOKEN_EXPIRED = "id_token_expired"
    ID_TOKEN_ISSUED_IN_FUTURE = "id_token_issued_in_future"
    ID_TOKEN_WRONG_NONCE = "id_token_wrong_nonce"
    ID_TOKEN_WRONG_ACR = "id_token_wrong_acr"
    # Signed with a key that no key set publishes, even after a re-fetch.
    ID_TOKEN_UNPUBLISHED_KEY = "id_token_unpublished_key"
    USERINFO_BAD_SIGNATURE = "userinfo_bad_signature"
    USERINFO_WRONG_AUDIENCE = "userinfo_wrong_audience"
    USERINFO_WRONG_SUBJECT = "userinfo_wrong_subject"
    # Plain JSON, as FranceConnect v1 answered: v2 relying parties must refuse it.
    USERINFO_AS_JSON = "userinfo_as_json"
    USERINFO_WITHOUT_BIRTHDATE = "userinfo_without_birthdate"
    LOGOUT_WRONG_STATE = "logout_wrong_state"


def _key(provider: str) -> str:
    return f"sandbox:faults:{provider}"


def inject(provider: str, *faults: Fault) -> None:
    """Turn these faults on for the provider (replacing any others)."""
    cache.set(_key(provider), sorted(fault.value for fault in faults), LIFETIME_SECONDS)


def clear(provider: str) -> None:
    cache.delete(_key(provider))


def active(provider: str) -> frozenset[Fault]:
    if not settings.SANDBOXES_ENABLED:
        return frozenset()
    return frozenset(Fault(value) for value in cache.get(_key(provider), []))
