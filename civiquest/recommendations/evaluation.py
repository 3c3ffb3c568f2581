"""Offline evaluation of the recommendations: synthetic journeys, leave-last-out, four recommenders.

No database. The journeys come from ``journeys`` (seeded, generated from our rules with noise,
skipped steps, late steps, drop-outs and habits the rules do not know); what is measured is the
product's code: ``engine.recommend`` (rules only, similar citizens only, the hybrid it serves)
and ``similar.cooccurrence`` (the CF model and popularity).

**Protocol**: each citizen with two completions or more has the last one held out; the CF model
and popularity are trained on every citizen's other completions (never on a held-out one); on
the day before the held-out completion each recommender gives its top 5, from what the citizen
had done, declared and held by then. HitRate@5, NDCG@5, MAP@5 (one relevant item: MAP is the
reciprocal rank within 5) and coverage (share of the catalogue recommended at least once).
``manage.py recommendations_eval`` prints them; ``tests/recommendations/test_evaluation.py``
gates on them.

What it can show: that the parts fit together, and what the similar and popular candidates add
in the slots the rules leave. What it cannot: how real citizens behave. The journeys are
generated from our own rules, so rules only is flattered, and the habits are ours too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from civiquest.integrations.taxes import calendar
from civiquest.recommendations import engine
from civiquest.recommendations.engine import Event, Situation
from civiquest.recommendations.journeys import (
    ORIGINS,
    Catalogue,
    Completion,
    Journey,
    catalogue_of,
    journeys,
    titles_on,
)
from civiquest.recommendations.similar import DEFAULT_MIN_CITIZENS, Model, cooccurrence

K = engine.TOP


# --- Protocol ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A citizen's last completion held out, and what came before it."""

    journey: Journey
    training: tuple[Completion, ...]
    held_out: Completion

    @property
    def today(self) -> dt.date:
        return self.held_out.on - dt.timedelta(days=1)


def split(population: Iterable[Journey]) -> tuple[list[Case], list[tuple[int, int]]]:
    """The cases (citizens with 2 completions or more) and every (citizen, procedure) the models may learn from."""
    cases, training = [], []
    for person in population:
        kept = person.completions[:-1] if len(person.completions) >= 2 else person.completions
        training += [(person.citizen, completion.procedure_id) for completion in kept]
        if len(person.completions) >= 2:
            cases.append(Case(person, kept, person.completions[-1]))
    return cases, training


def neighbours(model: Model) -> dict[int, dict[int, float]]:
    """The model's pairs as ``Situation.similar`` holds them (what ``selectors.shared_data`` reads)."""
    found: dict[int, dict[int, float]] = {}
    for (procedure_id, other_id), (_shared, score) in model.pairs.items():
        found.setdefault(procedure_id, {})[other_id] = score
    return found


def tax_events_on(zone: int, today: dt.date) -> list[Event]:
    """What ``selectors.tax_events_of`` gives a citizen of this zone on that day."""
    found = calendar.next_deadline(zone=zone, today=today)
    if found is None or today < found.campaign.opening - dt.timedelta(days=30):
        return []
    return [Event(trigger=engine.TAX_TRIGGER, on=found.campaign.opening, deadline=found.due_on)]


@dataclass(frozen=True)
class Knowledge:
    """What the recommenders know besides the citizen: the catalogue, the rules, the trained model."""

    catalogue: Catalogue
    model: Model
    similar: Mapping[int, Mapping[int, float]]


def situation_for(case: Case, knowledge: Knowledge, *, rules: bool, similar: bool, popular: bool) -> Situation:
    """The citizen on the day before the held-out completion, as ``selectors.situation_of`` would see them."""
    today, person = case.today, case.journey
    completed: dict[int, dt.date] = {}
    for completion in case.training:
        completed[completion.procedure_id] = max(completion.on, completed.get(completion.procedure_id, dt.date.min))
    return Situation(
        today=today,
        birthdate=person.birthdate if rules else None,
        events=tuple(d.event for d in person.events if d.declared_on <= today) if rules else (),
        titles=titles_on(person.titles, today) if rules else {},
        completed=completed,
        use_similar=similar or popular,
        similar={pk: knowledge.similar.get(pk, {}) for pk in completed} if similar else {},
        popularity=knowledge.model.popularity if popular else {},
        procedures=knowledge.catalogue.procedures,
    )


Recommender = Callable[[Case, Knowledge], list[int]]


def popularity_top(case: Case, knowledge: Knowledge) -> list[int]:
    """The most completed procedures (training) the citizen has not done."""
    done = {completion.procedure_id for completion in case.training}
    popularity, procedures = knowledge.model.popularity, knowledge.catalogue.procedures
    candidates = [pk for pk in procedures if pk not in done and popularity.get(pk, 0) > 0]
    return sorted(candidates, key=lambda pk: (-popularity[pk], procedures[pk].slug))[:K]


