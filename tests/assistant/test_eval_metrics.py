"""The evaluation's instrument: its figures on small hand-made cases whose right answer is known."""

from __future__ import annotations

from typing import Any

import pytest

from civiquest.assistant import evaluation
from civiquest.assistant.evaluation import GoldenQuestion, GoldenSetError, Observation, RefusalQuestion, Share, misses
from civiquest.assistant.types import Citation, Reply


def fiche(key: str) -> Citation:
    return Citation(
        id=key, title=f"Fiche {key}", url=f"https://www.service-public.fr/particuliers/vosdroits/{key}", kind="fiche"
    )


def procedure(slug: str) -> Citation:
    return Citation(id=slug, title=slug, url=f"/demarches/{slug}/", kind="procedure")


def reply(*citations: Citation, text: str = "", outcome: Any = "answered", procedures: tuple[Citation, ...] = ()):
    return Reply(
        text=text, citations=citations, confidence=0.8, provider="extractive", outcome=outcome, procedures=procedures
    )


# --- ranks -----------------------------------------------------------------------------------------


def test_rank_of_is_the_1_based_position_of_the_first_expected_key():
    assert evaluation.rank_of(("F2", "F9"), ("F1", "F9", "F2")) == 2
    assert evaluation.rank_of(("F2",), ("F2",)) == 1
    assert evaluation.rank_of(("F2",), ("F1", "F3")) is None
    assert evaluation.rank_of(("F2",), ()) is None


def test_ranking_counts_hits_and_reciprocal_ranks_over_every_question():
    # Six questions: right source 1st, 3rd, absent, 4th, 10th, 11th (past the MRR depth of 10).
    figures = evaluation.ranking([1, 3, None, 4, 10, 11])
    assert figures.count == 6
    assert figures.hit1 == pytest.approx(1 / 6)
    assert figures.hit3 == pytest.approx(2 / 6)
    assert figures.hit10 == pytest.approx(4 / 6)
    assert figures.mrr == pytest.approx((1 + 1 / 3 + 1 / 4 + 1 / 10) / 6)


def test_ranking_of_no_question_is_all_zero():
    assert evaluation.ranking([]) == evaluation.Ranking(count=0, hit1=0.0, hit3=0.0, hit10=0.0, mrr=0.0)


# --- what a reply shows ----------------------------------------------------------------------------


def test_an_observation_keeps_the_fiche_citations_in_order_and_the_procedures_apart():
    observed = evaluation.observation_of_reply(
        reply(
            procedure("passeport"), fiche("F14929"), fiche("F21091"), fiche("F14929"), procedures=(procedure("cni"),)
        ),
        ("passeport", "F21091"),
    )
    assert observed.cited == ("F14929", "F21091")
    assert observed.procedures == ("cni", "passeport")
    assert observed.ranked == ("passeport", "F21091")
    assert observed.outcome == "answered"


# --- one question scored ---------------------------------------------------------------------------


def observation(ranked=(), cited=(), procedures=(), outcome="answered", text=""):
    return Observation(
        ranked=tuple(ranked), cited=tuple(cited), procedures=tuple(procedures), outcome=outcome, text=text
    )


def test_a_question_is_scored_at_retriever_and_at_citation_level_separately():
    item = GoldenQuestion("combien coûte un passeport", ("F34752", "F14929"), intent="cost", answer_pattern=r"\d+\s?€")
    scored = evaluation.score(
        item,
        observation(
            ranked=("passeport", "F1", "F14929"),
            cited=("F1", "F2", "F3", "F34752"),
            text="Il coûte 86 € pour un majeur.",
        ),
    )
    assert scored.retriever_rank == 3
    assert scored.citation_rank == 4
    assert scored.pattern_matched is True
    assert scored.procedure_shown is None
    assert scored.misses() == ["citations top 3"]


def test_the_answer_pattern_is_matched_on_the_reply_text_without_regard_to_case():
    item = GoldenQuestion("c'est gratuit ?", ("F1",), answer_pattern="gratuit")
    assert evaluation.score(item, observation(text="La carte est GRATUITE.")).pattern_matched is True
    assert evaluation.score(item, observation(text="Elle coûte 25 €.")).pattern_matched is False


def test_a_refused_reply_is_a_miss_even_when_the_retriever_found_the_fiche():
    item = GoldenQuestion("faut-il un avocat pour divorcer", ("F10567",))
    scored = evaluation.score(item, observation(ranked=("F10567",), outcome="legal_case"))
    assert scored.refused
    assert scored.misses() == ["citations top 3", "refused (legal_case)"]


def test_a_question_expecting_only_a_procedure_is_judged_on_the_procedure_shown():
    item = GoldenQuestion("refaire ma carte d'identité", ("carte-identite",))
    shown = evaluation.score(item, observation(ranked=("carte-identite",), procedures=("carte-identite",)))
    assert shown.citation_rank is None and shown.procedure_shown is True and shown.misses() == []
    hidden = evaluation.score(item, observation(ranked=("carte-identite",), cited=("F1341",)))
    assert hidden.misses() == ["procedure not shown"]


