"""The golden set: hit@3 ≥ 0.9 over the catalogue + fixtures (+ shared samples), and the eval command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from civiquest.assistant import evaluation, services
from civiquest.assistant.retrieval import build_index
from tests.assistant.fixtures.kb import (
    FIXTURE_KEYS,
    SAMPLE_KEYS,
    SAMPLES,
    XML_FIXTURES,
    index_dir,  # noqa: F401 - pytest fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge(index_dir):  # noqa: F811
    from civiquest.actions.catalogue import catalogue_load

    catalogue_load()
    services.feed_import(path=XML_FIXTURES, delete_missing=False)
    if SAMPLES.is_dir():
        services.feed_import(path=SAMPLES, delete_missing=False)
    services.catalogue_refresh()
    build_index()


def available_questions() -> list[evaluation.GoldenQuestion]:
    """The golden questions whose expected sources are loaded here (the samples may be absent)."""
    from civiquest.catalogue.definitions import CATALOGUE

    known = {definition.slug for definition in CATALOGUE} | FIXTURE_KEYS
    if SAMPLES.is_dir():
        known |= SAMPLE_KEYS
    return [item for item in evaluation.load_golden(evaluation.GOLDEN_PATH) if set(item.expect) & known]


def test_the_golden_set_is_big_and_varied_enough():
    questions = evaluation.load_golden(evaluation.GOLDEN_PATH)
    assert len(questions) >= 80
    assert len({item.question for item in questions}) == len(questions)
    assert sum(1 for item in questions if item.procedure) >= 5
    real = evaluation.load_golden(evaluation.REAL_CORPUS_PATH)
    assert len(real) >= 40
    assert all(key.startswith("F") for item in real for key in item.expect)


def test_golden_set_hit_at_3_is_at_least_0_9(knowledge):
    questions = available_questions()
    assert len(questions) >= 80 or not SAMPLES.is_dir()
    result = evaluation.evaluate(questions)
    misses = "\n".join(f"{question!r}: expected {expected}, got {got}" for question, expected, got in result.misses)
    assert result.hit3 >= 0.9, misses
    assert result.mrr >= 0.8
    assert result.citation_precision > 0.5


def test_a_wrong_gold_set_scores_zero(knowledge):
    """The metrics are not tautological: expecting sources that do not answer gives nothing."""
    wrong = [evaluation.GoldenQuestion("j'ai perdu ma carte vitale", ("casier-judiciaire",))]
    result = evaluation.evaluate(wrong)
    assert (result.hit1, result.hit3, result.mrr) == (0.0, 0.0, 0.0)


def test_the_eval_command_prints_the_metrics(index_dir):  # noqa: F811
    from civiquest.actions.catalogue import catalogue_load

    catalogue_load()
    out = StringIO()
    call_command("assistant_eval", fixtures=[XML_FIXTURES], stdout=out)
    text = out.getvalue()
    for label in ("hit@1", "hit@3", "MRR", "citation precision"):
        assert label in text
    assert "refusal rate" in text
