"""Staff: helper structures (France Services, associations, CCAS…) and their members."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.mandates import structure_create, structure_member_add
from civiquest.core.errors import ProcedureError
from civiquest.social.mandates import selectors
from civiquest.social.mandates.models import HelperStructure
from civiquest.www.staff.structure_forms import StructureForm, StructureMemberForm


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def structures(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StructureForm()
    if request.method == "POST":
        form = StructureForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            structure = structure_create(actor=request.user, name=data["name"], kind=data["kind"], siret=data["siret"])
            messages.success(request, _("La structure est créée."))
            return redirect("staff:structure", structure_id=structure.pk)
    context = {"title": _("Structures d’aidants"), "structures": selectors.structures(), "form": form}
    return render(request, "staff/structures/structures.html", context, status=400 if form.errors else 200)


def _structure(structure_id: int) -> HelperStructure:
    structure = selectors.structure_by_id(structure_id)
    if structure is None:
        raise Http404
    return structure


def _render(
    request: AuthenticatedHttpRequest, structure: HelperStructure, form: StructureMemberForm, status: int = 200
) -> HttpResponse:
    context = {
        "title": structure.name,
        "structure": structure,
        "members": selectors.structure_members(structure),
        "form": form,
    }
    return render(request, "staff/structures/structure.html", context, status=status)


@role_required(Role.STAFF)
def structure(request: AuthenticatedHttpRequest, structure_id: int) -> HttpResponse:
    return _render(request, _structure(structure_id), StructureMemberForm())


@role_required(Role.STAFF)
@require_POST
def structure_member_add_view(request: AuthenticatedHttpRequest, structure_id: int) -> HttpResponse:
    found = _structure(structure_id)
    form = StructureMemberForm(data=request.POST)
    if form.is_valid():
        account = selectors.account_by_email(form.cleaned_data["email"])
        if account is None:
            form.add_error("email", _("Aucun compte ne correspond à cette adresse e-mail."))
        else:
            try:
                structure_member_add(actor=request.user, structure=found, user=account, role=form.cleaned_data["role"])
            except ProcedureError as error:
                form.add_error("email", error.message)
            else:
                messages.success(request, _("Le membre est ajouté."))
                return redirect("staff:structure", structure_id=found.pk)
    return _render(request, found, form, status=400)
