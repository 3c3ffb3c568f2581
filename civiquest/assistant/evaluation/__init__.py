"""Evaluation of the assistant on golden sets (``manage.py assistant_eval``, ``make eval-assistant``).

The sets, YAML files of this folder:

- ``golden.yaml``: citizen questions on the demo catalogue (procedures, the test fixtures and the
  four fiches of ``data/service-public``); the suite runs it and keeps its gates;
- ``real_citizen.yaml`` and ``real_citizen_heldout.yaml``: citizen questions on the real
  service-public.fr feed, the tuning part and the held-out part (whose questions are never
  printed);
- ``out_of_scope.yaml`` and ``out_of_scope_open.yaml``: questions to decline;
- ``howto_not_refused.yaml``: plain how-to questions that must not be declined.

A golden question is ``{q, expect: [slug or fiche ID…], procedure?, category?, intent?,
answer_pattern?, written?}``. Each is put to the retriever and to ``answering.answer``, and
scored twice:

- **retriever level**: the retriever's distinct sources (fiches and procedures), best first, to
  depth ``MRR_DEPTH``;
- **citation level**: the fiches the reply cites (``reply.citations`` but procedures), in order:
  what the citizen is shown. Scored on the questions that expect at least one fiche.

For each ranking: hit@1, hit@3 (an expected source among the first 1 or 3), MRR (reciprocal rank
of the first expected source, 0 when absent); hit@10 at retriever level. Then:

- **answer-section accuracy**: of the questions with an ``answer_pattern``, the share whose
  reply text matches it (a refused or low-confidence reply does not); also among those whose
  reply cites an expected fiche, to tell retrieval from extraction;
- **procedure shown**: of the questions expecting a procedure slug, the share whose reply shows
  one (``reply.procedures``, or a procedure citation);
- **refused**: the share of replies whose outcome declines (``legal_case``, ``out_of_scope``);
  for the decline sets, the share declined (and declined as the expected kind); for the how-to
  set, the share wrongly declined.

Every figure is also given per category and per intent. ``write_misses`` writes, per question
that misses anything, what was expected and what came out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from civiquest.assistant.evaluation.sets import (
    CATEGORIES as CATEGORIES,
)
from civiquest.assistant.evaluation.sets import (
    DECLINED as DECLINED,
)
from civiquest.assistant.evaluation.sets import (
    EVALUATION_DIR as EVALUATION_DIR,
)
from civiquest.assistant.evaluation.sets import (
    FICHE_KEY_RE as FICHE_KEY_RE,
)
from civiquest.assistant.evaluation.sets import (
    GOLDEN_PATH as GOLDEN_PATH,
)
from civiquest.assistant.evaluation.sets import (
    HOWTO_PATH as HOWTO_PATH,
)
from civiquest.assistant.evaluation.sets import (
    INTENTS as INTENTS,
)
from civiquest.assistant.evaluation.sets import (
    MRR_DEPTH as MRR_DEPTH,
)
from civiquest.assistant.evaluation.sets import (
    OUT_OF_SCOPE_OPEN_PATH as OUT_OF_SCOPE_OPEN_PATH,
)
from civiquest.assistant.evaluation.sets import (
    OUT_OF_SCOPE_PATH as OUT_OF_SCOPE_PATH,
)
from civiquest.assistant.evaluation.sets import (
    REAL_CITIZEN_HELDOUT_PATH as REAL_CITIZEN_HELDOUT_PATH,
)
from civiquest.assistant.evaluation.sets import (
    REAL_CITIZEN_PATH as REAL_CITIZEN_PATH,
)
from civiquest.assistant.evaluation.sets import (
    SETS as SETS,
)
from civiquest.assistant.evaluation.sets import (
    EvalSet as EvalSet,
)
from civiquest.assistant.evaluation.sets import (
    GoldenQuestion as GoldenQuestion,
)
from civiquest.assistant.evaluation.sets import (
    GoldenSetError as GoldenSetError,
)
from civiquest.assistant.evaluation.sets import (
    RefusalQuestion as RefusalQuestion,
)
from civiquest.assistant.evaluation.sets import (
    load_golden as load_golden,
)
from civiquest.assistant.evaluation.sets import (
    load_refusals as load_refusals,
)


@dataclass(frozen=True)
class Observation:
    """What the assistant did for one question."""

    # The retriever's distinct sources, best first (fiche IDs and procedure slugs).
    ranked: tuple[str, ...]
    # The fiches the reply cites, in order.
    cited: tuple[str, ...]
    # The catalogue procedures shown with the reply.
    procedures: tuple[str, ...]
    outcome: str
    text: str
    seconds: float = 0.0


AnswerFunction = Callable[..., Any]


def _ranked_sources(retriever: Any, question: str, procedure: str) -> tuple[str, ...]:
    if hasattr(retriever, "sources_ranked"):
        ranked = retriever.sources_ranked(question, limit=MRR_DEPTH, procedure_slug=procedure)
        return tuple(dict.fromkeys(key for _kind, key in ranked))[:MRR_DEPTH]
    passages = retriever.search(question, limit=MRR_DEPTH * 3, procedure_slug=procedure)
    return tuple(dict.fromkeys(passage.source_key for passage in passages))[:MRR_DEPTH]


def observation_of_reply(reply: Any, ranked: Sequence[str] = (), seconds: float = 0.0) -> Observation:
    """The observation of a ``Reply``: its fiche citations, the procedures it shows, its outcome and text."""
    citations = tuple(reply.citations)
    procedures = [citation.id for citation in getattr(reply, "procedures", ())]
    procedures += [citation.id for citation in citations if citation.kind == "procedure"]
    procedures += list(getattr(reply, "suggested_procedures", ()))
    return Observation(
        ranked=tuple(ranked),
        cited=tuple(dict.fromkeys(citation.id for citation in citations if citation.kind != "procedure")),
        procedures=tuple(dict.fromkeys(procedures)),
        outcome=str(reply.outcome),
        text=str(reply.text),
        seconds=seconds,
    )


def observe(
    question: str, *, procedure: str = "", retriever: Any = None, answer_fn: AnswerFunction | None = None
) -> Observation:
    """Put the question to the retriever (its distinct sources) and to the whole answering pipeline."""
    if retriever is None:
        from civiquest.assistant.retrieval import get_retriever  # noqa: PLC0415 - loads the index libraries

        retriever = get_retriever()
    if answer_fn is None:
        from civiquest.assistant.answering import answer  # noqa: PLC0415 - answering loads the index libraries too

        answer_fn = answer
    ranked = _ranked_sources(retriever, question, procedure)
    started = time.perf_counter()
    reply = answer_fn(question, procedure_slug=procedure, retriever=retriever)
    return observation_of_reply(reply, ranked, time.perf_counter() - started)


# --- Scoring (pure: observations in, figures out) -----------------------------------------------


def rank_of(expect: Iterable[str], ranked: Sequence[str]) -> int | None:
    """1-based rank of the first expected key in ``ranked``, or None."""
    wanted = set(expect)
    return next((position for position, key in enumerate(ranked, start=1) if key in wanted), None)


@dataclass(frozen=True)
class Share:
    hits: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __add__(self, other: Share) -> Share:
        return Share(self.hits + other.hits, self.total + other.total)


@dataclass(frozen=True)
class Ranking:
    count: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    hit10: float = 0.0
    mrr: float = 0.0


def ranking(ranks: Sequence[int | None], *, depth: int = MRR_DEPTH) -> Ranking:
    """hit@1, hit@3, hit@10 and MRR (0 past ``depth``) of the ranks of the first expected source."""
    if not ranks:
        return Ranking()
    found = [rank for rank in ranks if rank is not None and rank <= depth]
    total = len(ranks)
    return Ranking(
        count=total,
        hit1=sum(1 for rank in found if rank == 1) / total,
        hit3=sum(1 for rank in found if rank <= 3) / total,
        hit10=sum(1 for rank in found if rank <= 10) / total,
        mrr=sum(1.0 / rank for rank in found) / total,
    )


@dataclass(frozen=True)
class Scored:
    item: GoldenQuestion
    observation: Observation
    retriever_rank: int | None
    # None when no expected fiche is cited; not applicable when the question expects no fiche.
    citation_rank: int | None
    pattern_matched: bool | None
    procedure_shown: bool | None

    @property
    def refused(self) -> bool:
        return self.observation.outcome in DECLINED

    def misses(self) -> list[str]:
        """Why this question counts as a miss (empty when it does not)."""
        reasons = []
        if self.retriever_rank is None or self.retriever_rank > 3:
            reasons.append("retriever top 3")
        if self.item.expects_fiche and (self.citation_rank is None or self.citation_rank > 3):
            reasons.append("citations top 3")
        if self.pattern_matched is False:
            reasons.append("answer section")
        if self.procedure_shown is False and not self.item.expects_fiche:
            reasons.append("procedure not shown")
        if self.refused:
            reasons.append(f"refused ({self.observation.outcome})")
        return reasons


def score(item: GoldenQuestion, observation: Observation) -> Scored:
    return Scored(
        item=item,
        observation=observation,
        retriever_rank=rank_of(item.expect, observation.ranked),
        citation_rank=rank_of(item.expect, observation.cited) if item.expects_fiche else None,
        pattern_matched=(
            re.search(item.answer_pattern, observation.text, re.IGNORECASE) is not None
            if item.answer_pattern
            else None
        ),
        procedure_shown=(bool(set(item.expect) & set(observation.procedures)) if item.expects_procedure else None),
    )


@dataclass(frozen=True)
class Metrics:
    count: int = 0
    retriever: Ranking = field(default_factory=Ranking)
    # Over the questions that expect a fiche (``citations.count`` of them).
    citations: Ranking = field(default_factory=Ranking)
    section: Share = field(default_factory=Share)
    # The same, over the questions whose reply cites an expected fiche in its first three.
    section_when_cited: Share = field(default_factory=Share)
    procedure_shown: Share = field(default_factory=Share)
    refused: Share = field(default_factory=Share)
    low_confidence: Share = field(default_factory=Share)
    mean_fiches_cited: float = 0.0
    mean_seconds: float = 0.0


def summarise(scored: Sequence[Scored]) -> Metrics:
    if not scored:
        return Metrics()
    total = len(scored)
    citing = [entry for entry in scored if entry.item.expects_fiche]
    with_pattern = [entry for entry in scored if entry.pattern_matched is not None]
    cited_right = [entry for entry in with_pattern if entry.citation_rank is not None and entry.citation_rank <= 3]
    with_procedure = [entry for entry in scored if entry.procedure_shown is not None]
    return Metrics(
        count=total,
        retriever=ranking([entry.retriever_rank for entry in scored]),
        citations=ranking([entry.citation_rank for entry in citing]),
        section=Share(sum(1 for entry in with_pattern if entry.pattern_matched), len(with_pattern)),
        section_when_cited=Share(sum(1 for entry in cited_right if entry.pattern_matched), len(cited_right)),
        procedure_shown=Share(sum(1 for entry in with_procedure if entry.procedure_shown), len(with_procedure)),
        refused=Share(sum(1 for entry in scored if entry.refused), total),
        low_confidence=Share(sum(1 for entry in scored if entry.observation.outcome == "low_confidence"), total),
        mean_fiches_cited=sum(len(entry.observation.cited) for entry in scored) / total,
        mean_seconds=sum(entry.observation.seconds for entry in scored) / total,
    )


def _grouped(scored: Sequence[Scored], key: Callable[[Scored], str]) -> dict[str, Metrics]:
    groups: dict[str, list[Scored]] = {}
    for entry in scored:
        groups.setdefault(key(entry) or "-", []).append(entry)
    return {name: summarise(entries) for name, entries in sorted(groups.items())}


@dataclass
class SetReport:
    name: str
    scored: list[Scored]
    metrics: Metrics
    by_category: dict[str, Metrics]
    by_intent: dict[str, Metrics]
    private: bool = False
    seconds: float = 0.0

    # The retriever-level figures under their former names.
    @property
    def count(self) -> int:
        return self.metrics.count

    @property
    def hit1(self) -> float:
        return self.metrics.retriever.hit1

    @property
    def hit3(self) -> float:
        return self.metrics.retriever.hit3

    @property
    def mrr(self) -> float:
        return self.metrics.retriever.mrr

    @property
    def misses(self) -> list[Scored]:
        return [entry for entry in self.scored if entry.misses()]


def report(name: str, scored: list[Scored], *, private: bool = False, seconds: float = 0.0) -> SetReport:
    return SetReport(
        name=name,
        scored=scored,
        metrics=summarise(scored),
        by_category=_grouped(scored, lambda entry: entry.item.category),
        by_intent=_grouped(scored, lambda entry: entry.item.intent),
        private=private,
        seconds=seconds,
    )


def evaluate(
    questions: Sequence[GoldenQuestion],
    *,
    name: str = "golden",
    private: bool = False,
    retriever: Any = None,
    answer_fn: AnswerFunction | None = None,
) -> SetReport:
    """Put every question to the retriever and to ``answering.answer``, and score the set."""
    started = time.monotonic()
    scored = [
        score(item, observe(item.question, procedure=item.procedure, retriever=retriever, answer_fn=answer_fn))
        for item in questions
    ]
    return report(name, scored, private=private, seconds=time.monotonic() - started)


# --- Refusals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefusalScored:
    item: RefusalQuestion
    observation: Observation

    @property
    def declined(self) -> bool:
        return self.observation.outcome in DECLINED

    @property
    def right(self) -> bool:
        """Declined as expected (decline sets), or not declined (how-to set)."""
        if self.item.expected == "answered":
            return not self.declined
        return self.observation.outcome == self.item.expected


@dataclass
class RefusalReport:
    name: str
    kind: str
    scored: list[RefusalScored]
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.scored)

    @property
    def declined(self) -> Share:
        return Share(sum(1 for entry in self.scored if entry.declined), self.count)

    @property
    def declined_as_expected(self) -> Share:
        return Share(sum(1 for entry in self.scored if entry.right), self.count)

    @property
    def answered(self) -> Share:
        return Share(sum(1 for entry in self.scored if entry.observation.outcome == "answered"), self.count)

    @property
    def low_confidence(self) -> Share:
        return Share(sum(1 for entry in self.scored if entry.observation.outcome == "low_confidence"), self.count)

    def cited_expected(self, known: Iterable[str] | None = None) -> Share:
        """Of the questions with ``expect`` (a key in ``known``), those citing an expected fiche in the first 3."""
        keys = None if known is None else set(known)
        with_expect = [
            entry for entry in self.scored if entry.item.expect and (keys is None or set(entry.item.expect) & keys)
        ]
        return Share(
            sum(1 for entry in with_expect if (rank_of(entry.item.expect, entry.observation.cited) or 99) <= 3),
            len(with_expect),
        )

    def by_source(self) -> dict[str, Share]:
        shares: dict[str, Share] = {}
        for entry in self.scored:
            shares[entry.item.source] = shares.get(entry.item.source, Share()) + Share(int(entry.right), 1)
        return shares

    @property
    def misses(self) -> list[RefusalScored]:
        return [entry for entry in self.scored if not entry.right]


def evaluate_refusals(
    questions: Sequence[RefusalQuestion],
    *,
    name: str,
    kind: str,
    retriever: Any = None,
    answer_fn: AnswerFunction | None = None,
) -> RefusalReport:
    """Put every question to ``answering.answer``: declined or not, and what it cites."""
    if answer_fn is None:
        from civiquest.assistant.answering import answer  # noqa: PLC0415 - loads the index libraries

        answer_fn = answer
    started = time.monotonic()
    scored = []
    for item in questions:
        begun = time.perf_counter()
        reply = answer_fn(item.question, procedure_slug="", retriever=retriever)
        scored.append(RefusalScored(item, observation_of_reply(reply, (), time.perf_counter() - begun)))
    return RefusalReport(name=name, kind=kind, scored=scored, seconds=time.monotonic() - started)


# --- The gold against the knowledge base --------------------------------------------------------
