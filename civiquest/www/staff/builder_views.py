"""Staff pages: the procedure builder, its preview and overview, services, and the audit log.

Views stay thin: forms turn input into values, ``procedures.builder`` writes and audits.
Steps and fields are only reached through the draft revision of the procedure in the URL
(anything else is a 404). Every form works as a plain POST.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.audit import audit_search
from civiquest.accounts.models import AuditEvent, Role, Service
from civiquest.actions.catalogue import procedure_publish
from civiquest.catalogue import builder
from civiquest.catalogue.errors import RevisionInvalid
from civiquest.catalogue.inputs import step_inputs
from civiquest.catalogue.models import (
    REVISION_NEEDS,
    Field,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
    StepKind,
)
from civiquest.core.errors import ProcedureError
from civiquest.core.forms import BaseForm
from civiquest.quests.overview import procedure_overview, procedures_for_staff
from civiquest.www.citizen.quest_forms import StepForm as CitizenStepForm
from civiquest.www.staff.builder_forms import (
    AuditSearchForm,
    FieldForm,
    MotivationForm,
    NeedsForm,
    ProcedureForm,
    RewardsForm,
    ServiceForm,
    StepForm,
    condition_text,
)

AUDIT_PAGE_SIZE = 50
CSV_CHUNK = 500


def _errors_onto(form: BaseForm, error: ValidationError) -> None:
    """Model validation errors on the form's fields when they exist, else on the form."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _procedure(procedure_id: int) -> Procedure:
    return get_object_or_404(Procedure.objects.select_related("instructing_service"), pk=procedure_id)


def _draft(procedure: Procedure) -> ProcedureRevision | None:
    return ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.DRAFT).first()


def _draft_loaded(procedure: Procedure) -> ProcedureRevision | None:
    return (
        ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.DRAFT)
        .select_related("procedure")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.prefetch_related("fields")))
        .first()
    )


def _draft_step(procedure_id: int, step_id: int) -> Step:
    step = (
        Step.objects.select_related("revision__procedure")
        .filter(pk=step_id, revision__procedure_id=procedure_id, revision__status=RevisionStatus.DRAFT)
        .first()
    )
    if step is None:
        raise Http404
    return step


def _draft_field(procedure_id: int, step_id: int, field_id: int) -> Field:
    field_ = (
        Field.objects.select_related("step__revision__procedure")
        .filter(
            pk=field_id,
            step_id=step_id,
            step__revision__procedure_id=procedure_id,
            step__revision__status=RevisionStatus.DRAFT,
        )
        .first()
    )
    if field_ is None:
        raise Http404
    return field_


# --- Procedures -----------------------------------------------------------------------------


