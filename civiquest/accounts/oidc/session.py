"""What the browser session holds between the steps of a sign-in or a sign-out.

- Pending authorizations: one (state, nonce) per sign-in started from this browser, for a
  few minutes. A callback consumes its state from the session, and a cache entry makes
  the state single-use across concurrent requests (a double-submitted callback).
- Pending consent: a citizen's verified identity, between the callback and their answer.
- The signed-in provider and id_token, for RP-initiated logout.
- A pending logout state, checked when the provider sends the browser back.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.utils.crypto import constant_time_compare

PENDING_AUTHORIZATIONS = "oidc_pending_authorizations"
PENDING_CONSENT = "oidc_pending_consent"
SIGNED_IN = "oidc_signed_in"
PENDING_LOGOUT = "oidc_pending_logout"
DATA_ACCESS = "oidc_data_access"
RECENT_AUTHENTICATION = "oidc_recent_authentication"

AUTHORIZATION_LIFETIME_SECONDS = 10 * 60
CONSENT_LIFETIME_SECONDS = 15 * 60
LOGOUT_LIFETIME_SECONDS = 10 * 60
# How long a FranceConnect re-authentication opens the sensitive actions (RGPD export, erasure).
RECENT_AUTHENTICATION_SECONDS = 5 * 60
# A browser rarely has more sign-ins under way at once; the oldest are forgotten beyond.
MAX_PENDING_AUTHORIZATIONS = 5


def new_secret() -> str:
    """A state or nonce: 43 URL-safe characters, 256 bits of randomness."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PendingAuthorization:
    provider: str
    state: str
    nonce: str
    # Where to go once signed in (a checked local path), or "" for the portal's home.
    next_url: str = ""
    # "" for a sign-in; else the data a signed-in citizen agreed to share (FRANCECONNECT_DATA_SCOPES).
    purpose: str = ""


def remember_authorization(
    session: SessionBase, provider: str, next_url: str = "", purpose: str = ""
) -> PendingAuthorization:
    """Start a sign-in (or a data access): a fresh state and nonce, bound to this browser session."""
    now = time.time()
    pending = {
        state: entry
        for state, entry in session.get(PENDING_AUTHORIZATIONS, {}).items()
        if entry.get("expires_at", 0) > now
    }
    authorization = PendingAuthorization(
        provider=provider, state=new_secret(), nonce=new_secret(), next_url=next_url, purpose=purpose
    )
    pending[authorization.state] = {
        "provider": provider,
        "nonce": authorization.nonce,
        "next_url": next_url,
        "purpose": purpose,
        "expires_at": now + AUTHORIZATION_LIFETIME_SECONDS,
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["expires_at"])[-MAX_PENDING_AUTHORIZATIONS:]
    session[PENDING_AUTHORIZATIONS] = dict(newest)
    return authorization


def _claim_once(kind: str, state: str) -> bool:
    """True the first time a state is claimed, in any process sharing the cache."""
    key = f"oidc:used-{kind}:" + hashlib.sha256(state.encode()).hexdigest()
    return bool(cache.add(key, 1, AUTHORIZATION_LIFETIME_SECONDS))


def consume_authorization(session: SessionBase, provider: str, state: str) -> PendingAuthorization | None:
    """The pending sign-in this state names, removed from the session; None if unknown or used."""
    pending = dict(session.get(PENDING_AUTHORIZATIONS, {}))
    entry = pending.pop(state, None) if state else None
    session[PENDING_AUTHORIZATIONS] = pending
    if entry is None or entry.get("provider") != provider or entry.get("expires_at", 0) <= time.time():
        return None
    if not _claim_once("state", state):
        return None
    return PendingAuthorization(
        provider=provider,
        state=state,
        nonce=entry["nonce"],
        next_url=entry.get("next_url", ""),
        purpose=entry.get("purpose", ""),
    )


@dataclass(frozen=True)
class PendingConsent:
    provider: str
    sub: str
    claims: dict[str, Any]
    id_token: str
    next_url: str = ""


def remember_consent(session: SessionBase, consent: PendingConsent) -> None:
    session[PENDING_CONSENT] = {
        "provider": consent.provider,
        "sub": consent.sub,
        "claims": consent.claims,
        "id_token": consent.id_token,
        "next_url": consent.next_url,
        "expires_at": time.time() + CONSENT_LIFETIME_SECONDS,
    }


def pending_consent(session: SessionBase) -> PendingConsent | None:
    entry = session.get(PENDING_CONSENT)
    if not entry or entry.get("expires_at", 0) <= time.time():
        return None
    return PendingConsent(
        provider=entry["provider"],
        sub=entry["sub"],
        claims=entry["claims"],
        id_token=entry["id_token"],
        next_url=entry.get("next_url", ""),
    )


def forget_consent(session: SessionBase) -> None:
    session.pop(PENDING_CONSENT, None)


def remember_sign_in(session: SessionBase, provider: str, id_token: str) -> None:
    """Call after ``login()``: the id_token is the hint the provider needs at logout."""
    session[SIGNED_IN] = {"provider": provider, "id_token": id_token}


def signed_in_with(session: SessionBase) -> tuple[str, str] | None:
    """(provider, id_token) if this session came from a provider."""
    entry = session.get(SIGNED_IN)
    if not entry:
        return None
    return entry["provider"], entry["id_token"]


def remember_logout(session: SessionBase, provider: str) -> str:
    """A fresh state for the provider's logout, kept to check its return."""
    state = new_secret()
    session[PENDING_LOGOUT] = {
        "provider": provider,
        "state": state,
        "expires_at": time.time() + LOGOUT_LIFETIME_SECONDS,
    }
    return state


def consume_logout(session: SessionBase, state: str) -> str | None:
    """The provider a logout was under way with, if this state is the one we sent; else None."""
    entry = session.pop(PENDING_LOGOUT, None)
    if not entry or entry.get("expires_at", 0) <= time.time() or not state:
        return None
    if not constant_time_compare(entry["state"], state) or not _claim_once("logout", state):
        return None
    return str(entry["provider"])


def remember_data_access(session: SessionBase, purpose: str, access_token: str, expires_in: int) -> None:
    """Keep the access token a data provider (the DGFiP) is called with, for its short life only."""
    tokens = dict(session.get(DATA_ACCESS, {}))
    tokens[purpose] = {"token": access_token, "expires_at": time.time() + max(expires_in, 0)}
    session[DATA_ACCESS] = tokens


def data_access_token(session: SessionBase, purpose: str) -> str | None:
    """The unexpired access token for this purpose, if the citizen agreed a moment ago."""
    entry = session.get(DATA_ACCESS, {}).get(purpose)
    if not entry or entry.get("expires_at", 0) <= time.time():
        return None
    return str(entry["token"])


def remember_recent_authentication(session: SessionBase, *, user_id: int, at: float) -> None:
    """The signed-in citizen just proved at FranceConnect that it is them (``at``: epoch seconds)."""
    session[RECENT_AUTHENTICATION] = {"user_id": user_id, "at": at}


def recently_authenticated(session: SessionBase, *, user_id: int) -> bool:
    """True for a few minutes after this user re-authenticated at FranceConnect in this session."""
    entry = session.get(RECENT_AUTHENTICATION)
    if not entry or entry.get("user_id") != user_id:
        return False
    age = time.time() - float(entry.get("at", 0))
    return 0 <= age <= RECENT_AUTHENTICATION_SECONDS


def forget_recent_authentication(session: SessionBase) -> None:
    session.pop(RECENT_AUTHENTICATION, None)
