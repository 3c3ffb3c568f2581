"""Evaluation of the assistant's retrieval on golden sets (``manage.py assistant_eval``).

A golden set is YAML: ``questions: [{q, expect: [slug or fiche ID…], procedure?}]``. For
each question the retriever's distinct sources are ranked; the question is a hit@k when
one of ``expect`` is among the first k. Metrics:

- hit@1, hit@3; MRR (reciprocal rank of the first expected source, 0 past rank 10);
- citation precision: of the sources the answer would cite (the distinct sources of the
  top ``ASSISTANT_MAX_SOURCES`` passages scoring at least ``ASSISTANT_MIN_CONFIDENCE``),
  the share whose URL is in the question's gold set — the expected sources, plus the
  fiches an expected procedure links to and the procedures linking an expected fiche;
- refusal rate: the share of ``out_of_scope.yaml`` questions that
  ``civiquest.assistant.guardrails.classify`` declines (when both exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from civiquest.assistant import guardrails
from civiquest.assistant.models import KnowledgeSource, SourceKind
from civiquest.assistant.retrieval import get_retriever

EVALUATION_DIR = Path(__file__).resolve().parent
GOLDEN_PATH = EVALUATION_DIR / "golden.yaml"
REAL_CORPUS_PATH = EVALUATION_DIR / "real_corpus.yaml"
OUT_OF_SCOPE_PATH = EVALUATION_DIR / "out_of_scope.yaml"
MRR_DEPTH = 10


@dataclass(frozen=True)
class GoldenQuestion:
    question: str
    expect: tuple[str, ...]
    procedure: str = ""


@dataclass
class EvalResult:
    name: str
    count: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr: float = 0.0
    citation_precision: float = 0.0
    misses: list[tuple[str, tuple[str, ...], list[str]]] = field(default_factory=list)


def load_golden(path: Path) -> list[GoldenQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        GoldenQuestion(str(item["q"]), tuple(str(key) for key in item["expect"]), str(item.get("procedure", "")))
        for item in data.get("questions", [])
    ]


def _gold_keys(expect: tuple[str, ...], related: dict[str, tuple[str, ...]]) -> set[str]:
    """The expected sources, the fiches an expected procedure links to, the procedures linking an expected fiche."""
    gold = set(expect)
    for procedure, fiches in related.items():
        if procedure in expect:
            gold.update(fiches)
        if set(fiches) & set(expect):
            gold.add(procedure)
    return gold


def evaluate(questions: list[GoldenQuestion], *, name: str = "golden") -> EvalResult:
    """Run every question through the process's retriever (the on-disk index) and score it."""
    retriever: Any = get_retriever()
    related = {
        key: tuple(keys)
        for key, keys in KnowledgeSource.objects.filter(kind=SourceKind.PROCEDURE).values_list("key", "related_keys")
    }
    max_sources = int(getattr(settings, "ASSISTANT_MAX_SOURCES", 4))
    min_confidence = float(getattr(settings, "ASSISTANT_MIN_CONFIDENCE", 0.25))
    result = EvalResult(name=name, count=len(questions))
    if not questions:
        return result
    hits1 = hits3 = 0
    reciprocal = 0.0
    precision_sum = 0.0
    for item in questions:
        ranked = [
            key
            for _kind, key in retriever.sources_ranked(item.question, limit=MRR_DEPTH, procedure_slug=item.procedure)
        ]
        rank = next((position for position, key in enumerate(ranked, start=1) if key in item.expect), None)
        if rank == 1:
            hits1 += 1
        if rank is not None and rank <= 3:
            hits3 += 1
        else:
            result.misses.append((item.question, item.expect, ranked[:3]))
        if rank is not None:
            reciprocal += 1.0 / rank
        passages = retriever.search(item.question, limit=max_sources, procedure_slug=item.procedure)
        cited = list(dict.fromkeys(passage.source_key for passage in passages if passage.score >= min_confidence))
        gold = _gold_keys(item.expect, related)
        precision_sum += (sum(1 for key in cited if key in gold) / len(cited)) if cited else 0.0
    total = len(questions)
    result.hit1, result.hit3 = hits1 / total, hits3 / total
    result.mrr, result.citation_precision = reciprocal / total, precision_sum / total
    return result


def refusal_rate() -> tuple[float, int] | None:
    """(share declined, count) of the out-of-scope set, or None when the set is absent."""
    if not OUT_OF_SCOPE_PATH.exists():
        return None
    data = yaml.safe_load(OUT_OF_SCOPE_PATH.read_text(encoding="utf-8")) or {}
    questions = [str(item.get("question") or item.get("q")) for item in data.get("questions", [])]
    if not questions:
        return None
    declined = sum(1 for question in questions if guardrails.classify(question) != "answered")
    return declined / len(questions), len(questions)
