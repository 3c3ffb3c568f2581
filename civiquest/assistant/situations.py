"""The citizen's situation picks the fiche's variant: rules in the lexicon's ``situations`` (data).

"renouveler le passeport de mon fils" wants "Renouvellement du passeport d'un mineur", not
"Passeport d'un majeur : première demande". Each rule names the question's cues and the title
words to prefer or avoid; ``factors`` gives each candidate source's multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from civiquest.assistant.text import LEXICON_PATH, words
from civiquest.core.text import fold

PREFER = 1.3
AVOID = 0.8
OTHERWISE_PREFER = 1.1
OTHERWISE_AVOID = 0.85


@dataclass(frozen=True)
class Situation:
    cues: frozenset[str]
    unless: frozenset[str]
    prefer: tuple[str, ...]
    avoid: tuple[str, ...]
    otherwise_prefer: tuple[str, ...]
    otherwise_avoid: tuple[str, ...]


def _phrases(values: object) -> tuple[str, ...]:
    return tuple(" ".join(words(str(value))) for value in (values or ()))  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def situations() -> tuple[Situation, ...]:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8")) or {}
    return tuple(
        Situation(
            cues=frozenset(fold(str(cue)) for cue in rule.get("cues") or ()),
            unless=frozenset(fold(str(word)) for word in rule.get("unless") or ()),
            prefer=_phrases(rule.get("prefer")),
            avoid=_phrases(rule.get("avoid")),
            otherwise_prefer=_phrases(rule.get("otherwise_prefer")),
            otherwise_avoid=_phrases(rule.get("otherwise_avoid")),
        )
        for rule in data.get("situations") or ()
    )


def _holds(title: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {phrase} " in title for phrase in phrases)


def factors(question: str, titles: list[str]) -> list[float]:
    """One multiplier per title (1.0 when no rule applies)."""
    asked = set(words(question))
    padded = [f" {' '.join(words(title))} " for title in titles]
    result = [1.0] * len(titles)
    for rule in situations():
        # "ma fille majeure": the cue is there, but the rule's usual case is meant.
        cued = bool(asked & rule.cues) and not asked & rule.unless
        prefer, avoid = (rule.prefer, rule.avoid) if cued else (rule.otherwise_prefer, rule.otherwise_avoid)
        up, down = (PREFER, AVOID) if cued else (OTHERWISE_PREFER, OTHERWISE_AVOID)
        if not prefer and not avoid:
            continue
        for index, title in enumerate(padded):
            if prefer and _holds(title, prefer):
                result[index] *= up
            if avoid and _holds(title, avoid):
                result[index] *= down
    return result
