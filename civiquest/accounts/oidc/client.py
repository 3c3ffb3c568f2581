"""The relying party's side of the OpenID Connect code flow, for FranceConnect v2 and ProConnect.

authlib builds the authorization request (no PKCE: FranceConnect rejects ``code_challenge``);
the code is redeemed with ``client_secret_post``; joserfc verifies the signed id_token and
the signed userinfo (``application/jwt``) with the provider's published keys. Every call to
a provider goes through the project's one outside-service client (``civiquest.core.http``):
each provider has its pool and its circuit breaker, reads are retried, and the page's time
budget bounds the whole. Discovery documents and key sets are cached in the Django cache; a
token signed with a key id we do not know (the provider rotated its keys) re-fetches the key
set once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from civiquest.accounts.oidc.providers import Provider
from civiquest.core.http import IntegrationError, ServiceClient, ServiceConfig

logger = logging.getLogger(__name__)

# Clock skew tolerated on exp and iat; FranceConnect's id_tokens live 60 seconds.
LEEWAY_SECONDS = 30
REQUIRED_METADATA = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)
JWT_CONTENT_TYPE = "application/jwt"
JSON_ACCEPT = {"Accept": "application/json"}
# Each provider's calls: reads (discovery, keys, userinfo) tried again twice after 0.2 s, 0.4 s
# (jittered); the code is redeemed once. Five failures in a row open its circuit for 30 s.
RETRIES = 2
BACKOFF_SECONDS = 0.2
FAILURE_THRESHOLD = 5
RECOVERY_SECONDS = 30.0


class FailureKind(StrEnum):
    # The provider could not be reached, timed out or answered with a server error.
    UNAVAILABLE = "unavailable"
    # The provider's answer failed a check: signature, issuer, audience, expiry, nonce, acr…
    INVALID_RESPONSE = "invalid_response"


class OIDCError(Exception):
    """A sign-in or sign-out step failed; ``detail`` is for the logs, never for the page."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


@dataclass(frozen=True)
class VerifiedSignIn:
    """What a successful code exchange proved: who signed in, and the id_token for logout."""

    sub: str
    id_token: str
    claims: dict[str, Any]
    # For a data access: the token a data provider is called with, and its lifetime (seconds).
    access_token: str = ""
    expires_in: int = 0
    # When the person last authenticated at the provider (id_token ``auth_time``, epoch seconds).
    auth_time: int | None = None


def _cache_key(kind: str, provider: Provider, url: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"oidc:{kind}:{provider.slug}:{digest}"


def _service(provider: Provider) -> ServiceClient:
    """The provider as an outside service: OIDC_HTTP_TIMEOUT per attempt, within the page's budget."""
    return ServiceClient(
        ServiceConfig(
            name=f"oidc_{provider.slug}",
            base_url="",  # the provider's endpoints are absolute URLs, from its discovery document
            token="",
            timeout=float(settings.OIDC_HTTP_TIMEOUT),
            retries=RETRIES,
            backoff=BACKOFF_SECONDS,
            failure_threshold=FAILURE_THRESHOLD,
            recovery_seconds=RECOVERY_SECONDS,
        )
    )


def _call(provider: Provider, what: str, method: str, url: str, **options: Any) -> httpx.Response:
    """One call to the provider; unreachable, slow, 5xx or an open circuit is ``UNAVAILABLE``."""
    try:
        return _service(provider).request(method, url, **options)
    except IntegrationError as error:
        raise OIDCError(FailureKind.UNAVAILABLE, f"{what}: {error.detail}") from error


def _get_json(provider: Provider, url: str) -> dict[str, Any]:
    response = _call(provider, f"GET {url}", "GET", url, headers=JSON_ACCEPT)
    if response.status_code != 200:
        raise OIDCError(FailureKind.UNAVAILABLE, f"GET {url}: HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError as error:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"GET {url}: not JSON") from error
    if not isinstance(document, dict):
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"GET {url}: not a JSON object")
    return document


def _check_discovery(provider: Provider, document: Mapping[str, Any]) -> Metadata:
    missing = [name for name in REQUIRED_METADATA if not isinstance(document.get(name), str)]
    if missing:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"discovery lacks {', '.join(missing)}")
    # OpenID Connect Discovery 1.0 §4.3: the issuer is the URL the document was fetched under.
    expected_url = document["issuer"].rstrip("/") + "/.well-known/openid-configuration"
    if expected_url != provider.discovery_url:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"discovery issuer {document['issuer']!r} does not match")
    algorithms = document.get("id_token_signing_alg_values_supported")
    if isinstance(algorithms, list) and provider.signing_alg not in algorithms:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"provider does not sign with {provider.signing_alg}")
    return Metadata(**{name: document[name] for name in REQUIRED_METADATA})


