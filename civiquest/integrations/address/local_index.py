"""The embedded local geocoder's in-memory index of the imported BAN documents: loading, words, grid."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from civiquest.core.text import search_key
from civiquest.integrations.address.models import HouseNumber, ImportState, Place

# Street types and common words people abbreviate; both the documents and the queries use the long form.
SYNONYMS = {
    "av": "avenue",
    "ave": "avenue",
    "avn": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "r": "rue",
    "all": "allee",
    "al": "allee",
    "che": "chemin",
    "ch": "chemin",
    "chem": "chemin",
    "chm": "chemin",
    "rte": "route",
    "imp": "impasse",
    "pl": "place",
    "sq": "square",
    "prom": "promenade",
    "crs": "cours",
    "pass": "passage",
    "fg": "faubourg",
    "qu": "quai",
    "lot": "lotissement",
    "res": "residence",
    "st": "saint",
    "ste": "sainte",
    "dr": "docteur",
    "gal": "general",
    "gen": "general",
    "mal": "marechal",
    "pdt": "president",
    "prof": "professeur",
    "cdt": "commandant",
    "mgr": "monseigneur",
}
CELL = 0.003  # degrees: reverse grid cells of about 330 m


def normalize(text: str) -> str:
    """Lower case, no accents, only letters and digits separated by single spaces."""
    return search_key(text)


def tokens(text: str) -> list[str]:
    return [SYNONYMS.get(word, word) for word in normalize(text).split()]


def _trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[index : index + 3] for index in range(len(padded) - 2))


def _deletes(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


@dataclass(slots=True)
class _HouseNumber:
    number: str
    key: str
    ban_id: str
    lon: float
    lat: float
    x: float | None
    y: float | None


@dataclass(slots=True)
class _Doc:
    kind: str
    key: str
    ban_id: str
    name: str
    postcode: str | None
    citycode: str
    city: str
    postcodes: frozenset[str]
    citycodes: frozenset[str]
    oldcitycode: str
    oldcity: str
    district: str
    context: str
    importance: float
    lon: float
    lat: float
    x: float | None
    y: float | None
    population: int | None
    name_words: frozenset[str]
    words: frozenset[str]
    trigrams: frozenset[str]  # of the normalized label: the string similarity with the query
    housenumbers: dict[str, _HouseNumber] = field(default_factory=dict)


@dataclass
class _Index:
    generation: str
    docs: list[_Doc]
    postings: dict[str, list[int]]  # the documents with this word in their city only
    in_names: dict[str, list[int]]  # the documents with this word in their name
    numbered: dict[str, list[int]]  # house number → the documents that have it
    idf: dict[str, float]
    default_idf: float
    deletes: dict[str, set[str]]
    prefixes: dict[str, list[str]]
    # reverse: (cell lat, cell lon) → [(lat, lon, doc index, house number or None)]
    grid: dict[tuple[int, int], list[tuple[float, float, int, str | None]]]
    municipalities: dict[str, int]


_lock = threading.Lock()
_index: _Index | None = None


def _current_generation() -> str:
    return ImportState.objects.order_by("pk").values_list("generation", flat=True).first() or ""


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL), math.floor(lon / CELL))


def _build(generation: str) -> _Index:
    places = list(
        Place.objects.order_by("pk").values_list(
            "pk", "kind", "key", "ban_id", "name", "postcode", "citycode", "city", "aliases", "oldcitycode",
            "oldcity", "district", "context", "importance", "lon", "lat", "x", "y", "population",
        )
    )  # fmt: skip
    # BAN streets often carry no postcode: they take their commune's when it has exactly one.
    commune_postcodes: dict[str, set[str]] = defaultdict(set)
    for row in places:
        if row[1] == Place.Kind.MUNICIPALITY:
            commune_postcodes[row[6]].update([row[5], *row[8].get("postcode", [])] if row[5] else [])
    docs: list[_Doc] = []
    by_pk: dict[int, _Doc] = {}
    for row in places:
        pk, kind, key, ban_id, name, postcode, citycode, city, aliases = row[:9]
        oldcitycode, oldcity, district, context, importance, lon, lat, x, y, population = row[9:]
        postcodes = {postcode, *aliases.get("postcode", [])} if postcode else set()
        if not postcodes:
            postcodes = set(commune_postcodes.get(citycode, set()))
        shown_postcode = postcode or (next(iter(postcodes)) if len(postcodes) == 1 else None)
        names = [name, *aliases.get("name", [])]
        cities = [city, *aliases.get("city", [])]
        name_words = {word for text in names for word in tokens(text)}
        words = name_words | {word for text in cities for word in tokens(text)} | postcodes
        label = name if kind == Place.Kind.MUNICIPALITY else f"{name} {shown_postcode or ''} {city}"
        doc = _Doc(
            kind=kind, key=key, ban_id=ban_id, name=name, postcode=shown_postcode, citycode=citycode, city=city,
            postcodes=frozenset(postcodes), citycodes=frozenset([citycode, *aliases.get("citycode", [])]),
            oldcitycode=oldcitycode, oldcity=oldcity, district=district, context=context, importance=importance,
            lon=lon, lat=lat, x=x, y=y, population=population, name_words=frozenset(name_words),
            words=frozenset(words), trigrams=_trigrams(" ".join(tokens(label))),
        )  # fmt: skip
        docs.append(doc)
        by_pk[pk] = doc
    for place_id, number, key, ban_id, lon, lat, x, y in HouseNumber.objects.values_list(
        "place_id", "number", "key", "ban_id", "lon", "lat", "x", "y"
    ):
        owner = by_pk.get(place_id)
        if owner is not None:  # else its street arrived after the first query (an import running now)
            owner.housenumbers[normalize(number).replace(" ", "")] = _HouseNumber(number, key, ban_id, lon, lat, x, y)
    postings: dict[str, list[int]] = defaultdict(list)
    in_names: dict[str, list[int]] = defaultdict(list)
    numbered: dict[str, list[int]] = defaultdict(list)
    for position, doc in enumerate(docs):
        for word in doc.words:
            (in_names if word in doc.name_words else postings)[word].append(position)
        for number in doc.housenumbers:
            numbered[number].append(position)
    total = max(len(docs), 1)
    vocabulary = set(postings) | set(in_names)
    idf = {
        word: math.log(1 + total / (len(postings.get(word, ())) + len(in_names.get(word, ())))) for word in vocabulary
    }
    deletes: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, list[str]] = defaultdict(list)
    for word in vocabulary:
        if word.isdigit():
            continue
        if len(word) >= 3:
            for variant in _deletes(word):
                deletes[variant].add(word)
        for end in range(2, len(word)):
            prefixes[word[:end]].append(word)
    grid: dict[tuple[int, int], list[tuple[float, float, int, str | None]]] = defaultdict(list)
    municipalities: dict[str, int] = {}
    for position, doc in enumerate(docs):
        if doc.kind == Place.Kind.MUNICIPALITY:
            municipalities[doc.citycode] = position
            continue
        grid[_cell(doc.lat, doc.lon)].append((doc.lat, doc.lon, position, None))
        for normalized, housenumber in doc.housenumbers.items():
            grid[_cell(housenumber.lat, housenumber.lon)].append(
                (housenumber.lat, housenumber.lon, position, normalized)
            )
    return _Index(
        generation=generation,
        docs=docs,
        postings=dict(postings),
        in_names=dict(in_names),
        numbered=dict(numbered),
        idf=idf,
        default_idf=math.log(1 + total),
        deletes=dict(deletes),
        prefixes=dict(prefixes),
        grid=dict(grid),
        municipalities=municipalities,
    )


def get_index() -> _Index:
    """This process's index, rebuilt when another import happened since it was built."""
    global _index
    generation = _current_generation()
    index = _index
    if index is not None and index.generation == generation:
        return index
    with _lock:
        if _index is None or _index.generation != generation:
            _index = _build(generation)
        return _index
