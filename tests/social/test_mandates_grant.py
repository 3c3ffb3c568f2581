# ruff: noqa: F811 - the fixtures are imported from tests.social.mandate_setup
"""Giving a mandate: the helper's code, domains, one of four durations, a FranceConnect
re-authentication of the last minutes; never to oneself; the helper is told."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from civiquest.accounts.oidc import session as oidc_session
from civiquest.actions.mandates import helper_code_get, mandate_grant
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.social.mandates.models import HelperProfile, JournalAction, Mandate, MandateJournalEntry
from civiquest.social.mandates.selectors import active_mandates, helper_quest
from civiquest.social.mandates.services import MandateRefused
from tests.accounts.factories import AgentFactory
from tests.accounts.oidc.flow import point_providers_at
from tests.quests.fixtures import mairie  # noqa: F401
from tests.social.mandate_setup import grant, reauthenticate, world  # noqa: F401

NEW = reverse("citizen:mandate-new")


def form(code, domains=("papiers",), days="1"):
    return {"helper_code": code, "domains": list(domains), "days": days}


@pytest.fixture
def franceconnect(settings, live_server, transactional_db):
    point_providers_at(settings, live_server.url)


def test_giving_a_mandate_needs_a_recent_franceconnect_authentication(franceconnect, client, world):
    code = helper_code_get(user=world.helper).code
    client.force_login(world.citizen)
    page = client.get(NEW).content.decode()
    assert "Continuer avec FranceConnect" in page
    response = client.post(NEW, form(code))
    assert not Mandate.objects.exists()
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert parse_qs(authorize.query)["prompt"] == ["login"]
    # The way back is the confirmation, with the form as the citizen filled it.
    pending = oidc_session_next(client)
    assert pending.startswith(NEW + "?") and f"helper_code={code}" in pending and "domains=papiers" in pending

    reauthenticate(client, world.citizen)
    page = client.get(pending).content.decode()
    assert f'value="{code}"' in page and "Confirmer et donner le mandat" in page
    response = client.post(NEW, form(code, ["papiers", "argent"], "31"))
    assert response.status_code == 302 and response["Location"] == reverse("citizen:mandates")
    mandate = Mandate.objects.get()
    assert mandate.citizen == world.citizen and mandate.helper == world.helper
    assert mandate.domains == ["papiers", "argent"] and mandate.duration_days == 31
    assert mandate.expires_at - mandate.created_at == dt.timedelta(days=31)
    assert mandate.structure == world.structure  # the helper is a member of a structure
    assert MandateJournalEntry.objects.filter(mandate=mandate, action=JournalAction.GRANTED).count() == 1
    told = Notification.objects.get(recipient=world.helper, kind=NotificationKind.MANDATE)
    assert "Camille" in told.title


def oidc_session_next(client) -> str:
    """Where the pending re-authentication comes back to."""
    pending = list(client.session[oidc_session.PENDING_AUTHORIZATIONS].values())
    assert [entry["purpose"] for entry in pending] == [oidc_session_purpose()]
    return str(pending[0]["next_url"])


def oidc_session_purpose() -> str:
    from civiquest.accounts.oidc.views import REAUTHENTICATION

    return REAUTHENTICATION


def test_an_old_reauthentication_is_not_enough(franceconnect, client, world):
    code = helper_code_get(user=world.helper).code
    client.force_login(world.citizen)
    reauthenticate(client, world.citizen)
    session = client.session
    session[oidc_session.RECENT_AUTHENTICATION]["at"] -= oidc_session.RECENT_AUTHENTICATION_SECONDS + 1
    session.save()
    assert client.post(NEW, form(code)).status_code == 302
    assert not Mandate.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form("", ["papiers"]), "Saisissez le code de votre aidant."),
        (form("ZZZZZZZZ", ["papiers"]), "Ce code aidant ne correspond à aucun aidant."),
        (form("CODE", []), "Choisissez au moins un domaine."),
        (form("CODE", ["impots"]), "Ce domaine n’existe pas."),
        (form("CODE", ["papiers"], "30"), "La durée d’un mandat est de 1, 31, 182 ou 365 jours."),
        (form("CODE", ["papiers"], ""), "Choisissez une durée."),
    ],
)
def test_bad_input_is_said_next_to_the_field(client, world, data, message):
    code = helper_code_get(user=world.helper).code
    data = {**data, "helper_code": code if data["helper_code"] == "CODE" else data["helper_code"]}
    client.force_login(world.citizen)
    reauthenticate(client, world.citizen)
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("days", [1, 31, 182, 365])
def test_the_four_durations(world, days):
    mandate = grant(world.citizen, world.helper, days=days)
    assert mandate.expires_at - mandate.created_at == dt.timedelta(days=days)


def test_no_mandate_to_oneself(world):
    code = helper_code_get(user=world.citizen).code
    with pytest.raises(MandateRefused, match="vous-même"):
        mandate_grant(citizen=world.citizen, helper_code=code, domains=["papiers"], days=1)


def test_an_agent_cannot_be_a_helper(world):
    agent = AgentFactory()
    HelperProfile.objects.create(user=agent, code="AGENT234")
    with pytest.raises(MandateRefused):
        mandate_grant(citizen=world.citizen, helper_code="AGENT234", domains=["papiers"], days=1)


def test_domains_and_expiry_with_the_clock_passed_as_now(world):
    mandate = grant(world.citizen, world.helper, ["papiers"], days=1)
    quest = world.passport_quest.pk
    assert helper_quest(quest_id=quest, helper=world.helper, now=mandate.created_at + dt.timedelta(hours=23))
    assert helper_quest(quest_id=quest, helper=world.helper, now=mandate.expires_at) is None
    assert helper_quest(quest_id=quest, helper=world.helper, now=mandate.expires_at + dt.timedelta(days=1)) is None
    assert helper_quest(quest_id=world.tax_quest.pk, helper=world.helper) is None
    assert active_mandates(helper=world.helper, citizen_id=world.citizen.pk, now=mandate.expires_at) == []


def test_a_new_code_replaces_the_old_one(client, world):
    client.force_login(world.helper)
    assert client.post(reverse("citizen:helper-code")).status_code == 302
    old = HelperProfile.objects.get(user=world.helper).code
    assert old in client.get(reverse("citizen:helper-space")).content.decode()
    client.post(reverse("citizen:helper-code"), {"regenerate": "1"})
    new = HelperProfile.objects.get(user=world.helper).code
    assert new != old
    with pytest.raises(MandateRefused):
        mandate_grant(citizen=world.citizen, helper_code=old, domains=["papiers"], days=1)


def test_the_citizen_lists_their_mandates_active_first(client, world, django_assert_max_num_queries):
    first = grant(world.citizen, world.helper)
    from civiquest.actions.mandates import mandate_revoke

    mandate_revoke(mandate=first, by=world.citizen)
    grant(world.citizen, world.helper, ["argent"])
    client.force_login(world.citizen)
    client.get(reverse("citizen:mandates"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("citizen:mandates")).content.decode()
    assert page.index("Actif") < page.index("Révoqué")
