"""What the citizen should do next ("À faire"): life events, proposals and their answers.

Every action is a plain POST that redirects back to where it came from (``next``, checked),
so it works without JavaScript. Only the citizen's own events and answers can be changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions import recommendations as actions
from civiquest.catalogue.models import LifeEventCode
from civiquest.core.dates import paris_today
from civiquest.core.forms import BaseForm
from civiquest.quests.selectors import published_procedure
from civiquest.recommendations.models import FeedbackKind
from civiquest.recommendations.selectors import life_events_of, recommendations_for, set_aside_of, use_similar_of
from civiquest.recommendations.services import LifeEventInvalid

# The answers' names in URLs, and the message each leaves.
ANSWERS = {
    "pas-pour-moi": (FeedbackKind.DISMISSED, gettext_lazy("« %(title)s » ne vous sera plus proposée.")),
    "plus-tard": (FeedbackKind.SNOOZED, gettext_lazy("« %(title)s » vous sera proposée à nouveau dans 7 jours.")),
    "deja-fait": (FeedbackKind.DONE_ELSEWHERE, gettext_lazy("« %(title)s » est notée comme déjà faite.")),
}


class LifeEventForm(BaseForm):
    code = forms.ChoiceField(
        label=gettext_lazy("Ce qui vous arrive"), choices=[("", gettext_lazy("Choisir")), *LifeEventCode.choices]
    )
    occurred_on = forms.DateField(
        label=gettext_lazy("Date (passée ou prévue)"),
        help_text=gettext_lazy("Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def todo_context() -> dict[str, Any]:
    """What ``_todo_list.html`` needs besides the list: today and the answers' buttons."""
    return {
        "today": paris_today(),
        "answers": [(slug, FeedbackKind(kind).label) for slug, (kind, _message) in ANSWERS.items()],
    }


def _back(request: AuthenticatedHttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect("citizen:todo")


def _page(request: AuthenticatedHttpRequest, form: LifeEventForm | None = None, status: int = 200) -> HttpResponse:
    citizen = request.user
    context: dict[str, Any] = {
        "title": _("Ce que j’ai à faire"),
        "todo": recommendations_for(citizen, today=paris_today()),
        "life_events": life_events_of(citizen),
        "set_aside": set_aside_of(citizen),
        "use_similar": use_similar_of(citizen),
        "form": form or LifeEventForm(initial={"code": request.GET.get("evenement", "")}),
        **todo_context(),
    }
    return render(request, "citizen/recommendations/todo.html", context, status=status)


@role_required(Role.CITIZEN)
def todo(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


@role_required(Role.CITIZEN)
@require_POST
def life_event_declare(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LifeEventForm(data=request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        event, created = actions.life_event_declare(
            citizen=request.user,
            code=form.cleaned_data["code"],
            occurred_on=form.cleaned_data["occurred_on"],
            today=paris_today(),
        )
    except LifeEventInvalid as invalid:
        form.add_error("occurred_on", invalid.message)
        return _page(request, form, status=400)
    label = event.get_code_display()
    if created:
        messages.success(request, _("« %(event)s » est enregistré : voici ce qu’il y a à faire.") % {"event": label})
    else:
        messages.info(request, _("« %(event)s » était déjà enregistré à cette date.") % {"event": label})
    return redirect("citizen:todo")


@role_required(Role.CITIZEN)
@require_POST
def life_event_remove(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    removed = actions.life_event_remove(citizen=request.user, event_id=event_id)
    if removed is not None:
        messages.success(request, _("« %(event)s » est retiré.") % {"event": removed.get_code_display()})
    return redirect("citizen:todo")


@role_required(Role.CITIZEN)
@require_POST
def recommendation_answer(request: AuthenticatedHttpRequest, slug: str, answer: str) -> HttpResponse:
    procedure = published_procedure(slug=slug)
    if procedure is None or answer not in ANSWERS:
        raise Http404
    kind, message = ANSWERS[answer]
    actions.recommendation_answer(citizen=request.user, procedure=procedure, kind=kind, today=paris_today())
    messages.success(request, str(message) % {"title": procedure.title})
    return _back(request)


@role_required(Role.CITIZEN)
@require_POST
def recommendation_restore(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    procedure = published_procedure(slug=slug)
    if procedure is None:
        raise Http404
    if actions.recommendation_restore(citizen=request.user, procedure=procedure):
        messages.success(request, _("« %(title)s » peut de nouveau vous être proposée.") % {"title": procedure.title})
    return redirect("citizen:todo")


@role_required(Role.CITIZEN)
@require_POST
def recommendations_similar(request: AuthenticatedHttpRequest) -> HttpResponse:
    use_similar = request.POST.get("use_similar") == "on"
    actions.recommendations_similar_switch(citizen=request.user, use_similar=use_similar)
    messages.success(
        request,
        _("Les suggestions d’après les démarches d’autres usagers sont activées.")
        if use_similar
        else _("Les suggestions d’après les démarches d’autres usagers sont désactivées."),
    )
    return _back(request)
