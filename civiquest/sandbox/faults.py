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
    LOGOUT_WRONG_STATE = "logout_wrong_state"
    # A claim left out altogether (a provider may be wrong by omission, not only by value).
    ID_TOKEN_WITHOUT_ISS = "id_token_without_iss"
    ID_TOKEN_WITHOUT_SUB = "id_token_without_sub"
    ID_TOKEN_WITHOUT_AUD = "id_token_without_aud"
    ID_TOKEN_WITHOUT_EXP = "id_token_without_exp"
    ID_TOKEN_WITHOUT_IAT = "id_token_without_iat"
    ID_TOKEN_WITHOUT_NONCE = "id_token_without_nonce"
    ID_TOKEN_WITHOUT_ACR = "id_token_without_acr"
    ID_TOKEN_WITHOUT_AUTH_TIME = "id_token_without_auth_time"
    USERINFO_WITHOUT_ISS = "userinfo_without_iss"
    USERINFO_WITHOUT_SUB = "userinfo_without_sub"
    USERINFO_WITHOUT_AUD = "userinfo_without_aud"
    USERINFO_WITHOUT_GIVEN_NAME = "userinfo_without_given_name"
    USERINFO_WITHOUT_FAMILY_NAME = "userinfo_without_family_name"
    USERINFO_WITHOUT_BIRTHDATE = "userinfo_without_birthdate"
    USERINFO_WITHOUT_GENDER = "userinfo_without_gender"
    USERINFO_WITHOUT_BIRTHCOUNTRY = "userinfo_without_birthcountry"
    USERINFO_WITHOUT_EMAIL = "userinfo_without_email"
    USERINFO_WITHOUT_USUAL_NAME = "userinfo_without_usual_name"
    USERINFO_WITHOUT_UID = "userinfo_without_uid"
    USERINFO_WITHOUT_SIRET = "userinfo_without_siret"
    # An unsigned id_token ("alg": "none"), the classic forgery.
    ID_TOKEN_UNSIGNED = "id_token_unsigned"
    # Several audiences: the relying party must then be the authorized party (azp).
    ID_TOKEN_SEVERAL_AUDIENCES_WITHOUT_AZP = "id_token_several_audiences_without_azp"
    ID_TOKEN_AZP_OF_ANOTHER_CLIENT = "id_token_azp_of_another_client"
    # An azp that only starts like ours (and sorts after it).
    ID_TOKEN_AZP_OF_A_LOOKALIKE_CLIENT = "id_token_azp_of_a_lookalike_client"
    # The userinfo endpoint refuses the access token (401).
    USERINFO_REFUSED = "userinfo_refused"
    # An HTML page (a proxy's or a maintenance page) instead of the userinfo.
    USERINFO_AS_HTML = "userinfo_as_html"
    # The token endpoint's answer: a claim left out, another token type, HTML, or another status.
    TOKEN_WITHOUT_ID_TOKEN = "token_without_id_token"
    TOKEN_WITHOUT_ACCESS_TOKEN = "token_without_access_token"
    TOKEN_WITHOUT_TOKEN_TYPE = "token_without_token_type"
    TOKEN_WITHOUT_EXPIRES_IN = "token_without_expires_in"
    TOKEN_TYPE_DPOP = "token_type_dpop"
    TOKEN_AS_HTML = "token_as_html"
    TOKEN_STATUS_203 = "token_status_203"
    # Not faults: answers a relying party must accept as they are.
    ID_TOKEN_AUDIENCE_LIST = "id_token_audience_list"
    ID_TOKEN_SEVERAL_AUDIENCES = "id_token_several_audiences"
    USERINFO_JWT_WITH_CHARSET = "userinfo_jwt_with_charset"


ID_TOKEN_PREFIX = "id_token_without_"
USERINFO_PREFIX = "userinfo_without_"
TOKEN_PREFIX = "token_without_"


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


def omitted_claims(faults: frozenset[Fault], prefix: str) -> frozenset[str]:
    """The claims to leave out of a document (``ID_TOKEN_PREFIX`` or ``USERINFO_PREFIX``)."""
    return frozenset(fault.value.removeprefix(prefix) for fault in faults if fault.value.startswith(prefix))
