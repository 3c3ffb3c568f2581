"""Staff pages: the procedure builder (procedures, revisions, publication), its preview and overview.

Views stay thin: forms turn input into values, ``procedures.builder`` writes and audits.
Steps and fields (``builder_step_views``) are only reached through the draft revision of the
procedure in the URL (anything else is a 404). Every form works as a plain POST. Services
and the audit log are ``services_audit_views``'s.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.catalogue import procedure_publish
from civiquest.catalogue import builder
from civiquest.catalogue import selectors as catalogue_selectors
from civiquest.catalogue.errors import RevisionInvalid
from civiquest.catalogue.inputs import step_inputs
from civiquest.catalogue.models import (
    REVISION_NEEDS,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
)
from civiquest.core.errors import ProcedureError
from civiquest.core.forms import BaseForm
from civiquest.quests.overview import procedure_overview, procedures_for_staff
from civiquest.www.citizen.quest_forms import StepForm as CitizenStepForm
from civiquest.www.staff.builder_conditions import condition_text
from civiquest.www.staff.builder_forms import MotivationForm, NeedsForm, ProcedureForm, RewardsForm


def _errors_onto(form: BaseForm, error: ValidationError) -> None:
    """Model validation errors on the form's fields when they exist, else on the form."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _procedure(procedure_id: int) -> Procedure:
    procedure = catalogue_selectors.procedure_for_builder(procedure_id)
    if procedure is None:
        raise Http404
    return procedure


def _draft(procedure: Procedure) -> ProcedureRevision | None:
    return catalogue_selectors.revision_of(procedure, status=RevisionStatus.DRAFT)


def _draft_loaded(procedure: Procedure) -> ProcedureRevision | None:
    return catalogue_selectors.revision_with_steps(procedure, status=RevisionStatus.DRAFT)


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
    published = catalogue_selectors.revision_of(procedure, status=RevisionStatus.PUBLISHED)
    problems = publish_problems if publish_problems is not None else (builder.builder_problems(draft) if draft else [])
    if draft is not None and rewards_form is None:
        rewards_form = RewardsForm(
            initial={
                "xp_per_step": draft.xp_per_step,
                "completion_xp": draft.completion_xp,
                "badge_codes": list(draft.badge_codes),
            }
        )
    if draft is not None and needs_form is None:
        needs_form = NeedsForm(initial=NeedsForm.initial_of(draft))
    steps = list(draft.steps.all()) if draft else []
    revision_fields = catalogue_selectors.revision_fields(draft) if draft is not None and steps else []
    for step in steps:
        step.condition_label = condition_text(step.condition, revision_fields)  # type: ignore[attr-defined]
    return render(
        request,
        "staff/builder/procedure.html",
        {
            "title": procedure.title,
            "procedure": procedure,
            "draft": draft,
            "steps": steps,
            "positions": range(1, len(steps) + 1),
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


# --- Preview and overview -------------------------------------------------------------------


@role_required(Role.STAFF)
def preview(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    """The draft (or else the published revision) as a citizen sees it, read-only: no quest is made."""
    procedure = _procedure(procedure_id)
    revision = _draft_loaded(procedure)
    if revision is None:
        revision = catalogue_selectors.revision_with_steps(procedure, status=RevisionStatus.PUBLISHED)
    if revision is None:
        raise Http404
    fields = catalogue_selectors.revision_fields(revision)
    pages = [
        {
            "step": step,
            "form": CitizenStepForm(specs=step_inputs(step), auto_id=f"apercu-{step.pk}-%s"),
            # The conditions by labels, so that staff see when a citizen meets the step or field.
            "condition": condition_text(step.condition, fields),
            "field_conditions": [
                (field_.label, condition_text(field_.condition, fields))
                for field_ in fields
                if field_.step_id == step.pk and field_.condition
            ],
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
