"""A fiche's situations ("Demande en France", "À l'étranger", "Vous êtes étranger", "Pour un mineur"…):
which one a question is about.

Fiches split their text by situation, often saying the same thing in each. The question names
one when it uses the words that tell it from the fiche's other situations ("à l'étranger",
"mineur"); otherwise the usual case is meant: in France, French, an adult, the general case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from civiquest.core.text import fold

# The usual case, when the question names none.
USUAL_RE = re.compile(r"\b(?:en france|france|metropole|francais|majeur|adulte|cas general|general)\b")
# Stems of a situation's title that say nothing of it.
PLAIN_WORDS = frozenset({"vous", "etes", "avez", "pour", "demand", "cas", "situat", "autr", "person"})


def is_usual(situation: str) -> bool:
    return not situation or bool(USUAL_RE.search(fold(situation)))


def situation_of(trail: Sequence[str]) -> str:
    """The situation a passage belongs to: its first title, when there is one above its own."""
    return trail[0] if len(trail) > 1 else ""


def named_words(situations: Collection[str], terms: Callable[[str], list[str]]) -> dict[str, set[str]]:
    """The words telling each situation from the others ("franc", "etrang"), by situation."""
    words = {situation: set(terms(situation)) - PLAIN_WORDS for situation in situations}
    shared = set.intersection(*words.values()) if len(words) > 1 else set()
    return {situation: found - shared for situation, found in words.items()}
