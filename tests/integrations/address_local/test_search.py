"""The local geocoder's search and reverse on the real extract: GeoCodeJSON shape, filters, autocomplete, priority."""

from __future__ import annotations

import pytest

from civiquest.integrations.address import local

PROPERTY_TYPES = {
    "label": str,
    "score": float,
    "id": str,
    "banId": (str, type(None)),
    "type": str,
    "name": str,
    "postcode": (str, type(None)),
    "citycode": str,
    "city": str,
    "context": str,
    "x": float,
    "y": float,
    "importance": float,
    "_type": str,
}


def labels(collection):
    return [feature["properties"]["label"] for feature in collection["features"]]


def assert_feature(feature, extra_keys=()):
    assert set(feature) == {"type", "geometry", "properties"}
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert isinstance(lon, float) and isinstance(lat, float) and 160 < lon < 170 and -23 < lat < -19
    properties = feature["properties"]
    assert set(properties) == set(PROPERTY_TYPES) | set(extra_keys)
    for key, expected in PROPERTY_TYPES.items():
        assert isinstance(properties[key], expected), key
    assert 0 <= properties["score"] <= 1
    assert properties["_type"] == "address"


def test_a_search_answers_the_geocodejson_of_the_geoplateforme(extract, django_assert_max_num_queries):
    local.search("warm up")
    with django_assert_max_num_queries(1):  # the generation check; the index is in memory
        collection = local.search("10 Rue des Sapins 98825 Pouembout", limit=3)
    assert list(collection) == ["type", "version", "features", "attribution", "licence", "query", "limit"]
    assert collection["type"] == "FeatureCollection"
    assert (collection["version"], collection["attribution"], collection["licence"]) == ("draft", "BAN", "ETALAB-2.0")
    assert (collection["query"], collection["limit"]) == ("10 Rue des Sapins 98825 Pouembout", 3)
    assert 1 <= len(collection["features"]) <= 3
    first = collection["features"][0]
    assert_feature(first, extra_keys=("housenumber", "street"))
    assert first["geometry"]["coordinates"] == [164.900792, -21.120919]
    assert first["properties"] | {"score": 1.0} == {
        "label": "10 Rue des Sapins 98825 Pouembout",
        "score": 1.0,
        "id": "98825_y6as4k_00010",
        "banId": None,
        "type": "housenumber",
        "housenumber": "10",
        "name": "10 Rue des Sapins",
        "street": "Rue des Sapins",
        "postcode": "98825",
        "citycode": "98825",
        "city": "Pouembout",
        "context": "988, Nouvelle-Calédonie",
        "x": 285817.66,
        "y": 341566.72,
        "importance": 0.4216,
        "_type": "address",
    }
    scores = [feature["properties"]["score"] for feature in collection["features"]]
    assert scores == sorted(scores, reverse=True)


def test_streets_and_communes_have_their_own_shape(extract):
    street = local.search("Rue des Sapins Pouembout", limit=1)["features"][0]
    assert_feature(street, extra_keys=("street",))
    assert (street["properties"]["type"], street["properties"]["id"]) == ("street", "98825_y6as4k")
    assert street["properties"]["label"] == "Rue des Sapins 98825 Pouembout"
    commune = local.search("Nouméa", limit=1)["features"][0]
    assert_feature(commune, extra_keys=("population",))
    assert commune["properties"] | {"score": 0} == commune["properties"] | {
        "label": "Nouméa",
        "score": 0,
        "id": "98818",
        "type": "municipality",
        "name": "Nouméa",
        "postcode": "98800",
        "citycode": "98818",
        "city": "Nouméa",
        "population": 94285,
    }


def test_case_accents_and_punctuation_do_not_matter(extract):
    expected = "12 Rue de la REPUBLIQUE 98800 Nouméa"
    for query in ("12 rue de la république nouméa", "12, RUE DE LA REPUBLIQUE - NOUMEA", "12 Rue de la Republique"):
        assert labels(local.search(query))[0] == expected, query


