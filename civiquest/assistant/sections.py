"""The section of a cited fiche that answers the question's intent, even when retrieval found another.

Retrieval ranks chunks, so the passage it returns for "combien coûte une carte d'identité" may
be the fiche's "Où et comment faire la demande ?" section. ``intent_sections`` adds, for each
of the best sources, the chunks of that same source whose section titles answer the intent
("Coût", "Délais de fabrication", "Pièces à fournir"…): never another source, so the sources
cited stay the ones retrieval chose. Among a fiche's situations ("Demande en France",
"À l'étranger", "Vous êtes étranger", "Pour un mineur"), the one of the passage found is
preferred when the question uses its words, else the usual case (in France, French, adult,
general case), else the one of the passage found. Among the sections of one situation, those
whose titles share words with the question come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from civiquest.assistant.extractive import tokens
from civiquest.assistant.fiche_situations import is_usual, named_words, situation_of
from civiquest.assistant.intents import Intent, section_match_depth
from civiquest.assistant.models import KnowledgeChunk
from civiquest.assistant.types import Passage

# Sections added per source and intent, at most.
PER_SOURCE = 2


def _situation_rank(situation: str, own: str, named: bool) -> int:
    """0: a situation the question names; 1: the usual case; 2: the situation of the passages found; 3: another.

    The usual case comes before the passages' own situation: when the question does not name
    one, retrieval's pick between two situations saying the same words is arbitrary.
    """
    if named:
        return 0
    if is_usual(situation):
        return 1
    return 2 if own and situation == own else 3


@dataclass(frozen=True)
class _Row:
    chunk_id: int
    trail: tuple[str, ...]
    text: str


def _ranked(rows: list[_Row], found: Passage, own: str, question: set[str], intents: Sequence[Intent]) -> list[_Row]:
    """The rows of one source answering an intent, best first, all of the best situation.

    The question's words that only name the fiche's subject (in its title, or in the title of
    every situation: "naissance" in "Naissance en France" and "Naissance à l'étranger") say
    nothing of which situation or section it asks about: they are left out of the comparisons.
    """
    words = named_words({situation_of(row.trail) for row in rows} - {""}, tokens)
    asked = question - set(tokens(found.title))
    keyed = []
    for row in rows:
        depths = [(rank, section_match_depth(intent, row.trail)) for rank, intent in enumerate(intents)]
        # (intent's rank, whether only a section above answers it rather than the section itself)
        matches = [(rank, depth < 1) for rank, depth in depths if depth]
        if not matches:
            continue
        situation = situation_of(row.trail)
        named = bool(words.get(situation, set()) & asked)
        overlap = len(set(tokens(" ".join(row.trail[1:]))) & asked)
        keyed.append((_situation_rank(situation, own, named), min(matches), -overlap, row))
    if not keyed:
        return []
    keyed.sort(key=lambda item: item[:3])
    # Only the best situation: "À l'étranger" adds nothing when "En France" answers.
    return [row for situation, _match, _overlap, row in keyed if situation == keyed[0][0]]


def intent_sections(
    question: str, passages: Sequence[Passage], intents: Sequence[Intent], *, sources: int = 3
) -> list[Passage]:
    """Chunks of the best ``sources`` sources whose section answers one of ``intents`` (not already given)."""
    if not intents or not passages:
        return []
    best: dict[int, Passage] = {}
    for passage in passages:
        if len(best) >= sources and passage.source_id not in best:
            break
        best.setdefault(passage.source_id, passage)
    given = {passage.chunk_id for passage in passages}
    # The situation of a source's passages, when they all have the same (ties between situations say nothing).
    situations: dict[int, set[str]] = {}
    for passage in passages:
        situations.setdefault(passage.source_id, set()).add(situation_of(passage.trail))
    own = {source_id: next(iter(found)) for source_id, found in situations.items() if len(found) == 1}
    rows: dict[int, list[_Row]] = {}
    for pk, source_id, trail, text in (
        KnowledgeChunk.objects.filter(source_id__in=list(best))
        .order_by("source_id", "position")
        .values_list("pk", "source_id", "trail", "text")
    ):
        rows.setdefault(source_id, []).append(_Row(pk, tuple(str(title) for title in trail or ()), text))
    question_terms = set(tokens(question))
    added: list[Passage] = []
    for source_id, found in best.items():
        # The passages given count in the choice of the situation; they are not given twice.
        ranked = _ranked(rows.get(source_id, []), found, own.get(source_id, ""), question_terms, intents)
        for row in [row for row in ranked[:PER_SOURCE] if row.chunk_id not in given]:
            added.append(
                Passage(
                    chunk_id=row.chunk_id,
                    source_id=source_id,
                    source_kind=found.source_kind,
                    source_key=found.source_key,
                    title=found.title,
                    url=found.url,
                    trail=row.trail,
                    text=row.text,
                    score=found.score,
                    updated_on=found.updated_on,
                )
            )
    return added