# --- a set summarised ------------------------------------------------------------------------------


def test_a_set_is_summarised_per_level_per_category_and_per_intent():
    questions = [
        GoldenQuestion("q1", ("F1",), category="papiers", intent="cost", answer_pattern="€"),
        GoldenQuestion("q2", ("F2",), category="papiers", intent="howto"),
        GoldenQuestion("q3", ("F3",), category="famille", intent="cost", answer_pattern="€"),
        GoldenQuestion("q4", ("passeport",), category="famille", intent="howto"),
        GoldenQuestion("q5", ("F5",), category="famille", intent="cost", answer_pattern="€"),
    ]
    observations = [
        observation(ranked=("F1",), cited=("F1",), text="86 €"),  # right everywhere
        observation(ranked=("F9", "F2"), cited=("F9",)),  # retriever 2nd, not cited
        observation(ranked=("F9", "F8", "F7", "F3"), cited=("F3",), text="rien"),  # cited 1st, wrong section
        observation(ranked=("passeport",), procedures=("passeport",), outcome="low_confidence"),
        observation(ranked=("F9",), cited=("F9", "F8", "F7", "F5"), text="rien"),  # cited 4th only
    ]
    result = evaluation.report("set", [evaluation.score(q, o) for q, o in zip(questions, observations, strict=True)])
    metrics = result.metrics
    assert metrics.count == 5
    assert (metrics.retriever.hit1, metrics.retriever.hit3) == (0.4, 0.6)
    assert metrics.retriever.mrr == pytest.approx((1 + 1 / 2 + 1 / 4 + 1 + 0) / 5)
    # Citations: over the four questions expecting a fiche.
    assert metrics.citations.count == 4
    assert (metrics.citations.hit1, metrics.citations.hit3) == (0.5, 0.5)
    assert metrics.section == Share(1, 3)
    assert metrics.section_when_cited == Share(1, 2)
    assert metrics.procedure_shown == Share(1, 1)
    assert metrics.low_confidence == Share(1, 5) and metrics.refused == Share(0, 5)
    assert metrics.citations.mrr == pytest.approx((1 + 0 + 1 + 1 / 4) / 4)
    assert metrics.mean_fiches_cited == pytest.approx(7 / 5)
    assert set(result.by_category) == {"famille", "papiers"}
    assert result.by_category["papiers"].retriever.hit1 == 0.5
    assert result.by_category["famille"].citations.count == 2
    assert result.by_intent["cost"].section == Share(1, 3)
    assert [entry.item.question for entry in result.misses] == ["q2", "q3", "q5"]
    # The retriever-level figures under their former names.
    assert (result.count, result.hit1, result.hit3, result.mrr) == (5, 0.4, 0.6, metrics.retriever.mrr)


def test_share_rate_is_undefined_without_questions():
    assert Share(0, 0).rate is None
    assert Share(1, 4).rate == 0.25
    assert Share(1, 2) + Share(2, 3) == Share(3, 5)


# --- refusals --------------------------------------------------------------------------------------


def test_refusal_figures_for_questions_to_decline_and_how_to_questions():
    declines = [
        RefusalQuestion("recette", "out_of_scope", source="a.yaml"),
        RefusalQuestion("vais-je gagner", "legal_case", source="a.yaml"),
        RefusalQuestion("loto", "out_of_scope", source="b.yaml"),
    ]
    outcomes = iter(["out_of_scope", "out_of_scope", "low_confidence"])
    result = evaluation.evaluate_refusals(
        declines, name="oos", kind="decline", answer_fn=lambda question, **kwargs: reply(outcome=next(outcomes))
    )
    assert result.declined == Share(2, 3)
    assert result.declined_as_expected == Share(1, 3)
    assert result.low_confidence == Share(1, 3)
    assert result.by_source() == {"a.yaml": Share(1, 2), "b.yaml": Share(0, 1)}
    assert [entry.item.question for entry in result.misses] == ["vais-je gagner", "loto"]

    howtos = [
        RefusalQuestion("avocat pour divorcer ?", "answered", expect=("F10567",)),
        RefusalQuestion("contester une amende", "answered", expect=("F18509",)),
        RefusalQuestion("saisir le conciliateur", "answered"),
    ]
    replies = iter([reply(fiche("F10567")), reply(outcome="legal_case"), reply(fiche("F1736"))])
    result = evaluation.evaluate_refusals(howtos, name="howto", kind="howto", answer_fn=lambda q, **kw: next(replies))
    assert result.declined == Share(1, 3)
    assert result.cited_expected() == Share(1, 2)
    assert result.cited_expected(known={"F10567"}) == Share(1, 1)
    assert [entry.item.question for entry in result.misses] == ["contester une amende"]


# --- loading the sets ------------------------------------------------------------------------------


