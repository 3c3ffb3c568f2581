"""Citizens sign in with FranceConnect (the sandbox provider, over real HTTP on the live server)."""

import base64
import json
import logging
import re
import socket
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from civiquest.accounts.models import ExternalIdentity, IdentityProvider, Role, User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.sandbox import faults, keys
from civiquest.sandbox.faults import Fault
from tests.accounts.oidc.flow import Visitor, query_of

CONSENT_URL = reverse("oidc:consent")
DASHBOARD_URL = reverse("citizen:dashboard")
# A new citizen first chooses how their space looks (the game or "mode sobre").
FIRST_SIGN_IN_URL = reverse("citizen:display-choice")


def jwt_header(token: str) -> dict:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))


def sign_up(visitor: Visitor, identity: str = "test") -> User:
    """First sign-in, terms accepted: the citizen's account exists and the session is open."""
    response = visitor.sign_in("franceconnect", identity)
    assert response.status_code == 302 and response["Location"] == CONSENT_URL
    response = visitor.client.post(CONSENT_URL, {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == FIRST_SIGN_IN_URL
    return User.objects.get(pk=visitor.client.session["_auth_user_id"])


def assert_no_session(visitor: Visitor) -> None:
    session = visitor.client.session
    assert "_auth_user_id" not in session
    assert oidc_session.PENDING_CONSENT not in session
    assert oidc_session.SIGNED_IN not in session


def test_the_authorize_request_is_what_franceconnect_expects(visitor):
    url = visitor.start("franceconnect")
    assert url.startswith(visitor_base(visitor) + "/sandbox/franceconnect/api/v2/authorize?")
    params = query_of(url)
    assert set(params) == {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "acr_values"}
    assert params["response_type"] == "code"
    assert params["acr_values"] == "eidas1"
    assert params["scope"] == (
        "openid given_name family_name preferred_username birthdate gender birthplace birthcountry email"
    )
    assert params["redirect_uri"].endswith("/compte/connexion/franceconnect/retour/")
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32 and params["state"] != params["nonce"]
    # Bound to this browser's session.
    assert params["state"] in visitor.client.session[oidc_session.PENDING_AUTHORIZATIONS]


def visitor_base(visitor: Visitor) -> str:
    from django.conf import settings

    return settings.OIDC_PROVIDERS["franceconnect"]["DISCOVERY_URL"].split("/sandbox/")[0]


def test_first_sign_in_asks_consent_then_creates_the_citizen(visitor):
    response = visitor.sign_in("franceconnect", "test")
    assert response.status_code == 302 and response["Location"] == CONSENT_URL
    # Nothing exists yet and no session is open while the citizen reads the terms.
    assert not User.objects.exists()
    assert "_auth_user_id" not in visitor.client.session
    page = visitor.client.get(CONSENT_URL)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Angela Claire Louise" in content and "DUBOIS" in content
    assert reverse("footer-personal-data") in content
    session_key_before = visitor.client.session.session_key

    user = sign_up_accept(visitor)

    assert user.role == Role.CITIZEN
    assert (user.given_names, user.family_name, user.gender) == ("Angela Claire Louise", "DUBOIS", "female")
    assert str(user.birthdate) == "1962-08-24" and (user.birthplace, user.birthcountry) == ("75107", "99100")
    assert user.email == "wossewodda-3728@yopmail.com" and user.terms_accepted_at is not None
    link = ExternalIdentity.objects.get(user=user)
    assert link.provider == IdentityProvider.FRANCECONNECT
    assert re.fullmatch(r"[0-9a-f]{64}v1", link.sub)  # pairwise: an HMAC-SHA256 in hex, then the version
    # The session key rotated at login, and the id_token is kept for logout.
    assert visitor.client.session.session_key != session_key_before
    provider, id_token = oidc_session.signed_in_with(visitor.client.session)
    assert provider == "franceconnect" and jwt_header(id_token)["alg"] == "ES256"
    assert visitor.client.get(DASHBOARD_URL).status_code == 200


def sign_up_accept(visitor: Visitor) -> User:
    response = visitor.client.post(CONSENT_URL, {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == FIRST_SIGN_IN_URL
    return User.objects.get(pk=visitor.client.session["_auth_user_id"])


def test_accepting_twice_creates_one_account(visitor):
    visitor.sign_in("franceconnect", "test")
    stale_session = dict(visitor.client.session)
    first = sign_up_accept(visitor)
    # A second submission of the same consent form (e.g. another tab) reuses the account.
    session = visitor.client.session
    session.update(stale_session)
    session.save()
    second = sign_up_accept(visitor)
    assert first == second and User.objects.count() == 1


def test_declining_the_terms_creates_nothing(visitor):
    visitor.sign_in("franceconnect", "test")
    response = visitor.client.post(CONSENT_URL, {"decision": "decline"})
    assert response.status_code == 302 and response["Location"] == reverse("citizen:home")
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()
    assert_no_session(visitor)
    # The consent screen is gone with it.
    assert visitor.client.get(CONSENT_URL)["Location"] == reverse("oidc:franceconnect")


def test_second_sign_in_reuses_the_citizen_and_refreshes_the_identity(visitor):
    user = sign_up(visitor)
    User.objects.filter(pk=user.pk).update(family_name="ANCIEN NOM", identity_refreshed_at=None)
    visitor.client.logout()

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 302 and response["Location"] == DASHBOARD_URL
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.family_name == "DUBOIS" and user.identity_refreshed_at is not None
    assert visitor.client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ("avec_nom_dusage", {"family_name": "MARTIN", "usage_name": "LEFEBVRE", "display_name": "Marie LEFEBVRE"}),
        ("nom_compose", {"family_name": "DE LA FONTAINE-DURAND", "given_names": "Jean-Baptiste Paul"}),
        ("ne_a_l_etranger", {"birthplace": "", "birthcountry": "99217"}),
    ],
)
def test_identities_with_usage_compound_or_foreign_names_sign_up(visitor, identity, expected):
    user = sign_up(visitor, identity)
    for field, value in expected.items():
        assert getattr(user, field) == value


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault.ID_TOKEN_BAD_SIGNATURE, "BadSignatureError"),
        (Fault.ID_TOKEN_UNPUBLISHED_KEY, "InvalidKeyIdError"),
        (Fault.ID_TOKEN_WRONG_AUDIENCE, "'aud'"),
        (Fault.ID_TOKEN_WRONG_ISSUER, "'iss'"),
        (Fault.ID_TOKEN_EXPIRED, "ExpiredTokenError"),
        (Fault.ID_TOKEN_ISSUED_IN_FUTURE, "issued in the future"),
        (Fault.ID_TOKEN_WRONG_NONCE, "'nonce'"),
        (Fault.ID_TOKEN_WRONG_ACR, "'acr'"),
        (Fault.USERINFO_BAD_SIGNATURE, "BadSignatureError"),
        (Fault.USERINFO_WRONG_AUDIENCE, "'aud'"),
        (Fault.USERINFO_WRONG_SUBJECT, "'sub'"),
        (Fault.USERINFO_AS_JSON, "not a signed JWT"),
    ],
)
def test_a_provider_answer_that_fails_a_check_opens_no_session(visitor, caplog, fault, reason):
    # Even a citizen who already has an account is refused.
    sign_up(visitor)
    visitor.client.logout()
    faults.inject("franceconnect", fault)

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 400
    assert "La connexion n’a pas pu être vérifiée" in response.content.decode()
    assert_no_session(visitor)
    refusals = [r.getMessage() for r in caplog.records if r.name == "civiquest.accounts.oidc.views"]
    assert len(refusals) == 1 and reason in refusals[0]


