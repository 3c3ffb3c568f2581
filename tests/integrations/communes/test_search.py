"""The commune search over the official list (data/cog/communes.csv): folding, prefixes, typos, ranking."""

from __future__ import annotations

import csv
import json
import time

import pytest
from django.core.management import call_command

from civiquest.integrations.address.communes import (
    commune_get,
    commune_resolve,
    commune_search,
    data_path,
    index,
    load,
    name_key,
)


def labels(query: str, limit: int = 5) -> list[str]:
    return [commune.label for commune in commune_search(query, limit=limit)]


def test_the_shipped_list_holds_current_communes_and_the_arrondissements_of_plm():
    communes = index().communes
    assert 34_000 < len(communes) < 36_000
    assert sum(commune.kind == "arrondissement" for commune in communes) == 45
    lyon3 = commune_get("69383")
    assert lyon3 is not None and lyon3.name == "Lyon 3e" and lyon3.postcodes == ("69003",)
    assert lyon3.departement_name == "Rhône" and lyon3.label == "Lyon 3e (69383)"
    assert commune_get("2a004").name == "Ajaccio"  # Corsica, any case
    assert data_path().stat().st_size < 3_000_000


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Saint-Étienne", "Saint-Étienne (42218)"),
        ("st etienne", "Saint-Étienne (42218)"),  # "st" reads "saint", no accent
        ("SAINT ETIENNE", "Saint-Étienne (42218)"),
        ("st jean luz", "Saint-Jean-de-Luz (64483)"),  # every word a prefix of a word of the name
        ("lyon 3", "Lyon 3e (69383)"),
        ("beziers", "Béziers (34032)"),
        ("l'isle sur la sorgue", "L'Isle-sur-la-Sorgue (84054)"),
        ("Bordeaus", "Bordeaux (33063)"),  # typos
        ("Montpelier", "Montpellier (34172)"),
        ("Strasbourh", "Strasbourg (67482)"),
        ("2A004", "Ajaccio (2A004)"),
        ("75056", "Paris (75056)"),
    ],
)
def test_names_are_found_folded_prefixed_and_despite_typos(query, first):
    assert labels(query)[0] == first


def test_a_postcode_finds_every_commune_it_serves_and_a_name_narrows_it():
    assert set(labels("69003", limit=10)) == {"Lyon (69123)", "Lyon 3e (69383)", "Albigny-sur-Saône (69003)"}
    assert labels("69003 lyon 3") == ["Lyon 3e (69383)"]
    # The first digits of a postcode: a département's communes, the most populated first.
    assert labels("13", limit=1) == ["Marseille (13055)"]


def test_the_exact_name_comes_first_then_the_most_populated():
    # "Paris" exactly, before "Paris 15e" (more populated than the other arrondissements).
    assert labels("paris", limit=2) == ["Paris (75056)", "Paris 15e (75115)"]
    # Homonyms: the most populated Saint-Denis (La Réunion) before Seine-Saint-Denis's.
    assert labels("saint-denis", limit=2) == ["Saint-Denis (97411)", "Saint-Denis (93066)"]
    assert labels("") == [] and labels("zzzzqx") == []


def test_a_text_resolves_to_a_commune_only_without_doubt():
    assert commune_resolve("Béziers").code == "34032"
    assert commune_resolve("lyon 3e").code == "69383"
    assert commune_resolve("Lyon 3e (69383)").code == "69383"
    assert commune_resolve("34032").name == "Béziers"
    assert commune_resolve("Saint-Denis") is None  # homonyms: the citizen chooses
    assert commune_resolve("Lyon 3e (69001)") is None  # a label whose code is another commune's
    assert commune_resolve("Lyo") is None


def test_folding_keys():
    assert name_key("Saint-Étienne") == name_key("st etienne") == "saint etienne"
    assert name_key("Ste-Foy-lès-Lyon") == "sainte foy les lyon"


def test_the_search_is_cheap():
    index()  # loaded once per process
    queries = ["lyon", "st etienne", "69003", "Bordeaus", "a", "saint", "marseille 1", "beziers"] * 25
    started = time.perf_counter()
    for query in queries:
        commune_search(query, limit=10)
    mean = (time.perf_counter() - started) / len(queries)
    assert mean < 0.02, f"{mean * 1000:.1f} ms per search"


def test_the_extract_command_keeps_current_communes_and_arrondissements(tmp_path):
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": "6.0.0"}))
    (package / "data" / "departements.json").write_text(json.dumps([{"code": "69", "nom": "Rhône"}]))
    rows = [
        {
            "code": "69123",
            "nom": "Lyon",
            "departement": "69",
            "type": "commune-actuelle",
            "codesPostaux": ["69002", "69001"],
            "population": 5,
        },
        {
            "code": "69383",
            "nom": "Lyon 3e Arrondissement",
            "departement": "69",
            "type": "arrondissement-municipal",
            "codesPostaux": ["69003"],
        },
        {"code": "69999", "nom": "Ancienne", "departement": "69", "type": "commune-deleguee"},
    ]
    (package / "data" / "communes.json").write_text(json.dumps(rows))
    output = tmp_path / "communes.csv"
    call_command("communes_extract", str(package), output=str(output))
    with output.open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert [(row["code"], row["name"], row["postcodes"], row["type"]) for row in written] == [
        ("69123", "Lyon", "69001 69002", "commune"),
        ("69383", "Lyon 3e", "69003", "arrondissement"),
    ]
    assert load(output).get("69383").departement_name == "Rhône"
