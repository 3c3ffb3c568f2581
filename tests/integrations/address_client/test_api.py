"""``/api/v1/address/search`` and ``/reverse``: the GeoCodeJSON of whichever backend, clear errors."""

from __future__ import annotations

import pytest
from django.test import Client

from civiquest.integrations.address import importer
from civiquest.sandbox import http_faults
from civiquest.sandbox.http_faults import HttpFault
from tests.integrations.address_client.conftest import set_ban

SEARCH = "/api/v1/address/search"
REVERSE = "/api/v1/address/reverse"


@pytest.mark.django_db(transaction=True)
def test_search_returns_the_geocoder_answer_to_anyone(ban_live, sebastopol):
    response = Client().get(SEARCH, {"q": "12 rue de sebastopol noumea", "limit": "3"})

    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "FeatureCollection"
    assert answer["attribution"] == "BAN"
    assert answer["limit"] == 3
    assert answer["features"][0]["properties"]["id"] == sebastopol["housenumbers"]["12"]["id"]
    assert http_faults.requests_seen("ban") == 1


@pytest.mark.django_db(transaction=True)
def test_search_passes_filters_and_position(ban_live):
    response = Client().get(
        SEARCH, {"q": "rue de sebastopol", "type": "street", "citycode": "98818", "lat": "-22.27", "lon": "166.44"}
    )

    assert response.status_code == 200
    features = response.json()["features"]
    assert features
    assert {(f["properties"]["type"], f["properties"]["citycode"]) for f in features} == {("street", "98818")}


@pytest.mark.django_db(transaction=True)
def test_reverse_returns_the_nearest_house_number(ban_live, sebastopol):
    point = sebastopol["housenumbers"]["12"]

    response = Client().get(REVERSE, {"lat": point["lat"], "lon": point["lon"]})

    assert response.status_code == 200
    [feature] = response.json()["features"]
    assert feature["properties"]["id"] == point["id"]


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        (SEARCH, {}, "Saisissez au moins 3 caractères pour chercher une adresse."),
        (SEARCH, {"q": " ab "}, "Saisissez au moins 3 caractères pour chercher une adresse."),
        (SEARCH, {"q": "x" * 201}, "La recherche est trop longue : 200 caractères au plus."),
        (SEARCH, {"q": "rue", "limit": "0"}, "Le nombre de résultats (limit) doit être un entier entre 1 et 20."),
        (SEARCH, {"q": "rue", "limit": "21"}, "Le nombre de résultats (limit) doit être un entier entre 1 et 20."),
        (SEARCH, {"q": "rue", "limit": "dix"}, "Le nombre de résultats (limit) doit être un entier entre 1 et 20."),
        (
            SEARCH,
            {"q": "rue", "type": "city"},
            "Le type doit être l’un de : housenumber, street, locality, municipality.",
        ),
        (SEARCH, {"q": "rue", "postcode": "988"}, "Le code postal (postcode) doit compter 5 chiffres."),
        (
            SEARCH,
            {"q": "rue", "citycode": "9881"},
            "Le code INSEE de la commune (citycode) doit compter 5 caractères.",
        ),
        (SEARCH, {"q": "rue", "lat": "45"}, "Donnez la latitude (lat) et la longitude (lon) ensemble."),
        (SEARCH, {"q": "rue", "lat": "91", "lon": "2"}, "La latitude (lat) doit être un nombre entre -90 et 90."),
        (
            SEARCH,
            {"q": "rue", "lat": "45", "lon": "-181"},
            "La longitude (lon) doit être un nombre entre -180 et 180.",
        ),
        (SEARCH, {"q": "rue", "lat": "nan", "lon": "2"}, "La latitude (lat) doit être un nombre entre -90 et 90."),
        (SEARCH, {"q": "rue", "autocomplete": "yes"}, "Le paramètre autocomplete vaut 0 ou 1."),
        (REVERSE, {}, "Donnez la latitude (lat) et la longitude (lon) du point."),
        (REVERSE, {"lat": "-91", "lon": "2"}, "La latitude (lat) doit être un nombre entre -90 et 90."),
        (REVERSE, {"lat": "45", "lon": "abc"}, "La longitude (lon) doit être un nombre entre -180 et 180."),
        (
            REVERSE,
            {"lat": "45", "lon": "2", "limit": "50"},
            "Le nombre de résultats (limit) doit être un entier entre 1 et 20.",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_parameters_are_refused_in_french_without_calling_the_geocoder(settings, path, params, message):
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        "ban": {**settings.INTEGRATIONS["ban"], "BASE_URL": "http://127.0.0.1:9"},
    }

    response = Client().get(path, params)

    assert response.status_code == 400
    assert response.json() == {"detail": message}


