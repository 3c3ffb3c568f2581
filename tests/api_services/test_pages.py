"""The agent's pages of API tokens: made for their own services, the secret shown once, revoked."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from civiquest.accounts.models import ApiTokenScope, AuditEvent, ServiceApiToken
from tests.accounts.factories import login_verified
from tests.api_services.conftest import make_token
from tests.catalogue.factories import ServiceFactory, member_of

pytestmark = pytest.mark.django_db


def _post_new(client, **data):
    return client.post(reverse("agent:api-token-new"), data)


def test_making_a_token_shows_its_secret_once(client, instructor, mairie):
    login_verified(client, instructor)
    response = _post_new(client, name="GRU", services=[mairie.pk], scope=ApiTokenScope.READ_WRITE, days=30)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ServiceApiToken.objects.get()
    secret = response.context["secret"]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert secret in response.content.decode()
    assert (token.name, token.scope, list(token.services.all()), token.created_by) == (
        "GRU",
        ApiTokenScope.READ_WRITE,
        [mairie],
        instructor,
    )
    listing = client.get(reverse("agent:api-tokens"))
    page = listing.content.decode()
    assert token.prefix in page and secret not in page
    assert "Lecture et écriture" in page and "Jamais" in page
    assert AuditEvent.objects.filter(action="api_token.create", actor=instructor).count() == 1


def test_the_form_refuses_another_service_and_a_long_expiry_in_french(client, instructor):
    login_verified(client, instructor)
    other = ServiceFactory(name="Mairie de Dumbéa")
    response = _post_new(client, name="GRU", services=[other.pk], scope=ApiTokenScope.READ, days=400)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "services" in errors
    assert errors["days"] == ["Assurez-vous que cette valeur est inférieure ou égale à 366."]
    assert response.context["title"].startswith("Erreur : ")
    assert not ServiceApiToken.objects.exists()
    empty = _post_new(client, name="", scope=ApiTokenScope.READ, days=30)
    assert empty.context["form"].errors["services"] == ["Cochez au moins un de vos services."]


def test_the_list_shows_only_the_agent_s_own_tokens(client, instructor, mairie):
    mine = make_token(instructor, [mairie])
    colleague = member_of(mairie)
    theirs = make_token(colleague, [mairie])
    login_verified(client, instructor)
    page = client.get(reverse("agent:api-tokens")).content.decode()
    assert mine.token.prefix in page
    assert theirs.token.prefix not in page


def test_revoking_is_at_once_and_only_one_s_own(client, instructor, mairie):
    mine = make_token(instructor, [mairie])
    theirs = make_token(member_of(mairie), [mairie])
    login_verified(client, instructor)
    refused = client.post(reverse("agent:api-token-revoke", args=[theirs.token.pk]))
    assert refused.status_code == 404
    response = client.post(reverse("agent:api-token-revoke", args=[mine.token.pk]))
    assert response.status_code == 302
    mine.token.refresh_from_db()
    theirs.token.refresh_from_db()
    assert mine.token.revoked_at is not None and theirs.token.revoked_at is None
    assert not mine.token.is_active()
    client.post(reverse("agent:api-token-revoke", args=[mine.token.pk]))  # again: nothing more recorded
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
    assert "Révoqué" in client.get(reverse("agent:api-tokens")).content.decode()


def test_a_token_s_page_shows_its_latest_calls_to_its_creator_only(client, instructor, mairie, passport):
    mine = make_token(instructor, [mairie])
    client.get(f"/api/v1/services/{mairie.pk}/quests", headers=mine.headers)
    login_verified(client, instructor)
    page = client.get(reverse("agent:api-token", args=[mine.token.pk]))
    assert page.status_code == 200
    assert f"GET /api/v1/services/{mairie.pk}/quests" in page.content.decode()
    colleague = member_of(mairie)
    login_verified(client, colleague)
    assert client.get(reverse("agent:api-token", args=[mine.token.pk])).status_code == 404
