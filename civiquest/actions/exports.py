"""An agent exports quests of their services with the answers: at once, or by a Celery task when many.

Each export is one audit event (``instruction.export``): who exported what, filtered how, in
which format, and how many quests.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.core.transactions import use_case
from civiquest.instruction import export_files, export_jobs, exports
from civiquest.instruction.export_jobs import ExportRequest
from civiquest.instruction.models import ExportJob
from civiquest.instruction.tasks import export_job_build

AUDIT_EXPORT = "instruction.export"


@dataclass(frozen=True)
class ExportOutcome:
    """The file at once (``data``), or the job that builds it (``job``)."""

    count: int
    data: bytes | None = None
    job: ExportJob | None = None


@use_case
def quests_export(*, agent: User, request: ExportRequest) -> ExportOutcome:
    """Export the quests the inbox filters select: the file when they are few, a pending job otherwise."""
    if request.format not in export_files.CONTENT_TYPES:
        raise export_files.UnknownExportFormat(request.format)
    count = exports.export_count(agent=agent, filters=request.filters)
    # The search words may be a citizen's name: the audit log keeps only that there were some.
    filters = {key: value for key, value in request.query.items() if key != "q"}
    details = {
        "filters": filters,
        "search": bool(request.query.get("q")),
        "columns": list(request.columns),
        "format": request.format,
        "count": count,
    }
    if count <= settings.INSTRUCTION_EXPORT_STREAM_MAX:
        rows = exports.export_rows(agent=agent, filters=request.filters, columns=request.columns)
        data = export_files.as_bytes(request.format, rows)
        audit_record(actor=agent, action=AUDIT_EXPORT, target=None, details=details)
        return ExportOutcome(count=count, data=data)
    job = export_jobs.export_job_create(agent=agent, request=request)
    audit_record(actor=agent, action=AUDIT_EXPORT, target=job, details=details)
    job_id = job.pk
    transaction.on_commit(lambda: export_job_build.delay(job_id))
    return ExportOutcome(count=count, job=job)
