"""What the sandbox providers do: check authorize requests, issue codes and tokens, end sessions."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from joserfc import jwt
from joserfc.errors import JoseError

from civiquest.sandbox import keys
from civiquest.sandbox.faults import ID_TOKEN_PREFIX, TOKEN_PREFIX, USERINFO_PREFIX, Fault, active, omitted_claims
from civiquest.sandbox.models import Grant
from civiquest.sandbox.providers import Client, SandboxProvider, registered_client

CODE_LIFETIME = dt.timedelta(seconds=30)
ACCESS_TOKEN_LIFETIME = dt.timedelta(seconds=60)
ID_TOKEN_LIFETIME = dt.timedelta(seconds=60)
MIN_STATE_AND_NONCE_LENGTH = 32
# A signed authorization request lives as long as a person may take to pick an identity.
REQUEST_MAX_AGE_SECONDS = 10 * 60
REQUEST_SALT = "civiquest.sandbox.authorize"
GRANT_RETENTION = dt.timedelta(days=1)


class RequestRejected(Exception):
    """An authorize or logout request too broken to redirect anywhere: shown as an error page."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class RedirectError(Exception):
    """An OAuth error sent back to the client's (verified) redirect URI."""

    def __init__(self, redirect_uri: str, state: str, error: str, description: str) -> None:
        super().__init__(description)
        self.redirect_uri = redirect_uri
        self.state = state
        self.error = error
        self.description = description