@role_required(Role.STAFF)
def procedures(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("statut", "")
    rows = procedures_for_staff(status=status)
    return render(
        request,
        "staff/builder/procedures.html",
        {
            "title": _("Démarches"),
            "rows": rows,
            "status": status,
            "statuses": ProcedureStatus.choices,
        },
    )


@role_required(Role.STAFF)
def procedure_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProcedureForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = builder.procedure_create(
                actor=request.user, values=form.values(), life_events=form.cleaned_data["life_events"]
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("La démarche « %(title)s » est créée.") % {"title": created.title})
            return redirect("staff:builder-procedure", procedure_id=created.pk)
    return render(
        request,
        "staff/builder/procedure_form.html",
        {"title": _("Nouvelle démarche"), "form": form, "procedure": None},
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
def procedure_edit(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    form = ProcedureForm(data=request.POST if request.method == "POST" else None, instance=procedure)
    if request.method == "POST" and form.is_valid():
        try:
            builder.procedure_update(
                actor=request.user,
                procedure=procedure,
                values=form.values(),
                life_events=form.cleaned_data["life_events"],
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("La description de la démarche est enregistrée."))
            return redirect("staff:builder-procedure", procedure_id=procedure.pk)
    return render(
        request,
        "staff/builder/procedure_form.html",
        {
            "title": _("Modifier « %(title)s »") % {"title": procedure.title},
            "form": form,
            "procedure": procedure,
        },
        status=400 if form.errors else 200,
    )


def _editor(
    request: AuthenticatedHttpRequest,
    procedure: Procedure,
    *,
    rewards_form: RewardsForm | None = None,
    needs_form: NeedsForm | None = None,
    publish_problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    draft = _draft_loaded(procedure)
    published = ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.PUBLISHED).first()
    problems = publish_problems if publish_problems is not None else (builder.builder_problems(draft) if draft else [])
    if draft is not None and rewards_form is None:
        rewards_form = RewardsForm(
            initial={
                "xp_per_step": draft.xp_per_step,
                "completion_xp": draft.completion_xp,
                "badge_codes": "\n".join(draft.badge_codes),
            }
        )
    if draft is not None and needs_form is None:
        needs_form = NeedsForm(initial=NeedsForm.initial_of(draft))
    steps = list(draft.steps.all()) if draft else []
    for step in steps:
        step.condition_label = condition_text(step.condition)  # type: ignore[attr-defined]
    return render(
        request,
        "staff/builder/procedure.html",
        {
            "title": procedure.title,
            "procedure": procedure,
            "draft": draft,
            "steps": steps,
            "published": published,
            "problems": problems,
            "publish_refused": publish_problems is not None,
            "rewards_form": rewards_form,
            "needs_form": needs_form,
            "close_form": MotivationForm(),
            "life_events": [event.get_code_display() for event in procedure.life_events.all()],
        },
        status=status,
    )


@role_required(Role.STAFF)
def procedure_detail(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    return _editor(request, _procedure(procedure_id))


@role_required(Role.STAFF)
@require_POST
def draft_create(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    draft = builder.draft_ensure(actor=request.user, procedure=procedure)
    messages.success(request, _("La révision %(number)s est en brouillon.") % {"number": draft.number})
    return redirect("staff:builder-procedure", procedure_id=procedure.pk)


@role_required(Role.STAFF)
@require_POST
def rewards(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    draft = _draft(procedure)
    if draft is None:
        raise Http404
    form = RewardsForm(data=request.POST)
    if not form.is_valid():
        return _editor(request, procedure, rewards_form=form, status=400)
    builder.rewards_update(
        actor=request.user,
        revision=draft,
        xp_per_step=form.cleaned_data["xp_per_step"],
        completion_xp=form.cleaned_data["completion_xp"],
        badge_codes=form.cleaned_data["badge_codes"],
    )
    messages.success(request, _("Les récompenses sont enregistrées."))
    return redirect("staff:builder-procedure", procedure_id=procedure.pk)


@role_required(Role.STAFF)
@require_POST
def needs(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    draft = _draft(procedure)
    if draft is None:
        raise Http404
    form = NeedsForm(data=request.POST)
    if not form.is_valid():
        return _editor(request, procedure, needs_form=form, status=400)
    builder.needs_update(
        actor=request.user, revision=draft, needs={name: form.cleaned_data[name] for name in REVISION_NEEDS}
    )
    messages.success(request, _("Les services liés à la démarche sont enregistrés."))
    return redirect("staff:builder-procedure", procedure_id=procedure.pk)


@role_required(Role.STAFF)
@require_POST
def publish(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    try:
        revision = procedure_publish(actor=request.user, procedure=procedure)
    except RevisionInvalid as error:
        messages.error(request, _("La démarche n’est pas publiée : corrigez les problèmes listés."))
        return _editor(request, procedure, publish_problems=list(error.problems), status=400)
    except ProcedureError as error:
        messages.error(request, str(error))
        return redirect("staff:builder-procedure", procedure_id=procedure.pk)
    messages.success(
        request,
        _("La révision %(number)s est publiée ; les dossiers en cours restent sur leur révision.")
        % {"number": revision.number},
    )
    return redirect("staff:builder-procedure", procedure_id=procedure.pk)


@role_required(Role.STAFF)
@require_POST
def close(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    form = MotivationForm(data=request.POST)
    motivation = form.cleaned_data["motivation"] if form.is_valid() else ""
    builder.close(actor=request.user, procedure=procedure, motivation=motivation)
    messages.success(request, _("La démarche est fermée : plus aucun dossier ne peut y commencer."))
    return redirect("staff:builder-procedure", procedure_id=procedure.pk)


# --- Steps ----------------------------------------------------------------------------------


@role_required(Role.STAFF)
def step_create(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    draft = _draft(procedure)
    if draft is None:
        raise Http404
    earlier = list(Field.objects.filter(revision=draft).select_related("step").order_by("step__position", "position"))
    form = StepForm(data=request.POST if request.method == "POST" else None, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            step = builder.step_add(actor=request.user, revision=draft, values=form.values())
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("L’étape « %(title)s » est ajoutée.") % {"title": step.title})
            if step.kind == StepKind.FORM:
                return redirect("staff:builder-step", procedure_id=procedure.pk, step_id=step.pk)
            return redirect("staff:builder-procedure", procedure_id=procedure.pk)
    return render(
        request,
        "staff/builder/step_form.html",
        {"title": _("Nouvelle étape"), "procedure": procedure, "form": form, "step": None},
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
def step_edit(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int) -> HttpResponse:
    step = _draft_step(procedure_id, step_id)
    procedure = step.revision.procedure
    earlier = builder.earlier_fields(step)
    form = StepForm(data=request.POST if request.method == "POST" else None, earlier=earlier, step=step)
    if request.method == "POST" and form.is_valid():
        try:
            builder.step_update(actor=request.user, step=step, values=form.values())
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("L’étape est enregistrée."))
            return redirect("staff:builder-step", procedure_id=procedure.pk, step_id=step.pk)
    fields = list(step.fields.all())
    for field_ in fields:
        field_.condition_label = condition_text(field_.condition)  # type: ignore[attr-defined]
    return render(
        request,
        "staff/builder/step_form.html",
        {
            "title": _("Étape « %(title)s »") % {"title": step.title},
            "procedure": procedure,
            "form": form,
            "step": step,
            "fields": fields,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
@require_POST
def step_move(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int) -> HttpResponse:
    step = _draft_step(procedure_id, step_id)
    direction = builder.UP if request.POST.get("direction") == builder.UP else builder.DOWN
    builder.step_move(actor=request.user, step=step, direction=direction)
    messages.success(request, _("L’étape « %(title)s » est déplacée.") % {"title": step.title})
    return redirect("staff:builder-procedure", procedure_id=procedure_id)


@role_required(Role.STAFF)
@require_POST
def step_delete(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int) -> HttpResponse:
    step = _draft_step(procedure_id, step_id)
    builder.step_delete(actor=request.user, step=step)
    messages.success(request, _("L’étape « %(title)s » est supprimée.") % {"title": step.title})
    return redirect("staff:builder-procedure", procedure_id=procedure_id)


# --- Fields ---------------------------------------------------------------------------------


@role_required(Role.STAFF)
def field_create(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int) -> HttpResponse:
    step = _draft_step(procedure_id, step_id)
    if step.kind != StepKind.FORM:
        raise Http404
    earlier = builder.earlier_fields(step) + list(step.fields.order_by("position"))
    form = FieldForm(data=request.POST if request.method == "POST" else None, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            field_ = builder.field_add(actor=request.user, step=step, values=form.values())
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Le champ « %(label)s » est ajouté.") % {"label": field_.label})
            return redirect("staff:builder-step", procedure_id=procedure_id, step_id=step.pk)
    return render(
        request,
        "staff/builder/field_form.html",
        {
            "title": _("Nouveau champ"),
            "procedure": step.revision.procedure,
            "step": step,
            "form": form,
            "field": None,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
def field_edit(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int, field_id: int) -> HttpResponse:
    field_ = _draft_field(procedure_id, step_id, field_id)
    step = field_.step
    earlier = builder.earlier_fields(step, before=field_)
    form = FieldForm(data=request.POST if request.method == "POST" else None, earlier=earlier, field_=field_)
    if request.method == "POST" and form.is_valid():
        try:
            builder.field_update(actor=request.user, field_=field_, values=form.values())
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Le champ est enregistré."))
            return redirect("staff:builder-step", procedure_id=procedure_id, step_id=step.pk)
    return render(
        request,
        "staff/builder/field_form.html",
        {
            "title": _("Champ « %(label)s »") % {"label": field_.label},
            "procedure": step.revision.procedure,
            "step": step,
            "form": form,
            "field": field_,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
@require_POST
def field_move(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int, field_id: int) -> HttpResponse:
    field_ = _draft_field(procedure_id, step_id, field_id)
    direction = builder.UP if request.POST.get("direction") == builder.UP else builder.DOWN
    builder.field_move(actor=request.user, field_=field_, direction=direction)
    messages.success(request, _("Le champ « %(label)s » est déplacé.") % {"label": field_.label})
    return redirect("staff:builder-step", procedure_id=procedure_id, step_id=step_id)


@role_required(Role.STAFF)
@require_POST
def field_delete(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int, field_id: int) -> HttpResponse:
    field_ = _draft_field(procedure_id, step_id, field_id)
    builder.field_delete(actor=request.user, field_=field_)
    messages.success(request, _("Le champ « %(label)s » est supprimé.") % {"label": field_.label})
    return redirect("staff:builder-step", procedure_id=procedure_id, step_id=step_id)


# --- Preview and overview -------------------------------------------------------------------


@role_required(Role.STAFF)
def preview(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    """The draft (or else the published revision) as a citizen sees it, read-only: no quest is made."""
    procedure = _procedure(procedure_id)
    revision = _draft_loaded(procedure)
    if revision is None:
        revision = (
            ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.PUBLISHED)
            .prefetch_related(Prefetch("steps", queryset=Step.objects.prefetch_related("fields")))
            .first()
        )
    if revision is None:
        raise Http404
    pages = [
        {
            "step": step,
            "form": CitizenStepForm(specs=step_inputs(step), auto_id=f"apercu-{step.pk}-%s"),
        }
        for step in revision.steps.all()
    ]
    return render(
        request,
        "staff/builder/preview.html",
        {
            "title": _("Aperçu de « %(title)s »") % {"title": procedure.title},
            "procedure": procedure,
            "revision": revision,
            "pages": pages,
        },
    )


@role_required(Role.STAFF)
def overview(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    figures = procedure_overview(procedure)
    median_days = None
    if figures.median_decision is not None:
        median_days = round(figures.median_decision.total_seconds() / 86400, 1)
    return render(
        request,
        "staff/builder/overview.html",
        {
            "title": _("Statistiques de « %(title)s »") % {"title": procedure.title},
            "procedure": procedure,
            "figures": figures,
            "median_days": median_days,
        },
    )


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
        {"title": _("Services"), "form": form, "services": Service.objects.order_by("name")},
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
