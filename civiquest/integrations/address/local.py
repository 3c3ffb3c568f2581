"""The embedded local geocoder: addok-like search and reverse over the imported BAN documents.

Answers exactly like the Géoplateforme (GeoCodeJSON ``FeatureCollection``). The documents
live in the database (``models.py``, filled by ``address_import``); each process keeps an
in-memory index of them (``local_index``), built lazily on the first call and rebuilt when
``ImportState.generation`` changes (one indexed one-row query a call tells a process
that another one imported a file).

Search works like addok's: the query is normalized (case, accents, punctuation, street
type abbreviations), each word is matched exactly, as a prefix (the last word, for
autocomplete) or with one typo (a deletion neighbourhood of the vocabulary), candidate
streets and communes are scored by the share of the query they cover (words weighted by
rarity), the share of their own name the query covers, the string similarity of their
label to the query and their importance; a number of the query found among a street's
house numbers makes the answer that house number. Reverse looks up a grid of cells.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from civiquest.core.geo import distance_m
from civiquest.integrations.address.local_index import (
    CELL,
    SYNONYMS,
    _cell,
    _deletes,
    _Doc,
    _HouseNumber,
    _Index,
    _trigrams,
    get_index,
    normalize,
)
from civiquest.integrations.address.models import Place

MAX_LIMIT = 20
TYPES = ("housenumber", "street", "locality", "municipality")
ATTRIBUTION = "BAN"
LICENCE = "ETALAB-2.0"

HOUSENUMBER_SUFFIXES = {"bis", "ter", "quater", "quinter", "quinquies", "sexter", "sexies", "qua"}
NUMBER = re.compile(r"^(\d{1,5})([a-z]{0,9})$")

WEIGHT_PREFIX = 0.85  # an unfinished last word
WEIGHT_TYPO = 0.7  # one character off
CANDIDATES = 40  # documents fully scored per query
RARE = 250  # a query word found in fewer documents chooses the candidates
CITY_WORD = 0.8  # first pass: a query word found in a document's city rather than in its name
SIMILAR = 10  # of which the best get the string similarity
RINGS = 100  # cells around the point searched before falling back to every document's centre (~33 km)


# --- search -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    text: str
    variants: dict[str, float]  # vocabulary word → match weight
    weight: float
    number: bool


def _variants(index: _Index, word: str, raw: str, *, last: bool, autocomplete: bool) -> dict[str, float]:
    found: dict[str, float] = {}
    if word in index.idf:
        found[word] = 1.0
    if NUMBER.match(word) and word[0].isdigit():
        return found
    if autocomplete and last:
        for stem in {word, raw}:
            for candidate in index.prefixes.get(stem, ()):
                weight = WEIGHT_PREFIX + (1 - WEIGHT_PREFIX) * len(stem) / len(candidate)
                found[candidate] = max(found.get(candidate, 0.0), weight)
    if len(word) >= 4 or (len(word) == 3 and not found):
        typos = set(index.deletes.get(word, ()))
        for variant in _deletes(word):
            if variant in index.idf:
                typos.add(variant)
            typos.update(index.deletes.get(variant, ()))
        for candidate in typos:
            if candidate != word and abs(len(candidate) - len(word)) <= 1:
                found.setdefault(candidate, WEIGHT_TYPO)
    return found


def _parse(index: _Index, q: str, autocomplete: bool) -> list[_Token]:
    raw_words = normalize(q).split()
    # "12 bis" is one house number.
    merged: list[str] = []
    for word in raw_words:
        if merged and word in HOUSENUMBER_SUFFIXES and merged[-1].isdigit():
            merged[-1] += word
        else:
            merged.append(word)
    result = []
    for position, raw in enumerate(merged):
        word = SYNONYMS.get(raw, raw)
        variants = _variants(index, word, raw, last=position == len(merged) - 1, autocomplete=autocomplete)
        is_number = bool(word[0].isdigit() and NUMBER.match(word))
        if variants:
            weight = max(index.idf[variant] for variant in variants)
        else:
            weight = index.default_idf
        result.append(_Token(word, variants, weight, is_number))
    # A word typed exactly elsewhere in the query is not also the approximation of another one
    # ("32 rue aue": "aue" is a typo of "auer", not a second "rue").
    exact = {token.text for token in result if token.variants.get(token.text) == 1.0}
    for token in result:
        for word in exact & token.variants.keys():
            if word != token.text:
                del token.variants[word]
    return result


def _housenumber(doc: _Doc, query: list[_Token], matched: set[int]) -> tuple[int, _HouseNumber] | None:
    """The first number of the query that is not a word of this document and is one of its house numbers."""
    if not doc.housenumbers:
        return None
    for position, token in enumerate(query):
        if token.number and position not in matched:
            housenumber = doc.housenumbers.get(token.text)
            if housenumber is None and position + 1 < len(query) and len(query[position + 1].text) == 1:
                housenumber = doc.housenumbers.get(token.text + query[position + 1].text)
            if housenumber is not None:
                return position, housenumber
    return None


def _allowed(doc: _Doc, type: str | None, postcode: str | None, citycode: str | None) -> bool:
    if postcode and postcode not in doc.postcodes:
        return False
    if citycode and citycode not in doc.citycodes:
        return False
    if type in (None, "housenumber"):
        return doc.kind != Place.Kind.MUNICIPALITY or type is None
    return doc.kind == type


def _score(
    index: _Index, doc: _Doc, query: list[_Token], total: float, want_housenumber: bool
) -> tuple[float, _HouseNumber | None]:
    """Share of the query covered, share of the document's name covered, importance (0-0.88)."""
    covered = 0.0
    matched: set[int] = set()
    name_hits: dict[str, float] = {}
    for position, token in enumerate(query):
        best, best_word = 0.0, ""
        # Of equal matches, a word not matched yet and then the rarest (a typo of "auer" is not "rue").
        candidates = doc.words.intersection(token.variants)
        if candidates:
            best_word = max(
                candidates,
                key=lambda word: (token.variants[word], word not in name_hits, index.idf.get(word, 0.0), word),
            )
            best = token.variants[best_word]
        if best:
            matched.add(position)
            covered += token.weight * best
            if best_word in doc.name_words:
                name_hits[best_word] = max(name_hits.get(best_word, 0.0), best)
    housenumber = None
    if want_housenumber:
        found = _housenumber(doc, query, matched)
        if found is not None:
            position, housenumber = found
            covered += query[position].weight
    name_total = sum(index.idf.get(word, index.default_idf) for word in doc.name_words) or 1.0
    name_covered = sum(index.idf.get(word, index.default_idf) * hit for word, hit in name_hits.items())
    score = 0.55 * covered / total + 0.3 * name_covered / name_total + 0.03 * doc.importance
    return score, housenumber


