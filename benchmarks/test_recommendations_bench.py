"""Recommendations at scale (`make bench`): 100,000 citizens, the CF model's rebuild and the API.

The citizens are the synthetic journeys of ``civiquest.recommendations.journeys`` (seed 18)
written to the database in bulk: users with a birth date, declared life events, wallet titles
(and a proof of address for half of them), a completed quest for each completion, a draft for
one in ten. Then:

- ``similar.rebuild()`` over all completed quests (target: under 60 s);
- ``GET /api/v1/me/recommendations`` through the whole middleware stack, signed in as one
  citizen among them (target: p95 ≤ 20 ms), out of the tax season (today) and in it (the
  selector then looks up the citizen's tax zone and return);
- its SQL statements, the same number whatever the citizen (no N+1).

Everything is written in one transaction rolled back at the end of the module. Figures are
printed and written to ``var/bench-recommendations.txt``. On PostgreSQL (docs/benchmarks.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civiquest_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/pytest benchmarks/test_recommendations_bench.py -o testpaths=benchmarks --benchmark-only -s

``RECOMMENDATIONS_BENCH_CITIZENS=10000`` for a quicker run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civiquest.accounts.models import Role, User
from civiquest.catalogue.definitions.loader import catalogue_load
from civiquest.catalogue.models import Procedure, ProcedureRevision, RevisionStatus
from civiquest.core.dates import PARIS
from civiquest.documents.models import Document, DocumentType
from civiquest.quests.models import Quest, QuestState
from civiquest.recommendations import journeys, similar
from civiquest.recommendations.models import LifeEvent
from civiquest.recommendations.rules import rules_load
from civiquest.recommendations.selectors import shared_data_forget

CITIZENS = int(os.environ.get("RECOMMENDATIONS_BENCH_CITIZENS", "100000"))
SEED = 18
BATCH = 5000
ROUNDS = 300
SAMPLE = 40
IN_SEASON = dt.date(2026, 5, 1)  # the 2026 campaign: opened 9 April, deadlines 21 May to 4 June
URL = "/api/v1/me/recommendations"
REPORT = Path(settings.BASE_DIR) / "var" / "bench-recommendations.txt"
FIGURES: dict[str, str] = {}
# The mark makes pytest-django create the test database; each test's own transaction nests in the module's.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Built:
    citizens: list[int]
    rows: dict[str, int]
    seconds: float


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=PARIS)


def _users(population: list[journeys.Journey]) -> list[int]:
    unusable = make_password(None)
    users = User.objects.bulk_create(
        (
            User(
                username=f"bench-{person.citizen}",
                email=f"bench-{person.citizen}@example.fr",
                role=Role.CITIZEN,
                birthdate=person.birthdate,
                password=unusable,  # signed in with force_login
            )
            for person in population
        ),
        batch_size=BATCH,
    )
    return [user.pk for user in users]


def _quests(population: list[journeys.Journey], ids: list[int], catalogue: journeys.Catalogue) -> int:
    by_slug = dict(Procedure.objects.values_list("slug", "pk"))
    revisions = dict(
        ProcedureRevision.objects.filter(status=RevisionStatus.PUBLISHED).values_list("procedure_id", "pk")
    )
    rng = random.Random(SEED)  # noqa: S311 - a benchmark's data, no secret
    quests = []
    for person, citizen_id in zip(population, ids, strict=True):
        for completion in person.completions:
            procedure_id = by_slug[catalogue.procedures[completion.procedure_id].slug]
            quests.append(
                Quest(
                    citizen_id=citizen_id,
                    procedure_id=procedure_id,
                    revision_id=revisions[procedure_id],
                    state=QuestState.ACCEPTED if len(quests) % 2 else QuestState.COMPLETED,
                    reference=f"BENCH{len(quests):010d}",
                    submitted_at=_noon(completion.on - dt.timedelta(days=3)),
                    decided_at=_noon(completion.on),
                )
            )
        if rng.random() < 0.1:
            procedure_id = rng.choice(sorted(revisions))
            quests.append(
                Quest(
                    citizen_id=citizen_id,
                    procedure_id=procedure_id,
                    revision_id=revisions[procedure_id],
                    state=QuestState.DRAFT,
                    reference=f"BENCH{len(quests):010d}",
                )
            )
    Quest.objects.bulk_create(quests, batch_size=BATCH)
    return len(quests)


def _documents(population: list[journeys.Journey], ids: list[int]) -> int:
    """The titles the citizen held on the first day (those issued later come from their quests)."""
    documents = []
    for person, citizen_id in zip(population, ids, strict=True):
        kept = [(title.kind, title.issued_on, title.expires_on) for title in person.titles]
        kept = [entry for entry in kept if entry[1] < journeys.START]
        if person.citizen % 2:
            kept.append((DocumentType.PROOF_OF_ADDRESS, journeys.START, None))
        documents += [
            Document(
                owner_id=citizen_id,
                type=kind,
                title=str(kind),
                file=f"bench/{citizen_id}-{index}.pdf",
                original_filename="scan.pdf",
                content_type="application/pdf",
                size=100_000,
                sha256="0" * 64,
                issued_on=issued_on,
                expires_on=expires_on,
            )
            for index, (kind, issued_on, expires_on) in enumerate(kept)
        ]
    Document.objects.bulk_create(documents, batch_size=BATCH)
    return len(documents)


def _events(population: list[journeys.Journey], ids: list[int]) -> int:
    events = {
        (citizen_id, declared.event.trigger, declared.event.on)
        for person, citizen_id in zip(population, ids, strict=True)
        for declared in person.events
    }
    LifeEvent.objects.bulk_create(
        (LifeEvent(citizen_id=citizen, code=code, occurred_on=day) for citizen, code, day in sorted(events)),
        batch_size=BATCH,
    )
    return len(events)


def _build() -> Built:
    started = time.perf_counter()
    catalogue_load()  # the use case's loader, without the assistant's index refresh a benchmark does not need
    rules_load()
    catalogue = journeys.catalogue_of()
    population = journeys.journeys(CITIZENS, seed=SEED, catalogue=catalogue)
    ids = _users(population)
    rows = {
        "citizens": len(ids),
        "quests": _quests(population, ids, catalogue),
        "documents": _documents(population, ids),
        "life events": _events(population, ids),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    similar.rebuild()
    return Built(citizens=ids, rows=rows, seconds=time.perf_counter() - started)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        found = _build()
        FIGURES["data"] = (
            f"{connection.vendor}: " + ", ".join(f"{count:,} {name}" for name, count in found.rows.items())
        ) + f" written in {found.seconds:.0f} s"
        yield found
        transaction.set_rollback(True)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(f"{name}: {value}" for name, value in FIGURES.items()) + "\n", encoding="utf-8")
    print("\nRecommendations at scale\n" + REPORT.read_text(encoding="utf-8"))  # noqa: T201 - the bench report


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _heaviest(built: Built) -> int:
    """The citizen with the most quests: the one whose situation costs the most to read."""
    counts = Quest.objects.filter(citizen_id__in=built.citizens[:5000]).values_list("citizen_id", flat=True)
    tally: dict[int, int] = {}
    for citizen_id in counts:
        tally[citizen_id] = tally.get(citizen_id, 0) + 1
    return max(tally, key=lambda pk: (tally[pk], -pk))


def test_bench_similar_rebuild(benchmark, built):
    model = benchmark.pedantic(similar.rebuild, rounds=3, iterations=1)
    seconds = benchmark.stats.stats
    FIGURES["similar.rebuild"] = (
        f"{len(model.pairs)} pairs, {len(model.popularity)} procedures; "
        f"min {seconds.min:.2f} s, median {seconds.median:.2f} s, max {seconds.max:.2f} s (target < 60 s)"
    )
    assert model.pairs
    assert seconds.max < 60


def _signed_in(citizen_id: int) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=citizen_id))
    return client


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def _timed(client: Client, cpu: list[float]):
    """A GET of the API that also records the CPU time this process spent on it (ms)."""

    def get():
        started = time.process_time()
        response = client.get(URL)
        cpu.append((time.process_time() - started) * 1000)
        return response

    return get


def _api_p95(benchmark, built, label: str) -> None:
    """Wall-clock and CPU p95 of one citizen's requests; the target is asserted on CPU time (see below)."""
    client = _signed_in(_heaviest(built))
    assert client.get(URL).status_code == 200  # the shared data is cached from here on
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    statements = len(queries)  # read now: the next request clears the connection's log
    cpu: list[float] = []
    load = _load()
    response = benchmark.pedantic(_timed(client, cpu), rounds=ROUNDS, iterations=1, warmup_rounds=5)
    assert response.status_code == 200
    wall = [seconds * 1000 for seconds in benchmark.stats.stats.data]
    cpu = cpu[-len(wall) :]
    FIGURES[label] = (
        f"{len(response.json())} items, {statements} statements; wall p50 {statistics.median(wall):.1f} ms, "
        f"p95 {_percentile(wall, 0.95):.1f} ms, max {max(wall):.1f} ms; CPU of this process p50 "
        f"{statistics.median(cpu):.1f} ms, p95 {_percentile(cpu, 0.95):.1f} ms; {len(wall)} requests; "
        f"load average {load} before, {_load()} after (target p95 ≤ 20 ms)"
    )
    # The machine is shared: wall-clock time counts the waits for a CPU other jobs hold, so the
    # target is asserted on the CPU time the request costs (PostgreSQL's own share is ~0.1 ms a
    # statement, docs/benchmarks.md), and on PostgreSQL only: SQLite's work is in this process.
    if connection.vendor == "postgresql":
        assert _percentile(cpu, 0.95) <= 20, FIGURES[label]


