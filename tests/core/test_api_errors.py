"""Bad input in the JSON API: 400 with a French message naming each field, as everywhere in the API."""

import pytest
from django.test import Client

from tests.accounts.factories import login_verified

pytestmark = pytest.mark.django_db

SIMULATE = "/api/v1/taxes/simulate"


@pytest.fixture
def api(client, citizen):
    login_verified(client, citizen)
    return client


def test_wrong_types_and_missing_fields_are_named_in_french(api):
    payload = '{"marital_status": "celibataire", "declarants": [{"salaries": "beaucoup"}], "single_parent": []}'
    response = api.post(SIMULATE, payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "declarants.0.salaries", "message": "Ce champ attend un nombre entier."},
        {"field": "single_parent", "message": "Ce champ attend true ou false."},
    ]
    assert response.json()["detail"].startswith("Requête invalide : declarants.0.salaries : Ce champ attend")


def test_out_of_bounds_and_unknown_values(api):
    payload = '{"income_year": 99999999999999999999, "marital_status": "x", "declarants": []}'
    errors = api.post(SIMULATE, payload, content_type="application/json").json()["errors"]
    messages = {error["field"]: error["message"] for error in errors}
    assert messages["income_year"].startswith("Ce nombre doit valoir au plus")
    assert messages["marital_status"].startswith("Valeur inconnue : choisissez parmi")
    assert messages["declarants"] == "Pas assez d’éléments : 1 au moins."


def test_a_body_that_is_not_json(api):
    response = api.post(SIMULATE, "{pas du json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Le corps de la requête n’est pas du JSON valide."}


def test_anonymous_and_csrf_refusals_are_in_french(citizen):
    anonymous = Client().post(SIMULATE, "{}", content_type="application/json")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Connectez-vous pour utiliser ce service."}
    strict = Client(enforce_csrf_checks=True)
    login_verified(strict, citizen)
    refused = strict.post(SIMULATE, "{}", content_type="application/json")
    assert refused.status_code == 403
    assert "Jeton CSRF absent ou invalide" in refused.json()["detail"]