def write(tmp_path, text: str):
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_golden_set_loads_with_its_keys(tmp_path):
    path = write(
        tmp_path,
        "questions:\n"
        '- {q: "combien ça coûte", expect: [F34752, passeport], procedure: passeport, category: papiers,'
        " intent: cost, answer_pattern: '\\d+\\s?€', written: blind}\n"
        '- {q: "carte vitale", expect: [F265]}\n',
    )
    first, second = evaluation.load_golden(path)
    assert first == GoldenQuestion(
        "combien ça coûte", ("F34752", "passeport"), "passeport", "papiers", "cost", r"\d+\s?€", "blind"
    )
    assert first.expects_fiche and first.expects_procedure
    assert second == GoldenQuestion("carte vitale", ("F265",))
    assert not second.expects_procedure


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{q: "a", expect: []}', "`expect` is empty"),
        ('{q: "a"}', "`expect` is empty"),
        ('{q: "a", expect: F1}', "must be a list"),
        ("{expect: [F1]}", "no `q`"),
        ('{q: "a", expect: [F1], intent: prix}', "unknown intent"),
        ('{q: "a", expect: [F1], category: loisirs}', "unknown category"),
        ("{q: \"a\", expect: [F1], answer_pattern: '(€'}", "does not compile"),
    ],
)
def test_a_malformed_golden_entry_is_refused_with_its_reason(tmp_path, entry, message):
    with pytest.raises(GoldenSetError, match=message):
        evaluation.load_golden(write(tmp_path, f"questions:\n- {entry}\n"))


def test_a_question_asked_twice_is_refused(tmp_path):
    with pytest.raises(GoldenSetError, match="asked twice"):
        evaluation.load_golden(write(tmp_path, 'questions:\n- {q: "a", expect: [F1]}\n- {q: "a", expect: [F2]}\n'))


def test_a_question_to_decline_must_say_how(tmp_path):
    path = write(tmp_path, 'questions:\n  - question: "loto"\n    expected: answered\n')
    with pytest.raises(GoldenSetError, match="expected must be one of"):
        evaluation.load_refusals([path], kind="decline")
    assert evaluation.load_refusals([path], kind="howto")[0].expected == "answered"


# --- the gold against the knowledge base -----------------------------------------------------------


def test_gold_problems_name_unknown_keys_and_patterns_no_expected_source_matches():
    questions = [
        GoldenQuestion("ok", ("F1",), answer_pattern=r"\d+ €"),
        GoldenQuestion("typo", ("F1", "F99")),
        GoldenQuestion("pattern", ("F1",), answer_pattern="gratuit"),
        GoldenQuestion("absent", ("F98",), answer_pattern="gratuit"),
    ]
    sources = {"F1": ["Le passeport coûte 86 € pour un majeur."]}
    assert misses.gold_problems(questions, sources) == [
        "'typo': expected F99 not in the knowledge base",
        "'pattern': answer_pattern found in no chunk of the expected sources",
        "'absent': expected F98 not in the knowledge base",
    ]
    private = misses.gold_problems(questions, sources, private=True)
    assert private == [
        "question 2: expected F99 not in the knowledge base",
        "question 3: answer_pattern found in no chunk of the expected sources",
        "question 4: expected F98 not in the knowledge base",
    ]


def test_the_misses_file_names_what_was_expected_and_what_came_out(tmp_path):
    item = GoldenQuestion("jai paumé ma carte grise", ("F1726",), category="transports", intent="situation")
    right = GoldenQuestion("carte vitale", ("F265",))
    result = evaluation.report(
        "real",
        [
            evaluation.score(item, observation(ranked=("F12118", "F1726"), cited=("F12118",))),
            evaluation.score(right, observation(ranked=("F265",), cited=("F265",))),
        ],
    )
    path = tmp_path / "out" / "misses-real.txt"
    assert misses.write_misses(result, path, {"F1726": "Duplicata de carte grise", "F12118": "Adresse"}) == 1
    text = path.read_text(encoding="utf-8")
    assert "Q: jai paumé ma carte grise" in text
    assert "expected: F1726 Duplicata de carte grise" in text
    assert "retriever top 3: F12118 Adresse; F1726 Duplicata de carte grise (expected at rank 2)" in text
    assert "cited: F12118 Adresse (outcome answered)" in text
    assert "missed: citations top 3" in text
    assert "carte vitale" not in text


def test_the_misses_of_a_held_out_set_withhold_the_questions_unless_revealed(tmp_path):
    item = GoldenQuestion("jai paumé ma carte grise", ("F1726",), category="transports", intent="situation")
    result = evaluation.report(
        "held", [evaluation.score(item, observation(ranked=("F12118",), cited=("F12118",)))], private=True
    )
    path = tmp_path / "misses-held.txt"
    assert misses.write_misses(result, path) == 1
    text = path.read_text(encoding="utf-8")
    assert "Question 1" in text and "category transports, intent situation" in text
    assert "paumé" not in text and "F1726" not in text and "F12118" not in text
    misses.write_misses(result, path, reveal=True)
    text = path.read_text(encoding="utf-8")
    assert "Q: jai paumé ma carte grise" in text and "expected: F1726" in text