class TokenError(Exception):
    """An error of the token or userinfo endpoint, answered as JSON."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class AuthorizationRequest:
    provider: str
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    acr: str

    def sign(self) -> str:
        return signing.dumps(asdict(self), salt=REQUEST_SALT)

    @classmethod
    def unsign(cls, value: str) -> AuthorizationRequest:
        try:
            data = signing.loads(value, salt=REQUEST_SALT, max_age=REQUEST_MAX_AGE_SECONDS)
            return cls(**data)
        except (signing.BadSignature, TypeError) as error:
            raise RequestRejected("invalid_request", "Authorization request expired or tampered with") from error


def _single(params: Mapping[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    return values[0] if values else ""


def check_authorization(provider: SandboxProvider, params: Mapping[str, list[str]]) -> AuthorizationRequest:
    """Validate an authorize request as the real provider does.

    An unknown client or a redirect URI that is not exactly a registered one is an error
    page (never a redirect); any other problem is redirected to the client with ``error``,
    ``error_description`` and ``state``.
    """
    client = registered_client(provider.slug, _single(params, "client_id"))
    if client is None:
        raise RequestRejected("invalid_client", "Unknown client_id")
    redirect_uri = _single(params, "redirect_uri")
    if redirect_uri not in client.redirect_uris:
        raise RequestRejected("invalid_redirect_uri", "redirect_uri is not registered for this client")
    state = _single(params, "state")

    def refuse(error: str, description: str) -> RedirectError:
        return RedirectError(redirect_uri, state, error, description)

    unknown = sorted(set(params) - provider.allowed_parameters)
    if unknown:
        raise refuse("invalid_request", f"Unknown parameter(s): {', '.join(unknown)}")
    repeated = sorted(name for name, values in params.items() if len(values) > 1)
    if repeated:
        raise refuse("invalid_request", f"Repeated parameter(s): {', '.join(repeated)}")
    if len(state) < MIN_STATE_AND_NONCE_LENGTH:
        raise refuse("invalid_request", f"state is required, {MIN_STATE_AND_NONCE_LENGTH} characters or more")
    if len(_single(params, "nonce")) < MIN_STATE_AND_NONCE_LENGTH:
        raise refuse("invalid_request", f"nonce is required, {MIN_STATE_AND_NONCE_LENGTH} characters or more")
    if _single(params, "response_type") != "code":
        raise refuse("unsupported_response_type", "Only response_type=code is supported")
    scopes = _single(params, "scope").split()
    if "openid" not in scopes:
        raise refuse("invalid_scope", "The openid scope is required")
    unknown_scopes = sorted(set(scopes) - set(provider.scopes))
    if unknown_scopes:
        raise refuse("invalid_scope", f"Unknown scope(s): {', '.join(unknown_scopes)}")
    acr = _check_acr(provider, _single(params, "acr_values"), refuse)
    prompt = _single(params, "prompt").split()
    if "prompt" in params and (not prompt or not set(prompt) <= provider.prompts):
        raise refuse("invalid_request", f"prompt must be among: {', '.join(sorted(provider.prompts))}")
    if "claims" in params:
        try:
            claims = json.loads(_single(params, "claims"))
        except ValueError:
            claims = None
        if not isinstance(claims, dict):
            raise refuse("invalid_request", "claims must be a JSON object")
    return AuthorizationRequest(
        provider=provider.slug,
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        scope=" ".join(scopes),
        state=state,
        nonce=_single(params, "nonce"),
        acr=acr,
    )


def _check_acr(provider: SandboxProvider, acr_values: str, refuse: Any) -> str:
    requested = acr_values.split()
    if not requested:
        if provider.acr_required:
            raise refuse("invalid_request", "acr_values is required")
        return provider.acr_values[0]
    if provider.acr_required and requested != [provider.acr_values[0]]:
        raise refuse("invalid_acr", f"acr_values must be {provider.acr_values[0]}")
    if not set(requested) <= set(provider.acr_values):
        raise refuse("invalid_acr", f"acr_values must be among: {', '.join(provider.acr_values)}")
    return requested[0]


def pairwise_sub(identity_id: str, client_id: str) -> str:
    """A subject only this client sees for this identity: HMAC, hex, with a version suffix."""
    digest = salted_hmac("civiquest.sandbox.pairwise-sub", f"{identity_id}{client_id}", algorithm="sha256")
    return digest.hexdigest() + "v1"


@transaction.atomic
def grant_issue(request: AuthorizationRequest, identity_id: str) -> Grant:
    """The person picked an identity: a single-use code for 30 seconds."""
    now = timezone.now()
    Grant.objects.filter(created_at__lt=now - GRANT_RETENTION).delete()
    return Grant.objects.create(
        provider=request.provider,
        client_id=request.client_id,
        redirect_uri=request.redirect_uri,
        scope=request.scope,
        nonce=request.nonce,
        acr=request.acr,
        identity_id=identity_id,
        sid=secrets.token_urlsafe(24),
        auth_time=now,
        code=secrets.token_urlsafe(32),
        code_expires_at=now + CODE_LIFETIME,
    )


def authenticate_client(provider: SandboxProvider, form: Mapping[str, str], authorization: str) -> Client:
    """``client_secret_post`` only: HTTP Basic and a missing or wrong secret are refused."""
    if authorization:
        raise TokenError("invalid_client", "Only client_secret_post is accepted", status=401)
    client = registered_client(provider.slug, form.get("client_id", ""))
    secret = form.get("client_secret", "")
    if client is None or not secret or not constant_time_compare(secret, client.client_secret):
        raise TokenError("invalid_client", "Client authentication failed", status=401)
    return client


def _redeem_problem(grant: Grant | None, redirect_uri: str, now: dt.datetime) -> str:
    if grant is None:
        return "Unknown code"
    if grant.code_used_at is not None:
        return "Code already used"
    if grant.code_expires_at <= now:
        return "Code expired"
    if redirect_uri != grant.redirect_uri:
        return "redirect_uri does not match the authorization request"
    return ""


def code_redeem(provider: SandboxProvider, client: Client, form: Mapping[str, str]) -> Grant:
    """Exchange a code for an access token, once; a replayed code also revokes that token."""
    if form.get("grant_type") != "authorization_code":
        raise TokenError("unsupported_grant_type", "Only grant_type=authorization_code is supported")
    now = timezone.now()
    with transaction.atomic():
        grant = (
            Grant.objects.select_for_update()
            .filter(provider=provider.slug, client_id=client.client_id, code=form.get("code", ""))
            .first()
        )
        problem = _redeem_problem(grant, form.get("redirect_uri", ""), now)
        if grant is not None and not problem:
            grant.code_used_at = now
            grant.access_token = secrets.token_urlsafe(32)
            grant.access_token_expires_at = now + ACCESS_TOKEN_LIFETIME
            grant.save(update_fields=["code_used_at", "access_token", "access_token_expires_at"])
            return grant
        if grant is not None and grant.code_used_at is not None:
            grant.access_token_expires_at = now
            grant.save(update_fields=["access_token_expires_at"])
    raise TokenError("invalid_grant", problem)


def _timestamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _tampered(token: str) -> str:
    """The same token with one signature byte flipped."""
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{payload}.{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


def _unsigned(claims: dict[str, Any]) -> str:
    """A JWT with ``"alg": "none"`` and an empty signature."""

    def encoded(part: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    return f"{encoded({'alg': 'none', 'typ': 'JWT'})}.{encoded(claims)}."


def _sign(provider: SandboxProvider, client: Client, claims: dict[str, Any], *, tamper: bool, stranger: bool) -> str:
    key = keys.throwaway_key(provider.slug, client.signing_alg) if stranger else None
    token = keys.sign(provider.slug, client.signing_alg, claims, key=key)
    return _tampered(token) if tamper else token


def id_token_for(provider: SandboxProvider, client: Client, grant: Grant, issuer: str) -> str:
    """The id_token: iss, sub, aud, exp, iat, nonce, acr, amr, sid, auth_time (and the faults asked for)."""
    faults = active(provider.slug)
    now = timezone.now()
    issued_at = now - dt.timedelta(minutes=10) if Fault.ID_TOKEN_EXPIRED in faults else now
    if Fault.ID_TOKEN_ISSUED_IN_FUTURE in faults:
        issued_at = now + dt.timedelta(minutes=10)
    claims: dict[str, Any] = {
        "iss": issuer + "/elsewhere" if Fault.ID_TOKEN_WRONG_ISSUER in faults else issuer,
        "sub": pairwise_sub(grant.identity_id, client.client_id),
        "aud": "another-client" if Fault.ID_TOKEN_WRONG_AUDIENCE in faults else client.client_id,
        "exp": _timestamp(issued_at + ID_TOKEN_LIFETIME),
        "iat": _timestamp(issued_at),
        "nonce": secrets.token_urlsafe(32) if Fault.ID_TOKEN_WRONG_NONCE in faults else grant.nonce,
        "acr": "eidas3-not-asked" if Fault.ID_TOKEN_WRONG_ACR in faults else grant.acr,
        "amr": ["pwd"],
        "sid": grant.sid,
        "auth_time": _timestamp(grant.auth_time),
    }
    if Fault.ID_TOKEN_AUDIENCE_LIST in faults:
        claims["aud"] = [client.client_id]
    several = {
        Fault.ID_TOKEN_SEVERAL_AUDIENCES: client.client_id,
        Fault.ID_TOKEN_SEVERAL_AUDIENCES_WITHOUT_AZP: None,
        Fault.ID_TOKEN_AZP_OF_ANOTHER_CLIENT: "another-client",
        Fault.ID_TOKEN_AZP_OF_A_LOOKALIKE_CLIENT: f"{client.client_id}-lookalike",
    }
    for fault, azp in several.items():
        if fault in faults:
            claims["aud"] = [client.client_id, "another-client"]
            if azp is not None:
                claims["azp"] = azp
    for name in omitted_claims(faults, ID_TOKEN_PREFIX):
        claims.pop(name, None)
    if Fault.ID_TOKEN_UNSIGNED in faults:
        return _unsigned(claims)
    return _sign(
        provider,
        client,
        claims,
        tamper=Fault.ID_TOKEN_BAD_SIGNATURE in faults,
        stranger=Fault.ID_TOKEN_UNPUBLISHED_KEY in faults,
    )


def grant_for_access_token(provider: SandboxProvider, authorization: str) -> Grant:
    scheme, _space, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise TokenError("invalid_token", "A Bearer access token is required", status=401)
    grant = Grant.objects.filter(provider=provider.slug, access_token=token.strip()).first()
    if grant is None or grant.access_token_expires_at is None or grant.access_token_expires_at <= timezone.now():
        raise TokenError("invalid_token", "Unknown or expired access token", status=401)
    return grant


def userinfo_claims(provider: SandboxProvider, grant: Grant) -> dict[str, Any]:
    """The identity's claims that the granted scopes cover."""
    identity = provider.identity(grant.identity_id)
    available = identity.claims if identity is not None else {}
    names = {name for scope in grant.scope.split() for name in provider.scopes.get(scope, ())}
    return {name: available[name] for name in sorted(names) if name in available}


