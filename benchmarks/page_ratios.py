"""Page time against a bare Django template view, side by side, at 1k, 10k and 100k citizens.

Issue 20, point 9: measured under the same process and middleware, the landing and catalogue
pages must stay within 2x of a bare template view, and the signed-in citizen pages within 3x
of the same bare view signed in, with flat times from 1k to 100k citizens.

Each round requests every page once, in turn (interleaved, so that a noisy neighbour slows
all pages alike); the figure kept is the median per page. The bare view renders a small
template through the same template engine and context processors. Run it with::

    make bench-pages                      # SQLite, in-process cache
    BENCH_PAGES_CLOCK=cpu make bench-pages  # CPU time per request, on a machine shared with other jobs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civiquest_bench_pages \\
    REDIS_URL=redis://127.0.0.1:6379/3 make bench-pages

Figures are printed and written to ``var/bench-pages.json``; they are kept in
``docs/benchmarks.md``. Not part of ``make test`` (it builds 100k citizens).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
SCALES = tuple(int(value) for value in os.environ.get("BENCH_PAGES_SCALES", "1000,10000,100000").split(","))
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", "60"))
WARMUP = 5
# "wall" (the default) or "cpu": the process's CPU time per request, which neighbours sharing the
# machine (a CI run, other builds) barely change; the pages are served in this one thread.
CLOCK_NAME = os.environ.get("BENCH_PAGES_CLOCK", "wall")
CLOCK = time.process_time if CLOCK_NAME == "cpu" else time.perf_counter
PUBLIC_LIMIT = 2.0
CITIZEN_LIMIT = 3.0
# Flat: a page at the largest population within this factor of the smallest.
FLAT_LIMIT = 1.3

BARE_TEMPLATE = """<!doctype html>
<html lang="{{ LANGUAGE_CODE|default:'fr' }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main id="contenu"><h1>{{ title }}</h1>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main></body></html>"""


def bare_view(request: HttpRequest) -> HttpResponse:
    """What a bare Django template view costs: one small template, the project's context processors."""
    template = engines["django"].from_string(BARE_TEMPLATE)
    return HttpResponse(template.render({"title": "Page", "items": range(10)}, request))


# The project's URLs plus the bare view, for this module only (settings.ROOT_URLCONF below).
urlpatterns = [path("__bench__/bare/", bare_view, name="bench-bare"), path("", include("config.urls"))]


def _population(size: int, *, procedure_revision: tuple[int, int]) -> None:
    """``size`` citizens, each with one quest and one XP entry, written in bulk (other citizens' rows)."""
    from civiquest.accounts.models import Role, User
    from civiquest.progress.models import XpEntry
    from civiquest.quests.models import Quest

    today = timezone.localdate()
    have = User.objects.filter(role=Role.CITIZEN).count()
    password = make_password(None)
    procedure_id, revision_id = procedure_revision
    batch = 5000
    for start in range(have, size, batch):
        stop = min(size, start + batch)
        users = User.objects.bulk_create(
            User(username=f"bench-{number}", password=password, role=Role.CITIZEN) for number in range(start, stop)
        )
        Quest.objects.bulk_create(
            Quest(
                citizen_id=user.pk,
                procedure_id=procedure_id,
                revision_id=revision_id,
                reference=f"BENCH-{number:09d}",
            )
            for number, user in zip(range(start, stop), users, strict=True)
        )
        XpEntry.objects.bulk_create(
            XpEntry(citizen_id=user.pk, amount=10, reason="bench", key=f"bench:{user.pk}", day=today) for user in users
        )


def _measure(pages: dict[str, tuple[Client, str]]) -> dict[str, float]:
    """Median milliseconds per page over interleaved rounds."""
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for round_number in range(WARMUP + ROUNDS):
        for name, (client, url) in pages.items():
            started = CLOCK()
            response = client.get(url)
            elapsed = (CLOCK() - started) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if round_number >= WARMUP:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def _citizen_with_quest() -> tuple[Any, dict[str, str]]:
    from civiquest.actions.quests import quest_start
    from civiquest.quests.selectors import published_procedure
    from tests.accounts.factories import CitizenFactory

    citizen: Any = CitizenFactory()
    procedure = published_procedure(slug=_first_instructed_slug())
    assert procedure is not None
    quest = quest_start(citizen=citizen, procedure=procedure)
    assert quest.current_step is not None
    return citizen, {
        "dashboard": reverse("citizen:dashboard"),
        "quests": reverse("citizen:quests"),
        "quest": reverse("citizen:quest", kwargs={"quest_id": quest.pk}),
        "step": reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": quest.current_step.slug}),
        "wallet": reverse("citizen:documents"),
    }


