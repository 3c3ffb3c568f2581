"""The provider's answers the relying party must refuse, and the unusual ones it must accept.

Written against the survivors of the mutation run of ``accounts/oidc/client.py`` (issue 22):
the sandbox provider makes each answer (``Fault.*``) over real HTTP on the live server, and
the sign-in either ends on the clear error page with the reason logged, or succeeds.
"""

import logging

import pytest

from civiquest.accounts.models import ExternalIdentity, User
from civiquest.accounts.oidc import client as oidc_client
from civiquest.accounts.oidc.providers import provider
from civiquest.sandbox import faults
from civiquest.sandbox.faults import Fault
from civiquest.sandbox.models import Grant
from tests.accounts.oidc.flow import query_of
from tests.accounts.oidc.test_franceconnect import (
    CONSENT_URL,
    assert_no_session,
    count_key_set_fetches,
    sign_up,
)

NOT_VERIFIED = "La connexion n’a pas pu être vérifiée"
NOT_A_BEARER_TOKEN = "token response lacks a bearer token or an id_token"
OTHER_AZP = "several audiences and azp is not ours"


def refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "civiquest.accounts.oidc.views"]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault.ID_TOKEN_UNSIGNED, "token: UnsupportedAlgorithmError"),
        (Fault.ID_TOKEN_SEVERAL_AUDIENCES_WITHOUT_AZP, OTHER_AZP),
        (Fault.ID_TOKEN_AZP_OF_ANOTHER_CLIENT, OTHER_AZP),
        (Fault.ID_TOKEN_AZP_OF_A_LOOKALIKE_CLIENT, OTHER_AZP),
        (Fault.USERINFO_REFUSED, "userinfo: HTTP 401"),
        (Fault.USERINFO_AS_HTML, "userinfo is 'text/html', not a signed JWT"),
        (Fault.TOKEN_WITHOUT_ID_TOKEN, NOT_A_BEARER_TOKEN),
        (Fault.TOKEN_WITHOUT_ACCESS_TOKEN, NOT_A_BEARER_TOKEN),
        (Fault.TOKEN_WITHOUT_TOKEN_TYPE, NOT_A_BEARER_TOKEN),
        (Fault.TOKEN_TYPE_DPOP, NOT_A_BEARER_TOKEN),
        (Fault.TOKEN_AS_HTML, "token endpoint: not JSON"),
        (Fault.TOKEN_STATUS_203, "token endpoint: HTTP 203"),
    ],
    ids=str,
)
def test_a_provider_answer_that_fails_a_check_is_refused_with_its_reason(visitor, caplog, fault, reason):
    faults.inject("franceconnect", fault)
    caplog.set_level(logging.WARNING, logger="civiquest.accounts.oidc.views")

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 400
    assert NOT_VERIFIED in response.content.decode()
    assert_no_session(visitor)
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()
    [refusal] = refusals(caplog)
    assert f"refused: invalid_response ({reason}" in refusal


@pytest.mark.parametrize(
    "fault",
    [Fault.ID_TOKEN_AUDIENCE_LIST, Fault.ID_TOKEN_SEVERAL_AUDIENCES, Fault.USERINFO_JWT_WITH_CHARSET],
    ids=str,
)
def test_an_unusual_but_valid_answer_signs_the_citizen_in(visitor, fault):
    # A list of one audience needs no azp; several need ours; a content type may have parameters.
    faults.inject("franceconnect", fault)

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 302 and response["Location"] == CONSENT_URL


def test_a_bad_signature_against_cached_keys_fetches_the_key_set_once_more_then_refuses(visitor, caplog):
    caplog.set_level(logging.INFO, logger="civiquest.request")
    sign_up(visitor)
    visitor.client.logout()
    assert count_key_set_fetches(caplog) == 1
    faults.inject("franceconnect", Fault.ID_TOKEN_BAD_SIGNATURE)

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 400
    assert count_key_set_fetches(caplog) == 2
    [refusal] = refusals(caplog)
    assert "refused: invalid_response (signature: BadSignatureError" in refusal


def redeem(visitor) -> tuple[oidc_client.VerifiedSignIn, Grant]:
    """Sign in at the sandbox, then redeem the code as the callback does."""
    authorize = visitor.start("franceconnect")
    location = visitor.choose(visitor.provider_page(authorize), "test").headers["location"]
    verified = oidc_client.complete_sign_in(
        provider("franceconnect"), code=query_of(location)["code"], nonce=query_of(authorize)["nonce"]
    )
    return verified, Grant.objects.get(code=query_of(location)["code"])


def test_the_sign_in_keeps_the_access_token_its_lifetime_and_the_authentication_time(visitor):
    verified, grant = redeem(visitor)

    assert verified.access_token == grant.access_token
    assert verified.expires_in == 60
    assert verified.auth_time == int(grant.auth_time.timestamp())
    assert verified.claims["sub"] == verified.sub and verified.claims["family_name"] == "DUBOIS"


def test_a_token_answer_without_a_lifetime_gives_a_lifetime_of_0(visitor):
    faults.inject("franceconnect", Fault.TOKEN_WITHOUT_EXPIRES_IN)

    verified, grant = redeem(visitor)

    assert verified.expires_in == 0 and verified.access_token == grant.access_token


def test_an_id_token_without_authentication_time_gives_none(visitor):
    faults.inject("franceconnect", Fault.ID_TOKEN_WITHOUT_AUTH_TIME)

    verified, _grant = redeem(visitor)

    assert verified.auth_time is None