def userinfo_for(provider: SandboxProvider, grant: Grant, issuer: str) -> tuple[str, str]:
    """(content type, body): a signed JWT, or plain JSON when that fault is on."""
    client = registered_client(provider.slug, grant.client_id)
    if client is None:
        raise TokenError("invalid_token", "The client of this token is no longer registered", status=401)
    faults = active(provider.slug)
    if Fault.USERINFO_REFUSED in faults:
        raise TokenError("invalid_token", "Unknown or expired access token", status=401)
    if Fault.USERINFO_AS_HTML in faults:
        return "text/html; charset=utf-8", "<!doctype html><title>Maintenance</title><p>Revenez plus tard.</p>"
    now = timezone.now()
    sub = pairwise_sub(grant.identity_id, client.client_id)
    claims: dict[str, Any] = {
        **userinfo_claims(provider, grant),
        "sub": "someone-else-v1" if Fault.USERINFO_WRONG_SUBJECT in faults else sub,
        "iss": issuer,
        "aud": "another-client" if Fault.USERINFO_WRONG_AUDIENCE in faults else client.client_id,
        "iat": _timestamp(now),
        "exp": _timestamp(now + ACCESS_TOKEN_LIFETIME),
    }
    for name in omitted_claims(faults, USERINFO_PREFIX):
        claims.pop(name, None)
    if Fault.USERINFO_AS_JSON in faults:
        return "application/json", json.dumps(claims)
    body = _sign(provider, client, claims, tamper=Fault.USERINFO_BAD_SIGNATURE in faults, stranger=False)
    if Fault.USERINFO_JWT_WITH_CHARSET in faults:
        return "application/jwt; charset=utf-8", body
    return "application/jwt", body