def _empty(limit: int, query: str | None = None) -> dict[str, Any]:
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "version": "draft",
        "features": [],
        "attribution": ATTRIBUTION,
        "licence": LICENCE,
    }
    if query is not None:
        collection["query"] = query
    collection["limit"] = limit
    return collection


def _feature(doc: _Doc, housenumber: _HouseNumber | None, score: float, as_type: str | None = None) -> dict[str, Any]:
    kind = "housenumber" if housenumber else (as_type or doc.kind)
    postcode_city = " ".join(part for part in (doc.postcode, doc.city) if part)
    if housenumber:
        lon, lat, x, y = housenumber.lon, housenumber.lat, housenumber.x, housenumber.y
        name = f"{housenumber.number} {doc.name}"
        label = f"{name} {postcode_city}"
    elif kind == Place.Kind.MUNICIPALITY:
        lon, lat, x, y, name, label = doc.lon, doc.lat, doc.x, doc.y, doc.city, doc.city
    else:
        lon, lat, x, y, name = doc.lon, doc.lat, doc.x, doc.y, doc.name
        label = f"{name} {postcode_city}"
    properties: dict[str, Any] = {
        "label": label,
        "score": round(min(max(score, 0.0), 1.0), 6),
        "id": housenumber.key if housenumber else doc.key,
        "banId": (housenumber.ban_id if housenumber else doc.ban_id) or None,
        "type": kind,
        "name": name,
        "postcode": doc.postcode,
        "citycode": doc.citycode,
        "city": doc.city,
        "context": doc.context,
        "x": x,
        "y": y,
        "importance": doc.importance,
        "_type": "address",
    }
    if housenumber:
        properties["housenumber"] = housenumber.number
    if kind in ("housenumber", "street"):
        properties["street"] = doc.name
    if kind == "municipality" and doc.population is not None:
        properties["population"] = doc.population
    for key in ("district", "oldcitycode", "oldcity"):
        if getattr(doc, key):
            properties[key] = getattr(doc, key)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def _cover(index: _Index, query: list[_Token], coverage: dict[int, float], want_housenumber: bool) -> None:
    """Add to each document's coverage the weight of each of these words it has (the first pass)."""
    for token in query:
        best: dict[int, float] = {}
        for word, weight in token.variants.items():
            # A word of the name counts more than the same word in the city ("Nouméa" is first the commune).
            for position in index.postings.get(word, ()):
                if best.get(position, 0.0) < weight * CITY_WORD:
                    best[position] = weight * CITY_WORD
            for position in index.in_names.get(word, ()):
                if best.get(position, 0.0) < weight:
                    best[position] = weight
        if token.number and want_housenumber:
            # A number may be a house number: the documents that have it get its weight.
            for position in index.numbered.get(token.text, ()):
                best[position] = 1.0
        for position, weight in best.items():
            coverage[position] += token.weight * weight


