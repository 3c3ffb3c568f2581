"""The sandbox FranceConnect and ProConnect providers behave like the real ones, over HTTP."""

import re
import time
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from civiquest.sandbox import faults, keys
from civiquest.sandbox.faults import Fault
from civiquest.sandbox.models import Grant, SigningKey
from civiquest.sandbox.services import pairwise_sub
from tests.accounts.oidc.flow import query_of

FC_SCOPE = "openid given_name family_name birthdate gender birthplace birthcountry"
PC_SCOPE = "openid email given_name usual_name uid siret idp_id"
STATE = "s" * 40
NONCE = "n" * 40


@pytest.fixture
def base(providers_on_live_server):
    return providers_on_live_server.url + "/sandbox"


@pytest.fixture
def registration(settings):
    def get(slug: str) -> dict[str, str]:
        return settings.OIDC_PROVIDERS[slug]

    return get


@pytest.fixture
def authorize_url(base, registration):
    def build(slug: str = "franceconnect", raw: str = "", **overrides: str | None) -> str:
        values = registration(slug)
        params: dict[str, str | None] = {
            "response_type": "code",
            "client_id": values["CLIENT_ID"],
            "redirect_uri": values["REDIRECT_URI"],
            "scope": FC_SCOPE if slug == "franceconnect" else PC_SCOPE,
            "state": STATE,
            "nonce": NONCE,
            "acr_values": "eidas1" if slug == "franceconnect" else None,
        }
        params.update(overrides)
        query = urlencode({name: value for name, value in params.items() if value is not None})
        return f"{base}/{slug}/api/v2/authorize?{query}{raw}"

    return build


@pytest.fixture
def code_for(visitor, authorize_url):
    """A fresh code, as the provider redirects it to the client after an identity was picked."""

    def get(slug: str = "franceconnect", identity: str = "test", **overrides: str | None) -> str:
        chosen = visitor.choose(visitor.http.get(authorize_url(slug, **overrides)), identity)
        return query_of(chosen.headers["location"])["code"]

    return get


@pytest.fixture
def redeem(visitor, base, registration):
    def post(code: str, slug: str = "franceconnect", **overrides: str):
        values = registration(slug)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": values["REDIRECT_URI"],
            "client_id": values["CLIENT_ID"],
            "client_secret": values["CLIENT_SECRET"],
            **overrides,
        }
        return visitor.http.post(f"{base}/{slug}/api/v2/token", data=form)

    return post


def key_set(visitor, base, slug: str = "franceconnect") -> KeySet:
    return KeySet.import_key_set(visitor.http.get(f"{base}/{slug}/api/v2/jwks").json())


def test_the_discovery_document_describes_franceconnect_v2(visitor, base):
    document = visitor.http.get(f"{base}/franceconnect/api/v2/.well-known/openid-configuration").json()
    issuer = f"{base}/franceconnect/api/v2"
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == f"{issuer}/authorize"
    assert document["end_session_endpoint"] == f"{issuer}/session/end"
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert document["acr_values_supported"] == ["eidas1"]
    assert document["subject_types_supported"] == ["pairwise"]
    assert "ES256" in document["id_token_signing_alg_values_supported"]


def test_a_valid_request_shows_the_test_identities(visitor, authorize_url):
    page = visitor.http.get(authorize_url())
    assert page.status_code == 200
    for name in ["Angela Claire Louise DUBOIS", "DE LA FONTAINE-DURAND", "LEFEBVRE", "TANAKA"]:
        assert name in page.text


@pytest.mark.parametrize(
    ("overrides", "raw", "error", "description"),
    [
        ({"foo": "bar"}, "", "invalid_request", "Unknown parameter(s): foo"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "S256"}, "", "invalid_request", "code_challenge"),
        ({"nonce": "n" * 31}, "", "invalid_request", "nonce"),
        ({"nonce": None}, "", "invalid_request", "nonce"),
        ({"state": "s" * 31}, "", "invalid_request", "state"),
        ({}, "&nonce=" + "m" * 40, "invalid_request", "Repeated parameter(s): nonce"),
        ({"acr_values": "eidas2"}, "", "invalid_acr", "eidas1"),
        ({"acr_values": "eidas1 eidas2"}, "", "invalid_acr", "eidas1"),
        ({"acr_values": None}, "", "invalid_request", "acr_values"),
        ({"response_type": "token"}, "", "unsupported_response_type", "code"),
        ({"scope": "given_name family_name"}, "", "invalid_scope", "openid"),
        ({"scope": "openid address"}, "", "invalid_scope", "address"),
        ({"prompt": "none"}, "", "invalid_request", "prompt"),
        ({"claims": "not json"}, "", "invalid_request", "claims"),
    ],
    ids=[
        "unknown-parameter",
        "pkce",
        "short-nonce",
        "no-nonce",
        "short-state",
        "repeated-parameter",
        "acr-eidas2",
        "several-acr",
        "no-acr",
        "implicit-flow",
        "no-openid-scope",
        "unknown-scope",
        "prompt-none",
        "claims-not-json",
    ],
)
def test_a_wrong_request_is_sent_back_to_the_client_with_an_error(
    visitor, authorize_url, registration, overrides, raw, error, description
):
    response = visitor.http.get(authorize_url(raw=raw, **overrides))

    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(registration("franceconnect")["REDIRECT_URI"] + "?")
    params = query_of(location)
    assert params["error"] == error and description in params["error_description"]
    assert params.get("state") == overrides.get("state", STATE)


