"""The gates of the demo catalogue's golden set, and the eval command.

The demo corpus (the catalogue, tests/assistant/fixtures/xml and data/service-public) is what CI
has; the real feed's sets run in `make eval-assistant` only. Each gate is the level measured at
commit 5534ebf (docs/benchmarks.md, "Assistant evaluation") minus a small margin, about one
question: a change that loses more than that fails here.
"""

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

# Measured 2026-12-06 at 5534ebf (95 questions): retriever hit@1 0.874, hit@3 0.989, MRR 0.931;
# citations hit@1 0.732 (30/41 questions expecting a fiche), hit@3 0.756 (31/41); procedure shown
# 0.869 (73/84); answer section 0.522 (12/23); refused 0; out of scope declined 0.620 (31/50); how-to
# wrongly refused 0.775 (31/40).
# Measured 2026-12-07 with the issue-17 retrieval, citations and refusals: retriever hit@1 0.947,
# hit@3 1.000, MRR 0.972; citations hit@1 0.902, hit@3 1.000; procedure shown 0.917 (77/84); answer
# section 0.522; refused 0; out of scope declined 0.680 (34/50); how-to wrongly refused 0 (0/40).
# Each gate lets one or two questions go, no more.
GATES = {
    "retriever hit@1": 0.92,
    "retriever hit@3": 0.98,
    "retriever MRR": 0.95,
    "citations hit@1": 0.87,
    "citations hit@3": 0.97,
    "procedure shown": 0.89,
    "answer section": 0.47,
}
MAX_REFUSED = 0.02
MIN_OUT_OF_SCOPE_DECLINED = 0.64
MAX_HOWTO_REFUSED = 0.05


@pytest.fixture
def knowledge(index_dir):  # noqa: F811
    from civiquest.actions.catalogue import catalogue_load

    catalogue_load()
    services.feed_import(path=XML_FIXTURES, delete_missing=False)
    services.feed_import(path=SAMPLES, delete_missing=False)
    services.catalogue_refresh()
    build_index()


def test_every_expected_source_of_the_demo_set_is_in_the_demo_corpus():
    from civiquest.catalogue.definitions import CATALOGUE

    known = {definition.slug for definition in CATALOGUE} | FIXTURE_KEYS | SAMPLE_KEYS
    questions = evaluation.load_golden(evaluation.GOLDEN_PATH)
    assert [item.question for item in questions if not set(item.expect) <= known] == []


def test_the_demo_golden_set_keeps_its_gates(knowledge):
    result = evaluation.evaluate(evaluation.load_golden(evaluation.GOLDEN_PATH))
    metrics = result.metrics
    measured = {
        "retriever hit@1": metrics.retriever.hit1,
        "retriever hit@3": metrics.retriever.hit3,
        "retriever MRR": metrics.retriever.mrr,
        "citations hit@1": metrics.citations.hit1,
        "citations hit@3": metrics.citations.hit3,
        "procedure shown": metrics.procedure_shown.rate,
        "answer section": metrics.section.rate,
    }
    misses = "\n".join(f"{entry.item.question!r}: {entry.misses()}" for entry in result.misses)
    below = {name: round(value or 0.0, 3) for name, value in measured.items() if (value or 0.0) < GATES[name]}
    assert below == {}, misses
    assert (metrics.count, metrics.citations.count) == (95, 41)
    assert metrics.refused.rate is not None and metrics.refused.rate <= MAX_REFUSED, misses


def test_refusal_rates_keep_their_gates(knowledge):
    declines = evaluation.SETS["out_of_scope"]
    declined = evaluation.evaluate_refusals(
        evaluation.load_refusals(declines.paths, kind="decline"), name="out_of_scope", kind="decline"
    )
    assert declined.count >= 30
    assert (declined.declined.rate or 0.0) >= MIN_OUT_OF_SCOPE_DECLINED
    # Every question of out_of_scope.yaml is declined as expected (the open file's may not be yet).
    assert declined.by_source()["out_of_scope.yaml"].rate == 1.0

    howto = evaluation.SETS["howto"]
    wrongly = evaluation.evaluate_refusals(
        evaluation.load_refusals(howto.paths, kind="howto"), name="howto", kind="howto"
    )
    assert wrongly.count >= 30
    assert (wrongly.declined.rate or 0.0) <= MAX_HOWTO_REFUSED, [entry.item.question for entry in wrongly.misses]


