"""Staff pages: the services (administrations) and the audit log with its CSV export."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.audit import audit_search
from civiquest.accounts.models import AuditEvent, Role, Service
from civiquest.accounts.selectors import services_by_name
from civiquest.catalogue import builder
from civiquest.www.staff.builder_forms import AuditSearchForm, ServiceForm
from civiquest.www.staff.builder_views import _errors_onto

AUDIT_PAGE_SIZE = 50
CSV_CHUNK = 500


# --- Services -------------------------------------------------------------------------------


@role_required(Role.STAFF)
def services(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ServiceForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service = builder.service_create(actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Le service « %(name)s » est créé.") % {"name": service.name})
            return redirect("staff:services")
    return render(
        request,
        "staff/builder/services.html",
        {"title": _("Services"), "form": form, "services": services_by_name()},
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
def service_edit(request: AuthenticatedHttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=service_id)
    initial = {
        "name": service.name,
        "kind": service.kind,
        "commune_code": service.commune_code,
        "siret": service.siret,
    }
    form = ServiceForm(data=request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            builder.service_update(actor=request.user, service=service, values=form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Le service est enregistré."))
            return redirect("staff:services")
    return render(
        request,
        "staff/builder/service_form.html",
        {"title": _("Service « %(name)s »") % {"name": service.name}, "form": form, "service": service},
        status=400 if form.errors else 200,
    )


# --- Audit log ------------------------------------------------------------------------------


def _audit_events(form: AuditSearchForm) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    return audit_search(
        text=data.get("q") or "",
        actor=data.get("actor") or "",
        action=data.get("action") or "",
        target=data.get("target") or "",
        since=data.get("since"),
        until=data.get("until"),
    )


@role_required(Role.STAFF)
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditSearchForm(data=request.GET or None)
    events = _audit_events(form)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(key, str(value)) for key, value in request.GET.items() if key != "page" and value])
    return render(
        request,
        "staff/builder/audit_log.html",
        {"title": _("Journal d’audit"), "form": form, "page": page, "page_query": query},
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            _("Date"),
            _("Auteur"),
            _("Rôle"),
            _("Action"),
            _("Type de cible"),
            _("Identifiant de la cible"),
            _("Cible"),
            _("Motivation"),
            _("Détails"),
            # The chain's columns, so that an exported copy can later be checked against the log.
            _("Numéro d’ordre"),
            _("Empreinte"),
        ]
    )
    roles = dict(Role.choices)
    for event in events.iterator(chunk_size=CSV_CHUNK):
        yield writer.writerow(
            [
                timezone.localtime(event.at).isoformat(timespec="seconds"),
                event.actor_label,
                roles.get(event.actor_role, event.actor_role),
                event.action,
                event.target_type,
                event.target_id,
                _csv_safe(event.target_label),
                _csv_safe(event.motivation),
                _csv_safe(_details_text(event)),
                event.sequence,
                event.hash,
            ]
        )


def _details_text(event: AuditEvent) -> str:
    return json.dumps(event.details, ensure_ascii=False, sort_keys=True)


def _csv_safe(text: str) -> str:
    # A cell a spreadsheet would run as a formula is kept as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@role_required(Role.STAFF)
def audit_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    form = AuditSearchForm(data=request.GET or None)
    events = _audit_events(form).only(
        "at",
        "actor_label",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "motivation",
        "details",
        "sequence",
        "hash",
    )
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="journal-audit-{stamp}.csv"'
    return response
