"""What a run missed, written to files, and the gold sets checked against the knowledge base."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from civiquest.assistant.evaluation import GoldenQuestion, RefusalReport, SetReport


def gold_problems(
    questions: Sequence[GoldenQuestion], sources: Mapping[str, Sequence[str]], *, private: bool = False
) -> list[str]:
    """Expected keys absent from the knowledge base, and answer patterns no expected source's text matches.

    ``sources`` maps each source key of the knowledge base to the texts of its chunks. A
    question whose expected keys are all absent can never be a hit; a pattern that no expected
    source matches can never be met by quoting the right section. Both are errors in the gold.
    For a private set, questions are not quoted.
    """
    problems = []
    for position, item in enumerate(questions, start=1):
        label = f"question {position}" if private else repr(item.question)
        missing = [key for key in item.expect if key not in sources]
        if missing:
            problems.append(f"{label}: expected {', '.join(missing)} not in the knowledge base")
        if item.answer_pattern:
            pattern = re.compile(item.answer_pattern, re.IGNORECASE)
            texts = [text for key in item.expect for text in sources.get(key, ())]
            if texts and not any(pattern.search(text) for text in texts):
                problems.append(f"{label}: answer_pattern found in no chunk of the expected sources")
    return problems


def write_misses(
    report: SetReport, path: Path, titles: dict[str, str] | None = None, *, reveal: bool | None = None
) -> int:
    """Write each question that misses something (question, expected, retriever top 3, cited); returns how many.

    For a held-out set (``report.private``) only the question's number, category, intent and
    what it missed are written, unless ``reveal``: its questions, expected fiches and answers
    would tell whoever tunes what to tune for.
    """
    titles = titles or {}
    reveal = (not report.private) if reveal is None else reveal

    def named(keys: Iterable[str]) -> str:
        return "; ".join(f"{key} {titles.get(key, '?')}" for key in keys) or "(none)"

    misses = report.misses
    lines = [
        f"# Misses of {report.name}: {len(misses)} of {report.count} questions",
        "# retriever top 3: no expected source among the retriever's first 3 distinct sources;",
        "# citations top 3: none among the fiches the reply cites; answer section: the reply's text",
        "# does not match the answer pattern; refused: the reply declined the question.",
    ]
    if report.private:
        lines.append(
            "# HELD-OUT SET: not for whoever tunes retrieval or answering."
            + ("" if reveal else " Questions withheld (assistant_eval --reveal-heldout writes them).")
        )
    numbers = {id(entry): position for position, entry in enumerate(report.scored, start=1)}
    for entry in misses:
        observation = entry.observation
        what = (
            f"   category {entry.item.category or '-'}, intent {entry.item.intent or '-'}; "
            f"missed: {', '.join(entry.misses())}"
        )
        if not reveal:
            lines += ["", f"Question {numbers[id(entry)]}", what]
            continue
        lines += [
            "",
            f"Q: {entry.item.question}",
            what,
            f"   expected: {named(entry.item.expect)}",
            f"   retriever top 3: {named(observation.ranked[:3])} (expected at rank {entry.retriever_rank or '-'})",
            f"   cited: {named(observation.cited)} (outcome {observation.outcome})",
        ]
        if entry.item.answer_pattern:
            quoted = " ".join(observation.text.split())[:300]
            verdict = "matched" if entry.pattern_matched else "NOT matched"
            lines.append(f"   pattern /{entry.item.answer_pattern}/ {verdict}")
            lines.append(f"   answer: {quoted}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(misses)


def write_refusal_misses(report: RefusalReport, path: Path) -> int:
    misses = report.misses
    what = "not declined as expected" if report.kind == "decline" else "wrongly declined"
    lines = [f"# {report.name}: {len(misses)} of {report.count} questions {what}"]
    for entry in misses:
        item = entry.item
        lines.append(f"{item.source}: {item.question!r}: expected {item.expected}, got {entry.observation.outcome}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(misses)
