"""The relying party's side of the OpenID Connect code flow, for FranceConnect v2 and ProConnect.

authlib builds the authorization request and redeems the code (``client_secret_post``,
no PKCE: FranceConnect rejects ``code_challenge``); joserfc verifies the signed id_token
and the signed userinfo (``application/jwt``) with the provider's published keys.
Discovery documents and key sets are cached in the Django cache; a token signed with a
key id we do not know (the provider rotated its keys) re-fetches the key set once.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from civiquest.accounts.oidc.providers import Provider
from civiquest.core import budget

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 package and warns once, at import, when it finds httpx
    # (our pinned HTTP client) instead; the client works the same with either.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

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


def _timeout() -> float:
    """Each call's timeout: OIDC_HTTP_TIMEOUT, or the page's budget for outside calls left if shorter."""
    timeout = budget.capped(settings.OIDC_HTTP_TIMEOUT)
    if timeout <= 0:
        raise OIDCError(FailureKind.UNAVAILABLE, "time budget for outside services spent")
    return timeout


def _http_client() -> httpx.Client:
    return httpx.Client(timeout=_timeout(), follow_redirects=False)


def _get_json(url: str) -> dict[str, Any]:
    try:
        with _http_client() as http:
            response = http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        raise OIDCError(FailureKind.UNAVAILABLE, f"GET {url}: {error!r}") from error
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
        document = _get_json(provider.discovery_url)
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
        document = _get_json(meta.jwks_uri)
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
    with OAuth2Client(
        client_id=provider.client_id,
        redirect_uri=provider.redirect_uri,
        scope=" ".join((*provider.spec.scopes, *extra_scopes)),
        timeout=_timeout(),
    ) as client:
        url, _state = client.create_authorization_url(meta.authorization_endpoint, state=state, nonce=nonce, **extra)
    return str(url)


def complete_sign_in(provider: Provider, *, code: str, nonce: str) -> VerifiedSignIn:
    """Redeem the code, verify the id_token, fetch and verify the userinfo JWT."""
    meta = metadata(provider)
    with OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name, not a secret
        redirect_uri=provider.redirect_uri,
        timeout=_timeout(),
        follow_redirects=False,
        # authlib's default (60 s) would deem FranceConnect's 60-second access token expired at once.
        leeway=5,
    ) as client:
        try:
            token = client.fetch_token(meta.token_endpoint, grant_type="authorization_code", code=code)
        except OAuthError as error:
            raise OIDCError(FailureKind.INVALID_RESPONSE, f"token endpoint: {error.error}") from error
        except httpx.HTTPError as error:
            raise OIDCError(FailureKind.UNAVAILABLE, f"token endpoint: {error!r}") from error
        id_token = token.get("id_token")
        if not isinstance(id_token, str) or str(token.get("token_type", "")).lower() != "bearer":
            raise OIDCError(FailureKind.INVALID_RESPONSE, "token response lacks a bearer token or an id_token")
        id_claims = verify_id_token(provider, meta, id_token, nonce=nonce)
        try:
            # The token call spent part of the page's budget: this one gets what is left.
            response = client.get(meta.userinfo_endpoint, headers={"Accept": JWT_CONTENT_TYPE}, timeout=_timeout())
        except httpx.HTTPError as error:
            raise OIDCError(FailureKind.UNAVAILABLE, f"userinfo: {error!r}") from error
    userinfo = verify_userinfo(provider, meta, response, sub=id_claims["sub"])
    return VerifiedSignIn(
        sub=id_claims["sub"],
        id_token=id_token,
        claims=userinfo,
        access_token=str(token.get("access_token", "")),
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