def metadata(provider: Provider) -> Metadata:
    """The provider's discovery document, cached."""
    key = _cache_key("discovery", provider, provider.discovery_url)
    document = cache.get(key)
    if document is None:
        document = _get_json(provider, provider.discovery_url)
        checked = _check_discovery(provider, document)
        cache.set(key, document, settings.OIDC_METADATA_CACHE_SECONDS)
        return checked
    return _check_discovery(provider, document)


def _key_set(provider: Provider, meta: Metadata, *, refresh: bool) -> tuple[KeySet, bool]:
    """The provider's published keys and whether they were just fetched."""
    key = _cache_key("jwks", provider, meta.jwks_uri)
    document = None if refresh else cache.get(key)
    fetched = document is None
    if document is None:
        document = _get_json(provider, meta.jwks_uri)
    try:
        key_set = KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"unusable key set: {error!r}") from error
    if fetched:
        cache.set(key, document, settings.OIDC_METADATA_CACHE_SECONDS)
    return key_set, fetched


def decode_signed(provider: Provider, meta: Metadata, value: str) -> dict[str, Any]:
    """Verify a compact JWS with the provider's keys and return its claims.

    An unknown key id or a bad signature against cached keys re-fetches the key set once
    before giving up, so that a key rotation at the provider is followed without error.
    """
    key_set, fetched = _key_set(provider, meta, refresh=False)
    try:
        return dict(jwt.decode(value, key_set, algorithms=[provider.signing_alg]).claims)
    except (InvalidKeyIdError, BadSignatureError) as error:
        if fetched:
            raise OIDCError(FailureKind.INVALID_RESPONSE, f"signature: {error!r}") from error
    except (JoseError, ValueError) as error:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"token: {error!r}") from error
    logger.info("Key set of %s re-fetched: unknown key id or signature mismatch", provider.slug)
    key_set, _fetched = _key_set(provider, meta, refresh=True)
    try:
        return dict(jwt.decode(value, key_set, algorithms=[provider.signing_alg]).claims)
    except (JoseError, ValueError) as error:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"signature: {error!r}") from error


def _validate_claims(claims: dict[str, Any], **options: Any) -> None:
    registry = jwt.JWTClaimsRegistry(leeway=LEEWAY_SECONDS, **options)
    try:
        registry.validate(claims)
    except JoseError as error:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"claims: {error!r}") from error


def verify_id_token(provider: Provider, meta: Metadata, id_token: str, *, nonce: str) -> dict[str, Any]:
    """The id_token's claims, once its signature, iss, aud, exp, iat, nonce and acr are checked."""
    claims = decode_signed(provider, meta, id_token)
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": meta.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    if provider.spec.acr:
        options["acr"] = {"essential": True, "value": provider.spec.acr}
    _validate_claims(claims, **options)
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != provider.client_id:
        raise OIDCError(FailureKind.INVALID_RESPONSE, "several audiences and azp is not ours")
    return claims


def verify_userinfo(provider: Provider, meta: Metadata, response: httpx.Response, *, sub: str) -> dict[str, Any]:
    """The userinfo claims: a JWT signed like the id_token, about the same subject."""
    if response.status_code != 200:
        kind = FailureKind.UNAVAILABLE if response.status_code >= 500 else FailureKind.INVALID_RESPONSE
        raise OIDCError(kind, f"userinfo: HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JWT_CONTENT_TYPE:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"userinfo is {content_type!r}, not a signed JWT")
    claims = decode_signed(provider, meta, response.text.strip())
    _validate_claims(
        claims,
        iss={"essential": True, "value": meta.issuer},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True, "value": sub},
    )
    return claims


