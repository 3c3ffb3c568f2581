"""A provider's answer that leaves a claim out is refused like one that gets it wrong.

The sandbox providers omit the claim (``Fault.*_WITHOUT_*``), over real HTTP on the live
server: each sign-in ends on the clear error page, with no account created and no session.
"""

import logging

import pytest
from django.urls import reverse

from civiquest.accounts.models import AgentInvitation, ExternalIdentity, User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.sandbox import faults
from civiquest.sandbox.faults import Fault
from tests.accounts.oidc.test_franceconnect import assert_no_session, sign_up
from tests.accounts.oidc.test_proconnect import invite_karim
from tests.privacy.test_reauthentication import reauthenticate_at_franceconnect

NOT_VERIFIED = "La connexion n’a pas pu être vérifiée"
IDENTITY_NOT_RECEIVED = "Votre identité n’a pas pu être reçue"
# What the relying party checks in each document, and FranceConnect always sends.
SECURITY_CLAIMS = [
    Fault.ID_TOKEN_WITHOUT_ISS,
    Fault.ID_TOKEN_WITHOUT_SUB,
    Fault.ID_TOKEN_WITHOUT_AUD,
    Fault.ID_TOKEN_WITHOUT_EXP,
    Fault.ID_TOKEN_WITHOUT_IAT,
    Fault.ID_TOKEN_WITHOUT_NONCE,
    Fault.ID_TOKEN_WITHOUT_ACR,
    Fault.USERINFO_WITHOUT_ISS,
    Fault.USERINFO_WITHOUT_SUB,
    Fault.USERINFO_WITHOUT_AUD,
]
# The identité pivot: without one of these, nobody is signed up.
PIVOT_CLAIMS = [
    (Fault.USERINFO_WITHOUT_GIVEN_NAME, "given_name"),
    (Fault.USERINFO_WITHOUT_FAMILY_NAME, "family_name"),
    (Fault.USERINFO_WITHOUT_BIRTHDATE, "birthdate"),
    (Fault.USERINFO_WITHOUT_GENDER, "gender"),
    (Fault.USERINFO_WITHOUT_BIRTHCOUNTRY, "birthcountry"),
]


def claim_of(fault: Fault) -> str:
    return fault.value.removeprefix(faults.ID_TOKEN_PREFIX).removeprefix(faults.USERINFO_PREFIX)


def refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "civiquest.accounts.oidc.views"]


@pytest.mark.parametrize("fault", SECURITY_CLAIMS, ids=str)
def test_a_first_franceconnect_sign_in_without_a_security_claim_creates_nothing(visitor, caplog, fault):
    faults.inject("franceconnect", fault)
    caplog.set_level(logging.WARNING, logger="civiquest.accounts.oidc.views")

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 400
    assert NOT_VERIFIED in response.content.decode()
    assert_no_session(visitor)
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()
    [refusal] = refusals(caplog)
    assert "MissingClaimError" in refusal and f"'{claim_of(fault)}'" in refusal


@pytest.mark.parametrize("fault", SECURITY_CLAIMS, ids=str)
def test_a_known_citizen_without_a_security_claim_is_not_signed_in(visitor, fault):
    citizen = sign_up(visitor)
    visitor.client.logout()
    faults.inject("franceconnect", fault)

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 400
    assert NOT_VERIFIED in response.content.decode()
    assert_no_session(visitor)
    assert list(User.objects.values_list("pk", flat=True)) == [citizen.pk]


@pytest.mark.parametrize(("fault", "claim"), PIVOT_CLAIMS, ids=str)
def test_an_identity_without_a_pivot_claim_is_refused_with_a_clear_page(visitor, fault, claim):
    faults.inject("franceconnect", fault)

    response = visitor.sign_in("franceconnect", "test")

    assert response.status_code == 400
    content = response.content.decode()
    assert IDENTITY_NOT_RECEIVED in content
    assert f"Le fournisseur d’identité n’a pas transmis « {claim} »." in content
    assert_no_session(visitor)
    assert not User.objects.exists()


def test_a_reauthentication_without_auth_time_confirms_nothing(visitor):
    citizen = sign_up(visitor)
    faults.inject("franceconnect", Fault.ID_TOKEN_WITHOUT_AUTH_TIME)

    back = reauthenticate_at_franceconnect(visitor, "test")

    assert not oidc_session.recently_authenticated(visitor.client.session, user_id=citizen.pk)
    page = visitor.client.get(back["Location"]).content.decode()
    assert "FranceConnect n’a pas confirmé une authentification récente : recommencez." in page
    assert "Supprimer définitivement mon compte" not in page


@pytest.mark.parametrize(
    ("fault", "heading"),
    [
        (Fault.ID_TOKEN_WITHOUT_NONCE, NOT_VERIFIED),
        (Fault.ID_TOKEN_WITHOUT_SUB, NOT_VERIFIED),
        (Fault.ID_TOKEN_WITHOUT_AUD, NOT_VERIFIED),
        (Fault.USERINFO_WITHOUT_SUB, NOT_VERIFIED),
        (Fault.USERINFO_WITHOUT_EMAIL, IDENTITY_NOT_RECEIVED),
        (Fault.USERINFO_WITHOUT_GIVEN_NAME, IDENTITY_NOT_RECEIVED),
        (Fault.USERINFO_WITHOUT_USUAL_NAME, IDENTITY_NOT_RECEIVED),
        (Fault.USERINFO_WITHOUT_UID, IDENTITY_NOT_RECEIVED),
        (Fault.USERINFO_WITHOUT_SIRET, IDENTITY_NOT_RECEIVED),
    ],
    ids=str,
)
def test_an_invited_agent_is_not_signed_in_when_proconnect_omits_a_claim(visitor, fault, heading):
    invite_karim()
    faults.inject("proconnect", fault)

    response = visitor.sign_in("proconnect", "karim")

    assert response.status_code == 400
    assert heading in response.content.decode()
    assert "_auth_user_id" not in visitor.client.session
    assert not User.objects.exists()
    assert AgentInvitation.objects.get().accepted_at is None
    assert visitor.client.get(reverse("agent:home")).status_code == 302