def test_without_a_state_the_error_comes_back_without_one(visitor, authorize_url):
    params = query_of(visitor.http.get(authorize_url(state=None)).headers["location"])
    assert params["error"] == "invalid_request" and "state" not in params


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"client_id": None}, "invalid_client"),
        ({"redirect_uri": "http://evil.example/compte/connexion/franceconnect/retour/"}, "invalid_redirect_uri"),
        ({"redirect_uri": "TRAILING-SLASH-REMOVED"}, "invalid_redirect_uri"),
        ({"redirect_uri": None, "foo": "bar"}, "invalid_redirect_uri"),
    ],
    ids=["unknown-client", "no-client", "other-host", "no-trailing-slash", "no-redirect-uri"],
)
def test_an_unknown_client_or_redirect_uri_gets_an_error_page_never_a_redirect(
    visitor, authorize_url, registration, overrides, error
):
    if overrides.get("redirect_uri") == "TRAILING-SLASH-REMOVED":
        overrides = {"redirect_uri": registration("franceconnect")["REDIRECT_URI"].rstrip("/")}

    response = visitor.http.get(authorize_url(**overrides))

    assert response.status_code == 400 and "location" not in response.headers
    assert error in response.text and "Requête refusée par le bac à sable FranceConnect" in response.text


def test_proconnect_takes_its_own_parameters(visitor, authorize_url):
    assert (
        visitor.http.get(authorize_url("proconnect", login_hint="karim.benali@mairie-exemple.fr")).status_code == 200
    )
    assert visitor.http.get(authorize_url("proconnect", acr_values="eidas1")).status_code == 200
    refused = query_of(visitor.http.get(authorize_url("proconnect", ui_locales="fr")).headers["location"])
    assert refused["error"] == "invalid_request" and "ui_locales" in refused["error_description"]


@pytest.mark.parametrize("identity", [None, "compte_bloque"], ids=["cancelled", "blocked-identity"])
def test_cancelling_or_a_refused_identity_answers_access_denied(visitor, authorize_url, registration, identity):
    chosen = visitor.choose(visitor.http.get(authorize_url()), identity)
    assert chosen.status_code == 302
    location = chosen.headers["location"]
    assert location.startswith(registration("franceconnect")["REDIRECT_URI"])
    params = query_of(location)
    assert params["error"] == "access_denied" and params["state"] == STATE and params["error_description"]


