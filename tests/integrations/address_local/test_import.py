"""`address_import`: the real extract's counts, idempotent and incremental re-imports, malformed lines, quirks."""

from __future__ import annotations

import gzip
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from civiquest.integrations.address import importer, local
from civiquest.integrations.address.models import HouseNumber, ImportState, Place
from tests.integrations.address_local.sample import EXTRACT

# Fictitious communes (96xxx) so these small files never touch the extract's communes.
COMMUNE = {
    "id": "96001",
    "banId": None,
    "type": "municipality",
    "name": "Villeneuve-Test",
    "postcode": ["96100", "96101"],
    "citycode": "96001",
    "x": 1.0,
    "y": 2.0,
    "lon": 166.0,
    "lat": -22.0,
    "population": 1200,
    "city": "Villeneuve-Test",
    "context": "960, Test",
    "importance": 0.4,
}


def street(key: str, name: str, numbers: dict[str, tuple[float, float]], citycode: str = "96001") -> dict:
    return {
        "id": key,
        "banId": None,
        "name": name,
        "postcode": None,
        "citycode": [citycode],
        "oldcitycode": None,
        "lon": 166.001,
        "lat": -22.001,
        "x": 10.0,
        "y": 20.0,
        "city": ["Villeneuve-Test"],
        "oldcity": None,
        "context": "960, Test",
        "type": "street",
        "importance": 0.5,
        "housenumbers": {
            number: {"id": f"{key}_{number.zfill(5)}", "banId": None, "x": 1.0, "y": 2.0, "lon": lon, "lat": lat}
            for number, (lon, lat) in numbers.items()
        },
    }


def write(path, documents, *, extra_lines=()):
    lines = [json.dumps(document) for document in documents] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_real_extract_imports_its_33_communes_1918_streets_and_40874_house_numbers(extract):
    assert (extract.municipalities, extract.streets, extract.housenumbers) == (33, 1918, 40874)
    assert extract.errors == []
    assert Place.objects.filter(kind=Place.Kind.MUNICIPALITY).count() == 33
    assert Place.objects.filter(kind=Place.Kind.STREET).count() == 1918
    assert HouseNumber.objects.count() == 40874


def test_reimporting_the_same_file_changes_nothing(extract):
    generation = ImportState.objects.get().generation
    report = importer.import_file(EXTRACT)
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 0, 1951, 0)
    assert HouseNumber.objects.count() == 40874
    assert ImportState.objects.get().generation == generation  # processes keep their index


def test_the_real_data_quirks_are_absorbed(extract):
    # Streets: postcode and banId null, citycode and city lists.
    pouembout_street = Place.objects.get(key="98825_y6as4k")
    assert (pouembout_street.citycode, pouembout_street.city, pouembout_street.postcode) == (
        "98825",
        "Pouembout",
        "",
    )
    assert pouembout_street.ban_id == ""
    # Municipalities: postcode a list (the first shown, the others kept as aliases).
    assert Place.objects.get(key="98818").postcode == "98800"
    feature = local.search("10 rue des sapins pouembout")["features"][0]
    assert feature["properties"]["postcode"] == "98825"  # the commune's only postcode
    assert feature["properties"]["banId"] is None


def test_a_malformed_line_is_reported_with_its_number_and_the_rest_imported(db, tmp_path):
    path = write(
        tmp_path / "broken.ndjson",
        [COMMUNE, street("96001_aaaa", "Rue des Essais", {"1": (166.0, -22.0)})],
        extra_lines=[
            '{"id": "96001_bbbb", "type": "street", "name": "Rue Cassée"',  # line 3: truncated JSON
            json.dumps({"id": "96001_cccc", "type": "street", "name": "Sans Position", "citycode": ["96001"]}),
            json.dumps(street("96001_dddd", "Rue Suivante", {"2": (166.0, -22.0)})),
        ],
    )
    out, err = StringIO(), StringIO()
    call_command("address_import", str(path), stdout=out, stderr=err)
    assert "line 3:" in err.getvalue()
    assert "line 4: lon must be a number" in err.getvalue()
    assert "1 municipalities, 2 streets" in out.getvalue()
    assert "2 malformed lines" in out.getvalue()
    assert set(Place.objects.filter(citycode="96001").values_list("key", flat=True)) == {
        "96001",
        "96001_aaaa",
        "96001_dddd",
    }


def test_a_changed_file_updates_adds_and_removes_only_what_changed(db, tmp_path):
    first = [
        COMMUNE,
        street("96001_aaaa", "Rue des Essais", {"1": (166.0, -22.0), "3": (166.0, -22.0)}),
        street("96001_bbbb", "Rue Ancienne", {"5": (166.0, -22.0)}),
    ]
    path = write(tmp_path / "v1.ndjson", first)
    assert importer.import_file(path).created == 3
    generation = ImportState.objects.get().generation
    second = [
        COMMUNE,
        street("96001_aaaa", "Rue des Essais", {"1": (166.0, -22.0), "3bis": (166.0, -22.0)}),
        street("96001_cccc", "Rue Nouvelle", {"7": (166.0, -22.0)}),
    ]
    report = importer.import_file(write(tmp_path / "v2.ndjson", second))
    assert (report.created, report.updated, report.unchanged, report.removed) == (1, 1, 1, 1)
    assert set(HouseNumber.objects.filter(place__key="96001_aaaa").values_list("number", flat=True)) == {"1", "3bis"}
    assert not Place.objects.filter(key="96001_bbbb").exists()
    assert ImportState.objects.get().generation != generation


def test_a_gzipped_file_and_a_new_import_are_seen_by_the_running_process(extract, tmp_path):
    assert local.search("rue des essais villeneuve")["features"][0]["properties"]["city"] != "Villeneuve-Test"
    path = tmp_path / "small.ndjson.gz"
    with gzip.open(path, "wt") as handle:
        for document in (COMMUNE, street("96001_aaaa", "Rue des Essais", {"4": (166.0, -22.0)})):
            handle.write(json.dumps(document) + "\n")
    out = StringIO()
    call_command("address_import", str(path), stdout=out)
    assert "2 documents created" in out.getvalue()
    feature = local.search("4 rue des essais villeneuve")["features"][0]
    assert feature["properties"]["label"] == "4 Rue des Essais Villeneuve-Test"  # two postcodes: none shown
    assert local.search("rue des essais", postcode="96101")["features"][0]["properties"]["id"] == "96001_aaaa"


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("address_import", str(tmp_path / "nothing.ndjson.gz"))
