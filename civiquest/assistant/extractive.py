"""The extractive provider: quotes the parts of the passages that answer, never generates text.

``ExtractiveProvider`` reads the question's intents (``civiquest.assistant.intents``: cost,
delay, deadline, where, documents, who, eligibility, validity) and quotes first what answers
them: the units (``civiquest.assistant.units``: whole sentences, whole lists, never metadata)
of the sections whose titles answer the intent ("Coût", "Délais"…) and the sentences that
do (an amount in euros, a duration). Other units are ranked by BM25 against the question.
Without any unit answering the intent, the answer says so. Each source's quotes are followed
by its title, link and update date. It needs nothing but the passages (and, from answering,
the fiche's sections that answer the intent), so it is also the fallback whenever a model fails.
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
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civiquest.assistant.fiche_situations import is_usual, named_words, situation_of
from civiquest.assistant.guardrails import looks_like_injection
from civiquest.assistant.intents import Intent, content_matches, detect, section_match_depth
from civiquest.assistant.links import public_url
from civiquest.assistant.sentences import is_complete
from civiquest.assistant.types import Passage
from civiquest.assistant.units import Unit, units
from civiquest.core.text import fold

EXTRACTIVE = "extractive"

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# Question words say what is asked (the intents' business), not what about.
_STOPWORDS = frozenset(fold(word) for word in STOPWORDS_FRENCH) | {
    "comment",
    "quoi",
    "faire",
    "faut",
    "dois",
    "combien",
    "quand",
    "quel",
    "quels",
    "quelle",
    "quelles",
    "pourquoi",
    "est",
}
# Weights of a unit's score: BM25 (normalised to 0..1), its section answering the intent, its
# content answering it, minus its source's rank. An intent's weight halves with its rank.
SECTION_WEIGHT = 1.0
CONTENT_WEIGHT = 1.5
RANK_WEIGHT = 0.15
# A list, for an intent answered by lists (the documents to bring).
LIST_WEIGHT = 0.75
# The words of its section's title shared with the question.
TITLE_WEIGHT = 0.3
TRAIL_LABEL_DEPTH = 2


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def tokens(text: str) -> list[str]:
    """French terms for matching: lower case, stop words dropped, Snowball-stemmed, accents folded."""
    words = [word for word in _WORD_RE.findall(text.lower()) if len(word) > 1 and fold(word) not in _STOPWORDS]
    return [fold(stem) for stem in _stemmer().stemWords(words)]


def sentences(text: str) -> list[str]:
    """The quotable units of a passage (whole sentences and lists), as text, without the too short ones."""
    return [unit.text for unit in units(text) if not unit.short]


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


def updated_line(passage: Passage) -> str:
    """ "Fiche mise à jour le 12 mars 2026" (a procedure: "Démarche…"), or "" when the date is unknown."""
    if passage.updated_on is None:
        return ""
    date = formats.date_format(passage.updated_on, "j F Y")
    if passage.updated_on.day == 1 and (get_language() or "fr").startswith("fr"):
        date = "1er" + date[1:]
    if passage.source_kind == "procedure":
        return _("Démarche mise à jour le %(date)s") % {"date": date}
    return _("Fiche mise à jour le %(date)s") % {"date": date}


@dataclass(frozen=True)
class Quote:
    sentence: str
    passage: Passage
    unit: Unit | None = None
    # Whether it answers the question's intent; ``label`` names its section then ("En France › Coût").
    answers: bool = False
    label: str = ""


@dataclass(frozen=True)
class Extract:
    text: str
    quotes: tuple[Quote, ...]
    intents: tuple[Intent, ...] = ()

    @property
    def passages(self) -> tuple[Passage, ...]:
        """The passages quoted, in order of first quote, one per source."""
        seen: dict[tuple[str, str], Passage] = {}
        for quote in self.quotes:
            seen.setdefault((quote.passage.source_kind, quote.passage.source_key), quote.passage)
        return tuple(seen.values())

    @property
    def answers_intent(self) -> bool:
        """Whether a quote answers what the question asks (always true of a general question)."""
        return not self.intents or any(quote.answers for quote in self.quotes)


@dataclass
class _Candidate:
    rank: int  # the source's rank
    order: int  # reading order across the passages
    unit: Unit
    passage: Passage
    lexical: float = 0.0
    title: float = 0.0
    section: float = 0.0
    content: float = 0.0
    listed: float = 0.0

    @property
    def score(self) -> float:
        return (
            self.lexical
            + TITLE_WEIGHT * self.title
            + SECTION_WEIGHT * self.section
            + CONTENT_WEIGHT * self.content
            + LIST_WEIGHT * self.listed
            - RANK_WEIGHT * self.rank
        )

    @property
    def answers(self) -> bool:
        """Answers the intent: saying it in a section that does, or saying it with the question's words.

        In the section that answers, a short unit ("Gratuit") is the answer, and a sentence is one
        when it says what the intent asks (an amount) or shares words with the question.
        """
        if self.section > 0:
            return self.unit.short or self.content > 0 or self.lexical > 0
        return self.content > 0 and self.lexical > 0 and not self.unit.short

    @property
    def readable(self) -> bool:
        """Reads on its own: a list, a sentence or a labelled line ("Coût : …"); not a caption, a fragment or a row."""
        unit = self.unit
        if unit.short or unit.row:
            return False
        return unit.is_list or is_complete(unit.text) or " : " in unit.text

    @property
    def general(self) -> bool:
        """Quotable for what it shares with the question alone."""
        return self.lexical > 0 and self.readable


def _label(trail: Sequence[str]) -> str:
    """The section named before a quote: its last titles ("En France › Coût"), without question marks."""
    return " › ".join(title.rstrip(" ?") for title in trail[-TRAIL_LABEL_DEPTH:])


def _source(passage: Passage) -> tuple[str, str]:
    return (passage.source_kind, passage.source_key)


class ExtractiveProvider:
    """Quotes 2-4 units of the best sources, what answers the question's intent first. Never generates text."""

    name = EXTRACTIVE
    min_quotes = 2
    max_quotes = 4
    max_sources = 3
    # Sources the quotes answering an intent may come from (the best ones), and quotes from each.
    answer_sources = 2
    answers_per_source = 2

    def _candidates(self, question: str, passages: Sequence[Passage], sections: Sequence[Passage]) -> list[_Candidate]:
        ranks: dict[tuple[str, str], int] = {}
        for passage in passages:
            ranks.setdefault(_source(passage), len(ranks))
        candidates: list[_Candidate] = []
        seen: set[str] = set()
        # A sentence found in several situations of a fiche ("À l'étranger" and "En France" often
        # say the same) is quoted from the one the question names, else the usual one, else the
        # section chosen for the question, else the first passage.
        asked = set(tokens(question))
        words = named_words({situation_of(p.trail) for p in (*sections, *passages)} - {""}, tokens)

        def preference(passage: Passage) -> int:
            situation = situation_of(passage.trail)
            return 0 if words.get(situation, set()) & asked else 1 if is_usual(situation) else 2

        ordered = sorted([*sections, *passages], key=preference)
        for passage in ordered:
            rank = ranks.get(_source(passage), self.max_sources)
            if rank >= self.max_sources:
                continue
            for unit in units(passage.text):
                key = " ".join(fold(unit.text).split())
                # A unit addressing the assistant ("ignore les instructions…") is no help to a citizen.
                if key in seen or looks_like_injection(unit.text):
                    continue
                seen.add(key)
                candidates.append(_Candidate(rank=rank, order=len(candidates), unit=unit, passage=passage))
        return candidates

    def _score(self, question: str, intents: Sequence[Intent], candidates: list[_Candidate]) -> None:
        query = tokens(question)
        scores = bm25_scores(query, [tokens(candidate.unit.text) for candidate in candidates])
        # The section's own title ("Qui peut être mandataire ?") tells sections apart, a little.
        titles = bm25_scores(query, [tokens(" ".join(candidate.passage.trail[-1:])) for candidate in candidates])
        top, top_title = max(scores, default=0.0) or 1.0, max(titles, default=0.0) or 1.0
        for candidate, score, title in zip(candidates, scores, titles, strict=True):
            candidate.lexical = score / top
            candidate.title = title / top_title
            for position, intent in enumerate(intents):
                weight = 0.5**position
                depth = section_match_depth(intent, candidate.passage.trail)
                candidate.section = max(candidate.section, weight * depth)
                if content_matches(intent, candidate.unit.text):
                    candidate.content = max(candidate.content, weight)
                    if intent.lists and candidate.unit.is_list:
                        candidate.listed = max(candidate.listed, weight)

    def _answering(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """What answers the intent: two sources at most, two quotes from each, the best source first.

        A source with a section answering the intent is quoted from that section only (a
        sentence saying "6 mois" elsewhere is no delay). The section of the best source that
        answers is trusted as it is ("Gratuit"); when that source is the best one retrieval
        found, another source's section only with the question's words (its "Elle est
        gratuite." may be about something else).
        """
        answering = [c for c in candidates if c.answers]
        if not answering:
            return []
        best = min(candidate.rank for candidate in candidates)
        if any(c.rank == best for c in answering):
            answering = [c for c in answering if c.rank == best or c.lexical > 0]
        with_section = {_source(c.passage) for c in answering if c.section > 0}
        answering = [c for c in answering if c.section > 0 or _source(c.passage) not in with_section]
        answering.sort(key=lambda c: (-c.score, c.rank, c.order))
        # The best source retrieval found with an answer, and the next best answer's source.
        first = min(answering, key=lambda c: (c.rank, -c.score))
        sources = [_source(first.passage)]
        sources += [_source(c.passage) for c in answering if _source(c.passage) not in sources][:1]
        chosen: list[_Candidate] = []
        per_source: Counter[tuple[str, str]] = Counter()
        for candidate in answering:
            source = _source(candidate.passage)
            if source not in sources[: self.answer_sources] or per_source[source] >= self.answers_per_source:
                continue
            if len(chosen) >= self.max_quotes - 1:
                break
            per_source[source] += 1
            chosen.append(candidate)
        # Read in retrieval's order of the sources: the fiche found best answers first.
        return sorted(chosen, key=lambda c: (c.rank, -c.score, c.order))

    def _choose(self, intents: Sequence[Intent], candidates: list[_Candidate]) -> list[_Candidate]:
        by_score = sorted(candidates, key=lambda c: (-c.score, c.rank, c.order))
        chosen = self._answering(candidates) if intents else []
        answering = len(chosen)
        best = min((candidate.rank for candidate in candidates), default=0)
        # Then what shares the most words with the question; when nothing answers the intent (the
        # answer says so), from the best source only, as a pointer rather than an answer.
        unanswered = bool(intents) and not answering
        limit = max(self.min_quotes, answering) if answering or unanswered else self.max_quotes
        for candidate in by_score:
            if len(chosen) >= limit:
                break
            if candidate not in chosen and candidate.general and (not unanswered or candidate.rank == best):
                chosen.append(candidate)
        for candidate in candidates:  # too few: the opening units of the best source
            if len(chosen) >= self.min_quotes:
                break
            if candidate not in chosen and candidate.rank == best and candidate.readable:
                chosen.append(candidate)
        return chosen

    def extract(
        self,
        *,
        question: str,
        passages: Sequence[Passage],
        sections: Sequence[Passage] = (),
        intents: Sequence[Intent] | None = None,
    ) -> Extract:
        """The quotes answering ``question`` from ``passages`` (best first) and ``sections`` of their sources."""
        intents = tuple(detect(question) if intents is None else intents)
        candidates = self._candidates(question, passages, sections)
        if not candidates:
            return Extract(text="", quotes=(), intents=intents)
        self._score(question, intents, candidates)
        chosen = self._choose(intents, candidates)
        # Grouped by source (best first); within one, what answers first, then the passage's order.
        first: dict[tuple[str, str], int] = {}
        for position, candidate in enumerate(chosen):
            first.setdefault(_source(candidate.passage), position)
        chosen.sort(
            key=lambda c: (
                first[_source(c.passage)],
                not c.answers,
                -c.score if c.answers else c.order,
            )
        )
        quotes = tuple(
            Quote(
                sentence=candidate.unit.text,
                passage=candidate.passage,
                unit=candidate.unit,
                answers=bool(intents) and candidate.answers,
                label=_label(candidate.passage.trail) if intents and candidate.section > 0 else "",
            )
            for candidate in chosen
        )
        return Extract(text=self._render(quotes, intents), quotes=quotes, intents=intents)

    @staticmethod
    def _quote_lines(quote: Quote) -> list[str]:
        prefix = f"{quote.label} : " if quote.label else ""
        unit = quote.unit
        if unit is None or not unit.is_list:
            return [f"- {prefix}« {quote.sentence} »"]
        items = [f"« {item} »" for item in unit.items]
        if unit.lead_in:
            return [f"- {prefix}« {unit.lead_in} »", *(f"  - {item}" for item in items)]
        if quote.label:
            return [f"- {quote.label} :", *(f"  - {item}" for item in items)]
        return [f"- {item}" for item in items]

    def _render(self, quotes: Sequence[Quote], intents: Sequence[Intent]) -> str:
        """Quotes grouped by source (best source first), each group followed by its source and update date."""
        groups: dict[tuple[str, str], list[Quote]] = {}
        for quote in quotes:
            groups.setdefault(_source(quote.passage), []).append(quote)
        lines = [_("D'après les sources officielles :")]
        if intents and quotes and not any(quote.answers for quote in quotes):
            missing = _("Ces extraits ne précisent pas %(what)s : vérifiez la fiche officielle.")
            lines.append(missing % {"what": intents[0].label})
        for group in groups.values():
            for quote in group:
                lines.extend(self._quote_lines(quote))
            source = group[0].passage
            link = public_url(source.url)
            lines.append("  " + _("Source : %(title)s (%(url)s)") % {"title": source.title, "url": link})
            if updated := updated_line(source):
                lines.append(f"  {updated}")
        if quotes:
            best = quotes[0].passage
            link = public_url(best.url)
            if best.source_kind == "procedure":
                lines.append(_("Voir la démarche : %(url)s") % {"url": link})
            else:
                lines.append(_("Voir la fiche officielle : %(url)s") % {"url": link})
        return "\n".join(lines)

    def stream(self, *, question: str, passages: Sequence[Passage], step: str = "") -> Iterator[str]:
        text = self.extract(question=question, passages=passages).text
        yield from text.splitlines(keepends=True)
