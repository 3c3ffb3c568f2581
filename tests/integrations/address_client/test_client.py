"""Contract tests: the production BAN client over a live socket against the sandbox (real BAN data).

The sandbox speaks the Géoplateforme protocol and misbehaves on demand (``http_faults``);
``requests_seen`` counts what actually reached it, which proves retries and an open circuit.
"""

from __future__ import annotations

import time

import pytest

from civiquest.core.addresses import NormalizedAddress
from civiquest.core.http import BadAnswer, CircuitOpen, RequestRejected, ServiceUnavailable
from civiquest.integrations.address.client import BanGeocoderClient, answer_problem
from civiquest.sandbox import http_faults
from civiquest.sandbox.http_faults import HttpFault
from tests.integrations.address_client.conftest import set_ban

pytestmark = pytest.mark.django_db(transaction=True)

FEATURE_KEYS = {"type", "geometry", "properties"}
COLLECTION_KEYS = {"type", "version", "features", "attribution", "licence", "query", "limit"}


def test_search_returns_the_geocodejson_of_the_real_service(ban_live, sebastopol):
    answer = BanGeocoderClient().search("12 rue de sebastopol noumea")

    assert COLLECTION_KEYS <= set(answer)
    assert answer["type"] == "FeatureCollection"
    assert answer["version"] == "draft"
    assert answer["attribution"] == "BAN"
    assert answer["licence"] == "ETALAB-2.0"
    assert answer["query"] == "12 rue de sebastopol noumea"
    assert answer["limit"] == 5
    first = answer["features"][0]
    assert set(first) == FEATURE_KEYS
    assert first["type"] == "Feature"
    assert first["geometry"]["type"] == "Point"
    point = sebastopol["housenumbers"]["12"]
    assert first["geometry"]["coordinates"] == [pytest.approx(point["lon"]), pytest.approx(point["lat"])]
    properties = first["properties"]
    assert properties["type"] == "housenumber"
    assert properties["id"] == point["id"]
    assert properties["housenumber"] == "12"
    assert properties["street"] == "Rue de SEBASTOPOL"
    assert properties["citycode"] == "98818"
    assert properties["city"] == "Nouméa"
    assert properties["label"].startswith("12 Rue de SEBASTOPOL")
    assert 0 < properties["score"] <= 1
    assert properties["context"] == "988, Nouvelle-Calédonie"

    address = NormalizedAddress.from_feature(first)
    assert address.ban_id == point["id"]
    assert address.citycode == "98818"
    assert (address.lat, address.lon) == (pytest.approx(point["lat"]), pytest.approx(point["lon"]))


def test_search_filters_reach_the_service(ban_live):
    client = BanGeocoderClient()

    streets = client.search("sebastopol", type="street", limit=3)
    assert streets["limit"] == 3
    assert streets["features"]
    assert {feature["properties"]["type"] for feature in streets["features"]} == {"street"}

    elsewhere = client.search("rue de sebastopol", citycode="98805")
    assert all(feature["properties"]["citycode"] == "98805" for feature in elsewhere["features"])


def test_reverse_returns_the_house_number_at_its_coordinates(ban_live, sebastopol):
    point = sebastopol["housenumbers"]["12"]

    answer = BanGeocoderClient().reverse(point["lat"], point["lon"])

    assert answer["type"] == "FeatureCollection"
    assert answer["limit"] == 1
    [feature] = answer["features"]
    assert feature["properties"]["id"] == point["id"]
    assert feature["properties"]["type"] == "housenumber"
    assert 0 <= feature["properties"]["distance"] < 1


def test_good_answers_are_cached_by_normalized_parameters(ban_live):
    client = BanGeocoderClient()

    first = client.search("rue de sebastopol")
    again = client.search("  rue   de sebastopol ")

    assert again == first
    assert http_faults.requests_seen("ban") == 1
    client.search("rue de sebastopol", limit=2)
    assert http_faults.requests_seen("ban") == 2


def test_a_slow_service_times_out_then_is_retried(ban_live):
    set_ban(ban_live, RETRIES=1)
    http_faults.inject("ban", HttpFault.SLOW, times=2)

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        BanGeocoderClient().search("rue de sebastopol")

    assert raised.value.detail == "timeout"
    assert http_faults.requests_seen("ban") == 2  # the first try and one retry, both cut at 0.5 s
    # Each answer would take 1.5 s: had either try not been cut, the call would last 2 s or more.
    assert time.monotonic() - started < 2.0
    assert "Base Adresse Nationale" in raised.value.user_message


def test_too_many_requests_is_retried_after_the_delay_asked(ban_live):
    set_ban(ban_live, RETRIES=1)
    http_faults.inject("ban", HttpFault.TOO_MANY_REQUESTS, times=1)

    answer = BanGeocoderClient().search("rue de sebastopol")

    assert answer["features"]
    assert http_faults.requests_seen("ban") == 2


