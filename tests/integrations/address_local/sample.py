"""The real BAN extract and the 500 × 6 ways people type an address (shared by the tests and `make bench`).

Addresses are drawn from the file with a fixed seed; each is typed six ways: the exact
label, lower case without accents, one typo in the street name (a character substituted,
deleted or two swapped, never in the number), without the city (nor its postcode), with
the street type abbreviated, and city first.
"""

from __future__ import annotations

import functools
import gzip
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

EXTRACT = Path(settings.BASE_DIR) / "data" / "ban" / "adresses-addok-nouvelle-caledonie.ndjson.gz"
SEED = 2026
SAMPLE_SIZE = 500
WAYS = ("exact", "lower_no_accents", "typo", "no_city", "abbreviated", "city_first")

ABBREVIATIONS = {
    "avenue": "av",
    "boulevard": "bd",
    "rue": "r",
    "allee": "all",
    "chemin": "che",
    "route": "rte",
    "impasse": "imp",
    "place": "pl",
    "square": "sq",
    "promenade": "prom",
}


@dataclass(frozen=True)
class Address:
    id: str  # the house number's BAN key
    number: str
    street: str
    postcode: str
    city: str
    lon: float
    lat: float

    @property
    def label(self) -> str:
        return f"{self.number} {self.street} {self.postcode} {self.city}"


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in text if not unicodedata.combining(char))


@functools.cache
def load_addresses(path: Path = EXTRACT) -> tuple[Address, ...]:
    """Every house number of the file (read once per process)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle]
    postcodes = {doc["citycode"]: doc["postcode"][0] for doc in documents if doc["type"] == "municipality"}
    addresses = []
    for doc in documents:
        if doc["type"] != "street":
            continue
        citycode, city = doc["citycode"][0], doc["city"][0]
        for number, point in doc["housenumbers"].items():
            addresses.append(
                Address(point["id"], number, doc["name"], postcodes[citycode], city, point["lon"], point["lat"])
            )
    return tuple(addresses)


def sample(size: int = SAMPLE_SIZE, seed: int = SEED) -> list[Address]:
    addresses = sorted(load_addresses(), key=lambda address: address.id)
    return random.Random(seed).sample(addresses, size)  # noqa: S311 - a deterministic test sample


def _typo(street: str, rng: random.Random) -> str:
    positions = [index for index, char in enumerate(street) if char.isalpha()]
    index = rng.choice(positions)
    action = rng.choice(("substitute", "delete", "swap"))
    if action == "swap" and index + 1 < len(street) and street[index + 1].isalpha():
        return street[:index] + street[index + 1] + street[index] + street[index + 2 :]
    if action == "delete":
        return street[:index] + street[index + 1 :]
    letters = [letter for letter in "abcdefghijklmnopqrstuvwxyz" if letter != _plain(street[index])]
    return street[:index] + rng.choice(letters) + street[index + 1 :]


def _abbreviated(street: str) -> str:
    first, _, rest = street.partition(" ")
    short = ABBREVIATIONS.get(_plain(first))
    return f"{short} {rest}" if short and rest else street


def typed(address: Address, way: str, rng: random.Random) -> str:
    if way == "exact":
        return address.label
    if way == "lower_no_accents":
        return _plain(address.label)
    if way == "typo":
        return f"{address.number} {_typo(address.street, rng)} {address.postcode} {address.city}"
    if way == "no_city":
        return f"{address.number} {address.street}"
    if way == "abbreviated":
        return f"{address.number} {_abbreviated(address.street)} {address.postcode} {address.city}"
    if way == "city_first":
        return f"{address.city} {address.number} {address.street}"
    raise ValueError(way)


def queries(size: int = SAMPLE_SIZE, seed: int = SEED) -> list[tuple[str, str, Address]]:
    """(way, query, expected address) for the sample typed every way."""
    rng = random.Random(seed + 1)  # noqa: S311 - deterministic typos
    return [(way, typed(address, way, rng), address) for address in sample(size, seed) for way in WAYS]


def abbreviable(street: str) -> bool:
    return _abbreviated(street) != street


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