def search(
    q: str,
    *,
    limit: int = 5,
    type: str | None = None,
    postcode: str | None = None,
    citycode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    autocomplete: bool = True,
) -> dict[str, Any]:
    """Geocode free text into a GeoCodeJSON FeatureCollection, best first (the Géoplateforme's ``/search``)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    collection = _empty(limit, q)
    index = get_index()
    query = _parse(index, q, autocomplete)
    if not query:
        return collection
    total = sum(token.weight for token in query)
    want_housenumber = type in (None, "housenumber") and any(token.number for token in query)

    def size(token: _Token) -> int:
        found = sum(len(index.postings.get(word, ())) + len(index.in_names.get(word, ())) for word in token.variants)
        return found + (len(index.numbered.get(token.text, ())) if token.number and want_housenumber else 0)

    # First pass, like addok: the rare words of the query choose the candidates ("rue", "de" or the
    # city's name would bring every street); all the words when none is rare.
    by_size = sorted((size(token), position) for position, token in enumerate(query))
    chosen = [position for found, position in by_size if 0 < found <= RARE] or [p for _, p in by_size]
    # Fewer candidates than asked for: the next rarest words bring more (a short list, like addok's).
    extra = [position for _, position in by_size if position not in chosen]
    coverage: dict[int, float] = defaultdict(float)
    while chosen:
        _cover(index, [query[position] for position in chosen], coverage, want_housenumber)
        chosen = [extra.pop(0)] if extra and len(coverage) < limit else []
    docs = index.docs
    # The common words still count for those candidates (looked up in each one, not in long lists).
    for position in extra:
        token = query[position]
        for candidate in coverage:
            doc = docs[candidate]
            weight = 0.0
            for word in doc.words.intersection(token.variants):
                weight = max(weight, token.variants[word] * (1.0 if word in doc.name_words else CITY_WORD))
            if token.number and want_housenumber and token.text in doc.housenumbers:
                weight = 1.0
            coverage[candidate] += token.weight * weight
    filtered = bool(type or postcode or citycode)
    ranked = [
        (covered + 0.01 * docs[position].importance, position)
        for position, covered in coverage.items()
        if not filtered or _allowed(docs[position], type, postcode, citycode)
    ]
    # Second pass on the best candidates: house number, share of the name covered…
    scored = []
    for _, position in heapq.nlargest(CANDIDATES, ranked):
        doc = docs[position]
        score, housenumber = _score(index, doc, query, total, want_housenumber)
        if type == "housenumber" and housenumber is None:
            continue
        scored.append((score, -position, doc, housenumber))
    # … then, for the best of them, how close the label's spelling is to the query's.
    query_trigrams = _trigrams(" ".join(token.text for token in query if not token.number or len(token.text) == 5))
    results = []
    for score, rank, doc, housenumber in heapq.nlargest(max(limit, SIMILAR), scored):
        shared = len(query_trigrams & doc.trigrams)
        score += 0.12 * 2 * shared / (len(query_trigrams) + len(doc.trigrams))
        if lat is not None and lon is not None:
            # Priority, not a filter: nearer answers get up to a tenth more.
            near = housenumber or doc
            score = 0.9 * score + 0.1 * math.exp(-distance_m(lat, lon, near.lat, near.lon) / 5_000)
        results.append((score, rank, doc, housenumber))
    results.sort(key=lambda item: (item[0], item[1]), reverse=True)
    collection["features"] = [_feature(doc, housenumber, score) for score, _, doc, housenumber in results[:limit]]
    return collection


# --- reverse ------------------------------------------------------------------------------------


def _ring(centre: tuple[int, int], ring: int) -> Iterator[tuple[int, int]]:
    """The cells at exactly ``ring`` cells from the centre (the border of a square)."""
    row, column = centre
    if ring == 0:
        yield centre
        return
    for offset in range(-ring, ring + 1):
        yield (row - ring, column + offset)
        yield (row + ring, column + offset)
    for offset in range(-ring + 1, ring):
        yield (row + offset, column - ring)
        yield (row + offset, column + ring)


def reverse(lat: float, lon: float, *, limit: int = 1, type: str | None = None) -> dict[str, Any]:
    """The addresses nearest a point, nearest first (the Géoplateforme's ``/reverse``)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    collection = _empty(limit)
    index = get_index()
    if not index.docs:
        return collection
    best: dict[tuple[int, str | None], float] = {}  # (doc, house number) or (commune, None) → distance

    def consider(entry: tuple[float, float, int, str | None]) -> None:
        point_lat, point_lon, position, number = entry
        if type == "housenumber" and number is None:
            return
        doc = index.docs[position]
        if type in ("street", "locality") and doc.kind != type:
            return
        distance = distance_m(lat, lon, point_lat, point_lon)
        if type == "municipality":
            commune = index.municipalities.get(doc.citycode)
            if commune is None:
                return
            key: tuple[int, str | None] = (commune, None)
        elif type in ("street", "locality"):
            key = (position, None)
        else:
            key = (position, number)
        if distance < best.get(key, math.inf):
            best[key] = distance

    centre = _cell(lat, lon)
    cell_m = CELL * 110_540 * max(math.cos(math.radians(lat)), 0.1)
    # Communes: the nearest of their streets' centres tells (a few thousand points, no grid walk).
    rings = 0 if type == "municipality" else RINGS
    for ring in range(rings):
        for cell in _ring(centre, ring):
            for entry in index.grid.get(cell, ()):
                consider(entry)
        # Everything not scanned yet is at least `ring` cells away.
        if len(best) >= limit and heapq.nsmallest(limit, best.values())[-1] <= ring * cell_m:
            break
    else:
        if len(best) < limit:  # far from the addresses (or communes): the documents' centres
            for position, doc in enumerate(index.docs):
                if doc.kind != Place.Kind.MUNICIPALITY:
                    consider((doc.lat, doc.lon, position, None))
    # At the same distance a house number comes before its street's centre.
    nearest = sorted(best.items(), key=lambda item: (item[1], item[0][1] is None))[:limit]
    features = []
    for (position, number), distance in nearest:
        doc = index.docs[position]
        housenumber = doc.housenumbers.get(number) if number else None
        feature = _feature(doc, housenumber, 1 - min(distance, 10_000) / 10_000)
        feature["properties"]["distance"] = round(distance)
        features.append(feature)
    collection["features"] = features
    return collection