def authorization_url(
    provider: Provider, *, state: str, nonce: str, extra_scopes: tuple[str, ...] = (), prompt: str = ""
) -> str:
    """Where to send the browser to sign in: no PKCE, acr_values when the provider needs it.

    ``extra_scopes`` ask for data a provider's partners hold (FranceConnect's ``dgfip_*``);
    ``prompt="login"`` makes the provider authenticate the person again, even in a live session
    (FranceConnect v2 has no ``max_age``: the id_token's ``auth_time`` is checked instead).
    """
    meta = metadata(provider)
    extra = {"acr_values": provider.spec.acr} if provider.spec.acr else {}
    if prompt:
        extra["prompt"] = prompt
    url = prepare_grant_uri(
        meta.authorization_endpoint,
        client_id=provider.client_id,
        response_type="code",
        redirect_uri=provider.redirect_uri,
        scope=" ".join((*provider.spec.scopes, *extra_scopes)),
        state=state,
        nonce=nonce,
        **extra,
    )
    return str(url)


def _token_answer(response: httpx.Response) -> dict[str, Any]:
    """The token endpoint's JSON answer; a refusal (``{"error": …}``) or a malformed answer is invalid."""
    try:
        token = response.json()
    except ValueError as error:
        raise OIDCError(FailureKind.INVALID_RESPONSE, "token endpoint: not JSON") from error
    if not isinstance(token, dict):
        raise OIDCError(FailureKind.INVALID_RESPONSE, "token endpoint: not a JSON object")
    if "error" in token:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"token endpoint: {token['error']}")
    if response.status_code != 200:
        raise OIDCError(FailureKind.INVALID_RESPONSE, f"token endpoint: HTTP {response.status_code}")
    return token


def complete_sign_in(provider: Provider, *, code: str, nonce: str) -> VerifiedSignIn:
    """Redeem the code, verify the id_token, fetch and verify the userinfo JWT."""
    meta = metadata(provider)
    # client_secret_post; a code is redeemed once, so this POST is never retried.
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": provider.redirect_uri,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
    }
    answer = _call(provider, "token endpoint", "POST", meta.token_endpoint, data=form, headers=JSON_ACCEPT)
    token = _token_answer(answer)
    id_token = token.get("id_token")
    access_token = token.get("access_token")
    if (
        not isinstance(id_token, str)
        or not isinstance(access_token, str)
        or str(token.get("token_type", "")).lower() != "bearer"
    ):
        raise OIDCError(FailureKind.INVALID_RESPONSE, "token response lacks a bearer token or an id_token")
    id_claims = verify_id_token(provider, meta, id_token, nonce=nonce)
    # The token call spent part of the page's budget: this one gets what is left.
    response = _call(
        provider,
        "userinfo",
        "GET",
        meta.userinfo_endpoint,
        headers={"Accept": JWT_CONTENT_TYPE, "Authorization": f"Bearer {access_token}"},
    )
    userinfo = verify_userinfo(provider, meta, response, sub=id_claims["sub"])
    return VerifiedSignIn(
        sub=id_claims["sub"],
        id_token=id_token,
        claims=userinfo,
        access_token=access_token,
        expires_in=int(token.get("expires_in") or 0),
        auth_time=int(id_claims["auth_time"]) if isinstance(id_claims.get("auth_time"), int | float) else None,
    )


def logout_url(provider: Provider, *, id_token: str, state: str) -> str:
    """The provider's end-session URL; the three parameters are required by FranceConnect."""
    meta = metadata(provider)
    params = [
        ("id_token_hint", id_token),
        ("state", state),
        ("post_logout_redirect_uri", provider.post_logout_redirect_uri),
    ]
    return str(add_params_to_uri(meta.end_session_endpoint, params))
