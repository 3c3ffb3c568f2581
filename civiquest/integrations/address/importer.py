"""Import the BAN's addok NDJSON export (``adresses-addok-<dept>.ndjson[.gz]``) into the database.

Idempotent and incremental: each document's hash is kept, so a re-import of the same file
writes nothing, and a changed street has its house numbers replaced. The file is the
truth for the communes it covers: once a file imported without error, the documents of
those communes it no longer holds are removed. A malformed line is reported with its
number and skipped; the rest is imported.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction

from civiquest.integrations.address.models import HouseNumber, ImportState, Place

CHUNK = 500  # documents written per transaction
KINDS = {choice.value for choice in Place.Kind}


class MalformedDocument(ValueError):
    pass


@dataclass
class ImportReport:
    municipalities: int = 0
    streets: int = 0
    localities: int = 0
    housenumbers: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.municipalities} municipalities, {self.streets} streets, {self.localities} localities, "
            f"{self.housenumbers} house numbers read; {self.created} documents created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed; {len(self.errors)} malformed lines"
        )


# number, key, ban_id, lon, lat, x, y: plain tuples, written with one executemany (model instances
# and bulk_create cost ten times more for the 40,000 rows of a small territory).
_HouseNumberRow = tuple[str, str, str, float, float, float | None, float | None]
HOUSENUMBER_COLUMNS = ("place_id", "number", "key", "ban_id", "lon", "lat", "x", "y")


@dataclass
class _Document:
    place: Place
    housenumbers: list[_HouseNumberRow]


@dataclass
class _Unchanged:
    key: str
    kind: str
    citycode: str
    housenumbers: int


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _first(value: Any) -> tuple[str, list[str]]:
    """addok fields may be lists (a street on several communes, a commune with several postcodes):
    the first value is displayed, the others are kept as aliases."""
    values = value if isinstance(value, list) else [value]
    texts = [str(item).strip() for item in values if item not in (None, "")]
    return (texts[0], texts[1:]) if texts else ("", [])


def _float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedDocument(f"{name} must be a number")
    return float(value)


def _optional_float(value: Any, name: str) -> float | None:
    return None if value is None else _float(value, name)


def parse(raw: dict[str, Any], digest: str) -> _Document:
    """One addok document → unsaved Place and HouseNumber rows (raises MalformedDocument)."""
    if not isinstance(raw, dict):
        raise MalformedDocument("a line must be a JSON object")
    kind = raw.get("type")
    if kind not in KINDS:
        raise MalformedDocument(f"unknown type {kind!r}")
    key = raw.get("id")
    name, name_aliases = _first(raw.get("name"))
    citycode, citycode_aliases = _first(raw.get("citycode"))
    if not key or not isinstance(key, str) or not name or not citycode:
        raise MalformedDocument("id, name and citycode are required")
    city, city_aliases = _first(raw.get("city") or (name if kind == Place.Kind.MUNICIPALITY else None))
    postcode, postcode_aliases = _first(raw.get("postcode"))
    aliases = {
        label: values
        for label, values in (
            ("name", name_aliases),
            ("citycode", citycode_aliases),
            ("city", city_aliases),
            ("postcode", postcode_aliases),
        )
        if values
    }
    population = raw.get("population")
    place = Place(
        key=key[:64],
        ban_id=str(raw.get("banId") or "")[:64],
        kind=kind,
        name=name[:255],
        postcode=postcode[:10],
        citycode=citycode[:10],
        city=city[:255],
        aliases=aliases,
        oldcitycode=_first(raw.get("oldcitycode"))[0][:10],
        oldcity=_first(raw.get("oldcity"))[0][:255],
        district=_first(raw.get("district"))[0][:255],
        context=str(raw.get("context") or "")[:255],
        importance=_float(raw.get("importance") or 0.0, "importance"),
        lon=_float(raw.get("lon"), "lon"),
        lat=_float(raw.get("lat"), "lat"),
        x=_optional_float(raw.get("x"), "x"),
        y=_optional_float(raw.get("y"), "y"),
        population=population if isinstance(population, int) and population >= 0 else None,
        digest=digest,
    )
    housenumbers = []
    numbers = raw.get("housenumbers") or {}
    if not isinstance(numbers, dict):
        raise MalformedDocument("housenumbers must be an object")
    for number, point in numbers.items():
        if not isinstance(point, dict):
            raise MalformedDocument(f"house number {number!r} must be an object")
        housenumbers.append(
            (
                str(number).strip()[:32],
                str(point.get("id") or f"{key}_{number}")[:80],
                str(point.get("banId") or "")[:64],
                _float(point.get("lon"), f"{number}.lon"),
                _float(point.get("lat"), f"{number}.lat"),
                _optional_float(point.get("x"), f"{number}.x"),
                _optional_float(point.get("y"), f"{number}.y"),
            )
        )
    return _Document(place, housenumbers)


def _documents(
    handle: IO[str], report: ImportReport, known: dict[str, tuple[int, str]]
) -> Iterator[tuple[int, _Document | _Unchanged]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        digest = hashlib.sha1(line.strip().encode(), usedforsecurity=False).hexdigest()
        try:
            raw = json.loads(line)
            key = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(key, str) and key in known and known[key][1] == digest:
                # Same line as last time: no need to build its rows.
                housenumbers = raw.get("housenumbers") or {}
                yield number, _Unchanged(key, raw.get("type", ""), _first(raw.get("citycode"))[0], len(housenumbers))
                continue
            document = parse(raw, digest)
        except (ValueError, TypeError) as error:  # JSONDecodeError and MalformedDocument are ValueErrors
            report.errors.append((number, str(error)[:200]))
            continue
        yield number, document


def _count(report: ImportReport, kind: str, housenumbers: int) -> None:
    if kind == Place.Kind.MUNICIPALITY:
        report.municipalities += 1
    elif kind == Place.Kind.STREET:
        report.streets += 1
    else:
        report.localities += 1
    report.housenumbers += housenumbers


@transaction.atomic
def _write(chunk: list[_Document], known: dict[str, tuple[int, str]], report: ImportReport) -> None:
    created = [doc for doc in chunk if doc.place.key not in known]
    changed = [doc for doc in chunk if doc.place.key in known and known[doc.place.key][1] != doc.place.digest]
    report.unchanged += len(chunk) - len(created) - len(changed)
    for doc in changed:
        doc.place.pk = known[doc.place.key][0]
    if changed:
        HouseNumber.objects.filter(place_id__in=[doc.place.pk for doc in changed]).delete()
        fields = [f.name for f in Place._meta.concrete_fields if f.name not in ("id", "key")]
        Place.objects.bulk_update([doc.place for doc in changed], fields)
    Place.objects.bulk_create([doc.place for doc in created])
    rows = [(doc.place.pk, *housenumber) for doc in created + changed for housenumber in doc.housenumbers]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in HOUSENUMBER_COLUMNS)
    placeholders = ", ".join(["%s"] * len(HOUSENUMBER_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(HouseNumber._meta.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608 - constant names
            rows,
        )
    report.created += len(created)
    report.updated += len(changed)
    for doc in created + changed:
        known[doc.place.key] = (doc.place.pk, doc.place.digest)


def bump_generation() -> str:
    """Tell every process that its in-memory index is stale."""
    generation = uuid.uuid4().hex
    state = ImportState.objects.order_by("pk").first()
    if state is None:
        ImportState.objects.create(generation=generation)
    else:
        state.generation = generation
        state.save(update_fields=["generation", "updated_at"])
    return generation


def import_file(path: str | Path) -> ImportReport:
    """Import one addok NDJSON file (``.ndjson`` or ``.ndjson.gz``); returns what was read and written."""
    path = Path(path)
    report = ImportReport()
    known = {key: (pk, digest) for pk, key, digest in Place.objects.values_list("pk", "key", "digest")}
    seen: set[str] = set()
    citycodes: set[str] = set()
    chunk: list[_Document] = []
    with _open(path) as handle:
        for number, document in _documents(handle, report, known):
            key = document.key if isinstance(document, _Unchanged) else document.place.key
            if key in seen:
                report.errors.append((number, f"duplicate id {key} (the first is kept)"))
                continue
            seen.add(key)
            if isinstance(document, _Unchanged):
                citycodes.add(document.citycode)
                _count(report, document.kind, document.housenumbers)
                report.unchanged += 1
                continue
            citycodes.add(document.place.citycode)
            _count(report, document.place.kind, len(document.housenumbers))
            chunk.append(document)
            if len(chunk) >= CHUNK:
                _write(chunk, known, report)
                chunk = []
    if chunk:
        _write(chunk, known, report)
    with transaction.atomic():
        if not report.errors and citycodes:
            # The file is the truth for its communes (a BAN file covers whole départements).
            stale = [
                pk
                for pk, key in Place.objects.filter(citycode__in=citycodes).values_list("pk", "key")
                if key not in seen
            ]
            for start in range(0, len(stale), 500):  # SQLite limits the parameters of one query
                Place.objects.filter(pk__in=stale[start : start + 500]).delete()
            report.removed = len(stale)
        if report.created or report.updated or report.removed or not ImportState.objects.exists():
            bump_generation()
    return report
