"""What a browser session keeps between the steps of a sign-in or a sign-out, and for how long.

The session is a real one (the configured engine, saved to and loaded from its store) and the
single-use claims go through the configured cache. Lifetimes are checked against the clock
read around the call: a pending sign-in lasts 10 minutes, a consent 15, a logout 10, a
re-authentication opens the sensitive actions for 5.
"""

import time
from dataclasses import FrozenInstanceError
from importlib import import_module

import pytest
from django.conf import settings

from civiquest.accounts.oidc import session as oidc_session
from civiquest.accounts.oidc.session import PendingAuthorization, PendingConsent

pytestmark = pytest.mark.django_db


def new_session():
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    return store


def reloaded(store):
    """The same session as the next request loads it from the store."""
    store.save()
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=store.session_key)


def test_a_secret_is_43_url_safe_characters_and_never_the_same():
    secrets = {oidc_session.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert {len(secret) for secret in secrets} == {43}


def test_a_sign_in_started_is_kept_for_ten_minutes_with_its_own_state_and_nonce():
    session = new_session()
    before = time.time()
    started = oidc_session.remember_authorization(session, "franceconnect", next_url="/suivi/", purpose="dgfip")
    after = time.time()

    assert started.state != started.nonce and len(started.state) == len(started.nonce) == 43
    entry = reloaded(session)[oidc_session.PENDING_AUTHORIZATIONS][started.state]
    assert before + 600 <= entry["expires_at"] <= after + 600
    assert {key: value for key, value in entry.items() if key != "expires_at"} == {
        "provider": "franceconnect",
        "nonce": started.nonce,
        "next_url": "/suivi/",
        "purpose": "dgfip",
    }


def test_a_sign_in_is_consumed_once_with_what_it_was_started_with():
    session = new_session()
    started = oidc_session.remember_authorization(session, "proconnect", next_url="/agent/")
    session = reloaded(session)

    consumed = oidc_session.consume_authorization(session, "proconnect", started.state)

    assert consumed == PendingAuthorization(
        provider="proconnect", state=started.state, nonce=started.nonce, next_url="/agent/", purpose=""
    )
    assert started.state not in reloaded(session)[oidc_session.PENDING_AUTHORIZATIONS]
    assert oidc_session.consume_authorization(session, "proconnect", started.state) is None


@pytest.mark.parametrize(
    ("started_with", "returning_to"),
    [("franceconnect", "proconnect"), ("proconnect", "franceconnect")],
)
def test_a_state_returned_to_another_provider_is_refused_and_spent(started_with, returning_to):
    session = new_session()
    started = oidc_session.remember_authorization(session, started_with)

    assert oidc_session.consume_authorization(session, returning_to, started.state) is None
    assert oidc_session.consume_authorization(session, started_with, started.state) is None


def test_an_expired_sign_in_is_refused():
    session = new_session()
    old = oidc_session.remember_authorization(session, "franceconnect")
    session[oidc_session.PENDING_AUTHORIZATIONS][old.state]["expires_at"] = time.time() - 1

    assert oidc_session.consume_authorization(session, "franceconnect", old.state) is None


def test_an_expired_sign_in_is_dropped_when_another_starts():
    session = new_session()
    old = oidc_session.remember_authorization(session, "franceconnect")
    session[oidc_session.PENDING_AUTHORIZATIONS][old.state]["expires_at"] = time.time() - 1
    kept = oidc_session.remember_authorization(session, "franceconnect")

    assert list(session[oidc_session.PENDING_AUTHORIZATIONS]) == [kept.state]


def test_a_browser_keeps_its_five_newest_sign_ins():
    session = new_session()
    now = time.time()
    # Older sign-ins (fewer seconds left), whose states sort the other way round.
    session[oidc_session.PENDING_AUTHORIZATIONS] = {
        f"state-{9 - index}": {"provider": "franceconnect", "nonce": "n", "expires_at": now + 60 * (index + 1)}
        for index in range(6)
    }

    newest = oidc_session.remember_authorization(session, "franceconnect")

    assert list(session[oidc_session.PENDING_AUTHORIZATIONS]) == [
        "state-7",
        "state-6",
        "state-5",
        "state-4",
        newest.state,
    ]


def test_a_state_is_claimed_once_by_concurrent_requests_of_the_same_session():
    session = new_session()
    started = oidc_session.remember_authorization(session, "franceconnect")
    first, second = reloaded(session), reloaded(session)

    assert oidc_session.consume_authorization(first, "franceconnect", started.state) is not None
    assert oidc_session.consume_authorization(second, "franceconnect", started.state) is None


def test_a_consent_waits_fifteen_minutes():
    session = new_session()
    consent = PendingConsent(provider="franceconnect", sub="sub-v1", claims={"given_name": "Angela"}, id_token="t")
    before = time.time()
    oidc_session.remember_consent(session, consent)
    after = time.time()
    session = reloaded(session)

    assert before + 900 <= session[oidc_session.PENDING_CONSENT]["expires_at"] <= after + 900
    assert oidc_session.pending_consent(session) == consent
    session[oidc_session.PENDING_CONSENT]["expires_at"] = time.time() - 1
    assert oidc_session.pending_consent(session) is None
    oidc_session.forget_consent(session)
    assert oidc_session.pending_consent(session) is None


def test_the_sign_in_kept_for_logout():
    session = new_session()
    assert oidc_session.signed_in_with(session) is None
    oidc_session.remember_sign_in(session, "proconnect", "id-token")
    assert oidc_session.signed_in_with(reloaded(session)) == ("proconnect", "id-token")


def test_a_logout_state_is_kept_ten_minutes_and_accepted_once():
    session = new_session()
    before = time.time()
    state = oidc_session.remember_logout(session, "franceconnect")
    after = time.time()
    session = reloaded(session)

    assert len(state) == 43
    assert before + 600 <= session[oidc_session.PENDING_LOGOUT]["expires_at"] <= after + 600
    assert oidc_session.consume_logout(session, state) == "franceconnect"
    assert oidc_session.consume_logout(session, state) is None


def test_a_logout_state_claimed_by_a_concurrent_request_is_refused():
    session = new_session()
    state = oidc_session.remember_logout(session, "franceconnect")
    first, second = reloaded(session), reloaded(session)

    assert oidc_session.consume_logout(first, state) == "franceconnect"
    assert oidc_session.consume_logout(second, state) is None


@pytest.mark.parametrize("returned", ["another-state", "", None], ids=["other", "empty", "expired"])
def test_a_wrong_empty_or_expired_logout_state_is_refused_and_spent(returned):
    session = new_session()
    state = oidc_session.remember_logout(session, "franceconnect")
    if returned is None:
        session[oidc_session.PENDING_LOGOUT]["expires_at"] = time.time() - 1
        returned = state

    assert oidc_session.consume_logout(session, returned) is None
    assert oidc_session.consume_logout(session, state) is None


def test_a_data_access_token_lives_as_long_as_the_provider_said():
    session = new_session()
    oidc_session.remember_data_access(session, "dgfip", "token-a", 60)
    oidc_session.remember_data_access(session, "caf", "token-b", 60)
    session = reloaded(session)

    assert oidc_session.data_access_token(session, "dgfip") == "token-a"
    assert oidc_session.data_access_token(session, "caf") == "token-b"
    assert oidc_session.data_access_token(session, "cnam") is None


@pytest.mark.parametrize("expires_in", [0, -30])
def test_a_data_access_token_without_lifetime_is_never_used(expires_in):
    session = new_session()
    oidc_session.remember_data_access(session, "dgfip", "token", expires_in)
    assert oidc_session.data_access_token(session, "dgfip") is None


@pytest.mark.parametrize(
    ("seconds_ago", "expected"),
    [(0, True), (295, True), (299, True), (301, False), (305, False), (-0.5, False), (-5, False)],
)
def test_a_re_authentication_opens_the_sensitive_actions_for_five_minutes(seconds_ago, expected):
    session = new_session()
    oidc_session.remember_recent_authentication(session, user_id=1000, at=time.time() - seconds_ago)
    session = reloaded(session)
    assert oidc_session.recently_authenticated(session, user_id=1000) is expected


@pytest.mark.parametrize("other_user", [999, 1001])
def test_a_re_authentication_is_only_for_the_person_who_made_it(other_user):
    session = new_session()
    oidc_session.remember_recent_authentication(session, user_id=1000, at=time.time())

    assert oidc_session.recently_authenticated(session, user_id=other_user) is False
    oidc_session.forget_recent_authentication(session)
    assert oidc_session.recently_authenticated(session, user_id=1000) is False


def test_what_was_taken_from_the_session_cannot_be_altered_on_the_way():
    authorization = PendingAuthorization(provider="franceconnect", state="s", nonce="n")
    consent = PendingConsent(provider="franceconnect", sub="sub-v1", claims={}, id_token="t")
    with pytest.raises(FrozenInstanceError):
        authorization.nonce = "another"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        consent.sub = "another-v1"  # type: ignore[misc]
