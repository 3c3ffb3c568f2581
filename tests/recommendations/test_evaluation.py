"""The offline evaluation of the recommendations: its metrics on hand-made cases, its protocol, and the gate.

The gate (issue 18): on a seeded synthetic population, the hybrid the product serves beats
rules only and popularity on HitRate@5 and NDCG@5. ``make eval-recommendations`` prints the
full figures on 5,000 citizens (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from civiquest.recommendations import evaluation, journeys
from civiquest.recommendations.engine import Event
from civiquest.recommendations.evaluation import (
    Case,
    Knowledge,
    average_precision_at,
    coverage,
    hit_rate_at,
    ndcg_at,
)
from civiquest.recommendations.journeys import Completion, Declared, Journey, Title
from civiquest.recommendations.similar import DEFAULT_MIN_CITIZENS, cooccurrence

GATE_CITIZENS = 2500
GATE_SEED = 18

# --- Metrics on hand-made cases ---------------------------------------------------------


def test_hit_rate_counts_only_the_first_k() -> None:
    assert hit_rate_at([3, 1, 2], {2}, k=2) == 0.0
    assert hit_rate_at([3, 1, 2], {2}, k=3) == 1.0
    assert hit_rate_at([3, 1, 2, 4, 5, 6], {6}) == 0.0  # k = 5
    assert hit_rate_at([], {1}) == 0.0


def test_ndcg_of_one_relevant_item_is_the_discount_of_its_rank() -> None:
    assert ndcg_at([7, 5, 9], {7}) == 1.0
    assert ndcg_at([5, 7, 9], {7}) == pytest.approx(1 / math.log2(3))  # 0.6309…
    assert ndcg_at([5, 9, 1, 2, 7], {7}) == pytest.approx(1 / math.log2(6))  # 0.3868…
    assert ndcg_at([5, 9, 1, 2, 3, 7], {7}) == 0.0


def test_ndcg_of_two_relevant_items_is_normalised_by_the_ideal_ranking() -> None:
    # DCG = 1 + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3) = 1.6309…
    assert ndcg_at([5, 7, 9], {5, 9}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at([5, 7, 9], {5, 9}) == pytest.approx(0.9197207891)
    assert ndcg_at([1, 2], set()) == 0.0


def test_average_precision_sums_the_precision_at_each_hit_over_min_relevant_k() -> None:
    assert average_precision_at([4, 8, 2], {2}) == pytest.approx(1 / 3)
    assert average_precision_at([5, 7, 9], {7, 9}) == pytest.approx((1 / 2 + 2 / 3) / 2)  # 0.5833…
    assert average_precision_at([1, 2, 3, 4, 5, 6], {6}) == 0.0
    # Seven relevant items, five shown, all relevant: min(7, 5) = 5, so 1.0.
    assert average_precision_at([1, 2, 3, 4, 5], {1, 2, 3, 4, 5, 6, 7}) == 1.0
    # Two relevant, one found first: 1 / min(2, 5).
    assert average_precision_at([1, 8, 9], {1, 2}) == 0.5


def test_coverage_is_the_share_of_the_catalogue_recommended_at_least_once() -> None:
    assert coverage([[1, 2], [2, 3]], range(1, 7)) == 0.5
    assert coverage([[1, 99]], [1, 2, 3, 4]) == 0.25  # 99 is not in the catalogue
    assert coverage([], [1, 2]) == 0.0


# --- The protocol ------------------------------------------------------------------------


def _journey(citizen: int, *completions: tuple[int, dt.date], events: tuple[Declared, ...] = ()) -> Journey:
    return Journey(
        citizen=citizen,
        birthdate=dt.date(1980, 1, 1),
        zone=1,
        events=events,
        titles=(
            Title("passport", dt.date(2015, 1, 1), dt.date(2024, 12, 31)),
            Title("passport", dt.date(2024, 6, 1), dt.date(2034, 5, 31)),
        ),
        completions=tuple(Completion(pk, day) for pk, day in completions),
    )


def test_the_last_completion_is_held_out_and_never_trained_on() -> None:
    population = [
        _journey(1, (1, dt.date(2024, 1, 1)), (2, dt.date(2024, 2, 1)), (3, dt.date(2024, 3, 1))),
        _journey(2, (4, dt.date(2024, 1, 1))),  # one completion: trained on, not evaluated
        _journey(3),
    ]
    cases, training = evaluation.split(population)
    assert [(case.journey.citizen, case.held_out.procedure_id) for case in cases] == [(1, 3)]
    assert [c.procedure_id for c in cases[0].training] == [1, 2]
    assert cases[0].today == dt.date(2024, 2, 29)
    assert training == [(1, 1), (1, 2), (2, 4)]
    assert 3 not in cooccurrence(training, minimum=1).popularity


def test_the_situation_is_what_the_citizen_had_done_declared_and_held_the_day_before() -> None:
    catalogue = journeys.catalogue_of()
    moving = Declared(Event(trigger="demenagement", on=dt.date(2024, 3, 10), event_id=1), dt.date(2024, 2, 20))
    later = Declared(Event(trigger="voyage", on=dt.date(2024, 9, 1), event_id=2), dt.date(2024, 3, 20))
    person = _journey(1, (1, dt.date(2024, 1, 5)), (2, dt.date(2024, 3, 15)), events=(moving, later))
    case = Case(person, person.completions[:1], person.completions[1])
    knowledge = Knowledge(catalogue, cooccurrence([], minimum=1), {})
    situation = evaluation.situation_for(case, knowledge, rules=True, similar=False, popular=False)
    assert situation.today == dt.date(2024, 3, 14)
    assert situation.completed == {1: dt.date(2024, 1, 5)}
    assert situation.events == (moving.event,)  # the trip was declared after that day
    assert situation.titles == {"passport": dt.date(2024, 12, 31)}  # the new one was issued in June
    blind = evaluation.situation_for(case, knowledge, rules=False, similar=True, popular=False)
    assert (blind.birthdate, blind.events, dict(blind.titles)) == (None, (), {})


def test_the_tax_event_is_given_from_a_month_before_the_opening_until_the_zone_deadline() -> None:
    # 2025: opening 10 April, online deadline 22 May in zone 1, 5 June in zone 3.
    assert evaluation.tax_events_on(1, dt.date(2025, 3, 10)) == []
    assert evaluation.tax_events_on(1, dt.date(2025, 3, 11)) == [
        Event(trigger="tax-calendar", on=dt.date(2025, 4, 10), deadline=dt.date(2025, 5, 22))
    ]
    assert evaluation.tax_events_on(3, dt.date(2025, 6, 1))[0].deadline == dt.date(2025, 6, 5)
    assert evaluation.tax_events_on(1, dt.date(2025, 5, 23)) == []


def test_popularity_proposes_the_most_completed_procedures_not_done() -> None:
    catalogue = journeys.catalogue_of()
    model = cooccurrence([(1, 5), (2, 5), (3, 5), (1, 6), (2, 6), (1, 7)], minimum=1)
    person = _journey(9, (5, dt.date(2024, 1, 1)), (8, dt.date(2024, 2, 1)))
    case = Case(person, person.completions[:1], person.completions[1])
    assert evaluation.popularity_top(case, Knowledge(catalogue, model, {})) == [6, 7]


# --- The journeys ------------------------------------------------------------------------


def test_a_citizen_journey_depends_only_on_the_seed_and_its_number() -> None:
    catalogue = journeys.catalogue_of()
    small = journeys.journeys(20, seed=3, catalogue=catalogue)
    assert journeys.journeys(40, seed=3, catalogue=catalogue)[:20] == small
    assert journeys.journeys(20, seed=4, catalogue=catalogue) != small


def test_journeys_are_in_time_order_one_completion_a_day_inside_the_period() -> None:
    catalogue = journeys.catalogue_of()
    population = journeys.journeys(300, seed=5, catalogue=catalogue)
    for person in population:
        days = [completion.on for completion in person.completions]
        assert days == sorted(set(days))
        assert all(journeys.START <= day <= journeys.END for day in days)
    origins = {completion.origin for person in population for completion in person.completions}
    assert origins == {"rule", "habit", "noise"}


def test_the_habits_are_not_what_the_rules_propose_after_that_procedure() -> None:
    """Otherwise CF would learn nothing the rules do not know."""
    catalogue = journeys.catalogue_of()
    for habit in journeys.HABITS:
        assert habit.after in catalogue.ids and habit.then in catalogue.ids
        triggers = {rule.trigger for rule in catalogue.rules if rule.procedure_slug == habit.after}
        assert habit.then not in {rule.procedure_slug for rule in catalogue.rules if rule.trigger in triggers}


# --- The gate ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> evaluation.Report:
    return evaluation.evaluate(GATE_CITIZENS, seed=GATE_SEED, minimum=DEFAULT_MIN_CITIZENS)


def test_the_hybrid_beats_rules_only_and_popularity_on_hit_rate_and_ndcg(report: evaluation.Report) -> None:
    hybrid = report.of("hybrid")
    for baseline in (report.of("rules only"), report.of("popularity")):
        assert hybrid.hit_rate > baseline.hit_rate, (baseline.name, evaluation.table(report))
        assert hybrid.ndcg > baseline.ndcg, (baseline.name, evaluation.table(report))


def test_the_evaluation_is_large_enough_to_mean_something(report: evaluation.Report) -> None:
    assert report.cases >= 1500
    assert report.pairs > 0  # the product's threshold of 20 citizens kept pairs
    assert report.held_out_by_origin["habit"] >= 50


def test_similar_citizens_find_the_habits_the_rules_cannot(report: evaluation.Report) -> None:
    assert report.of("rules only").hit_rate_by_origin["habit"] == 0.0
    assert report.of("CF only").hit_rate_by_origin["habit"] > 0.5
    assert report.of("hybrid").hit_rate_by_origin["habit"] > 0.5
    assert report.of("hybrid").coverage > report.of("rules only").coverage


def test_the_hybrid_keeps_the_rules_order_and_only_fills_the_slots_they_leave() -> None:
    catalogue = journeys.catalogue_of()
    cases, training = evaluation.split(journeys.journeys(400, seed=GATE_SEED, catalogue=catalogue))
    model = cooccurrence(training, minimum=5)
    knowledge = Knowledge(catalogue, model, evaluation.neighbours(model))
    recommenders = dict(evaluation.RECOMMENDERS)
    for case in cases:
        rules_only = recommenders["rules only"](case, knowledge)
        assert recommenders["hybrid"](case, knowledge)[: len(rules_only)] == rules_only