def _engine(*, rules: bool, similar: bool, popular: bool) -> Recommender:
    def top(case: Case, knowledge: Knowledge) -> list[int]:
        situation = situation_for(case, knowledge, rules=rules, similar=similar, popular=popular)
        tax = tax_events_on(case.journey.zone, case.today) if rules else []
        ranked = engine.recommend(situation, knowledge.catalogue.rules, tax_events=tax, limit=K)
        return [item.procedure_id for item in ranked.items]

    return top


RECOMMENDERS: tuple[tuple[str, Recommender], ...] = (
    ("popularity", popularity_top),
    ("rules only", _engine(rules=True, similar=False, popular=False)),
    ("CF only", _engine(rules=False, similar=True, popular=False)),
    ("hybrid", _engine(rules=True, similar=True, popular=True)),
)


# --- Metrics -----------------------------------------------------------------------------


def hit_rate_at(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    return 1.0 if relevant & set(ranked[:k]) else 0.0


def ndcg_at(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    """Binary relevance: DCG of the first k over the DCG of an ideal ranking."""
    if not relevant:
        return 0.0
    gains = sum(1 / math.log2(rank + 2) for rank, pk in enumerate(ranked[:k]) if pk in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return gains / ideal


def average_precision_at(ranked: Sequence[int], relevant: set[int], k: int = K) -> float:
    """The precision at each relevant item's rank within k, summed, over min(relevant, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, pk in enumerate(ranked[:k], start=1):
        if pk in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k)


def coverage(recommended: Iterable[Sequence[int]], catalogue: Iterable[int]) -> float:
    """The share of the catalogue's procedures recommended at least once."""
    everything = set(catalogue)
    seen = {pk for ranked in recommended for pk in ranked} & everything
    return len(seen) / len(everything) if everything else 0.0


@dataclass(frozen=True)
class Scores:
    name: str
    hit_rate: float
    ndcg: float
    map: float
    coverage: float
    hit_rate_by_origin: Mapping[str, float]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def scores_of(name: str, tops: Sequence[list[int]], cases: Sequence[Case], catalogue: Iterable[int]) -> Scores:
    """Each metric's mean over the cases (``tops[i]`` is the top 5 given for ``cases[i]``)."""
    hits: dict[str, list[float]] = {origin: [] for origin in ORIGINS}
    ndcgs, precisions = [], []
    for top, case in zip(tops, cases, strict=True):
        relevant = {case.held_out.procedure_id}
        hits[case.held_out.origin].append(hit_rate_at(top, relevant))
        ndcgs.append(ndcg_at(top, relevant))
        precisions.append(average_precision_at(top, relevant))
    return Scores(
        name=name,
        hit_rate=_mean([hit for origin in ORIGINS for hit in hits[origin]]),
        ndcg=_mean(ndcgs),
        map=_mean(precisions),
        coverage=coverage(tops, catalogue),
        hit_rate_by_origin={origin: _mean(values) for origin, values in hits.items()},
    )


@dataclass(frozen=True)
class Report:
    citizens: int
    seed: int
    minimum: int
    cases: int
    completions: int
    pairs: int  # the CF model's pairs (both directions)
    held_out_by_origin: Mapping[str, int]
    scores: tuple[Scores, ...]

    def of(self, name: str) -> Scores:
        return next(scores for scores in self.scores if scores.name == name)


def evaluate(citizens: int = 5000, *, seed: int = 18, minimum: int = DEFAULT_MIN_CITIZENS) -> Report:
    """Generate, split, train on the training parts, ask each recommender, score."""
    catalogue = catalogue_of()
    population = journeys(citizens, seed=seed, catalogue=catalogue)
    cases, training = split(population)
    model = cooccurrence(training, minimum=minimum)
    knowledge = Knowledge(catalogue=catalogue, model=model, similar=neighbours(model))
    scores = tuple(
        scores_of(name, [recommender(case, knowledge) for case in cases], cases, catalogue.procedures)
        for name, recommender in RECOMMENDERS
    )
    return Report(
        citizens=citizens,
        seed=seed,
        minimum=minimum,
        cases=len(cases),
        completions=sum(len(person.completions) for person in population),
        pairs=len(model.pairs),
        held_out_by_origin={origin: sum(case.held_out.origin == origin for case in cases) for origin in ORIGINS},
        scores=scores,
    )


def table(report: Report) -> str:
    """The recommenders side by side (Markdown), then HitRate@5 by what the held-out completion came from."""
    origins = " / ".join(f"{origin} ({report.held_out_by_origin[origin]})" for origin in ORIGINS)
    lines = [
        f"| recommender | HitRate@5 | NDCG@5 | MAP@5 | coverage | HitRate@5 by held-out origin: {origins} |",
        "|---|---|---|---|---|---|",
    ]
    for s in report.scores:
        by_origin = " / ".join(f"{s.hit_rate_by_origin[origin]:.3f}" for origin in ORIGINS)
        lines.append(f"| {s.name} | {s.hit_rate:.3f} | {s.ndcg:.3f} | {s.map:.3f} | {s.coverage:.3f} | {by_origin} |")
    return "\n".join(lines)
