"""The citizen's side of instruction: the message thread with the service, the attestation,
and the public check of an attestation's code."""

from __future__ import annotations

from django.contrib import messages
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, public, role_required
from civiquest.accounts.models import Role
from civiquest.core.errors import ProcedureError
from civiquest.documents.responses import private_file_response
from civiquest.instruction import attestation
from civiquest.instruction import selectors as instruction_selectors
from civiquest.instruction import services as instruction
from civiquest.instruction.templatetags.instruction_tags import fixes_of
from civiquest.quests.models import Quest, QuestState
from civiquest.www.agent.forms import MessageForm


def _own_submitted_quest(request: AuthenticatedHttpRequest, quest_id: int) -> Quest:
    found = instruction_selectors.submitted_quest_of(citizen=request.user, quest_id=quest_id)
    if found is None:
        raise Http404
    return found


def _download(
    request: AuthenticatedHttpRequest, file: FieldFile, filename: str, content_type: str
) -> HttpResponseBase:
    return private_file_response(request, file, filename=filename, content_type=content_type)


@role_required(Role.CITIZEN)
def quest_messages(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    """The thread with the service; a new message with an optional attachment."""
    found = _own_submitted_quest(request, quest_id)
    form = MessageForm()
    status = 200
    if request.method == "POST":
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
                messages.success(request, _("Votre message a été envoyé au service."))
                return redirect(reverse("citizen:quest-messages", args=[found.pk]) + "#dernier")
        status = 400
    instruction.messages_mark_read(quest=found, reader=request.user)
    thread = list(instruction_selectors.quest_thread(quest=found))
    return render(
        request,
        "citizen/instruction/messages.html",
        {
            "title": _("Messages avec le service"),
            "quest": found,
            "thread": thread,
            "form": form,
            "fixes": fixes_of(found),
            "attestation": attestation.attestation_of(quest=found) if found.state == QuestState.ACCEPTED else None,
        },
        status=status,
    )


@role_required(Role.CITIZEN)
def message_attachment(request: AuthenticatedHttpRequest, quest_id: int, message_id: int) -> HttpResponseBase:
    found = _own_submitted_quest(request, quest_id)
    message = instruction_selectors.message_with_attachment(quest=found, message_id=message_id)
    if message is None:
        raise Http404
    return _download(request, message.attachment, message.attachment_name, message.attachment_content_type)


@role_required(Role.CITIZEN)
def quest_attestation(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponseBase:
    found = _own_submitted_quest(request, quest_id)
    issued = attestation.attestation_of(quest=found)
    if issued is None or found.state != QuestState.ACCEPTED:
        raise Http404
    return _download(request, issued.file, f"attestation-{found.reference}.pdf", "application/pdf")


@public
def attestation_verify(request: HttpRequest) -> HttpResponse:
    """Anyone holding a code checks it: the procedure, the decision, its date and the service
    (never the citizen's identity nor the file)."""
    code = str(request.GET.get("code", ""))[:40]
    found = attestation.attestation_verify(code=code) if code else None
    return render(
        request,
        "citizen/instruction/verify.html",
        {"title": _("Vérifier une attestation"), "code": code, "found": found, "searched": bool(code)},
    )
