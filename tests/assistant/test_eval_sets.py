"""The golden sets themselves: big enough, varied, split, and in the format the evaluation reads."""

from __future__ import annotations

import re
from collections import Counter

from civiquest.assistant import evaluation

PATTERN_INTENTS = ("cost", "delay", "deadline", "documents")


def real_sets() -> tuple[list[evaluation.GoldenQuestion], list[evaluation.GoldenQuestion]]:
    return (
        evaluation.load_golden(evaluation.REAL_CITIZEN_PATH),
        evaluation.load_golden(evaluation.REAL_CITIZEN_HELDOUT_PATH),
    )


def test_the_real_feed_sets_hold_150_questions_split_60_40_without_overlap():
    tuning, heldout = real_sets()
    total = len(tuning) + len(heldout)
    assert total >= 150
    assert 0.55 <= len(tuning) / total <= 0.65
    assert {item.question for item in tuning}.isdisjoint({item.question for item in heldout})
    folded = Counter(re.sub(r"\W+", " ", item.question.lower()).strip() for item in tuning + heldout)
    assert [question for question, count in folded.items() if count > 1] == []


def test_the_real_feed_questions_expect_fiche_ids_and_say_their_category_and_intent():
    tuning, heldout = real_sets()
    for item in tuning + heldout:
        assert all(re.fullmatch(r"F\d+", key) for key in item.expect), item.question
        assert item.category in evaluation.CATEGORIES, item.question
        assert item.intent in evaluation.INTENTS, item.question
        assert item.written in ("blind", "feed"), item.question


def test_most_real_feed_questions_were_written_before_looking_at_the_feed():
    tuning, heldout = real_sets()
    written = Counter(item.written for item in tuning + heldout)
    assert written["blind"] >= 2 * written["feed"]


def test_every_category_and_the_main_intents_are_in_both_parts():
    for part in real_sets():
        assert {item.category for item in part} == set(evaluation.CATEGORIES)
        intents = Counter(item.intent for item in part)
        for intent in ("cost", "delay", "documents", "deadline", "eligibility", "howto", "situation", "where"):
            assert intents[intent] >= 2, intent


def test_cost_delay_and_deadline_questions_carry_an_answer_pattern():
    tuning, heldout = real_sets()
    for item in tuning + heldout:
        if item.intent in PATTERN_INTENTS:
            assert item.answer_pattern, item.question
    with_pattern = sum(1 for item in tuning + heldout if item.answer_pattern)
    assert with_pattern >= 50


def test_the_demo_set_is_written_in_citizen_words_with_its_categories_and_quest_pages():
    questions = evaluation.load_golden(evaluation.GOLDEN_PATH)
    assert len(questions) >= 90
    assert sum(1 for item in questions if item.procedure) >= 5
    assert all(item.category and item.intent and item.written == "blind" for item in questions)
    assert sum(1 for item in questions if item.answer_pattern) >= 20


def test_the_refusal_sets_hold_30_questions_each_and_do_not_overlap():
    declines = evaluation.load_refusals(evaluation.SETS["out_of_scope"].paths, kind="decline")
    howtos = evaluation.load_refusals(evaluation.SETS["howto"].paths, kind="howto")
    assert len(declines) >= 30 and len(howtos) >= 30
    assert {item.expected for item in declines} == {"out_of_scope", "legal_case"}
    assert {item.question for item in declines}.isdisjoint({item.question for item in howtos})
    asked = [item.question for item in declines + howtos]
    assert len(asked) == len(set(asked))
    assert all(re.fullmatch(r"F\d+", key) for item in howtos for key in item.expect)