def token_answer(provider: SandboxProvider, body: dict[str, Any]) -> tuple[int, str, str]:
    """The token endpoint's (status, content type, body): the JSON body, or what the faults make of it."""
    faults = active(provider.slug)
    if Fault.TOKEN_AS_HTML in faults:
        return 200, "text/html; charset=utf-8", "<!doctype html><title>Maintenance</title>"
    answer = {name: value for name, value in body.items() if name not in omitted_claims(faults, TOKEN_PREFIX)}
    if Fault.TOKEN_TYPE_DPOP in faults:
        answer["token_type"] = "DPoP"  # noqa: S105 - a token type, not a secret
    return (203 if Fault.TOKEN_STATUS_203 in faults else 200), "application/json", json.dumps(answer)


@dataclass(frozen=True)
class LogoutRedirect:
    url: str
    state: str


@transaction.atomic
def session_end(provider: SandboxProvider, params: Mapping[str, list[str]], issuer: str) -> LogoutRedirect:
    """End the provider session named by id_token_hint and send the browser back with its state."""
    id_token_hint = _single(params, "id_token_hint")
    state = _single(params, "state")
    post_logout_redirect_uri = _single(params, "post_logout_redirect_uri")
    unknown = sorted(set(params) - {"id_token_hint", "state", "post_logout_redirect_uri", "ui_locales"})
    if unknown:
        raise RequestRejected("invalid_request", f"Unknown parameter(s): {', '.join(unknown)}")
    if not (id_token_hint and state and post_logout_redirect_uri):
        raise RequestRejected("invalid_request", "id_token_hint, state and post_logout_redirect_uri are required")
    try:
        # An id_token lives 60 seconds: an expired one is still a valid hint.
        claims = jwt.decode(id_token_hint, keys.issued_key_set(provider.slug)).claims
    except (JoseError, ValueError) as error:
        raise RequestRejected("invalid_request", "id_token_hint is not an id_token of this provider") from error
    client = registered_client(provider.slug, str(claims.get("aud", "")))
    if claims.get("iss") != issuer or client is None:
        raise RequestRejected("invalid_request", "id_token_hint was not issued to a registered client")
    if post_logout_redirect_uri not in client.post_logout_redirect_uris:
        raise RequestRejected("invalid_request", "post_logout_redirect_uri is not registered for this client")
    Grant.objects.filter(provider=provider.slug, sid=claims.get("sid", ""), ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    if Fault.LOGOUT_WRONG_STATE in active(provider.slug):
        state = secrets.token_urlsafe(32)
    return LogoutRedirect(url=post_logout_redirect_uri, state=state)
