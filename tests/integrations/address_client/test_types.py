"""``NormalizedAddress``: what a form keeps of a geocoder feature, and how it is read back."""

from __future__ import annotations

import pytest

from civiquest.core.addresses import NormalizedAddress

FEATURE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [166.443424, -22.271749]},
    "properties": {
        "label": "12 Rue de SEBASTOPOL 98800 Nouméa",
        "score": 0.97,
        "housenumber": "12",
        "id": "98818_5pnyp8_00012",
        "banId": None,
        "name": "12 Rue de SEBASTOPOL",
        "postcode": "98800",
        "citycode": "98818",
        "city": "Nouméa",
        "context": "988, Nouvelle-Calédonie",
        "type": "housenumber",
        "street": "Rue de SEBASTOPOL",
    },
}


def test_from_feature_keeps_what_a_form_needs():
    address = NormalizedAddress.from_feature(FEATURE)

    assert address == NormalizedAddress(
        label="12 Rue de SEBASTOPOL 98800 Nouméa",
        ban_id="98818_5pnyp8_00012",
        citycode="98818",
        postcode="98800",
        city="Nouméa",
        lat=-22.271749,
        lon=166.443424,
    )
    assert NormalizedAddress.from_dict(address.as_dict()) == address


def test_from_feature_tolerates_the_quirks_of_real_ban_data():
    # Street records: postcode null, citycode and city lists (the first value is the name).
    feature = {
        "geometry": None,
        "properties": {
            "label": "Rue de SEBASTOPOL Nouméa",
            "id": "98818_5pnyp8",
            "postcode": None,
            "citycode": ["98818"],
            "city": ["Nouméa", "Noumea"],
        },
    }

    address = NormalizedAddress.from_feature(feature)

    assert (address.postcode, address.citycode, address.city) == ("", "98818", "Nouméa")
    assert (address.lat, address.lon) == (None, None)


@pytest.mark.parametrize(
    "feature",
    [
        None,
        {},
        {"properties": {"label": "  "}},
        {"properties": {"label": "x"}, "geometry": {"coordinates": [1, 95]}},
        {"properties": {"label": "x"}, "geometry": {"coordinates": ["1", 2]}},
    ],
)
def test_from_feature_refuses_what_is_not_an_address(feature):
    with pytest.raises(ValueError):
        NormalizedAddress.from_feature(feature)


@pytest.mark.parametrize(
    "data",
    [
        "12 rue",
        {"label": ""},
        {"label": 12},
        {"label": "x", "citycode": 98818},
        {"label": "x", "lat": True, "lon": 2},
        {"label": "x", "lat": "45", "lon": 2},
        {"label": "x", "lat": 45.0},
        {"label": "x", "lat": 45.0, "lon": 200},
        {"label": "x", "lat": float("nan"), "lon": 2},
    ],
)
def test_from_dict_validates_types(data):
    with pytest.raises(ValueError):
        NormalizedAddress.from_dict(data)


def test_from_dict_accepts_a_free_entry_without_coordinates():
    address = NormalizedAddress.from_dict({"label": " 3 place du village ", "ban_id": None, "lat": None, "lon": None})

    assert address.label == "3 place du village"
    assert address.ban_id == ""
    assert address.lat is None
