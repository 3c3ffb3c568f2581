"""The official commune list (COG, ``data/cog/communes.csv``) and its search, in memory.

The list is loaded once per process (35,014 rows, ~0.2 s, a few MB) and searched without the
database: by INSEE code, by postcode (whole or its first digits), by name. Names are folded
(case, accents, hyphens and apostrophes ignored; "st"/"ste" read "saint"/"sainte") and every
word of the query is a prefix of a word of the name ("st jean luz" finds Saint-Jean-de-Luz).
A name with no match is retried with typo tolerance (close names of about the same length).
Results are ranked: exact name first, then prefix of the name, then by population, then
shorter names. See docs/benchmarks.md for the search time.
"""

from __future__ import annotations

import bisect
import csv
import difflib
import heapq
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from civiquest.core.text import search_key

COMMUNE_CODE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_SYNONYMS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_DIGITS_RE = re.compile(r"^\d{2,5}$")


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    departement: str
    departement_name: str
    postcodes: tuple[str, ...]
    population: int
    kind: str

    @property
    def label(self) -> str:
        """How an answer is shown: "Lyon 3e (69383)"."""
        return f"{self.name} ({self.code})"

    @property
    def description(self) -> str:
        """What tells two homonyms apart in a list: "69003 · Rhône (69)"."""
        postcodes = ", ".join(self.postcodes[:3]) + ("…" if len(self.postcodes) > 3 else "")
        place = f"{self.departement_name} ({self.departement})" if self.departement_name else self.departement
        return f"{postcodes} · {place}" if postcodes else place

    def as_answer(self) -> dict[str, str]:
        """The stored answer of a commune field: the INSEE code and the name."""
        return {"code": self.code, "name": self.name}


def name_key(text: str) -> str:
    """A name or a query folded for comparison: "Saint-Étienne" and "st etienne" give "saint etienne"."""
    return " ".join(_SYNONYMS.get(word, word) for word in search_key(text).split())


class CommuneIndex:
    """The list and its lookups: by code, by postcode, by word of the name (sorted, for prefixes)."""

    def __init__(self, communes: list[Commune]) -> None:
        self.communes = communes
        self.keys = [name_key(commune.name) for commune in communes]
        self.by_code = {commune.code: index for index, commune in enumerate(communes)}
        # The order among equally close names: the most populated, then the shortest name.
        ranked = sorted(range(len(communes)), key=lambda i: (-communes[i].population, len(communes[i].name), i))
        self.order = [0] * len(communes)
        for position, index in enumerate(ranked):
            self.order[index] = position
        postcodes: dict[str, list[int]] = {}
        words: dict[str, list[int]] = {}
        for index, commune in enumerate(communes):
            for postcode in commune.postcodes:
                postcodes.setdefault(postcode, []).append(index)
            for word in set(self.keys[index].split()):
                words.setdefault(word, []).append(index)
        self.postcodes = postcodes
        self.postcode_list = sorted(postcodes)
        self.words = words
        self.word_list = sorted(words)
        by_initial: dict[str, list[str]] = {}
        for key in sorted(set(self.keys)):
            by_initial.setdefault(key[:1], []).append(key)
        self.keys_by_initial = by_initial
        self.key_ids: dict[str, list[int]] = {}
        for index, key in enumerate(self.keys):
            self.key_ids.setdefault(key, []).append(index)

    def get(self, code: str) -> Commune | None:
        index = self.by_code.get(code.strip().upper())
        return None if index is None else self.communes[index]

    def _prefixed(self, sorted_values: list[str], table: dict[str, list[int]], prefix: str) -> set[int]:
        found: set[int] = set()
        start = bisect.bisect_left(sorted_values, prefix)
        for value in sorted_values[start:]:
            if not value.startswith(prefix):
                break
            found.update(table[value])
        return found

    def _by_digits(self, digits: str) -> set[int]:
        if len(digits) == 5:  # noqa: PLR2004 - a whole INSEE code or postcode
            found = set(self.postcodes.get(digits, ()))
            if digits in self.by_code:
                found.add(self.by_code[digits])
            return found
        return self._prefixed(self.postcode_list, self.postcodes, digits)

    def _typo_tolerant(self, key: str) -> set[int]:
        candidates = [other for other in self.keys_by_initial.get(key[:1], ()) if abs(len(other) - len(key)) <= 2]  # noqa: PLR2004
        found: set[int] = set()
        for close in difflib.get_close_matches(key, candidates, n=10, cutoff=0.8):
            found.update(self.key_ids[close])
        return found

    def search(self, query: str, *, limit: int = 10) -> list[Commune]:
        """The communes the query names, best first (empty for an empty query)."""
        words = name_key(query).split()
        if not words:
            return []
        code = query.strip().upper()
        if COMMUNE_CODE_RE.match(code) and not code.isdigit():  # Corsica: 2A004
            commune = self.get(code)
            return [commune] if commune else []
        digits = [word for word in words if _DIGITS_RE.match(word)]
        names = [word for word in words if word not in digits]
        found: set[int] | None = None
        for value in digits:
            found = self._by_digits(value) if found is None else found & self._by_digits(value)
        for word in names:
            ids = self._prefixed(self.word_list, self.words, word)
            found = ids if found is None else found & ids
        key = " ".join(names)
        if not found and names and len(key) >= 4:  # noqa: PLR2004 - too short a name to guess its typos
            typo = self._typo_tolerant(key)
            if digits:
                typo = {index for index in typo if any(self._by_digits(value) & {index} for value in digits)}
            found = typo
        if not found:
            return []

        keys, order = self.keys, self.order

        def rank(index: int) -> tuple[int, int]:
            own = keys[index]
            return (0 if own == key else 1 if key and own.startswith(key) else 2, order[index])

        return [self.communes[index] for index in heapq.nsmallest(limit, found, key=rank)]

    def exact(self, query: str) -> list[Commune]:
        """The communes the query designates without doubt: its code, or its whole name (homonyms all)."""
        commune = self.get(query) if COMMUNE_CODE_RE.match(query.strip().upper()) else None
        if commune is not None:
            return [commune]
        return [self.communes[index] for index in self.key_ids.get(name_key(query), ())]


def data_path() -> Path:
    return Path(settings.BASE_DIR) / "data" / "cog" / "communes.csv"


def load(path: Path) -> CommuneIndex:
    with path.open(encoding="utf-8", newline="") as handle:
        communes = [
            Commune(
                code=row["code"],
                name=row["name"],
                departement=row["departement"],
                departement_name=row["departement_name"],
                postcodes=tuple(row["postcodes"].split()),
                population=int(row["population"] or 0),
                kind=row["type"],
            )
            for row in csv.DictReader(handle)
        ]
    return CommuneIndex(communes)


@cache
def index() -> CommuneIndex:
    """The list, loaded on first use and kept for the life of the process."""
    return load(data_path())


def commune_search(query: str, *, limit: int = 10) -> list[Commune]:
    return index().search(query, limit=limit)


def commune_get(code: str) -> Commune | None:
    return index().get(code)


def commune_resolve(text: str) -> Commune | None:
    """The one commune a typed text designates (its code, a name without homonym, "Name (code)"), else None."""
    text = " ".join(text.split())
    labelled = re.match(r"^(?P<name>.+)\((?P<code>\d{5}|2[AB]\d{3})\)$", text)
    if labelled:
        commune = commune_get(labelled.group("code"))
        if commune is not None and name_key(commune.name) == name_key(labelled.group("name")):
            return commune
        return None
    found = index().exact(text)
    return found[0] if len(found) == 1 else None