def test_sources_that_do_not_answer_score_zero_at_both_levels(knowledge):
    """The metrics are not tautological: expecting sources that do not answer gives nothing."""
    wrong = [
        evaluation.GoldenQuestion("j'ai perdu ma carte vitale", ("casier-judiciaire", "F1367")),
        evaluation.GoldenQuestion("comment faire un passeport", ("F265",), answer_pattern="casier"),
    ]
    metrics = evaluation.evaluate(wrong).metrics
    assert (metrics.retriever.hit1, metrics.retriever.hit3, metrics.retriever.mrr) == (0.0, 0.0, 0.0)
    assert (metrics.citations.hit1, metrics.citations.hit3, metrics.citations.mrr) == (0.0, 0.0, 0.0)
    assert metrics.section.rate == 0.0


def test_the_sources_that_answer_score_at_both_levels(knowledge):
    right = [evaluation.GoldenQuestion("j'ai perdu ma carte vitale", ("F265",))]
    metrics = evaluation.evaluate(right).metrics
    assert metrics.retriever.hit1 == 1.0
    assert metrics.citations.hit1 == 1.0


def test_the_eval_command_prints_every_figure_and_writes_the_misses(index_dir, tmp_path):  # noqa: F811
    from civiquest.actions.catalogue import catalogue_load

    catalogue_load()
    out = StringIO()
    call_command(
        "assistant_eval",
        fixtures=[XML_FIXTURES, SAMPLES],
        sets="golden,out_of_scope,howto",
        misses_dir=tmp_path,
        stdout=out,
    )
    text = out.getvalue()
    for label in (
        "== golden: 95 questions",
        "retriever (distinct sources)",
        "citations (fiches cited)",
        "hit@1  hit@3  MRR",
        "answer section accuracy",
        "per category",
        "per intent",
        "papiers",
        "refusal rate",
        "wrongly refused",
        "evaluation done in",
    ):
        assert label in text, label
    misses = (tmp_path / "misses-golden.txt").read_text(encoding="utf-8")
    assert misses.startswith("# Misses of golden:")
    assert (tmp_path / "misses-out_of_scope.txt").exists()
    assert (tmp_path / "misses-howto.txt").exists()


def test_the_held_out_questions_are_never_printed(index_dir, tmp_path):  # noqa: F811
    """On the demo corpus every held-out question misses (its fiches are absent): none is shown."""
    out = StringIO()
    call_command("assistant_eval", sets="real_citizen_heldout", misses_dir=tmp_path, show_misses=50, stdout=out)
    text = out.getvalue()
    assert "== real_citizen_heldout (held out: figures only)" in text
    assert "gold check: question 1: expected" in text
    questions = evaluation.load_golden(evaluation.REAL_CITIZEN_HELDOUT_PATH)
    assert [item.question for item in questions if item.question in text] == []
    misses = (tmp_path / "misses-real_citizen_heldout.txt").read_text(encoding="utf-8")
    assert "HELD-OUT SET" in misses and "Questions withheld" in misses
    assert f"Question {len(questions)}" in misses
    assert [item.question for item in questions if item.question in misses] == []

    # Only on request, and to the file only.
    out = StringIO()
    call_command("assistant_eval", sets="real_citizen_heldout", misses_dir=tmp_path, reveal_heldout=True, stdout=out)
    assert [item.question for item in questions if item.question in out.getvalue()] == []
    misses = (tmp_path / "misses-real_citizen_heldout.txt").read_text(encoding="utf-8")
    assert all(f"Q: {item.question}" in misses for item in questions)


def test_an_unknown_set_is_an_error(index_dir):  # noqa: F811
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown set"):
        call_command("assistant_eval", sets="golden,nope", stdout=StringIO())
