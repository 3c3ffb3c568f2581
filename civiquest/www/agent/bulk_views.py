"""The inbox's bulk actions on the selected quests (issue 21, point 6).

Each quest is done (or refused) on its own (``actions.instruction.quests_bulk_apply``); the
inbox then shows one summary of what was done, what already was, and what was refused and
why, instead of a message per quest. The summary waits in the session for the redirect
(post/redirect/get): reloading the inbox does not redo the action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions import instruction as decisions
from civiquest.instruction import bulk as bulk_actions
from civiquest.instruction import selectors as instruction_selectors
from civiquest.instruction import services as instruction
from civiquest.quests.models import Quest

BULK_ACTIONS = {
    "assign": gettext_lazy("Me les attribuer"),
    "assign_to": gettext_lazy("Les attribuer à un agent du service"),
    "label": gettext_lazy("Étiqueter"),
    "follow": gettext_lazy("Les suivre"),
    "unfollow": gettext_lazy("Ne plus les suivre"),
    "accept": gettext_lazy("Accepter (si rien ne manque)"),
    "request_changes": gettext_lazy("Demander des corrections"),
    "close": gettext_lazy("Classer sans suite"),
    "archive": gettext_lazy("Archiver (dossiers terminés)"),
    "unarchive": gettext_lazy("Désarchiver"),
}
assert set(BULK_ACTIONS) == set(bulk_actions.ACTIONS)  # noqa: S101 - the domain and the form agree

SUMMARY_KEY = "agent_bulk_summary"
SUMMARY_ANCHOR = "bilan-action"


class _Refused(Exception):
    """The form lacks what the action needs: the message says what."""


def bulk_context(request: AuthenticatedHttpRequest, service_ids: list[int]) -> dict[str, Any]:
    """What the inbox needs for its bulk form, and the last action's summary (shown once)."""
    return {
        "bulk_actions": BULK_ACTIONS,
        "colleagues": bulk_actions.colleagues(service_ids=service_ids),
        "bulk_summary": request.session.pop(SUMMARY_KEY, None),
    }


@require_POST
@role_required(Role.AGENT)
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply the chosen action to each quest ticked in the inbox, then back to it, with the summary."""
    action = request.POST.get("action", "")
    ids = request.POST.getlist("quests")
    query = request.POST.get("query", "")
    back = reverse("agent:home") + ("?" + query if query else "")
    try:
        if action not in BULK_ACTIONS:
            raise _Refused(_("Choisissez une action."))
        if not ids:
            raise _Refused(_("Cochez au moins un dossier."))
        params = _params(request, action)
    except _Refused as error:
        messages.error(request, str(error))
        return redirect(back)
    report = decisions.quests_bulk_apply(actor=request.user, quest_ids=ids, action=action, **params)
    request.session[SUMMARY_KEY] = _summary(str(BULK_ACTIONS[action]), report)
    return redirect(back + "#" + SUMMARY_ANCHOR)


def _params(request: AuthenticatedHttpRequest, action: str) -> dict[str, Any]:
    service_ids = instruction.agent_service_ids(request.user)
    if action == "assign":
        return {"assignee": request.user}
    if action == "assign_to":
        assignee = bulk_actions.colleague_of(agent_id=request.POST.get("assignee"), service_ids=service_ids)
        if assignee is None:
            raise _Refused(_("Choisissez l’agent à qui attribuer les dossiers."))
        return {"assignee": assignee}
    if action == "label":
        label = instruction_selectors.label_of_services(
            label_id=_int(request.POST.get("label")) or 0, service_ids=service_ids
        )
        if label is None:
            raise _Refused(_("Choisissez une étiquette."))
        return {"label": label}
    if action == "request_changes":
        return {"message": request.POST.get("message", "")}
    if action == "close":
        return {"motivation": request.POST.get("message", "")}
    return {}


def _summary(action: str, report: decisions.BulkReport) -> dict[str, Any]:
    """The report as the session keeps it (plain values) and the inbox shows it."""

    def row(quest: Quest) -> dict[str, Any]:
        return {"id": quest.pk, "reference": quest.reference}

    refused = []
    for quest, reason in report.failed:
        if isinstance(quest, Quest):
            refused.append({**row(quest), "reason": reason})
        else:
            # Never a reference the agent may not see: what they sent, and "introuvable".
            refused.append({"id": None, "reference": str(quest or "?"), "reason": reason})
    return {
        "action": action,
        "done": [row(quest) for quest in report.done],
        "unchanged": [row(quest) for quest in report.unchanged],
        "refused": refused,
    }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
