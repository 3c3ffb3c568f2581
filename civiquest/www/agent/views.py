"""The agent portal: the inbox, the instruction page of a quest, its actions, downloads and exports.

Every quest, document, attachment and export is looked up among the quests of the agent's
services (``instruction.quest_for_agent``): anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role, User
from civiquest.accounts.selectors import memberships_of
from civiquest.actions import instruction as decisions
from civiquest.actions import opinions as opinion_actions
from civiquest.actions.instruction import quest_follow_set
from civiquest.core.errors import ProcedureError
from civiquest.documents.responses import PrivateFileResponse, private_file_response
from civiquest.instruction import attestation as attestations
from civiquest.instruction import inbox, marks, opinions
from civiquest.instruction import selectors as instruction_selectors
from civiquest.instruction import services as instruction
from civiquest.quests import workflow
from civiquest.quests.models import Quest
from civiquest.www.agent.bulk_views import bulk_context
from civiquest.www.agent.forms import LabelForm, MessageForm, NoteForm, OpinionAskForm
from civiquest.www.agent.inbox_rows import inbox_rows_html
from civiquest.www.agent.quest_page import CONFIRMED_ACTIONS, comments_posted, quest_page_context


def _quest_or_404(request: AuthenticatedHttpRequest, quest_id: int) -> Quest:
    try:
        return instruction.quest_for_agent(agent=request.user, quest_id=quest_id)
    except instruction.QuestNotFound as error:
        raise Http404 from error


def _private_file(
    request: AuthenticatedHttpRequest, file: FieldFile, *, filename: str, content_type: str
) -> PrivateFileResponse:
    # The instruction page's <img> and pdf.js viewer read the same sandboxed attachment.
    return private_file_response(request, file, filename=filename, content_type=content_type)


# --- Inbox ----------------------------------------------------------------------------------


@role_required(Role.AGENT)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inbox: the quests of the agent's services."""
    filters = inbox.InboxFilters.from_query(request.GET)
    found = inbox.inbox(agent=request.user, filters=filters)
    labels = instruction_selectors.labels_of_services(service_ids=found.service_ids)
    query = request.GET.copy()
    # The keyset links carry their own position; the filters stay.
    for name in ("apres", "avant", "page"):
        query.pop(name, None)
    # One URL resolved for the page's 50 links: the others differ by the quest's id only.
    quest_url = reverse("agent:quest", args=[0]).removesuffix("0/")
    return render(
        request,
        "agent/home.html",
        {
            "title": _("Dossiers à instruire"),
            "rows_html": inbox_rows_html(found.rows, quest_url=quest_url),
            "memberships": memberships_of(request.user),
            "inbox": found,
            "filters": filters,
            "labels": labels,
            "states": [(state, workflow.state_label(state), found.counts[state]) for state in inbox.INBOX_STATES],
            "page_query": query.urlencode(),
            **bulk_context(request, found.service_ids),
        },
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The instruction page -------------------------------------------------------------------


@role_required(Role.AGENT)
def quest(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _quest_or_404(request, quest_id)
    return _render_quest(request, found)


def _render_quest(
    request: AuthenticatedHttpRequest, found: Quest, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    instruction.messages_mark_read(quest=found, reader=request.user)
    marks.mark_clear(agent=request.user, quest=found)
    context = quest_page_context(request.user, found, forms or {})
    return render(request, "agent/quests/quest.html", context, status=status)


@require_POST
@role_required(Role.AGENT)
def quest_action(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _quest_or_404(request, quest_id)
    action = request.POST.get("action", "")
    motivation = request.POST.get("motivation", "")
    comments = comments_posted(request.POST)
    user: User = request.user
    try:
        if action in CONFIRMED_ACTIONS and request.POST.get("confirme") != "1":
            raise instruction.InstructionRefused(
                _("Cochez la case de confirmation : la décision sera envoyée à l’usager.")
            )
        if action == "take":
            instruction.quest_take(quest=found, actor=user)
        elif action == "release":
            instruction.quest_assign(quest=found, actor=user, assignee=None)
        elif action == "assign":
            assignee = (
                instruction.agents_of_service(service_id=found.procedure.instructing_service_id or 0)
                .filter(pk=_int(request.POST.get("assignee")) or 0)
                .first()
            )
            instruction.quest_assign(quest=found, actor=user, assignee=assignee)
        elif action == "start_review":
            decisions.quest_start_review(quest=found, actor=user)
        elif action == "request_changes":
            decisions.quest_request_changes(
                quest=found, actor=user, message=motivation, targets=request.POST.getlist("targets"), comments=comments
            )
        elif action == "accept":
            decisions.quest_accept(quest=found, actor=user)
        elif action == "reject":
            decisions.quest_reject(quest=found, actor=user, motivation=motivation)
        elif action == "close":
            decisions.quest_close(quest=found, actor=user, motivation=motivation)
        elif action == "reopen":
            decisions.quest_reopen(quest=found, actor=user, motivation=motivation)
        else:
            raise instruction.InstructionRefused(_("Action inconnue."))
    except ProcedureError as error:
        found.refresh_from_db()
        values = {
            "action": action,
            "motivation": motivation,
            "targets": request.POST.getlist("targets"),
            "comments": comments,
        }
        return _render_quest(request, found, forms={"action_error": str(error), "action_values": values}, status=400)
    messages.success(request, _("C’est fait : le dossier est à jour."))
    return redirect("agent:quest", quest_id=found.pk)


@require_POST
@role_required(Role.AGENT)
def quest_follow(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    """Follow the quest ("suivre"), or stop following it."""
    found = _quest_or_404(request, quest_id)
    follow = request.POST.get("suivre") == "1"
    quest_follow_set(agent=request.user, quest=found, follow=follow)
    messages.success(request, _("Vous suivez ce dossier.") if follow else _("Vous ne suivez plus ce dossier."))
    return redirect("agent:quest", quest_id=found.pk)


@require_POST
@role_required(Role.AGENT)
def quest_message(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _quest_or_404(request, quest_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            instruction.message_send(
                quest=found,
                author=request.user,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except ProcedureError as error:
            form.add_error("attachment", str(error))
        else:
            messages.success(request, _("Message envoyé à l’usager."))
            return redirect(reverse("agent:quest", args=[found.pk]) + "#messages")
    return _render_quest(request, found, forms={"message": form}, status=400)


@require_POST
@role_required(Role.AGENT)
def quest_note(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _quest_or_404(request, quest_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        instruction.note_add(quest=found, actor=request.user, body=form.cleaned_data["body"])
        return redirect(reverse("agent:quest", args=[found.pk]) + "#notes")
    return _render_quest(request, found, forms={"note": form}, status=400)


@require_POST
@role_required(Role.AGENT)
def quest_labels(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    found = _quest_or_404(request, quest_id)
    form = LabelForm(request.POST)
    if not form.is_valid():
        return _render_quest(request, found, forms={"label": form}, status=400)
    wanted = {pk for pk in (_int(value) for value in request.POST.getlist("labels")) if pk is not None}
    instruction.quest_labels_update(
        quest=found, actor=request.user, wanted=wanted, new_name=form.cleaned_data["name"] or ""
    )
    return redirect(reverse("agent:quest", args=[found.pk]) + "#etiquettes")


@require_POST
@role_required(Role.AGENT)
def quest_opinion(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    """Ask a colleague, of any service, for an opinion (“avis”) on the quest."""
    found = _quest_or_404(request, quest_id)
    form = OpinionAskForm(request.POST)
    if form.is_valid():
        try:
            opinion_actions.opinion_request(
                quest=found,
                actor=request.user,
                expert_email=form.cleaned_data["expert_email"],
                question=form.cleaned_data["question"],
            )
        except ProcedureError as error:
            return _render_quest(request, found, forms={"opinion": form, "opinion_error": str(error)}, status=400)
        messages.success(request, _("Demande d’avis envoyée."))
        return redirect(reverse("agent:quest", args=[found.pk]) + "#avis")
    return _render_quest(request, found, forms={"opinion": form}, status=400)


@role_required(Role.AGENT)
def quest_document(request: AuthenticatedHttpRequest, quest_id: int, document_id: int) -> HttpResponseBase:
    """A document given with the quest, for the viewer, the <img> and the download link alike.

    The service's agents and the experts asked for an opinion on the quest may read it.
    """
    try:
        found = opinions.quest_readable_by(agent=request.user, quest_id=quest_id)
    except instruction.QuestNotFound as error:
        raise Http404 from error
    document = instruction_selectors.attached_document(quest=found, document_id=document_id)
    if document is None:
        raise Http404
    return _private_file(
        request,
        document.file,
        filename=document.original_filename,
        content_type=document.content_type,
    )


@role_required(Role.AGENT)
def message_attachment(request: AuthenticatedHttpRequest, quest_id: int, message_id: int) -> HttpResponseBase:
    found = _quest_or_404(request, quest_id)
    message = instruction_selectors.message_with_attachment(quest=found, message_id=message_id)
    if message is None:
        raise Http404
    return _private_file(
        request,
        message.attachment,
        filename=message.attachment_name,
        content_type=message.attachment_content_type,
    )


@role_required(Role.AGENT)
def quest_attestation(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponseBase:
    found = _quest_or_404(request, quest_id)
    issued = attestations.attestation_of(quest=found)
    if issued is None:
        raise Http404
    return _private_file(
        request,
        issued.file,
        filename=f"attestation-{found.reference}.pdf",
        content_type="application/pdf",
    )


def inbox_url(**query: Any) -> str:
    return reverse("agent:home") + ("?" + urlencode(query) if query else "")
