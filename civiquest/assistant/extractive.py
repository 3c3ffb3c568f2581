"""The extractive provider: quotes the sentences of the passages that answer, never generates text.

``ExtractiveProvider`` BM25-scores the sentences of the passages retrieval gave and quotes the
best two to four, each with its source. It needs nothing but the passages, so it is also the
fallback whenever a model fails.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_FRENCH
from django.utils.translation import gettext as _

from civiquest.assistant.guardrails import looks_like_injection
from civiquest.assistant.types import Passage
from civiquest.core.text import fold

EXTRACTIVE = "extractive"

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+(?=[«\"(\[A-ZÀ-ÖØ-Þ0-9])|\n+")
_STOPWORDS = frozenset(fold(word) for word in STOPWORDS_FRENCH) | {"comment", "quoi", "faire", "faut", "dois"}
MAX_SENTENCE_CHARS = 400


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def tokens(text: str) -> list[str]:
    """French terms for matching: lower case, stop words dropped, Snowball-stemmed, accents folded."""
    words = [word for word in _WORD_RE.findall(text.lower()) if len(word) > 1 and fold(word) not in _STOPWORDS]
    return [fold(stem) for stem in _stemmer().stemWords(words)]


def sentences(text: str) -> list[str]:
    """The sentences (and list items) of a passage, stripped, without the too short ones."""
    found = []
    for sentence in _SENTENCE_SPLIT_RE.split(text):
        sentence = sentence.strip(" \t-•*–")
        if len(_WORD_RE.findall(sentence)) < 3:
            continue
        if len(sentence) > MAX_SENTENCE_CHARS:
            sentence = sentence[:MAX_SENTENCE_CHARS].rsplit(" ", 1)[0] + "…"
        found.append(sentence)
    return found


def bm25_scores(
    query: Sequence[str], documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75
) -> list[float]:
    """Okapi BM25 of each document (a list of terms) for the query terms."""
    if not documents:
        return []
    count = len(documents)
    average = sum(len(document) for document in documents) / count or 1.0
    frequency = Counter(term for document in documents for term in set(document))
    scores = []
    for document in documents:
        terms = Counter(document)
        score = 0.0
        for term in set(query):
            if term not in terms:
                continue
            idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
            tf = terms[term]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(document) / average))
        scores.append(score)
    return scores


@dataclass(frozen=True)
class Quote:
    sentence: str
    passage: Passage


@dataclass(frozen=True)
class Extract:
    text: str
    quotes: tuple[Quote, ...]

    @property
    def passages(self) -> tuple[Passage, ...]:
        """The passages quoted, in order of first quote, without repeats."""
        seen: dict[tuple[str, str], Passage] = {}
        for quote in self.quotes:
            seen.setdefault((quote.passage.source_kind, quote.passage.source_key), quote.passage)
        return tuple(seen.values())


class ExtractiveProvider:
    """Quotes the best 2-4 sentences of the top passages, each with its source. Never generates text."""

    name = EXTRACTIVE
    min_quotes = 2
    max_quotes = 4
    max_passages = 3

    def extract(self, *, question: str, passages: Sequence[Passage]) -> Extract:
        candidates = [
            (rank, sentence, passage)
            for rank, passage in enumerate(passages[: self.max_passages])
            for sentence in sentences(passage.text)
            # A sentence addressing the assistant ("ignore les instructions...") is no help to a citizen.
            if not looks_like_injection(sentence)
        ]
        if not candidates:
            return Extract(text="", quotes=())
        scores = bm25_scores(tokens(question), [tokens(sentence) for _rank, sentence, _p in candidates])
        # Ties go to the better passage, then to the earlier sentence.
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i][0], i))
        chosen = [i for i in order if scores[i] > 0][: self.max_quotes]
        for i in range(len(candidates)):  # too few matches: the opening sentences of the best passage
            if len(chosen) >= self.min_quotes:
                break
            if i not in chosen and candidates[i][0] == candidates[0][0]:
                chosen.append(i)
        # Within a source, the quotes are read in the passage's order (the groups keep the best source first).
        best_of: dict[int, int] = {}
        for position, i in enumerate(chosen):
            best_of.setdefault(id(candidates[i][2]), position)
        chosen.sort(key=lambda i: (best_of[id(candidates[i][2])], i))
        quotes = tuple(Quote(sentence=candidates[i][1], passage=candidates[i][2]) for i in chosen)
        return Extract(text=self._render(quotes), quotes=quotes)

    def _render(self, quotes: Sequence[Quote]) -> str:
        """Quotes grouped by source (best source first), each group followed by its source line."""
        groups: dict[tuple[str, str], list[Quote]] = {}
        for quote in quotes:
            groups.setdefault((quote.passage.source_kind, quote.passage.source_key), []).append(quote)
        lines = [_("D'après les sources officielles :")]
        for group in groups.values():
            lines.extend(f"- « {quote.sentence} »" for quote in group)
            source = group[0].passage
            lines.append("  " + _("Source : %(title)s (%(url)s)") % {"title": source.title, "url": source.url})
        if quotes:
            lines.append(_("Voir la fiche officielle : %(url)s") % {"url": quotes[0].passage.url})
        return "\n".join(lines)

    def stream(self, *, question: str, passages: Sequence[Passage], step: str = "") -> Iterator[str]:
        text = self.extract(question=question, passages=passages).text
        yield from text.splitlines(keepends=True)