def test_an_incomplete_identity_is_refused_with_a_clear_page(visitor):
    faults.inject("franceconnect", Fault.USERINFO_WITHOUT_BIRTHDATE)
    response = visitor.sign_in("franceconnect", "test")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Votre identité n’a pas pu être reçue" in content and "birthdate" in content
    assert_no_session(visitor)
    assert not User.objects.exists()


def test_a_replayed_callback_is_refused(visitor):
    sign_up(visitor)
    visitor.client.logout()
    location = visitor.callback_location("franceconnect", "test")
    assert visitor.back_to_site(location)["Location"] == DASHBOARD_URL
    visitor.client.logout()

    response = visitor.back_to_site(location)

    assert response.status_code == 400
    assert "Votre demande de connexion a expiré" in response.content.decode()
    assert_no_session(visitor)


def test_a_state_from_another_browser_is_refused(visitor):
    location = visitor.callback_location("franceconnect", "test")
    other = Visitor(client=Client(), http=visitor.http)

    response = other.back_to_site(location)

    assert response.status_code == 400
    assert_no_session(other)
    # The person who started the sign-in can still finish it.
    assert visitor.back_to_site(location)["Location"] == CONSENT_URL


def test_a_callback_without_a_known_state_is_refused(visitor):
    visitor.start("franceconnect")
    response = visitor.client.get(reverse("oidc:franceconnect-callback"), {"code": "x", "state": "y" * 43})
    assert response.status_code == 400
    assert_no_session(visitor)


