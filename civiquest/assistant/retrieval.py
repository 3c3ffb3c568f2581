"""Retrieval over the knowledge base: fiches ranked for a question as citizens write it.

The index lives on disk under ``settings.ASSISTANT_INDEX_DIR`` (default
``var/assistant-index/``): each build is a directory ``build-<stamp>/`` and the symbolic
link ``current`` points at the one in use. ``build_index()`` writes a new build in full,
then swaps the link atomically (``os.replace``), so a reader never sees half an index;
older builds are removed. ``get_retriever()`` returns a process-wide retriever that checks
the link at most every ``ASSISTANT_INDEX_CHECK_SECONDS`` and reloads when it changed.
With no index built, ``search`` returns ``[]``.

Indexing: a source's chunks shorter than ``MIN_CHUNK_CHARS`` are merged with the next one of
the same section (tiny chunks whose few words all match would outrank the fiche that
answers); a chunk is indexed with its section titles, not its source's title, which is a
field of its own.

Ranking, per source (a fiche, a guide or one of our procedures):

1. the question's terms and weights (``civiquest.assistant.text.query_terms``: lemmas and
   stems, the lexicon's replacements and expansions, weak words); a term unknown to the
   index is replaced by the closest indexed term (``civiquest.assistant.typos``);
2. three normalised BM25 scores (weighted BM25 / Σ weight × idf of the question's terms,
   capped at 1; unknown terms count with the highest idf): the source's best chunk, its
   title and its section titles with its introduction; the source's score is their weighted
   sum (``CHUNK_WEIGHT``, ``TITLE_WEIGHT``, ``OUTLINE_WEIGHT``): the title counts, bounded;
   a fiche's editorial metadata adds two bounded fields, never shown: the folders it is filed
   in (``FOLDERS_WEIGHT``) and its questions-réponses' titles (``QUESTIONS_WEIGHT``), which
   name the fiche's subject in other words than its own (measured on the real feed's tuning
   set, docs/benchmarks.md, 2026-12-08);
3. with ``ASSISTANT_EMBEDDINGS`` on, the best cosine of each source's chunks (USE
   multilingual, packaged) ranks the sources too, fused with the lexical ranking by
   reciprocal rank (``ASSISTANT_RRF_K``);
4. the best ``RERANK_DEPTH`` are reranked: the situation in the question picks the fiche's
   variant (``civiquest.assistant.situations``), ``procedure_slug`` boosts that procedure's
   own source and the fiches it links to;
5. each source brings its best ``max_per_source`` chunks as passages.

**Score scale** (``Passage.score``, 0..1, comparable across queries): its source's score
(every passage of a source carries it; a source's chunks come best first). Rough reading:
< 0.2 nothing relevant, 0.2–0.4 weak, > 0.4 a good match. Boosts and situations change the
order, never the score.
"""

from __future__ import annotations

import bisect
import datetime
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import bm25s
import numpy as np
from django.conf import settings

from civiquest.assistant import situations
from civiquest.assistant.indexing import CURRENT, encoder, index_dir
from civiquest.assistant.indexing import build_index as build_index
from civiquest.assistant.text import query_terms
from civiquest.assistant.types import Passage, Retriever
from civiquest.assistant.typos import TypoCorrector

logger = logging.getLogger(__name__)

BOOST = 1.6
CHUNK_WEIGHT = 0.25
TITLE_WEIGHT = 0.55
OUTLINE_WEIGHT = 0.2
EDITORIAL_WEIGHTS = {"folders": 0.2, "questions": 0.1}
RERANK_DEPTH = 30
FAMILY_WEIGHT = 0.7
FAMILY_MIN = 5
FAMILY_GAP = 3
CANDIDATE_SOURCES = 100

SourceKind = Literal["fiche", "procedure"]


# --- Loading and searching --------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    id: int
    kind: SourceKind
    key: str
    title: str
    url: str
    related: tuple[str, ...]
    updated_on: datetime.date | None = None


class _Bm25:
    """A bm25s model with its vocabulary, document frequencies and idf."""

    def __init__(self, path: Path) -> None:
        self.model = bm25s.BM25.load(str(path), mmap=False, show_progress=False, verbosity=0)
        self.doc_freq = np.diff(self.model.scores["indptr"]).astype(np.float64)
        # bm25s adds an empty token past the matrix's columns: leave it out.
        self.vocab = {
            term: column for term, column in self.model.vocab_dict.items() if term and column < len(self.doc_freq)
        }
        self.n_docs = max(int(self.model.scores["num_docs"]), 1)
        # Lucene idf, as bm25s computes it.
        self.idf = np.log(1 + (self.n_docs - self.doc_freq + 0.5) / (self.doc_freq + 0.5))
        self.max_idf = float(self.idf.max()) if len(self.idf) else 1.0

    def normalised(self, terms: dict[str, float], normaliser: float) -> np.ndarray:
        """Σ weight × BM25 of the terms / ``normaliser``, capped at 1."""
        scores = np.zeros(self.n_docs, dtype=np.float64)
        for token, weight in terms.items():
            column = self.vocab.get(token)
            if column is not None:
                scores += weight * self.model.get_scores([column])
        return np.minimum(scores / max(normaliser, 1e-9), 1.0)


