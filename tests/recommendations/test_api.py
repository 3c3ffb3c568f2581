"""GET /api/v1/me/recommendations, the life events and the answers, for the signed-in citizen only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from civiquest.core.dates import paris_today
from civiquest.recommendations.models import Feedback, LifeEvent
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/me/life-events"
RECOMMENDATIONS = "/api/v1/me/recommendations"


@pytest.fixture
def api(client, rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    login_verified(client, citizen)
    client.citizen = citizen
    return client


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_declaring_a_birth_recommends_its_declaration_within_five_days(api):
    born = paris_today() - dt.timedelta(days=1)
    created = post(api, EVENTS, {"code": "naissance", "date": born.isoformat()})
    assert created.status_code == 201
    assert created.json() == {
        "id": LifeEvent.objects.get().pk,
        "code": "naissance",
        "label": "J’attends ou j’ai eu un enfant",
        "date": born.isoformat(),
    }

    listed = api.get(RECOMMENDATIONS)

    assert listed.status_code == 200
    first = listed.json()[0]
    assert first == {
        "procedure": "declaration-naissance",
        "title": first["title"],
        "reason": first["reason"],
        "deadline": (born + dt.timedelta(days=5)).isoformat(),
        "source": "https://www.service-public.fr/particuliers/vosdroits/F961",
        "kind": "rule",
        "url": "/demarches/declaration-naissance/",
        "in_progress": False,
    }
    assert first["reason"].startswith("Parce que vous avez déclaré une naissance le ")


def test_the_same_event_declared_twice_is_kept_once(api):
    body = {"code": "demenagement", "date": paris_today().isoformat()}
    assert post(api, EVENTS, body).status_code == 201
    again = post(api, EVENTS, body)
    assert again.status_code == 200
    assert LifeEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"code": "lune", "date": "2026-01-01"}, "Cet événement de vie n’existe pas."),
        ({"code": "demenagement", "date": "1990-01-01"}, "Cette date est trop ancienne"),
        ({"code": "demenagement", "date": "2099-01-01"}, "Cette date est trop lointaine"),
    ],
)
def test_a_bad_event_is_a_400_with_a_french_message_and_nothing_saved(api, body, message):
    refused = post(api, EVENTS, body)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith(message)
    assert LifeEvent.objects.count() == 0


def test_a_malformed_date_is_a_400(api):
    refused = post(api, EVENTS, {"code": "demenagement", "date": "le 3 mars"})
    assert refused.status_code == 400
    assert LifeEvent.objects.count() == 0


def test_an_event_is_removed_by_its_owner_only(api):
    mine = LifeEvent.objects.create(citizen=api.citizen, code="voyage", occurred_on=paris_today())
    theirs = LifeEvent.objects.create(citizen=CitizenFactory(), code="voyage", occurred_on=paris_today())

    assert api.delete(f"{EVENTS}/{theirs.pk}").status_code == 404
    assert api.delete(f"{EVENTS}/{mine.pk}").status_code == 204
    assert api.delete(f"{EVENTS}/{mine.pk}").status_code == 404
    assert list(LifeEvent.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_a_dismissed_procedure_leaves_the_list(api):
    post(api, EVENTS, {"code": "demenagement", "date": paris_today().isoformat()})
    before = [item["procedure"] for item in api.get(RECOMMENDATIONS).json()]
    assert "carte-grise-changement-adresse" in before

    answered = post(api, f"{RECOMMENDATIONS}/carte-grise-changement-adresse/dismiss")

    assert answered.status_code == 200
    assert answered.json() == {"procedure": "carte-grise-changement-adresse", "answer": "dismissed"}
    after = [item["procedure"] for item in api.get(RECOMMENDATIONS).json()]
    assert after == [slug for slug in before if slug != "carte-grise-changement-adresse"]
    assert post(api, f"{RECOMMENDATIONS}/inconnue/dismiss").status_code == 404
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize("who", ["anonymous", "agent"])
def test_only_a_signed_in_citizen_may_use_it(client, rules, who):
    if who == "agent":
        login_verified(client, AgentFactory())
    expected = 401 if who == "anonymous" else 403
    assert client.get(RECOMMENDATIONS).status_code == expected
    assert post(client, EVENTS, {"code": "voyage", "date": "2026-12-24"}).status_code == expected
    assert LifeEvent.objects.count() == 0