def test_the_state_is_single_use_across_concurrent_requests(visitor):
    visitor.start("franceconnect")
    session = visitor.client.session
    state = next(iter(session[oidc_session.PENDING_AUTHORIZATIONS]))
    copy = visitor.client.session  # the same session, as a concurrent request loaded it
    assert oidc_session.consume_authorization(session, "franceconnect", state) is not None
    assert oidc_session.consume_authorization(copy, "franceconnect", state) is None


@pytest.mark.parametrize(
    ("identity", "status", "heading", "detail"),
    [
        ("compte_bloque", 403, "Connexion annulée", "access_denied"),
        (None, 403, "Connexion annulée", "User auth aborted"),
    ],
)
def test_a_provider_error_redirect_shows_a_clear_page(visitor, identity, status, heading, detail):
    location = visitor.callback_location("franceconnect", identity)
    assert query_of(location)["error"] == "access_denied" and "state" in query_of(location)

    response = visitor.back_to_site(location)

    assert response.status_code == status
    content = response.content.decode()
    assert heading in content and detail in content
    assert_no_session(visitor)
    assert not User.objects.exists()


def count_key_set_fetches(caplog) -> int:
    return sum("GET /sandbox/franceconnect/api/v2/jwks " in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("keep_previous", [True, False], ids=["previous-key-kept", "previous-key-dropped"])
def test_a_key_rotation_at_the_provider_is_followed(visitor, caplog, keep_previous):
    caplog.set_level(logging.INFO, logger="civiquest.request")
    sign_up(visitor)
    _provider, first_token = oidc_session.signed_in_with(visitor.client.session)
    visitor.client.logout()
    assert count_key_set_fetches(caplog) == 1

    # A sign-in with unchanged keys uses the cached key set.
    visitor.sign_in("franceconnect", "test")
    visitor.client.logout()
    assert count_key_set_fetches(caplog) == 1

    (new_key,) = keys.rotate_keys("franceconnect", keep_previous=keep_previous)
    published = {key["kid"] for key in keys.public_key_set("franceconnect")["keys"]}
    old_kid = jwt_header(first_token)["kid"]
    assert new_key.kid in published and (old_kid in published) is keep_previous

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 302 and response["Location"] == DASHBOARD_URL
    _provider, new_token = oidc_session.signed_in_with(visitor.client.session)
    assert jwt_header(new_token)["kid"] == new_key.kid != old_kid
    # The unknown key id made the relying party fetch the key set once more, and only once.
    assert count_key_set_fetches(caplog) == 2


def test_rs256_signing_is_a_setting(visitor, settings):
    for values in settings.OIDC_PROVIDERS.values():
        values["SIGNING_ALG"] = "RS256"
    sign_up(visitor)
    _provider, id_token = oidc_session.signed_in_with(visitor.client.session)
    assert jwt_header(id_token)["alg"] == "RS256"


def test_an_unreachable_provider_shows_a_clear_page(visitor, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.OIDC_PROVIDERS["franceconnect"]["DISCOVERY_URL"] = (
        f"http://127.0.0.1:{port}/api/v2/.well-known/openid-configuration"
    )
    response = visitor.client.post(reverse("oidc:franceconnect-start"))
    assert response.status_code == 502
    assert "FranceConnect ne répond pas" in response.content.decode()


def test_logout_goes_through_the_provider_and_checks_the_state(visitor):
    sign_up(visitor)
    _provider, id_token = oidc_session.signed_in_with(visitor.client.session)

    response = visitor.client.post(reverse("oidc:logout"))

    assert response.status_code == 302
    end_session = response["Location"]
    assert "/sandbox/franceconnect/api/v2/session/end?" in end_session
    params = query_of(end_session)
    assert params["id_token_hint"] == id_token and len(params["state"]) >= 32
    assert params["post_logout_redirect_uri"].endswith("/compte/deconnexion/retour/")
    # Signed out here at once, whatever happens at the provider.
    assert "_auth_user_id" not in visitor.client.session

    back = visitor.http.get(end_session)
    assert back.status_code == 302 and query_of(back.headers["location"])["state"] == params["state"]
    response = visitor.back_to_site(back.headers["location"])

    assert response.status_code == 302 and response["Location"] == reverse("citizen:home")
    assert oidc_session.PENDING_LOGOUT not in visitor.client.session
    home = visitor.client.get(response["Location"])
    assert "Vous êtes déconnecté." in home.content.decode()


def test_a_logout_return_with_a_wrong_state_is_refused(visitor):
    sign_up(visitor)
    faults.inject("franceconnect", Fault.LOGOUT_WRONG_STATE)
    end_session = visitor.client.post(reverse("oidc:logout"))["Location"]
    back = visitor.http.get(end_session)

    response = visitor.back_to_site(back.headers["location"])

    assert response.status_code == 400
    content = response.content.decode()
    assert "La déconnexion n’a pas pu être confirmée" in content and "Vous êtes bien déconnecté" in content
    assert "_auth_user_id" not in visitor.client.session


def test_a_forged_logout_return_does_not_sign_anyone_out(visitor):
    user = sign_up(visitor)
    response = visitor.client.get(reverse("oidc:logout-callback"), {"state": "z" * 43})
    assert response.status_code == 400
    assert visitor.client.session["_auth_user_id"] == str(user.pk)


def test_a_session_without_provider_signs_out_locally(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("oidc:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("citizen:home")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("oidc:logout")).status_code == 405


def test_the_page_asked_for_before_signing_in_comes_next(visitor):
    profile = reverse("citizen:profile")
    page = visitor.client.get(reverse("oidc:franceconnect"), {"next": profile})
    assert f'name="next" value="{profile}"' in page.content.decode()
    location = visitor.client.post(reverse("oidc:franceconnect-start"), {"next": profile})["Location"]
    chosen = visitor.choose(visitor.provider_page(location), "test")
    assert visitor.back_to_site(chosen.headers["location"])["Location"] == CONSENT_URL
    response = visitor.client.post(CONSENT_URL, {"decision": "accept"})
    assert response["Location"] == f"{FIRST_SIGN_IN_URL}?{urlencode({'next': profile})}"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_next_page_elsewhere_is_ignored(visitor, next_url):
    page = visitor.client.get(reverse("oidc:franceconnect"), {"next": next_url})
    assert f'name="next" value="{escape(next_url)}"' not in page.content.decode()
    location = visitor.client.post(reverse("oidc:franceconnect-start"), {"next": next_url})["Location"]
    chosen = visitor.choose(visitor.provider_page(location), "test")
    visitor.back_to_site(chosen.headers["location"])
    assert visitor.client.post(CONSENT_URL, {"decision": "accept"})["Location"] == FIRST_SIGN_IN_URL
