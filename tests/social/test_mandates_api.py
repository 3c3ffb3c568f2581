# ruff: noqa: F811 - the fixtures are imported from tests.social.mandate_setup
"""``/api/v1/me/mandates``: list given and held, give after a re-authentication, revoke by either side."""

from __future__ import annotations

import pytest

from civiquest.actions.mandates import helper_code_get
from civiquest.social.mandates.models import Mandate
from tests.accounts.factories import AgentFactory
from tests.quests.fixtures import mairie  # noqa: F401
from tests.social.mandate_setup import grant, reauthenticate, world  # noqa: F401

URL = "/api/v1/me/mandates"


@pytest.fixture
def api(client, world):
    client.force_login(world.citizen)
    return client


def test_giving_needs_a_reauthentication(api, world):
    code = helper_code_get(user=world.helper).code
    response = api.post(URL, {"helper_code": code, "domains": ["papiers"], "days": 1}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["reauthenticate_url"].endswith("/mon-espace/aidants/nouveau/")
    assert not Mandate.objects.exists()
    reauthenticate(api, world.citizen)
    response = api.post(
        URL, {"helper_code": code, "domains": ["papiers"], "days": 31}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["domains"] == ["papiers"] and body["duration_days"] == 31 and body["active"] is True
    assert body["side"] == "given" and body["helper"] == world.helper.display_name


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"helper_code": "NOPE", "domains": ["papiers"], "days": 1}, "Ce code aidant ne correspond à aucun aidant"),
        ({"helper_code": "CODE", "domains": [], "days": 1}, "Choisissez au moins un domaine."),
        ({"helper_code": "CODE", "domains": ["lune"], "days": 1}, "Ce domaine n’existe pas."),
        ({"helper_code": "CODE", "domains": ["papiers"], "days": 2}, "1, 31, 182 ou 365 jours"),
    ],
)
def test_bad_input_is_a_french_400(api, world, payload, message):
    code = helper_code_get(user=world.helper).code
    reauthenticate(api, world.citizen)
    payload = {**payload, "helper_code": code if payload["helper_code"] == "CODE" else payload["helper_code"]}
    response = api.post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_malformed_body_is_a_400(api, world):
    reauthenticate(api, world.citizen)
    response = api.post(URL, {"helper_code": 3, "domains": "papiers"}, content_type="application/json")
    assert response.status_code == 400


def test_list_given_and_held(client, world):
    grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.citizen)
    body = client.get(URL).json()
    assert [m["helper"] for m in body["given"]] == [world.helper.display_name] and body["held"] == []
    assert body["given"][0]["journal_url"].endswith("/journal/")
    client.force_login(world.helper)
    body = client.get(URL).json()
    assert body["given"] == [] and [m["citizen"] for m in body["held"]] == [world.citizen.display_name]
    assert body["held"][0]["journal_url"] == ""


@pytest.mark.parametrize(("side", "method"), [("citizen", "post"), ("helper", "delete")])
def test_either_side_revokes_idempotently_others_get_404(client, world, side, method):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.other)
    assert getattr(client, method)(f"{URL}/{mandate.pk}").status_code == 404
    client.force_login(world.citizen if side == "citizen" else world.helper)
    first = getattr(client, method)(f"{URL}/{mandate.pk}")
    assert first.status_code == 200 and first.json()["active"] is False
    again = getattr(client, method)(f"{URL}/{mandate.pk}")
    assert again.status_code == 200 and again.json()["revoked_at"] == first.json()["revoked_at"]
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None


def test_agents_and_visitors_are_refused(client, world):
    assert client.get(URL).status_code == 401
    client.force_login(AgentFactory())
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "Ce nombre doit valoir au moins 1."),
        ("-1", "Ce nombre doit valoir au moins 1."),
        ("99999999999", "Ce nombre doit valoir au plus 2147483647."),
        ("abc", "Ce champ attend un nombre entier."),
    ],
)
def test_path_ids_are_bounded(api, raw, message):
    response = api.delete(f"{URL}/{raw}")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "mandate_id", "message": message}]


def test_an_unknown_mandate_id_is_not_found(api):
    response = api.delete(f"{URL}/{2**31 - 1}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Ce mandat n’existe pas."
