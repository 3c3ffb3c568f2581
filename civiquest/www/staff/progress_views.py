"""Staff view of a citizen's XP ledger, and the audited revocation of one line."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role, User
from civiquest.core.forms import BaseForm
from civiquest.progress import selectors, services
from civiquest.progress.xp import level_of


class RevokeForm(BaseForm):
    motivation = forms.CharField(
        label=gettext_lazy("Motivation de l’annulation"),
        help_text=gettext_lazy("Obligatoire. Elle est conservée dans le journal d’audit."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


def _citizen(user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, role=Role.CITIZEN)


def _render(
    request: AuthenticatedHttpRequest, citizen: User, form: RevokeForm | None, form_entry: int | None
) -> HttpResponse:
    page, lines = selectors.ledger_page(citizen=citizen, page=request.GET.get("page"))
    return render(
        request,
        "staff/progress/ledger.html",
        {
            "title": _("Progression de %(name)s") % {"name": citizen.get_full_name() or citizen.username},
            "citizen": citizen,
            "level": level_of(citizen),
            "page": page,
            "lines": lines,
            "audit": selectors.audit_of(subject=citizen)[:20],
            "form": form,
            "form_entry": form_entry,
        },
        status=400 if form is not None and form.errors else 200,
    )


@role_required(Role.STAFF)
def citizen_ledger(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    return _render(request, _citizen(user_id), None, None)


@role_required(Role.STAFF)
@require_POST
def xp_entry_revoke(request: AuthenticatedHttpRequest, user_id: int, entry_id: int) -> HttpResponse:
    citizen = _citizen(user_id)
    entry = selectors.ledger_entry_of(citizen=citizen, entry_id=entry_id)
    if entry is None:
        raise Http404
    form = RevokeForm(data=request.POST)
    if not form.is_valid():
        return _render(request, citizen, form, entry.pk)
    try:
        services.xp_entry_revoke(entry=entry, actor=request.user, motivation=form.cleaned_data["motivation"])
    except services.RevokeRefused:
        messages.error(request, _("Cette ligne ne peut pas être annulée : elle l’est déjà, ou n’apporte aucun XP."))
    else:
        messages.success(request, _("La ligne est annulée ; l’annulation est inscrite au journal d’audit."))
    return redirect("staff:citizen-ledger", user_id=citizen.pk)
