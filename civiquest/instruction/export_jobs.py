"""Exports too large to stream at once: an ``ExportJob`` built by a Celery task into private storage.

The agent asks (``actions.exports.quests_export``), the task builds the file with the agent's
services as they are then, the agent downloads it from the exports page while they are still a
member of those services; the file expires after ``INSTRUCTION_EXPORT_LIFETIME_HOURS`` and is
purged hourly (``export_jobs_purge``).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation

from civiquest.accounts.models import User
from civiquest.documents.storage import private_storage
from civiquest.instruction import export_files, exports
from civiquest.instruction.inbox import InboxFilters
from civiquest.instruction.models import ExportJob, ExportJobStatus
from civiquest.instruction.services import agent_service_ids

logger = logging.getLogger(__name__)

# The query parameters of the inbox's filters, kept on a job to read them again at build time.
FILTER_PARAMETERS = ("demarche", "etat", "moi", "retard", "etiquette", "q")


@dataclass(frozen=True)
class ExportRequest:
    """What the agent asked: the inbox filters (as query parameters), the details and the format."""

    query: dict[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] = exports.DEFAULT_COLUMNS
    format: str = "csv"
    language: str = "fr"

    @property
    def filters(self) -> InboxFilters:
        return InboxFilters.from_query(self.query)

    def as_json(self) -> dict[str, Any]:
        return {"query": dict(self.query), "columns": list(self.columns), "language": self.language}

    @classmethod
    def from_job(cls, job: ExportJob) -> ExportRequest:
        stored = job.filters if isinstance(job.filters, dict) else {}
        query = stored.get("query")
        query = query if isinstance(query, dict) else {}
        columns = stored.get("columns")
        columns = columns if isinstance(columns, list) else []
        return cls(
            query={str(key): str(value) for key, value in query.items() if key in FILTER_PARAMETERS},
            columns=tuple(str(column) for column in columns),
            format=job.format,
            language=str(stored.get("language") or settings.LANGUAGE_CODE),
        )


def export_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.INSTRUCTION_EXPORT_LIFETIME_HOURS)


def export_job_create(*, agent: User, request: ExportRequest, now: dt.datetime | None = None) -> ExportJob:
    """A pending job (the caller starts the task after commit)."""
    now = now or timezone.now()
    return ExportJob.objects.create(
        agent=agent,
        procedure_id=request.filters.procedure_id,
        filters=request.as_json(),
        format=request.format,
        created_at=now,
        expires_at=now + export_lifetime(),
    )


def export_job_build(*, job_id: int) -> bool:
    """Build a pending job's file. Idempotent: True once ready; a failure leaves the job failed."""
    job = ExportJob.objects.filter(pk=job_id).select_related("agent").first()
    if job is None or job.status == ExportJobStatus.FAILED:
        return False
    if job.status == ExportJobStatus.READY:
        return True
    request = ExportRequest.from_job(job)
    service_ids = agent_service_ids(job.agent)
    try:
        with tempfile.TemporaryFile() as spool, translation.override(request.language):
            rows = exports.export_rows(agent=job.agent, filters=request.filters, columns=request.columns)
            count = export_files.write(request.format, rows, spool)
            size = spool.tell()
            spool.seek(0)
            name = private_storage().save(f"agent-exports/{job.public_id}.{request.format}", File(spool))
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.PENDING).update(
            status=ExportJobStatus.FAILED, finished_at=timezone.now()
        )
        return False
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if locked is None or locked.status != ExportJobStatus.PENDING:
            # Purged or built by another worker meanwhile: this copy is not needed.
            transaction.on_commit(lambda: private_storage().delete(name))
            return locked is not None and locked.status == ExportJobStatus.READY
        locked.file.name = name
        locked.rows = count
        locked.size = size
        locked.service_ids = sorted(service_ids)
        locked.status = ExportJobStatus.READY
        locked.finished_at = timezone.now()
        locked.save(update_fields=["file", "rows", "size", "service_ids", "status", "finished_at"])
    return True


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the jobs past their lifetime, files included (hourly; idempotent)."""
    expired = ExportJob.objects.filter(expires_at__lte=now or timezone.now())
    names = [name for name in expired.values_list("file", flat=True) if name]
    with transaction.atomic():
        count, _deleted = expired.delete()
        transaction.on_commit(lambda: _delete_files(names))
    return int(count)


def _delete_files(names: Sequence[str]) -> None:
    storage = private_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Expired export file %s could not be deleted", name)


# --- Reads ------------------------------------------------------------------------------------


def export_jobs_of(*, agent: User, now: dt.datetime | None = None) -> list[ExportJob]:
    """The agent's exports not expired yet, the latest first."""
    return list(
        ExportJob.objects.filter(agent=agent, expires_at__gt=now or timezone.now())
        .select_related("procedure")
        .order_by("-created_at", "-pk")[:20]
    )


def export_job_ready_for(*, agent: User, public_id: Any, now: dt.datetime | None = None) -> ExportJob | None:
    """The agent's own ready export, not expired, built from services they are still a member of; else None."""
    try:
        job = ExportJob.objects.filter(agent=agent, public_id=public_id, status=ExportJobStatus.READY).first()
    except (ValueError, TypeError):
        return None
    if job is None or job.is_expired(now) or not job.file:
        return None
    if not set(job.service_ids) <= set(agent_service_ids(agent)):
        return None
    return job
