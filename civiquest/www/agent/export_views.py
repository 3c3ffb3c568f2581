"""The agent's exports: the form (the inbox filters, the details, the format), the file at once for
a few quests, otherwise a job built in the background and listed with its download link.

An export holds only the quests of the agent's services; a job is downloaded only by its owner,
still a member of the services it was built from: anything else is a 404.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.exports import quests_export
from civiquest.documents.responses import private_file_response
from civiquest.instruction import export_files, export_jobs, exports
from civiquest.instruction import selectors as instruction_selectors
from civiquest.instruction import services as instruction
from civiquest.instruction.export_jobs import ExportRequest
from civiquest.www.agent.forms import ExportForm


def _form(request: AuthenticatedHttpRequest, data: object = None) -> ExportForm:
    service_ids = instruction.agent_service_ids(request.user)
    procedures = [(procedure.pk, procedure.title) for procedure in exports.export_procedures(service_ids=service_ids)]
    labels = [(label.pk, label.name) for label in instruction_selectors.labels_of_services(service_ids=service_ids)]
    if data is None:
        # Opened from the inbox: its filters (same parameter names) are the form's first values.
        initial = {key: request.GET[key] for key in export_jobs.FILTER_PARAMETERS if request.GET.get(key)}
        return ExportForm(initial=initial, procedures=procedures, labels=labels)
    return ExportForm(data, procedures=procedures, labels=labels)


def _page(request: AuthenticatedHttpRequest, form: ExportForm, status: int = 200) -> HttpResponse:
    context = {
        "title": _("Exporter les dossiers"),
        "form": form,
        "stream_max": settings.INSTRUCTION_EXPORT_STREAM_MAX,
    }
    return render(request, "agent/export.html", context, status=status)


@role_required(Role.AGENT)
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The form; posted, the file (CSV, XLSX or ODS) at once, or a job when the quests are many."""
    if request.method != "POST":
        return _page(request, _form(request))
    form = _form(request, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    export_request = ExportRequest(
        query=form.export_query(),
        columns=tuple(form.cleaned_data["columns"]),
        format=form.cleaned_data["format"],
        language=get_language() or settings.LANGUAGE_CODE,
    )
    outcome = quests_export(agent=request.user, request=export_request)
    if outcome.data is None:
        messages.success(
            request,
            _(
                "L’export de %(count)s dossiers est en préparation : "
                "il apparaîtra ci-dessous avec son lien de téléchargement."
            )
            % {"count": outcome.count},
        )
        return redirect("agent:export-jobs")
    response = HttpResponse(outcome.data, content_type=export_files.CONTENT_TYPES[export_request.format])
    filename = export_files.filename(export_request.format, f"dossiers-{timezone.localdate():%Y-%m-%d}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.AGENT)
@require_GET
def export_jobs_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agent's exports being prepared or ready, with their download links."""
    context = {
        "title": _("Mes exports"),
        "jobs": export_jobs.export_jobs_of(agent=request.user),
        "lifetime_hours": settings.INSTRUCTION_EXPORT_LIFETIME_HOURS,
    }
    return render(request, "agent/export_jobs.html", context)


@role_required(Role.AGENT)
@require_GET
def export_job_download(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """The agent's own ready export; anyone else's, an expired one or one not ready is a 404."""
    job = export_jobs.export_job_ready_for(agent=request.user, public_id=public_id)
    if job is None:
        raise Http404
    filename = export_files.filename(job.format, f"dossiers-{timezone.localtime(job.created_at):%Y-%m-%d-%H%M}")
    return private_file_response(
        request, job.file, filename=filename, content_type=export_files.CONTENT_TYPES[job.format]
    )