def test_bench_api_recommendations(benchmark, built):
    _api_p95(benchmark, built, "GET /api/v1/me/recommendations, December (out of the tax season)")


def test_bench_api_recommendations_in_the_tax_season(benchmark, built, monkeypatch):
    monkeypatch.setattr("civiquest.api.recommendations.paris_today", lambda: IN_SEASON)
    _api_p95(benchmark, built, f"GET /api/v1/me/recommendations, {IN_SEASON} (tax season)")


def _sample(built: Built) -> list[int]:
    """Citizens of every kind: the heaviest, without any quest, with a draft, with events, and at random."""
    rng = random.Random(SEED)  # noqa: S311 - a benchmark's sample, no secret
    idle = User.objects.filter(username__startswith="bench-", quests__isnull=True).values_list("pk", flat=True)[:3]
    drafting = Quest.objects.filter(state=QuestState.DRAFT).values_list("citizen_id", flat=True)[:3]
    declaring = LifeEvent.objects.values_list("citizen_id", flat=True)[:3]
    return [_heaviest(built), *idle, *drafting, *declaring, *rng.sample(built.citizens, SAMPLE)]


@pytest.mark.parametrize("today", [None, IN_SEASON], ids=["december", "tax-season"])
def test_bench_api_statements_are_the_same_whatever_the_citizen(benchmark, built, monkeypatch, today):
    if today is not None:
        monkeypatch.setattr("civiquest.api.recommendations.paris_today", lambda: today)
    counts: dict[int, int] = {}
    timings, cpu = [], []
    citizens = list(User.objects.in_bulk(_sample(built)).values())
    # One client: a new one builds the middleware chain at its first request (whitenoise scans
    # the static files, ~300 ms), which a server does once per process.
    client = _signed_in(citizens[0].pk)
    client.get(URL)  # the shared data cached

    def every_citizen() -> None:
        for citizen in citizens:
            client.force_login(citizen)
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                assert client.get(URL).status_code == 200
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            counts[citizen.pk] = len(queries)

    benchmark.pedantic(every_citizen, rounds=3, iterations=1)
    shared_data_forget()
    with CaptureQueriesContext(connection) as cold:
        client.get(URL)
    FIGURES[f"statements, {today or 'December'}"] = (
        f"{sorted(set(counts.values()))} for {len(counts)} citizens ({len(cold)} with the shared data not cached); "
        f"across them p95 wall {_percentile(timings, 0.95):.1f} ms, CPU {_percentile(cpu, 0.95):.1f} ms"
    )
    assert len(set(counts.values())) == 1, counts
