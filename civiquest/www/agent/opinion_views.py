"""The expert's pages: the opinions (“avis”) asked of me, and one quest read-only with the answer form.

An expert reaches the quest they were asked about through these pages only: its answers
and documents, never its decisions, messages, notes or labels. Any other request is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions import opinions as opinion_actions
from civiquest.core.errors import ProcedureError
from civiquest.instruction import opinions
from civiquest.www.agent.forms import OpinionAnswerForm
from civiquest.www.agent.quest_page import quest_answers_page


@role_required(Role.AGENT)
def opinions_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"title": _("Avis demandés"), "opinions": opinions.opinions_for_expert(expert=request.user)}
    return render(request, "agent/opinions/list.html", context)


@role_required(Role.AGENT)
def opinion(request: AuthenticatedHttpRequest, opinion_id: int) -> HttpResponse:
    try:
        found = opinions.opinion_for_expert(expert=request.user, opinion_id=opinion_id)
    except opinions.QuestNotFound as error:
        raise Http404 from error
    form = OpinionAnswerForm(request.POST or None)
    error_message = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                opinion_actions.opinion_answer(
                    opinion_id=found.pk, expert=request.user, answer=form.cleaned_data["answer"]
                )
            except ProcedureError as error:
                error_message = str(error)
            else:
                messages.success(request, _("Votre avis est transmis au service."))
                return redirect("agent:opinion", opinion_id=found.pk)
        status = 400
    quest = found.quest
    page = quest_answers_page(quest)
    context = {
        "title": _("Avis sur le dossier %(reference)s") % {"reference": quest.reference},
        "opinion": found,
        "quest": quest,
        "steps": page.steps,
        "attachments": page.attachments,
        "form": form,
        "error_message": error_message,
    }
    return render(request, "agent/opinions/opinion.html", context, status=status)