@pytest.mark.django_db(transaction=True)
def test_a_geocoder_down_is_a_503_with_the_translated_message_then_recovers(ban_live):
    set_ban(ban_live, RETRIES=0)
    http_faults.inject("ban", HttpFault.SERVER_ERROR)
    client = Client()

    for attempt in range(3):  # FAILURE_THRESHOLD: the circuit opens
        response = client.get(SEARCH, {"q": f"rue numero {attempt}"})
        assert response.status_code == 503
    http_faults.clear("ban")
    http_faults.reset_requests_seen("ban")

    response = client.get(SEARCH, {"q": "rue de sebastopol"})
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Nous n’arrivons pas à joindre le service d’adresses (Base Adresse Nationale) pour le moment. "
        "Ce que vous avez saisi est conservé : réessayez dans quelques minutes."
    }
    assert response["Retry-After"] == "30"
    assert client.get(REVERSE, {"lat": "-22.27", "lon": "166.44"}).status_code == 503
    assert http_faults.requests_seen("ban") == 0  # the circuit is open: nothing was sent

    import time

    time.sleep(1.1)  # RECOVERY_SECONDS
    assert client.get(SEARCH, {"q": "rue de sebastopol"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_bad_answer_is_a_503_too(ban_live):
    http_faults.inject("ban", HttpFault.MALFORMED_JSON, times=1)

    response = Client().get(SEARCH, {"q": "rue de sebastopol"})

    assert response.status_code == 503
    assert "réponse inattendue" in response.json()["detail"]


@pytest.mark.django_db
def test_the_local_backend_answers_in_process(settings, ban_subset_file, sebastopol, django_assert_max_num_queries):
    settings.ADDRESS_BACKEND = "local"
    # No geocoder over HTTP at all: the local engine must not need one.
    settings.INTEGRATIONS = {**settings.INTEGRATIONS, "ban": {**settings.INTEGRATIONS["ban"], "BASE_URL": ""}}
    importer.import_file(ban_subset_file)
    client = Client()
    client.get(SEARCH, {"q": "noumea"})  # builds the engine's in-memory index

    with django_assert_max_num_queries(2):
        response = client.get(SEARCH, {"q": "12 r de sebastopol noumea"})
    assert response.status_code == 200
    assert response.json()["features"][0]["properties"]["id"] == sebastopol["housenumbers"]["12"]["id"]

    point = sebastopol["housenumbers"]["12"]
    with django_assert_max_num_queries(2):
        response = client.get(REVERSE, {"lat": point["lat"], "lon": point["lon"], "limit": "2"})
    assert response.status_code == 200
    assert response.json()["features"][0]["properties"]["id"] == point["id"]


@pytest.mark.django_db
def test_each_client_address_is_rate_limited(settings, ban_subset_file):
    settings.ADDRESS_BACKEND = "local"
    settings.ADDRESS_API_RATE_LIMIT = 2
    importer.import_file(ban_subset_file)
    client = Client()

    assert client.get(SEARCH, {"q": "noumea"}).status_code == 200
    assert client.get(REVERSE, {"lat": "-22.27", "lon": "166.44"}).status_code == 200
    response = client.get(SEARCH, {"q": "noumea"})

    assert response.status_code == 429
    assert response.json() == {"detail": "Trop de recherches d’adresse en peu de temps : réessayez dans une minute."}
    assert response["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(SEARCH, {"q": "noumea"}).status_code == 200


@pytest.mark.django_db
def test_the_operations_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/address/search", "/api/v1/address/reverse"} <= set(paths)
    names = {parameter["name"] for parameter in paths["/api/v1/address/search"]["get"]["parameters"]}
    assert {"q", "limit", "type", "postcode", "citycode", "lat", "lon", "autocomplete"} <= names
