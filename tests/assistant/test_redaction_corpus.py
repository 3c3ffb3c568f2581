"""Redaction measured on sentences written as citizens write (tests/assistant/fixtures/redaction/).

An item counts as masked when every letter and digit of it falls inside a masked span ("fully
masked"); recall = items masked / items. Precision = masked spans that overlap an annotated item /
masked spans, the spans found in the sentences without personal data included. Figures in
docs/benchmarks.md ("Assistant: redaction").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from civiquest.assistant.redaction import find_personal_data, redact

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "redaction"
# What a masked text may never lose: the administrative words the question needs.
KEPT_WORDS = ["carte d'identité", "passeport", "carte vitale", "mairie de Paris", "CAF", "France Travail", "RSA"]


@dataclass
class Score:
    items: Counter[str] = field(default_factory=Counter)
    masked: Counter[str] = field(default_factory=Counter)
    spans: int = 0
    spans_on_items: int = 0
    missed: list[str] = field(default_factory=list)
    over_masked: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(self.masked.values()) / sum(self.items.values())

    @property
    def precision(self) -> float:
        return self.spans_on_items / self.spans if self.spans else 1.0

    def summary(self, name: str) -> str:
        kinds = ", ".join(f"{kind} {self.masked[kind]}/{self.items[kind]}" for kind in sorted(self.items))
        return (
            f"{name}: recall {sum(self.masked.values())}/{sum(self.items.values())} = {self.recall:.3f}, "
            f"precision {self.spans_on_items}/{self.spans} = {self.precision:.3f} ({kinds})"
        )


def _item_spans(text: str, items: dict[str, list[str]]) -> list[tuple[str, int, int]]:
    """Each annotated item's place in the sentence (a repeated string: its next occurrence)."""
    spans: list[tuple[str, int, int]] = []
    for kind, values in items.items():
        for value in values:
            start = text.find(value)
            while any(start < end and start + len(value) > begin for _, begin, end in spans):
                start = text.find(value, start + 1)
            assert start >= 0, f"{value!r} is not in {text!r}"
            spans.append((kind, start, start + len(value)))
    return spans


def score(name: str) -> Score:
    data = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    result = Score()
    for sentence in data["sentences"]:
        text = sentence["text"]
        found = find_personal_data(text)
        items = _item_spans(text, sentence["items"])
        for kind, start, end in items:
            result.items[kind] += 1
            covered = all(
                any(span.start <= i < span.end for span in found) for i in range(start, end) if text[i].isalnum()
            )
            if covered:
                result.masked[kind] += 1
            else:
                result.missed.append(f"{kind} {text[start:end]!r} in {redact(text)!r}")
        for span in found:
            result.spans += 1
            if any(span.start < end and span.end > start for _, start, end in items):
                result.spans_on_items += 1
            else:
                result.over_masked.append(f"{span.kind} {text[span.start : span.end]!r} in {text!r}")
    for text in data["clean"]:
        for span in find_personal_data(text):
            result.spans += 1
            result.over_masked.append(f"{span.kind} {text[span.start : span.end]!r} in {text!r}")
    return result


def test_the_corpus_holds_at_least_100_sentences_and_sentences_without_personal_data():
    data = yaml.safe_load((FIXTURES / "corpus.yaml").read_text(encoding="utf-8"))
    assert len(data["sentences"]) >= 100
    assert len(data["clean"]) >= 40
    kinds = {kind for sentence in data["sentences"] for kind in sentence["items"]}
    assert {"name", "address", "birth_date", "nir", "phone", "email", "iban", "passport", "tax_number"} <= kinds


@pytest.mark.parametrize("ner", [True, False], ids=["with NER", "patterns and gazetteer only"])
def test_recall_on_the_corpus_is_at_least_0_95(settings, ner):
    settings.ASSISTANT_REDACTION_NER = ner
    result = score("corpus")
    assert result.recall >= 0.95, "\n".join([result.summary("corpus"), *result.missed])
    assert result.precision >= 0.95, "\n".join([result.summary("corpus"), *result.over_masked])


def test_recall_on_the_held_out_sentences_is_at_least_0_95(settings):
    settings.ASSISTANT_REDACTION_NER = True
    result = score("heldout")
    assert result.recall >= 0.95, "\n".join([result.summary("held out"), *result.missed])
    assert result.precision >= 0.95, "\n".join([result.summary("held out"), *result.over_masked])


def test_hard_cases_are_reported_and_the_model_finds_names_the_patterns_miss(settings):
    settings.ASSISTANT_REDACTION_NER = False
    without = score("hard")
    settings.ASSISTANT_REDACTION_NER = True
    with_model = score("hard")
    # Not a gate on the figure (these are the limits), but the model must keep adding what it adds.
    assert with_model.masked["name"] > without.masked["name"], [without.summary("off"), with_model.summary("on")]
    assert with_model.precision == 1.0, "\n".join(with_model.over_masked)


def test_sentences_without_personal_data_are_left_as_they_are(settings):
    settings.ASSISTANT_REDACTION_NER = True
    for name in ("corpus", "heldout"):
        data = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
        changed = [text for text in data["clean"] if redact(text) != text]
        assert changed == []


def test_administrative_words_survive_redaction(settings):
    settings.ASSISTANT_REDACTION_NER = True
    data = yaml.safe_load((FIXTURES / "corpus.yaml").read_text(encoding="utf-8"))
    for sentence in data["sentences"]:
        text = sentence["text"]
        redacted = redact(text)
        for word in KEPT_WORDS:
            assert redacted.count(word) >= text.count(word), (word, redacted)