def test_autocomplete_completes_the_last_word_unless_asked_not_to(extract):
    assert labels(local.search("12 rue de la rép"))[0] == "12 Rue de la REPUBLIQUE 98800 Nouméa"
    assert labels(local.search("moind"))[0] == "Moindou"
    assert "Moindou" not in labels(local.search("moind", autocomplete=False))


def test_typos_and_abbreviations_are_tolerated(extract):
    assert labels(local.search("12 rue de la repuplique noumea"))[0] == "12 Rue de la REPUBLIQUE 98800 Nouméa"
    assert labels(local.search("10 r des sapins pouembout"))[0] == "10 Rue des Sapins 98825 Pouembout"


def test_the_type_filter(extract):
    assert {
        feature["properties"]["type"] for feature in local.search("rue des sapins", type="street")["features"]
    } == {"street"}
    housenumbers = local.search("10 rue des sapins", type="housenumber")["features"]
    assert housenumbers and {feature["properties"]["type"] for feature in housenumbers} == {"housenumber"}
    assert labels(local.search("nouméa", type="municipality")) == ["Nouméa"]
    assert local.search("rue des sapins", type="locality")["features"] == []


def test_the_postcode_and_citycode_filters(extract):
    # "Rue des Cagous" exists in Koné, Dumbéa and Pouembout.
    everywhere = {feature["properties"]["citycode"] for feature in local.search("rue des cagous")["features"]}
    assert {"98811", "98805", "98825"} <= everywhere
    assert {f["properties"]["citycode"] for f in local.search("rue des cagous", citycode="98825")["features"]} == {
        "98825"
    }
    assert {f["properties"]["postcode"] for f in local.search("rue des cagous", postcode="98835")["features"]} == {
        "98835"
    }
    assert local.search("rue des cagous", postcode="75001")["features"] == []


def test_a_position_gives_priority_not_a_filter(extract):
    pouembout = (-21.1315, 164.9010)
    without = labels(local.search("rue des cagous"))
    near = labels(local.search("rue des cagous", lat=pouembout[0], lon=pouembout[1]))
    assert without[0] != "Rue des Cagous 98825 Pouembout"
    assert near[0] == "Rue des Cagous 98825 Pouembout"
    assert set(near) == set(without)  # the others are still there


def test_limit_is_capped_and_nonsense_finds_nothing(extract):
    assert len(local.search("rue", limit=50)["features"]) == local.MAX_LIMIT
    assert local.search("rue", limit=50)["limit"] == local.MAX_LIMIT
    assert local.search("zzzzqqqq")["features"] == []
    assert local.search("   ")["features"] == []


def test_reverse_answers_the_nearest_house_number_with_its_distance(extract, django_assert_max_num_queries):
    local.reverse(-21.12, 164.90)
    with django_assert_max_num_queries(1):
        collection = local.reverse(-21.120919, 164.900792, limit=3)
    assert list(collection) == ["type", "version", "features", "attribution", "licence", "limit"]
    first = collection["features"][0]
    assert_feature(first, extra_keys=("housenumber", "street", "distance"))
    assert (first["properties"]["id"], first["properties"]["distance"]) == ("98825_y6as4k_00010", 0)
    distances = [feature["properties"]["distance"] for feature in collection["features"]]
    assert len(distances) == 3 and distances == sorted(distances)


@pytest.mark.parametrize(("kind", "expected"), [("street", "98825_y6as4k"), ("municipality", "98825")])
def test_reverse_type_filter(extract, kind, expected):
    feature = local.reverse(-21.120919, 164.900792, type=kind)["features"][0]
    assert (feature["properties"]["type"], feature["properties"]["id"]) == (kind, expected)


def test_reverse_far_from_every_address_still_answers_the_nearest(extract):
    assert len(local.reverse(48.8566, 2.3522)["features"]) == 1


def test_an_empty_database_answers_nothing(db, django_db_blocker):
    # Inside this test's transaction only: the package's import comes back after it.
    from civiquest.integrations.address.models import HouseNumber, ImportState, Place

    HouseNumber.objects.all().delete()
    Place.objects.all().delete()
    ImportState.objects.all().delete()
    assert local.search("rue des sapins")["features"] == []
    assert local.reverse(-21.12, 164.9)["features"] == []