def test_a_tampered_sign_in_form_is_refused(visitor, authorize_url, base):
    page = visitor.http.get(authorize_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = visitor.http.post(
        f"{base}/franceconnect/api/v2/login",
        data={"csrfmiddlewaretoken": token, "request": "forged", "identity": "test"},
    )
    assert response.status_code == 400 and "location" not in response.headers


def test_the_token_endpoint_issues_a_signed_id_token(visitor, base, code_for, redeem, registration):
    code = code_for()
    response = redeem(code)

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 60
    token = jwt.decode(body["id_token"], key_set(visitor, base), algorithms=["ES256"])
    claims = token.claims
    assert token.header["alg"] == "ES256" and token.header["kid"]
    assert claims["iss"] == f"{base}/franceconnect/api/v2"
    assert claims["aud"] == registration("franceconnect")["CLIENT_ID"]
    assert claims["exp"] - claims["iat"] == 60 and abs(claims["iat"] - time.time()) < 10
    assert claims["nonce"] == NONCE and claims["acr"] == "eidas1" and claims["amr"] == ["pwd"]
    assert claims["sid"] and claims["auth_time"] <= claims["iat"]
    assert claims["sub"] == pairwise_sub("test", registration("franceconnect")["CLIENT_ID"])


def test_a_code_is_single_use_and_its_replay_revokes_the_token(visitor, base, code_for, redeem):
    code = code_for()
    access_token = redeem(code).json()["access_token"]

    replay = redeem(code)

    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    userinfo = visitor.http.get(
        f"{base}/franceconnect/api/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert userinfo.status_code == 401


def test_a_code_lives_thirty_seconds(code_for, redeem):
    code = code_for()
    grant = Grant.objects.get(code=code)
    assert (grant.code_expires_at - grant.created_at).total_seconds() == pytest.approx(30, abs=1)
    Grant.objects.filter(pk=grant.pk).update(code_expires_at=grant.created_at)
    response = redeem(code)
    assert response.status_code == 400 and response.json()["error_description"] == "Code expired"


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_secret": ""}, 401, "invalid_client"),
        ({"redirect_uri": "http://evil.example/"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"code": "unknown"}, 400, "invalid_grant"),
    ],
)
def test_the_token_endpoint_refuses_bad_requests(code_for, redeem, overrides, status, error):
    response = redeem(**{"code": code_for(), **overrides})
    assert response.status_code == status and response.json()["error"] == error


