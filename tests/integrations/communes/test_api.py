"""``/api/v1/address/communes``: the official commune list searched, public, bounded, rate-limited."""

from __future__ import annotations

import pytest
from django.test import Client

COMMUNES = "/api/v1/address/communes"


@pytest.mark.django_db
def test_anyone_finds_communes_by_name_postcode_or_code(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(COMMUNES, {"q": "st etienne", "limit": "3"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "st etienne" and len(body["communes"]) == 3
    assert body["communes"][0] == {
        "code": "42218",
        "name": "Saint-Étienne",
        "label": "Saint-Étienne (42218)",
        "departement": "42",
        "departement_name": "Loire",
        "postcodes": ["42000", "42100", "42230"],
        "population": body["communes"][0]["population"],
        "type": "commune",
    }
    lyon3 = client.get(COMMUNES, {"q": "69003"}).json()["communes"]
    assert {"69383", "69123"} <= {commune["code"] for commune in lyon3}
    assert client.get(COMMUNES, {"q": "zzqxw"}).json()["communes"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Saisissez au moins 2 caractères pour chercher une commune."),
        ({"q": "a"}, "Saisissez au moins 2 caractères pour chercher une commune."),
        ({"q": "x" * 101}, "La recherche est trop longue : 100 caractères au plus."),
        ({"q": "lyon", "limit": "0"}, "Le nombre de résultats (limit) doit être un entier entre 1 et 20."),
        ({"q": "lyon", "limit": "abc"}, "Le nombre de résultats (limit) doit être un entier entre 1 et 20."),
    ],
)
def test_bad_parameters_are_a_400_in_french(client, params, message):
    response = client.get(COMMUNES, params)
    assert response.status_code == 400
    assert response.json() == {"detail": message}


@pytest.mark.django_db
def test_the_search_is_rate_limited_per_client_like_the_address_api(settings):
    settings.ADDRESS_API_RATE_LIMIT = 2
    client = Client()
    assert client.get(COMMUNES, {"q": "lyon"}).status_code == 200
    assert client.get(COMMUNES, {"q": "lyon"}).status_code == 200
    response = client.get(COMMUNES, {"q": "lyon"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert Client(REMOTE_ADDR="192.0.2.9").get(COMMUNES, {"q": "lyon"}).status_code == 200


@pytest.mark.django_db
def test_the_operation_is_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    names = {parameter["name"] for parameter in paths[COMMUNES]["get"]["parameters"]}
    assert names == {"q", "limit"}