def test_too_many_requests_every_time_is_service_unavailable(ban_live):
    set_ban(ban_live, RETRIES=1)
    http_faults.inject("ban", HttpFault.TOO_MANY_REQUESTS)

    with pytest.raises(ServiceUnavailable) as raised:
        BanGeocoderClient().search("rue de sebastopol")

    assert raised.value.detail == "HTTP 429"
    assert http_faults.requests_seen("ban") == 2


def test_a_server_error_is_retried_then_reported(ban_live):
    http_faults.inject("ban", HttpFault.SERVER_ERROR)

    with pytest.raises(ServiceUnavailable) as raised:
        BanGeocoderClient().search("rue de sebastopol")

    assert not isinstance(raised.value, CircuitOpen)
    assert raised.value.detail == "HTTP 500"
    assert http_faults.requests_seen("ban") == 3  # 1 + RETRIES


def test_one_server_error_is_absorbed_by_a_retry(ban_live):
    http_faults.inject("ban", HttpFault.SERVER_ERROR, times=1)

    assert BanGeocoderClient().reverse(-22.2687, 166.4434)["features"]
    assert http_faults.requests_seen("ban") == 2


def test_malformed_json_is_a_bad_answer_and_not_cached(ban_live):
    http_faults.inject("ban", HttpFault.MALFORMED_JSON, times=1)

    with pytest.raises(BadAnswer) as raised:
        BanGeocoderClient().search("rue de sebastopol")

    assert raised.value.detail == "malformed JSON"
    assert "réponse inattendue" in raised.value.user_message
    assert BanGeocoderClient().search("rue de sebastopol")["features"]
    assert http_faults.requests_seen("ban") == 2


def test_a_parameter_the_service_refuses_is_a_rejected_request(ban_live):
    with pytest.raises(RequestRejected) as raised:
        BanGeocoderClient().search("rue de sebastopol", postcode="123")

    assert raised.value.status == 400
    assert raised.value.payload["message"] == "Failed parsing query"


def test_the_circuit_opens_after_the_threshold_then_recovers(ban_live):
    set_ban(ban_live, RETRIES=0)
    http_faults.inject("ban", HttpFault.SERVER_ERROR)
    client = BanGeocoderClient()
    for attempt in range(3):  # FAILURE_THRESHOLD
        with pytest.raises(ServiceUnavailable) as raised:
            client.search(f"rue numero {attempt}")
        assert not isinstance(raised.value, CircuitOpen)
    assert http_faults.requests_seen("ban") == 3

    # Open: nothing reaches the sandbox, even once it is healthy again.
    http_faults.clear("ban")
    http_faults.reset_requests_seen("ban")
    for _ in range(5):
        with pytest.raises(CircuitOpen):
            client.search("rue de sebastopol")
    with pytest.raises(CircuitOpen):
        client.reverse(-22.2687, 166.4434)
    assert http_faults.requests_seen("ban") == 0

    time.sleep(1.1)  # RECOVERY_SECONDS
    assert client.search("rue de sebastopol")["features"]
    assert http_faults.requests_seen("ban") == 1
    # Closed again: a single later failure does not reopen it.
    http_faults.inject("ban", HttpFault.SERVER_ERROR, times=1)
    with pytest.raises(ServiceUnavailable):
        client.search("rue de la paix")
    assert client.search("rue de la victoire")["type"] == "FeatureCollection"


def test_an_unreachable_service_is_unavailable(ban_live):
    set_ban(ban_live, BASE_URL="http://127.0.0.1:9/geocodage", RETRIES=0)

    with pytest.raises(ServiceUnavailable) as raised:
        BanGeocoderClient().search("rue de sebastopol")

    assert raised.value.detail.startswith("transport error")


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ([], "not a FeatureCollection"),
        ({"type": "Feature"}, "not a FeatureCollection"),
        ({"type": "FeatureCollection"}, "no features list"),
        ({"type": "FeatureCollection", "features": [{"type": "Point"}]}, "a feature is not a GeoJSON Feature"),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None, "properties": {}}]},
            "a feature has no Point geometry",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": ["1", 2]}}],
            },
            "a feature has no [lon, lat] coordinates",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 2]}}],
            },
            "a feature's coordinates are out of range",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}}
                ],
            },
            "a feature has no label",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [1, 2]},
                        "properties": {"label": "x", "type": "street", "score": "high"},
                    }
                ],
            },
            "a feature's score is not a number",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [1, 2]},
                        "properties": {"label": "x", "type": "street", "citycode": {"a": 1}},
                    }
                ],
            },
            "a feature's citycode is not text",
        ),
        ({"type": "FeatureCollection", "features": []}, None),
    ],
)
def test_answers_of_the_wrong_shape_are_recognised(answer, problem):
    assert answer_problem(answer) == problem
