"""The agent inbox at 1k, 10k and 100k quests per service, single client (issue 21, point 1).

The inbox must stay flat: its p95 at 100k quests within 1.3x of its p95 at 1k, and under
50 ms, on PostgreSQL. A signed-in agent of the service of the catalogue's first instructed
procedure requests, in turn, the default tab, its next page, the "all" tab, a search by a
citizen's name and one by part of a reference; ``inbox_seed`` adds the quests between
scales (70 % decided, 30 % open), then the tables are vacuumed and analysed as autovacuum
would. Run it with::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civiquest_bench_inbox \\
    REDIS_URL=redis://127.0.0.1:6379/3 make bench-inbox

``BENCH_INBOX_SCALES`` and ``BENCH_INBOX_ROUNDS`` shorten it. Figures are printed and written
to ``var/bench-inbox.json``; they are kept in ``docs/benchmarks.md``. Not part of
``make test`` (it seeds 100k quests). On SQLite the figures are printed, not judged.
"""

from __future__ import annotations

import gc
import html
import io
import json
import os
import re
import statistics
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
SCALES = tuple(int(value) for value in os.environ.get("BENCH_INBOX_SCALES", "1000,10000,100000").split(","))
ROUNDS = int(os.environ.get("BENCH_INBOX_ROUNDS", "60"))
WARMUP = 5
FLAT_LIMIT = 1.3
P95_LIMIT_MS = 50.0
# A submitted quest's number in ``inbox_seed`` (an open one: found on the default tab).
REFERENCE_NUMBER = 515
NEXT_LINK = re.compile(r'<a class="fr-pagination__link fr-pagination__link--next[^>]*?href="([^"]+)"', re.S)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _measure(client: Client, urls: dict[str, str]) -> dict[str, dict[str, float]]:
    """p50 and p95 milliseconds per view over interleaved rounds."""
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for round_number in range(WARMUP + ROUNDS):
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if round_number >= WARMUP:
                samples[name].append(elapsed)
    return {name: {"p50": statistics.median(values), "p95": _p95(values)} for name, values in samples.items()}


def _urls(client: Client, service_id: int) -> dict[str, str]:
    from civiquest.instruction.management.commands.inbox_seed import seed_name, seed_reference

    home = reverse("agent:home")
    first = client.get(home).content.decode()
    following = NEXT_LINK.search(first)
    assert following is not None, "the default tab has no next page"
    return {
        "open tab": home,
        "next page": home + html.unescape(following.group(1)),
        "all tab": home + "?etat=all",
        "search by name": home + "?q=" + seed_name(123),
        "search by reference": home + "?q=" + seed_reference(service_id, REFERENCE_NUMBER)[8:13],
    }


@pytest.fixture
def untraced_templates():
    """Templates rendered as in production, without the test hook that records each render."""
    from django.template import Template
    from django.test.utils import _TestState

    instrumented = Template._render  # type: ignore[attr-defined]
    Template._render = _TestState.saved_data.template_render  # type: ignore[attr-defined]
    yield
    Template._render = instrumented  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_inbox_scales(untraced_templates) -> None:
    from civiquest.accounts.models import ServiceRole
    from civiquest.catalogue.models import Procedure
    from tests.catalogue.factories import member_of

    call_command("catalogue_load", stdout=io.StringIO())
    procedure = Procedure.objects.filter(instructing_service__isnull=False).order_by("pk").first()
    assert procedure is not None and procedure.instructing_service is not None
    service = procedure.instructing_service
    agent = member_of(service, ServiceRole.INSTRUCTOR)
    client = Client()
    client.force_login(agent)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for size in SCALES:
        call_command("inbox_seed", quests=size, service=str(service.pk), stdout=io.StringIO())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE procedures_quest")
                cursor.execute("VACUUM ANALYZE accounts_user")
        # The seeding ran in this process: its garbage is collected now, not during the
        # measures (a serving process never carries it).
        gc.collect()
        results[str(size)] = _measure(client, _urls(client, service.pk))
    report = _report(results)
    print(report)  # noqa: T201 - the benchmark's report
    out = ROOT / "var" / "bench-inbox.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"vendor": connection.vendor, "rounds": ROUNDS, "ms": results}, indent=2))
    if connection.vendor == "postgresql":
        _check(results)


def _report(results: dict[str, dict[str, dict[str, float]]]) -> str:
    sizes = list(results)
    lines = [
        f"inbox p50 / p95 (ms), {connection.vendor}, {ROUNDS} rounds, single client",
        "| view | " + " | ".join(f"{size} quests" for size in sizes) + " | p95 ratio |",
        "|---|" + "---|" * (len(sizes) + 1),
    ]
    for name in results[sizes[0]]:
        cells = [f"{results[size][name]['p50']:.1f} / {results[size][name]['p95']:.1f}" for size in sizes]
        ratio = results[sizes[-1]][name]["p95"] / results[sizes[0]][name]["p95"]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    return "\n".join(lines)


def _check(results: dict[str, dict[str, dict[str, float]]]) -> None:
    first, last = results[str(SCALES[0])], results[str(SCALES[-1])]
    failures = [
        f"{name}: p95 {last[name]['p95']:.1f} ms > {FLAT_LIMIT}x {first[name]['p95']:.1f} ms"
        for name in first
        if last[name]["p95"] > first[name]["p95"] * FLAT_LIMIT
    ]
    failures += [
        f"{name} at {size}: p95 {times[name]['p95']:.1f} ms > {P95_LIMIT_MS} ms"
        for size, times in results.items()
        for name in times
        if times[name]["p95"] > P95_LIMIT_MS
    ]
    assert failures == [], "\n".join(failures)
