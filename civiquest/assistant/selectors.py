"""Reads above the assistant's retrieval: the one search of the site.

The catalogue's search box, the landing page's and the assistant find procedures through
the same retrieval (``retrieval.get_retriever().search``), so that what citizens type
("passport", "demenager", "perdu ma carte") finds the procedure whatever the words of its
title. ``procedures_matching`` turns a query into procedure slugs, best first:

- a passage of a procedure ranks that procedure;
- a passage of a service-public.fr fiche ranks the procedures that link to that fiche
  (their ``related_keys``): a question worded like the fiche still finds the procedure,
  one place after the fiche's own rank;
- a procedure's rank is that of its best passage; passages scoring below
  ``MIN_PASSAGE_SCORE`` (nothing relevant, see the retrieval's score scale) are ignored.

``catalogue_search`` adds the catalogue's filters (theme, life event) and the literal filter:
with no index yet (a fresh install) or when the retrieval finds nothing, the literal filter
of titles, summaries and keywords is the answer; otherwise its matches the retrieval missed
(a procedure published since the last index build) follow the ranked ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from civiquest.assistant.models import KnowledgeSource, SourceKind
from civiquest.catalogue.models import Procedure
from civiquest.catalogue.selectors import published_procedures_ranked
from civiquest.quests.selectors import published_procedures

# Passages read for one query: the retrieval keeps at most two per source, so this covers
# the best sources of a catalogue of a few hundred procedures and the fiches they link to.
PASSAGES = 60
# Below this retrieval score a passage matches nothing relevant (retrieval's score scale).
MIN_PASSAGE_SCORE = 0.12
# How many places a procedure found through a fiche it links to comes after that fiche.
RELATED_PENALTY = 1
QUERY_MAX_LENGTH = 200


def procedure_links() -> dict[str, list[str]]:
    """Fiche ID → the slugs of the indexed procedures linking to it (one query)."""
    links: dict[str, list[str]] = {}
    rows = KnowledgeSource.objects.filter(kind=SourceKind.PROCEDURE).order_by("key").values_list("key", "related_keys")
    for slug, related in rows:
        for key in related or ():
            if isinstance(key, str):
                links.setdefault(key, []).append(slug)
    return links


def procedures_matching(query: str, *, limit: int = 50) -> list[str]:
    """Slugs of the procedures matching ``query``, best first; ``[]`` with no index or nothing relevant.

    The slugs are those of the index: a procedure unpublished since the last build may be
    among them (``catalogue_search`` keeps the published ones only).
    """
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    if not query or limit <= 0:
        return []
    # Retrieval loads numpy and bm25s (0.3-0.5 s and 13 MB more per process) on first use;
    # the pages importing this module load it on their first search, not at start-up.
    from civiquest.assistant.retrieval import get_retriever  # noqa: PLC0415 - heavy, loaded on the first search

    passages = [
        passage for passage in get_retriever().search(query, limit=PASSAGES) if passage.score >= MIN_PASSAGE_SCORE
    ]
    if not passages:
        return []
    links = procedure_links() if any(passage.source_kind == "fiche" for passage in passages) else {}
    best: dict[str, float] = {}
    for rank, passage in enumerate(passages):
        if passage.source_kind == "procedure":
            found: Iterable[tuple[str, float]] = [(passage.source_key, rank)]
        else:
            found = [(slug, rank + RELATED_PENALTY + 0.5) for slug in links.get(passage.source_key, ())]
        for slug, position in found:
            if position < best.get(slug, float("inf")):
                best[slug] = position
    return sorted(best, key=lambda slug: best[slug])[:limit]


@dataclass(frozen=True)
class CatalogueResults:
    procedures: list[Procedure]
    # Whether the order is the retrieval's (else the literal filter's, by title).
    ranked: bool


def catalogue_search(*, search: str, theme: str = "", life_event: str = "") -> CatalogueResults:
    """The published procedures for the catalogue's search box and filters, the best match first.

    Without ``search``, the literal filter alone (every procedure of the theme or life event,
    by title). With it: the retrieval's procedures in its order, then the literal filter's
    matches it did not find; the literal filter alone when the retrieval finds nothing (no
    index built yet, or no relevant passage). Queries: the literal filter (2), the links of
    fiches to procedures (1, only when a fiche matched), the ranked procedures (2).
    """
    literal = list(published_procedures(search=search, theme=theme, life_event=life_event))
    ranked_slugs = procedures_matching(search) if search.strip() else []
    if not ranked_slugs:
        return CatalogueResults(procedures=literal, ranked=False)
    ranked = published_procedures_ranked(ranked_slugs, theme=theme, life_event=life_event)
    seen = {procedure.pk for procedure in ranked}
    return CatalogueResults(
        procedures=ranked + [procedure for procedure in literal if procedure.pk not in seen], ranked=True
    )
