"""Staff pages of the procedure builder: the steps and the fields of a procedure's draft revision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.catalogue import builder
from civiquest.catalogue import selectors as catalogue_selectors
from civiquest.catalogue.models import Field, Step, StepKind
from civiquest.www.staff.builder_conditions import condition_text
from civiquest.www.staff.builder_step_forms import (
    FIELD_KIND_FIELDS,
    STEP_KIND_FIELDS,
    FieldForm,
    StepForm,
    kind_groups,
)
from civiquest.www.staff.builder_views import _draft, _errors_onto, _procedure


def _draft_step(procedure_id: int, step_id: int) -> Step:
    step = catalogue_selectors.draft_step(procedure_id=procedure_id, step_id=step_id)
    if step is None:
        raise Http404
    return step


def _draft_field(procedure_id: int, step_id: int, field_id: int) -> Field:
    field_ = catalogue_selectors.draft_field(procedure_id=procedure_id, step_id=step_id, field_id=field_id)
    if field_ is None:
        raise Http404
    return field_


def _position(request: AuthenticatedHttpRequest) -> int | None:
    """The position a row is moved to (the row's « Déplacer » select), if one was posted."""
    raw = request.POST.get("position", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < builder.SWAP_POSITION else None


# --- Steps ----------------------------------------------------------------------------------


@role_required(Role.STAFF)
def step_create(request: AuthenticatedHttpRequest, procedure_id: int) -> HttpResponse:
    procedure = _procedure(procedure_id)
    draft = _draft(procedure)
    if draft is None:
        raise Http404
    earlier = catalogue_selectors.revision_fields(draft)
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
        {
            "title": _("Nouvelle étape"),
            "procedure": procedure,
            "form": form,
            "step": None,
            "kind_groups": kind_groups(STEP_KIND_FIELDS),
        },
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
        field_.condition_label = condition_text(field_.condition, [*earlier, *fields])  # type: ignore[attr-defined]
    return render(
        request,
        "staff/builder/step_form.html",
        {
            "title": _("Étape « %(title)s »") % {"title": step.title},
            "procedure": procedure,
            "form": form,
            "step": step,
            "fields": fields,
            "positions": range(1, len(fields) + 1),
            "kind_groups": kind_groups(STEP_KIND_FIELDS),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
@require_POST
def step_move(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int) -> HttpResponse:
    step = _draft_step(procedure_id, step_id)
    position = _position(request)
    if position is not None:
        builder.step_move_to(actor=request.user, step=step, position=position)
    else:
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
            "kind_groups": kind_groups(FIELD_KIND_FIELDS),
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
            "kind_groups": kind_groups(FIELD_KIND_FIELDS),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
@require_POST
def field_move(request: AuthenticatedHttpRequest, procedure_id: int, step_id: int, field_id: int) -> HttpResponse:
    field_ = _draft_field(procedure_id, step_id, field_id)
    position = _position(request)
    if position is not None:
        builder.field_move_to(actor=request.user, field_=field_, position=position)
    else:
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