@dataclass(frozen=True)
class SourceHit:
    """A source found for a question: its score (0..1) and its best chunks (position, score), best first."""

    source: _Source
    score: float
    chunks: tuple[tuple[int, float], ...]


class LoadedIndex:
    """One index build in memory (the chunk texts stay on disk, read by offset)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta = json.loads((path / "meta.json").read_text())
        self.sources = [
            _Source(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                tuple(row[5] or ()),
                datetime.date.fromisoformat(row[6]) if len(row) > 6 and row[6] else None,
            )
            for row in json.loads((path / "sources.json").read_text())
        ]
        self.source_by_key = {(source.kind, source.key): index for index, source in enumerate(self.sources)}
        self.is_procedure = np.asarray([source.kind == "procedure" for source in self.sources], dtype=bool)
        self.offsets = np.load(path / "offsets.npy")
        self.chunk_source = np.load(path / "chunk_source.npy")
        # Chunks are stored in source order: each source's chunks are one run.
        self.has_chunks = np.zeros(len(self.sources), dtype=bool)
        self.has_chunks[self.chunk_source] = True
        self.first_chunk = np.searchsorted(self.chunk_source, np.arange(len(self.sources)))
        self.chunks_bm25: _Bm25 | None = None
        self.editorial_bm25: list[tuple[_Bm25, float]] = []
        self.vocab: dict[str, int] = {}
        if (path / "bm25").exists():
            self.chunks_bm25 = _Bm25(path / "bm25")
            self.titles_bm25 = _Bm25(path / "bm25-titles")
            self.outlines_bm25 = _Bm25(path / "bm25-sources")
            self.editorial_bm25 = [
                (_Bm25(path / f"bm25-{part}"), weight)
                for part, weight in EDITORIAL_WEIGHTS.items()
                if (path / f"bm25-{part}").exists()
            ]
            self.vocab = self.chunks_bm25.vocab
            self.typos = TypoCorrector(self.vocab, self.chunks_bm25.doc_freq)
            self.sorted_vocab = sorted(self.vocab)
        self.vectors: np.ndarray | None = None
        if self.meta.get("embeddings") and (path / "vectors.npy").exists():
            self.vectors = np.load(path / "vectors.npy")
        self._texts = open(path / "chunks.jsonl", "rb")  # noqa: SIM115 - lives as long as the index
        self._texts_lock = threading.Lock()

    def chunk(self, position: int) -> tuple[int, list[str], str]:
        start, end = int(self.offsets[position]), int(self.offsets[position + 1])
        with self._texts_lock:
            self._texts.seek(start)
            data = self._texts.read(end - start)
        chunk_id, trail, text = json.loads(data)
        return int(chunk_id), list(trail), str(text)

    def _terms(self, query: str) -> tuple[dict[str, float], float]:
        """The question's indexed terms with their weights, and the score's normaliser.

        The normaliser is Σ over the citizen's words of the best weight × idf among the terms
        each brings that the index knows (a word unknown with all its terms counts with the
        highest idf): each word counts once, whether the fiches use it or its lexicon
        replacement. A term's indexed relatives (``relatives``) come at ``FAMILY_WEIGHT`` of
        its weight.
        """
        chunks_bm25 = cast(_Bm25, self.chunks_bm25)
        idf, vocab = chunks_bm25.idf, self.vocab
        terms: dict[str, float] = {}
        best_of_group: dict[int, float] = {}
        unknown_group: dict[int, float] = {}
        for found in query_terms(query):
            token, weight = found.term, found.weight
            relatives = self.relatives(token)
            if token not in vocab and not relatives:
                token = self.typos.correct(token) or token
            known = [candidate for candidate in (token, *relatives) if candidate in vocab]
            if found.group is not None and known:
                value = weight * max(float(idf[vocab[name]]) for name in known)
                best_of_group[found.group] = max(best_of_group.get(found.group, 0.0), value)
            elif found.group is not None:
                unknown_group[found.group] = max(unknown_group.get(found.group, 0.0), weight * chunks_bm25.max_idf)
            if token in vocab:
                terms[token] = max(terms.get(token, 0.0), weight)
            for relative in relatives:
                terms[relative] = max(terms.get(relative, 0.0), FAMILY_WEIGHT * weight)
        unknown = sum(value for group, value in unknown_group.items() if group not in best_of_group)
        return terms, sum(best_of_group.values()) + unknown

    def relatives(self, token: str) -> list[str]:
        """Indexed terms of the same family: one a prefix of the other, ≥ 5 letters, ≤ 3 letters apart.

        Snowball gives one family several stems ("démission" → demiss, "démissionner" →
        demission; "Pacs" → pac, "pacser" → pacs): each finds the others.
        """
        if len(token) < FAMILY_MIN or not token.isalpha():
            return []
        found = [token[:size] for size in range(max(FAMILY_MIN, len(token) - FAMILY_GAP), len(token))]
        start = bisect.bisect_left(self.sorted_vocab, token)
        for candidate in self.sorted_vocab[start : start + 50]:
            if not candidate.startswith(token):
                break
            if 0 < len(candidate) - len(token) <= FAMILY_GAP:
                found.append(candidate)
        return [candidate for candidate in found if candidate in self.vocab and candidate != token]

    def rank(
        self, query: str, *, kind: SourceKind | None, limit: int, procedure_slug: str, max_per_source: int
    ) -> list[SourceHit]:
        """The best ``limit`` sources (of ``kind``, or all) for the question, best first."""
        if self.chunks_bm25 is None or not query.strip() or limit <= 0:
            return []
        terms, normaliser = self._terms(query)
        if not terms:
            return []
        chunk_scores, source_scores = self._scores(terms, normaliser)
        eligible = self.has_chunks & (source_scores > 0)
        if kind is not None:
            eligible &= self.is_procedure if kind == "procedure" else ~self.is_procedure
        order = _top(np.where(eligible, source_scores, -1.0), min(CANDIDATE_SOURCES, len(self.sources)))
        ranked = [int(index) for index in order if eligible[index]]
        fused = self._fuse_semantic(query, ranked, eligible)
        if fused is None:
            base = {index: float(source_scores[index]) for index in ranked}
        else:
            ranked, base = sorted(fused, key=lambda index: -fused[index]), fused
        ranked = self._rerank(query, ranked[:RERANK_DEPTH], base, procedure_slug) + ranked[RERANK_DEPTH:]
        hits = []
        for source_index in ranked[:limit]:
            start = int(self.first_chunk[source_index])
            end = int(np.searchsorted(self.chunk_source, source_index, side="right"))
            local = chunk_scores[start:end]
            best = np.argsort(-local, kind="stable")[:max_per_source]
            hits.append(
                SourceHit(
                    self.sources[source_index],
                    float(source_scores[source_index]),
                    tuple((start + int(position), float(local[position])) for position in best),
                )
            )
        return hits

    def _scores(self, terms: dict[str, float], normaliser: float) -> tuple[np.ndarray, np.ndarray]:
        """The chunks' normalised scores, and the sources' (best chunk, title and outline weighed)."""
        chunk_scores = cast(_Bm25, self.chunks_bm25).normalised(terms, normaliser)
        best_chunk = np.zeros(len(self.sources), dtype=np.float64)
        best_chunk[self.has_chunks] = np.maximum.reduceat(chunk_scores, self.first_chunk[self.has_chunks])
        source_scores = (
            CHUNK_WEIGHT * best_chunk
            + TITLE_WEIGHT * self._title_scores(terms, normaliser)
            + OUTLINE_WEIGHT * self._outline_scores(terms, normaliser)
        )
        for field, weight in self.editorial_bm25:
            source_scores += weight * field.normalised(terms, normaliser)
        return chunk_scores, source_scores

    def _title_scores(self, terms: dict[str, float], normaliser: float) -> np.ndarray:
        return self.titles_bm25.normalised(terms, normaliser)

    def _outline_scores(self, terms: dict[str, float], normaliser: float) -> np.ndarray:
        return self.outlines_bm25.normalised(terms, normaliser)

    def _fuse_semantic(self, query: str, order: list[int], eligible: np.ndarray) -> dict[int, float] | None:
        """Reciprocal-rank fusion of the lexical order and the sources' best cosine (None without vectors).

        The semantic ranking may bring eligible sources the lexical one missed (other words).
        """
        if self.vectors is None or not order:
            return None
        cosine = self.vectors @ np.asarray(encoder().encode(query), dtype=np.float32)
        best = np.full(len(self.sources), -1.0)
        np.maximum.at(best, self.chunk_source, cosine)
        best[~eligible] = -1.0
        semantic = [int(index) for index in _top(best, min(CANDIDATE_SOURCES, len(self.sources))) if eligible[index]]
        rrf_k = float(getattr(settings, "ASSISTANT_RRF_K", 20))
        fused: dict[int, float] = {}
        for ranking in (order, semantic):
            for rank, index in enumerate(ranking):
                fused[index] = fused.get(index, 0.0) + 1.0 / (rrf_k + rank + 1)
        return fused

    def _rerank(self, query: str, order: list[int], base: dict[int, float], procedure_slug: str) -> list[int]:
        factors = situations.factors(query, [self.sources[index].title for index in order])
        boosted = self._boosted(procedure_slug)
        adjusted = {
            index: base[index] * factor * (BOOST if index in boosted else 1.0)
            for index, factor in zip(order, factors, strict=True)
        }
        return sorted(order, key=lambda index: -adjusted[index])

    def _boosted(self, procedure_slug: str) -> set[int]:
        own = self.source_by_key.get(("procedure", procedure_slug)) if procedure_slug else None
        if own is None:
            return set()
        return {own} | {
            self.source_by_key[("fiche", key)]
            for key in self.sources[own].related
            if ("fiche", key) in self.source_by_key
        }

    def passages(self, hits: Sequence[SourceHit]) -> list[Passage]:
        """The hits' chunks as passages, source by source."""
        passages = []
        for hit in hits:
            for position, _chunk_score in hit.chunks:
                chunk_id, trail, text = self.chunk(position)
                score = min(1.0, hit.score)
                passages.append(
                    Passage(
                        chunk_id=chunk_id,
                        source_id=hit.source.id,
                        source_kind=hit.source.kind,
                        source_key=hit.source.key,
                        title=hit.source.title,
                        url=hit.source.url,
                        trail=tuple(trail),
                        text=text,
                        score=round(score, 4),
                        updated_on=hit.source.updated_on,
                    )
                )
        return passages

    def close(self) -> None:
        self._texts.close()


