"""The FranceConnect re-authentication before export or erasure, over real HTTP to the sandbox.

Then: an erased citizen who signs in again with FranceConnect gets a fresh, empty account.
"""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from civiquest.accounts.models import ExternalIdentity, User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.quests.models import Quest
from tests.accounts.oidc.flow import Visitor, query_of
from tests.accounts.oidc.test_franceconnect import CONSENT_URL, sign_up

ERASE = reverse("citizen:privacy-erase")


@pytest.fixture
def visitor(providers_on_live_server, client):
    with httpx.Client(timeout=10, follow_redirects=False) as http:
        yield Visitor(client=client, http=http)


def reauthenticate_at_franceconnect(visitor: Visitor, identity: str, page: str = ERASE):
    response = visitor.client.post(page)
    assert response.status_code == 302, response.content.decode()[:300]
    authorize = response["Location"]
    assert query_of(authorize)["prompt"] == "login"
    chosen = visitor.choose(visitor.provider_page(authorize), identity)
    assert chosen.status_code == 302, chosen.text[:300]
    back = visitor.back_to_site(chosen.headers["location"])
    assert back.status_code == 302 and back["Location"] == page
    return back


def test_reauthentication_opens_the_erasure_then_a_new_sign_in_is_a_new_account(visitor):
    citizen = sign_up(visitor, "test")
    sub = ExternalIdentity.objects.get(user=citizen).sub
    assert not oidc_session.recently_authenticated(visitor.client.session, user_id=citizen.pk)
    reauthenticate_at_franceconnect(visitor, "test")
    assert oidc_session.recently_authenticated(visitor.client.session, user_id=citizen.pk)
    page = visitor.client.get(ERASE).content.decode()
    assert "Supprimer définitivement mon compte" in page

    response = visitor.client.post(ERASE, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("citizen:privacy-erased")
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert not ExternalIdentity.objects.filter(sub=sub).exists()

    # The same FranceConnect identity again: the terms, then a fresh account with nothing in it.
    response = visitor.sign_in("franceconnect", "test")
    assert response["Location"] == CONSENT_URL
    fresh = sign_up_accept(visitor)
    assert fresh.pk != citizen.pk
    assert not Quest.objects.filter(citizen=fresh).exists() and not fresh.documents.exists()


def sign_up_accept(visitor: Visitor) -> User:
    visitor.client.post(CONSENT_URL, {"decision": "accept"})
    return User.objects.get(pk=visitor.client.session["_auth_user_id"])


def test_another_franceconnect_account_does_not_confirm(visitor):
    citizen = sign_up(visitor, "test")
    reauthenticate_at_franceconnect(visitor, "avec_nom_dusage")
    assert not oidc_session.recently_authenticated(visitor.client.session, user_id=citizen.pk)
    page = visitor.client.get(ERASE).content.decode()
    assert "n’est pas celui de votre espace" in page
    assert "Supprimer définitivement mon compte" not in page


def test_the_confirmation_lasts_a_few_minutes(visitor):
    citizen = sign_up(visitor, "test")
    reauthenticate_at_franceconnect(visitor, "test", page=reverse("citizen:privacy-export"))
    assert visitor.client.get("/api/v1/me/export").status_code == 200
    # Time travel: the confirmation was given just over the few minutes ago.
    session = visitor.client.session
    session[oidc_session.RECENT_AUTHENTICATION]["at"] -= oidc_session.RECENT_AUTHENTICATION_SECONDS + 1
    session.save()
    assert visitor.client.get("/api/v1/me/export").status_code == 403
    assert User.objects.filter(pk=citizen.pk).exists()
