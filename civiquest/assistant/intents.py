"""What a question asks for (its intents), and which sections and sentences of a fiche answer it.

The table is data, ``intents.yaml`` next to this module: for each intent (cost, delay,
deadline, where, documents, who, eligibility, validity), the ways citizens ask for it, the
section titles that answer it and the sentences that do. ``detect`` reads a question's
intents, main one first; a question with none is a general one. The extractive answer uses
``section_matches`` (on ``Passage.trail``) and ``content_matches`` (on a sentence) to quote
the part of the fiche that answers the question asked: the cost when asked the cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civiquest.core.text import fold

TABLE = Path(__file__).resolve().with_name("intents.yaml")

# What the answer says it did not find ("Les extraits ne précisent pas %(what)s").
LABELS: dict[str, Promise] = {
    "validity": _("la durée de validité"),
    "cost": _("le coût ou le montant"),
    "delay": _("le délai"),
    "deadline": _("la date limite"),
    "where": _("où s’adresser"),
    "documents": _("les pièces à fournir"),
    "who": _("qui est concerné"),
    "eligibility": _("les conditions à remplir"),
}


@dataclass(frozen=True)
class Intent:
    name: str
    question: tuple[re.Pattern[str], ...]
    question_accents: tuple[re.Pattern[str], ...]
    sections: tuple[re.Pattern[str], ...]
    content: tuple[re.Pattern[str], ...]
    # Intents this one makes irrelevant when both are found.
    outranks: frozenset[str] = frozenset()
    # Whether its answer is usually a list (documents, conditions).
    lists: bool = False

    @property
    def label(self) -> str:
        return str(LABELS.get(self.name, self.name))

    def first_match(self, folded: str, accented: str) -> int | None:
        """Where the question first asks for this intent, or ``None``."""
        found = [match.start() for pattern in self.question if (match := pattern.search(folded))]
        found += [match.start() for pattern in self.question_accents if (match := pattern.search(accented))]
        return min(found) if found else None


def _compiled(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


@cache
def table() -> tuple[Intent, ...]:
    """The intents of ``intents.yaml``, in its order."""
    data = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    return tuple(
        Intent(
            name=name,
            question=_compiled(entry.get("question", ())),
            question_accents=_compiled(entry.get("question_accents", ())),
            sections=_compiled(entry.get("sections", ())),
            content=_compiled(entry.get("content", ())),
            outranks=frozenset(entry.get("outranks", ())),
            lists=bool(entry.get("lists", False)),
        )
        for name, entry in data.items()
    )


def by_name(name: str) -> Intent:
    return next(intent for intent in table() if intent.name == name)


def detect(question: str) -> tuple[Intent, ...]:
    """The question's intents, the one it names first first; empty for a general question."""
    folded = fold(question)
    accented = question.lower()
    found = []
    for order, intent in enumerate(table()):
        position = intent.first_match(folded, accented)
        if position is not None:
            found.append((position, order, intent))
    dropped = {name for _position, _order, intent in found for name in intent.outranks}
    ordered = sorted(found, key=lambda item: item[:2])
    return tuple(intent for _position, _order, intent in ordered if intent.name not in dropped)


def section_matches(intent: Intent, trail: Iterable[str]) -> bool:
    """Whether one of the section titles leading to a passage is where a fiche answers ``intent``."""
    return any(pattern.search(fold(title)) for title in trail for pattern in intent.sections)


def section_match_depth(intent: Intent, trail: Sequence[str]) -> float:
    """1.0 when the passage's own section answers ``intent`` ("… › Coût"), 0.5 when only a
    section above it does ("Déclaration hors délai › Sanctions"), 0.0 otherwise."""
    if not trail:
        return 0.0
    if section_matches(intent, trail[-1:]):
        return 1.0
    return 0.5 if section_matches(intent, trail[:-1]) else 0.0


def content_matches(intent: Intent, text: str) -> bool:
    """Whether a sentence answers ``intent`` (an amount for the cost, a duration for the delay…)."""
    folded = fold(text)
    return any(pattern.search(folded) for pattern in intent.content)