def _top(scores: np.ndarray, count: int) -> np.ndarray:
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, count - 1)[:count]
    return part[np.argsort(-scores[part], kind="stable")]


class IndexRetriever:
    """A ``Retriever`` over the on-disk index, reloading it when a new build becomes current."""

    def __init__(self, root: Path, check_seconds: float) -> None:
        self.root = root
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._loaded: LoadedIndex | None = None
        self._target: str | None = None
        self._checked_at = 0.0

    def _current(self) -> LoadedIndex | None:
        now = time.monotonic()
        if now - self._checked_at < self.check_seconds and self._target is not None:
            return self._loaded
        with self._lock:
            self._checked_at = now
            try:
                target = os.readlink(self.root / CURRENT)
            except OSError:
                target = None
            if target != self._target:
                previous = self._loaded
                self._loaded = None
                if target is not None:
                    try:
                        self._loaded = LoadedIndex(self.root / target)
                    except (OSError, ValueError, KeyError):
                        logger.exception("assistant index %s could not be loaded", target)
                self._target = target
                if previous is not None:
                    previous.close()
            return self._loaded

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        procedure_slug: str = "",
        kind: SourceKind | None = None,
        sources: int | None = None,
    ) -> list[Passage]:
        """Passages best first, at most ``ASSISTANT_MAX_PASSAGES_PER_SOURCE`` per source; ``[]`` with no index.

        ``limit`` counts passages; with ``sources``, every passage of the best ``sources``
        sources is returned instead. ``kind`` keeps the fiches (and guides) or our procedures
        only. See the module's docstring for the score scale.
        """
        loaded = self._current()
        if loaded is None:
            return []
        max_per_source = int(getattr(settings, "ASSISTANT_MAX_PASSAGES_PER_SOURCE", 2))
        hits = loaded.rank(
            query,
            kind=kind,
            limit=sources if sources is not None else limit,
            procedure_slug=procedure_slug,
            max_per_source=max_per_source,
        )
        passages = loaded.passages(hits)
        return passages if sources is not None else passages[:limit]

    def sources_ranked(
        self, query: str, *, limit: int = 10, procedure_slug: str = "", kind: SourceKind | None = None
    ) -> list[tuple[str, str]]:
        """(kind, key) of the best distinct sources, best first (for evaluation)."""
        loaded = self._current()
        if loaded is None:
            return []
        hits = loaded.rank(query, kind=kind, limit=limit, procedure_slug=procedure_slug, max_per_source=1)
        return [(hit.source.kind, hit.source.key) for hit in hits]


_retrievers: dict[str, IndexRetriever] = {}
_retrievers_lock = threading.Lock()


def get_retriever() -> Retriever:
    """The process-wide retriever over ``settings.ASSISTANT_INDEX_DIR`` (one per directory)."""
    root = index_dir()
    with _retrievers_lock:
        retriever = _retrievers.get(str(root))
        if retriever is None:
            retriever = IndexRetriever(root, float(getattr(settings, "ASSISTANT_INDEX_CHECK_SECONDS", 2.0)))
            _retrievers[str(root)] = retriever
        return retriever