def test_the_token_endpoint_accepts_client_secret_post_only(visitor, base, code_for, registration):
    values = registration("franceconnect")
    response = visitor.http.post(
        f"{base}/franceconnect/api/v2/token",
        data={"grant_type": "authorization_code", "code": code_for(), "redirect_uri": values["REDIRECT_URI"]},
        auth=(values["CLIENT_ID"], values["CLIENT_SECRET"]),
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert visitor.http.get(f"{base}/franceconnect/api/v2/token").status_code == 405


def test_userinfo_is_a_signed_jwt_with_the_claims_of_the_scopes(visitor, base, code_for, redeem, registration):
    access_token = redeem(code_for(scope="openid given_name birth")).json()["access_token"]

    response = visitor.http.get(
        f"{base}/franceconnect/api/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )

    assert response.status_code == 200 and response.headers["content-type"] == "application/jwt"
    claims = jwt.decode(response.text, key_set(visitor, base), algorithms=["ES256"]).claims
    assert claims["iss"] == f"{base}/franceconnect/api/v2"
    assert claims["aud"] == registration("franceconnect")["CLIENT_ID"]
    assert claims["sub"] == pairwise_sub("test", registration("franceconnect")["CLIENT_ID"])
    identity = {name: claims[name] for name in claims if name not in {"iss", "aud", "sub", "iat", "exp"}}
    assert identity == {
        "given_name": "Angela Claire Louise",
        "given_name_array": ["Angela", "Claire", "Louise"],
        "birthplace": "75107",
        "birthcountry": "99100",
    }


def test_proconnect_userinfo_gives_the_agent_claims(visitor, base, code_for, redeem):
    access_token = redeem(code_for("proconnect", "karim"), slug="proconnect").json()["access_token"]
    response = visitor.http.get(
        f"{base}/proconnect/api/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )
    claims = jwt.decode(response.text, key_set(visitor, base, "proconnect"), algorithms=["ES256"]).claims
    assert claims["email"] == "karim.benali@mairie-exemple.fr" and claims["usual_name"] == "Benali"
    assert {"given_name", "uid", "siret", "idp_id"} <= set(claims) and "family_name" not in claims


@pytest.mark.parametrize("authorization", ["", "Bearer unknown", "Basic abc"])
def test_userinfo_needs_a_valid_bearer_token(visitor, base, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = visitor.http.get(f"{base}/franceconnect/api/v2/userinfo", headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


def test_an_access_token_lives_sixty_seconds(visitor, base, code_for, redeem):
    access_token = redeem(code_for()).json()["access_token"]
    grant = Grant.objects.get(access_token=access_token)
    assert (grant.access_token_expires_at - grant.code_used_at).total_seconds() == pytest.approx(60, abs=1)
    Grant.objects.filter(pk=grant.pk).update(access_token_expires_at=grant.code_used_at)
    response = visitor.http.get(
        f"{base}/franceconnect/api/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert response.status_code == 401


def test_the_subject_is_pairwise_hex_with_a_version_suffix():
    sub = pairwise_sub("test", "client-a")
    assert re.fullmatch(r"[0-9a-f]{64}v1", sub)
    assert sub == pairwise_sub("test", "client-a") != pairwise_sub("test", "client-b")
    assert sub != pairwise_sub("avec_nom_dusage", "client-a")


def test_session_end_sends_the_browser_back_with_its_state(visitor, base, code_for, redeem, registration):
    id_token = redeem(code_for()).json()["id_token"]
    post_logout = registration("franceconnect")["POST_LOGOUT_REDIRECT_URI"]
    query = urlencode({"id_token_hint": id_token, "state": STATE, "post_logout_redirect_uri": post_logout})

    response = visitor.http.get(f"{base}/franceconnect/api/v2/session/end?{query}")

    assert response.status_code == 302 and response.headers["location"] == f"{post_logout}?state={STATE}"
    assert Grant.objects.get().ended_at is not None


@pytest.mark.parametrize(
    "change",
    ["no-id-token-hint", "no-state", "unregistered-uri", "forged-hint", "unknown-parameter"],
)
def test_session_end_refuses_an_incomplete_or_foreign_request(visitor, base, code_for, redeem, registration, change):
    id_token = redeem(code_for()).json()["id_token"]
    params = {
        "id_token_hint": id_token,
        "state": STATE,
        "post_logout_redirect_uri": registration("franceconnect")["POST_LOGOUT_REDIRECT_URI"],
    }
    if change == "no-id-token-hint":
        del params["id_token_hint"]
    elif change == "no-state":
        del params["state"]
    elif change == "unregistered-uri":
        params["post_logout_redirect_uri"] = "http://evil.example/"
    elif change == "forged-hint":
        stranger = keys.throwaway_key("franceconnect", "ES256")
        params["id_token_hint"] = keys.sign("franceconnect", "ES256", {"aud": "x"}, key=stranger)
    else:
        params["foo"] = "bar"

    response = visitor.http.get(f"{base}/franceconnect/api/v2/session/end?{urlencode(params)}")

    assert response.status_code == 400 and "location" not in response.headers


def kids(visitor, base) -> set[str]:
    return {key["kid"] for key in visitor.http.get(f"{base}/franceconnect/api/v2/jwks").json()["keys"]}


def test_the_key_set_publishes_the_es256_key_before_any_token(visitor, base):
    document = visitor.http.get(f"{base}/franceconnect/api/v2/jwks").json()
    assert [(key["kty"], key["crv"], key["alg"], key["use"]) for key in document["keys"]] == [
        ("EC", "P-256", "ES256", "sig")
    ]
    assert "d" not in document["keys"][0]


@pytest.mark.parametrize("keep_previous", [True, False])
def test_a_rotation_publishes_the_new_key_and_keeps_or_drops_the_old_one(visitor, base, keep_previous):
    (old_kid,) = kids(visitor, base)
    (new_key,) = keys.rotate_keys("franceconnect", keep_previous=keep_previous)
    assert kids(visitor, base) == ({old_kid, new_key.kid} if keep_previous else {new_key.kid})
    assert keys.active_key("franceconnect", "ES256") == new_key
    # The other provider's keys are untouched.
    assert new_key.kid not in {key["kid"] for key in keys.public_key_set("proconnect")["keys"]}


def test_a_retired_key_leaves_the_key_set_after_the_grace_period(visitor, base, settings):
    (old_kid,) = kids(visitor, base)
    (new_key,) = keys.rotate_keys("franceconnect")
    settings.SANDBOX_OIDC_KEY_GRACE_SECONDS = 0
    assert kids(visitor, base) == {new_key.kid}


def test_the_rotation_command(transactional_db, capsys):
    keys.active_key("franceconnect", "ES256")
    call_command("sandbox_rotate_keys", "--provider", "franceconnect", "--drop-previous")
    output = capsys.readouterr().out
    assert "franceconnect: ES256 key" in output and "withdrawn" in output
    assert SigningKey.objects.filter(provider="franceconnect", retired_at__isnull=True).count() == 1
    assert len(keys.published_keys("franceconnect")) == 1


def test_one_active_key_per_provider_and_algorithm(transactional_db):
    first = keys.active_key("franceconnect", "ES256")
    assert keys.active_key("franceconnect", "ES256") == first
    assert keys.active_key("franceconnect", "RS256") != first
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 2


def test_faults_are_off_by_default_and_whenever_the_sandboxes_are(settings):
    assert faults.active("franceconnect") == frozenset()
    faults.inject("franceconnect", Fault.ID_TOKEN_EXPIRED)
    assert faults.active("franceconnect") == {Fault.ID_TOKEN_EXPIRED}
    assert faults.active("proconnect") == frozenset()
    settings.SANDBOXES_ENABLED = False
    assert faults.active("franceconnect") == frozenset()
