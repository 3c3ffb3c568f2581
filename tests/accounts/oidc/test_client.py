"""Relying-party checks that need no provider: discovery sanity, configuration, production settings."""

import json

import pytest

from civiquest.accounts.oidc import client
from civiquest.accounts.oidc.client import FailureKind, OIDCError
from civiquest.accounts.oidc.providers import provider
from config.settings import oidc_production_problems
from tests.utils import run_django

ISSUER = "https://fcp-low.integ01.dev-franceconnect.fr/api/v2"


def discovery(issuer: str = ISSUER) -> dict[str, object]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/session/end",
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
    }


@pytest.fixture
def franceconnect(settings):
    settings.OIDC_PROVIDERS = {
        **settings.OIDC_PROVIDERS,
        "franceconnect": {
            **settings.OIDC_PROVIDERS["franceconnect"],
            "DISCOVERY_URL": f"{ISSUER}/.well-known/openid-configuration",
        },
    }
    return provider("franceconnect")


def test_a_discovery_document_is_accepted_under_its_own_issuer(franceconnect):
    meta = client._check_discovery(franceconnect, discovery())
    assert meta.end_session_endpoint == f"{ISSUER}/session/end"


@pytest.mark.parametrize(
    "document",
    [
        discovery("https://evil.example/api/v2"),
        # Compared for equality, not order: an issuer sorting after ours is refused too.
        discovery("https://oidc.example/api/v2"),
        {key: value for key, value in discovery().items() if key != "end_session_endpoint"},
        {**discovery(), "id_token_signing_alg_values_supported": ["HS256"]},
    ],
    ids=["another-issuer", "another-issuer-sorting-after", "no-end-session", "algorithm-not-offered"],
)
def test_a_suspicious_discovery_document_is_refused(franceconnect, document):
    with pytest.raises(OIDCError) as error:
        client._check_discovery(franceconnect, document)
    assert error.value.kind == FailureKind.INVALID_RESPONSE


def test_an_unsupported_signing_algorithm_leaves_the_provider_off(settings):
    settings.OIDC_PROVIDERS = {
        **settings.OIDC_PROVIDERS,
        "franceconnect": {**settings.OIDC_PROVIDERS["franceconnect"], "SIGNING_ALG": "HS256"},
    }
    assert not provider("franceconnect").is_configured


def test_an_unconfigured_provider_shows_no_button(client, settings, db):
    settings.OIDC_PROVIDERS = {**settings.OIDC_PROVIDERS, "franceconnect": {}}
    content = client.get("/compte/connexion/franceconnect/").content.decode()
    assert "fr-connect" not in content and "n’est pas disponible" in content
    response = client.post("/compte/connexion/franceconnect/demarrer/")
    assert response.status_code == 502


def test_production_needs_both_providers_and_an_https_public_url():
    assert oidc_production_problems({}) == [
        "FRANCECONNECT_DISCOVERY_URL is not set",
        "FRANCECONNECT_CLIENT_ID is not set",
        "FRANCECONNECT_CLIENT_SECRET is not set",
        "PROCONNECT_DISCOVERY_URL is not set",
        "PROCONNECT_CLIENT_ID is not set",
        "PROCONNECT_CLIENT_SECRET is not set",
        "CIVIQUEST_PUBLIC_URL is not set (the public https:// origin, for the callback URLs)",
    ]
    complete = {
        "CIVIQUEST_PUBLIC_URL": "https://civiquest.example.gouv.fr",
        "FRANCECONNECT_DISCOVERY_URL": "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
        "FRANCECONNECT_CLIENT_ID": "id",
        "FRANCECONNECT_CLIENT_SECRET": "secret",
        "PROCONNECT_DISCOVERY_URL": "https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration",
        "PROCONNECT_CLIENT_ID": "id",
        "PROCONNECT_CLIENT_SECRET": "secret",
    }
    assert oidc_production_problems(complete) == []
    insecure = {**complete, "PROCONNECT_DISCOVERY_URL": "http://auth.proconnect.gouv.fr/api/v2/x"}
    assert oidc_production_problems(insecure) == ["PROCONNECT_DISCOVERY_URL must be an https:// URL"]


PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.urls import Resolver404, resolve
try:
    resolve("/sandbox/franceconnect/api/v2/jwks")
    mounted = True
except Resolver404:
    mounted = False
print(json.dumps({"providers": settings.OIDC_PROVIDERS, "sandbox_mounted": mounted}))
"""


def probe(extra_env: dict[str, str], tmp_path) -> dict:
    result = run_django(["-c", PROBE], extra_env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_by_default_the_providers_are_the_sandboxes_on_the_public_url(tmp_path):
    values = probe({"CIVIQUEST_PUBLIC_URL": "http://localhost:8123/"}, tmp_path)
    franceconnect = values["providers"]["franceconnect"]
    assert franceconnect == {
        "DISCOVERY_URL": "http://localhost:8123/sandbox/franceconnect/api/v2/.well-known/openid-configuration",
        "CLIENT_ID": "civiquest-sandbox-franceconnect",
        "CLIENT_SECRET": "civiquest-sandbox-franceconnect-secret-never-used-in-production",
        "REDIRECT_URI": "http://localhost:8123/compte/connexion/franceconnect/retour/",
        "POST_LOGOUT_REDIRECT_URI": "http://localhost:8123/compte/deconnexion/retour/",
        "SIGNING_ALG": "ES256",
    }
    assert values["providers"]["proconnect"]["DISCOVERY_URL"].endswith(
        "/sandbox/proconnect/api/v2/.well-known/openid-configuration"
    )
    assert values["sandbox_mounted"] is True


def test_without_the_sandboxes_nothing_points_at_them(tmp_path):
    values = probe({"CIVIQUEST_SANDBOXES": "0"}, tmp_path)
    franceconnect = values["providers"]["franceconnect"]
    assert franceconnect["DISCOVERY_URL"] == franceconnect["CLIENT_ID"] == franceconnect["CLIENT_SECRET"] == ""
    assert franceconnect["REDIRECT_URI"] == "http://127.0.0.1:8000/compte/connexion/franceconnect/retour/"
    assert values["sandbox_mounted"] is False


def test_the_environment_configures_each_provider(tmp_path):
    env = {
        "CIVIQUEST_SANDBOXES": "0",
        "CIVIQUEST_PUBLIC_URL": "https://civiquest.example.gouv.fr",
        "PROCONNECT_DISCOVERY_URL": "https://fca.integ01.dev-agentconnect.fr/api/v2/.well-known/openid-configuration",
        "PROCONNECT_CLIENT_ID": "client",
        "PROCONNECT_CLIENT_SECRET": "secret",
        "PROCONNECT_SIGNING_ALG": "rs256",
    }
    proconnect = probe(env, tmp_path)["providers"]["proconnect"]
    assert proconnect["CLIENT_ID"] == "client" and proconnect["SIGNING_ALG"] == "RS256"
    assert proconnect["REDIRECT_URI"] == "https://civiquest.example.gouv.fr/compte/connexion/proconnect/retour/"