def _first_instructed_slug() -> str:
    from civiquest.catalogue.definitions import CATALOGUE

    return next(
        definition.slug for definition in CATALOGUE if definition.instructing_service and definition.appointment_need
    )


@pytest.fixture
def as_shipped(settings, tmp_path):
    """Static files hashed and collected, as in production, and templates rendered without the test hooks.

    The test environment wraps every template render to record it (``instrumented_test_render``):
    a cost production does not pay, and one that grows with the number of includes.
    """
    from django.template import Template
    from django.test.utils import _TestState

    from tests.a11y.conftest import production_static_settings

    for name, value in production_static_settings(tmp_path / "static").items():
        setattr(settings, name, value)
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.ROOT_URLCONF = __name__
    instrumented = Template._render  # type: ignore[attr-defined]
    Template._render = _TestState.saved_data.template_render  # type: ignore[attr-defined]
    yield
    Template._render = instrumented  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_page_ratios(as_shipped) -> None:
    call_command("catalogue_load", stdout=io.StringIO())
    from civiquest.catalogue.models import ProcedureRevision

    revision = ProcedureRevision.objects.filter(procedure__slug=_first_instructed_slug()).latest("pk")
    citizen, citizen_urls = _citizen_with_quest()
    visitor, signed_in = Client(), Client()
    signed_in.force_login(citizen)
    pages = {
        "bare (signed out)": (visitor, reverse("bench-bare")),
        "landing": (visitor, reverse("citizen:home")),
        "catalogue": (visitor, reverse("citizen:catalogue")),
        "bare (signed in)": (signed_in, reverse("bench-bare")),
        **{name: (signed_in, url) for name, url in citizen_urls.items()},
    }
    results: dict[str, dict[str, float]] = {}
    for size in SCALES:
        _population(size, procedure_revision=(revision.procedure_id, revision.pk))
        results[str(size)] = _measure(pages)
    report = _report(results)
    print(report)  # noqa: T201 - the benchmark's report
    out = ROOT / "var" / "bench-pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {"vendor": connection.vendor, "clock": CLOCK_NAME, "rounds": ROUNDS, "medians_ms": results}, indent=2
        )
    )
    _check(results)


def _ratio(times: dict[str, float], name: str) -> float:
    bare = times["bare (signed out)"] if name in ("landing", "catalogue") else times["bare (signed in)"]
    return times[name] / bare


def _report(results: dict[str, dict[str, float]]) -> str:
    sizes = list(results)
    lines = [
        f"page medians (ms, {CLOCK_NAME} clock) and ratio to the bare view, {connection.vendor}, {ROUNDS} rounds",
        "| page | " + " | ".join(f"{size} citizens" for size in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name in results[sizes[0]]:
        cells = []
        for size in sizes:
            times = results[size]
            cell = f"{times[name]:.2f}"
            if not name.startswith("bare"):
                cell += f" ({_ratio(times, name):.2f}x)"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _check(results: dict[str, dict[str, float]]) -> None:
    failures: list[str] = []
    first, last = results[str(SCALES[0])], results[str(SCALES[-1])]

    def limit(name: str) -> float:
        return PUBLIC_LIMIT if name in ("landing", "catalogue") else CITIZEN_LIMIT

    for size, times in results.items():
        for name in times:
            if not name.startswith("bare") and _ratio(times, name) > limit(name):
                failures.append(f"{name} at {size}: {_ratio(times, name):.2f}x > {limit(name)}x")
    for name in first:
        if not name.startswith("bare") and _ratio(last, name) > _ratio(first, name) * FLAT_LIMIT:
            failures.append(f"{name} not flat: {_ratio(first, name):.2f}x -> {_ratio(last, name):.2f}x")
    assert failures == [], "\n".join(failures)
