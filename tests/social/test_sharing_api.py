"""GET/POST /api/v1/me/shares and DELETE /api/v1/me/shares/{id}, for the signed-in citizen only."""

from __future__ import annotations

import json

import pytest

from civiquest.progress.models import BadgeAward
from civiquest.social.sharing.models import ShareLink
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified

pytestmark = pytest.mark.django_db

SHARES = "/api/v1/me/shares"


def post(client, body):
    return client.post(SHARES, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def api(client, citizen):
    login_verified(client, citizen)
    return client


def test_a_checklist_is_shared_listed_with_its_views_and_revoked(api, client, citizen, ready_quest):
    created = post(api, {"kind": "checklist", "quest_id": ready_quest.pk, "include_ticks": True, "days": 7})

    assert created.status_code == 201
    body = created.json()
    share = ShareLink.objects.get()
    assert body["id"] == share.pk and body["kind"] == "checklist" and body["active"] is True
    assert body["url"].endswith(f"/partage/{share.token}/")
    assert body["include_ticks"] is True and body["views"] == 0
    ShareLink.objects.filter(pk=share.pk).update(views=3)

    listed = api.get(SHARES)
    assert listed.status_code == 200
    assert [(row["id"], row["views"]) for row in listed.json()] == [(share.pk, 3)]

    assert api.delete(f"{SHARES}/{share.pk}").status_code == 204
    assert api.delete(f"{SHARES}/{share.pk}").status_code == 204  # idempotent
    assert api.get(SHARES).json()[0]["revoked"] is True


def test_a_badge_held_and_the_level_are_shared(api, citizen):
    BadgeAward.objects.create(citizen=citizen, code="premiere-demarche")
    assert post(api, {"kind": "badge", "badge": "premiere-demarche"}).status_code == 201
    level = post(api, {"kind": "level", "show_pseudonym": True})
    assert level.status_code == 201 and level.json()["expires_at"] > level.json()["created_at"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "photo"}, "Valeur inconnue"),
        ({"kind": "checklist"}, "quest_id"),
        ({"kind": "checklist", "quest_id": 999999}, "Choisissez une de vos démarches."),
        ({"kind": "badge"}, "Indiquez le badge"),
        ({"kind": "badge", "badge": "premiere-demarche"}, "badge que vous avez obtenu"),
        ({"kind": "level", "days": 12}, "Valeur inconnue"),
        ({"kind": "level", "quest_id": 0}, "au moins 1"),
    ],
)
def test_bad_input_is_a_400_in_french(api, body, message):
    response = post(api, body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not ShareLink.objects.exists()


def test_another_citizens_link_is_a_404_and_stays_active(api, client):
    other = CitizenFactory()
    login_verified(client, other)
    theirs = post(client, {"kind": "level"}).json()["id"]
    login_verified(client, CitizenFactory())
    assert client.delete(f"{SHARES}/{theirs}").status_code == 404
    assert client.delete(f"{SHARES}/999999").status_code == 404
    assert ShareLink.objects.get(pk=theirs).revoked_at is None


def test_only_citizens(client):
    assert client.get(SHARES).status_code == 401
    login_verified(client, AgentFactory())
    assert client.get(SHARES).status_code == 403
