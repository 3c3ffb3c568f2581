"""The BAN sandbox over HTTP: the Géoplateforme's /geocodage/search and /reverse answered by the local engine."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.sandbox import http_faults

SEARCH = "/sandbox/ban/geocodage/search"
REVERSE = "/sandbox/ban/geocodage/reverse"


def test_the_routes_are_where_the_ban_client_looks():
    assert reverse("sandbox:ban-search") == SEARCH
    assert reverse("sandbox:ban-reverse") == REVERSE


def test_search_over_http(client, extract):
    response = client.get(SEARCH, {"q": "10 rue des sapins pouembout", "limit": "2", "autocomplete": "0"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["type"], body["version"], body["query"], body["limit"]) == (
        "FeatureCollection",
        "draft",
        "10 rue des sapins pouembout",
        2,
    )
    assert body["features"][0]["properties"]["id"] == "98825_y6as4k_00010"
    assert len(body["features"]) <= 2


def test_search_filters_and_priority_over_http(client, extract):
    answer = client.get(SEARCH, {"q": "rue des cagous", "citycode": "98825", "type": "street"}).json()
    assert answer["features"][0]["properties"]["id"] == "98825_y9yvph"
    assert {f["properties"]["citycode"] for f in answer["features"]} == {"98825"}
    answer = client.get(SEARCH, {"q": "rue des cagous", "postcode": "98835"}).json()
    assert {f["properties"]["city"] for f in answer["features"]} == {"Dumbéa"}
    answer = client.get(SEARCH, {"q": "rue des cagous", "lat": "-21.1315", "lon": "164.901"}).json()
    assert answer["features"][0]["properties"]["city"] == "Pouembout"
    assert client.get(SEARCH, {"q": "rue des cagous"}).json()["limit"] == 5


def test_reverse_over_http(client, extract):
    body = client.get(REVERSE, {"lat": "-21.120919", "lon": "164.900792"}).json()
    assert "query" not in body and body["limit"] == 1
    assert [f["properties"]["id"] for f in body["features"]] == ["98825_y6as4k_00010"]
    body = client.get(REVERSE, {"lat": "-21.120919", "lon": "164.900792", "type": "street", "limit": "3"}).json()
    assert {f["properties"]["type"] for f in body["features"]} == {"street"} and len(body["features"]) == 3


@pytest.mark.parametrize(
    ("path", "params", "detail"),
    [
        (SEARCH, {"q": "rue", "limit": "21"}, "limit"),
        (SEARCH, {"q": "rue", "limit": "0"}, "limit"),
        (SEARCH, {"q": "rue", "limit": "cinq"}, "limit"),
        (SEARCH, {}, "q:"),
        (SEARCH, {"q": "ab"}, "q:"),
        (SEARCH, {"q": "-- rue"}, "q:"),
        (SEARCH, {"q": "rue", "type": "city"}, "type"),
        (SEARCH, {"q": "rue", "lat": "-21.1"}, "lat and lon"),
        (SEARCH, {"q": "rue", "lat": "north", "lon": "2"}, "lat"),
        (SEARCH, {"q": "rue", "postcode": "988"}, "postcode"),
        (SEARCH, {"q": "rue", "autocomplete": "maybe"}, "autocomplete"),
        (REVERSE, {"lon": "164.9"}, "lat"),
        (REVERSE, {"lat": "95", "lon": "164.9"}, "lat"),
        (REVERSE, {"lat": "-21.1", "lon": "164.9", "limit": "100"}, "limit"),
    ],
)
def test_bad_parameters_are_a_400_json_error_like_the_real_api(client, db, path, params, detail):
    response = client.get(path, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["message"]
    assert any(detail in line for line in body["detail"])


def test_only_get_is_allowed(client, db):
    assert client.post(SEARCH, {"q": "rue"}).status_code == 405


def test_the_sandbox_can_be_made_to_fail(client, extract):
    http_faults.inject("ban", http_faults.HttpFault.SERVER_ERROR, times=1)
    assert client.get(SEARCH, {"q": "rue des sapins"}).status_code == 500
    assert client.get(SEARCH, {"q": "rue des sapins"}).status_code == 200
    http_faults.inject("ban", http_faults.HttpFault.TOO_MANY_REQUESTS, times=1)
    assert client.get(REVERSE, {"lat": "-21.12", "lon": "164.9"}).status_code == 429
