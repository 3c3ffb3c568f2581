"""Bulk actions of the inbox, one quest at a time (issue 21, point 6).

``bulk_one`` does one action on one quest without recording it and says what it did (``None``:
nothing changed, "déjà fait"); the use case (``actions.instruction.quests_bulk_apply``) runs it
in a savepoint per quest and records one audit event for the whole selection. A refusal is a
``ProcedureError`` whose message, in French, says why.

- assign: to the agent, or to a colleague of the quest's service;
- label, follow / unfollow;
- accept, only when nothing is missing (``accept_blockers``): a required answer or document of
  what the quest's revision asks of it (the steps and fields its conditions show), or an
  opinion ("avis") asked and not answered yet;
- request changes, close (with the message the citizen reads);
- archive / unarchive: a decided quest (accepted, rejected, closed) leaves the inbox's tabs
  for "Archivés" (``Quest.archived_at``, counted apart: ``inbox``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, User
from civiquest.catalogue.cleaning import is_empty
from civiquest.catalogue.conditions import visibility
from civiquest.catalogue.models import FieldKind, StepKind
from civiquest.catalogue.services import revision_content
from civiquest.instruction import marks
from civiquest.instruction.models import OpinionRequest
from civiquest.instruction.services import (
    InstructionRefused,
    _accept,
    _assign,
    _close,
    _label_set,
    _locked_for,
    _request_changes,
)
from civiquest.quests.models import DECIDED_STATES, Answer, Quest, QuestDocument, QuestState, StepProgress
from civiquest.quests.services import QuestEvents

# Every action ``bulk_one`` knows, in the order the inbox offers them.
ACTIONS = (
    "assign",
    "assign_to",
    "label",
    "follow",
    "unfollow",
    "accept",
    "request_changes",
    "close",
    "archive",
    "unarchive",
)


def colleagues(*, service_ids: list[int]) -> list[User]:
    """The active agents of these services, by name: whom a quest may be given to."""
    return list(
        User.objects.filter(memberships__service_id__in=service_ids, is_active=True, role=Role.AGENT)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def colleague_of(*, agent_id: Any, service_ids: list[int]) -> User | None:
    """The agent of one of these services with this id, or None."""
    try:
        pk = int(agent_id)
    except (TypeError, ValueError):
        return None
    return next((user for user in colleagues(service_ids=service_ids) if user.pk == pk), None)


# --- What accepting needs -------------------------------------------------------------------


def accept_blockers(quest: Quest) -> list[str]:
    """What is missing before the quest can be accepted, in words (empty: nothing).

    The required inputs of the steps and fields the quest's answers show (an optional step
    counts once the citizen did it, as on submission), documents given with the quest, and the
    opinions asked of experts still unanswered. Reads ``quest.revision`` (and its cached steps).
    """
    revision = revision_content(quest.revision)
    answers = dict(Answer.objects.filter(quest_id=quest.pk).values_list("field_name", "value"))
    done = set(StepProgress.objects.filter(quest_id=quest.pk, done_at__isnull=False).values_list("step_id", flat=True))
    attached = set(QuestDocument.objects.filter(quest_id=quest.pk).values_list("step_slug", "input_name"))
    seen = visibility(revision, answers)
    missing: list[str] = []
    for step in seen.steps:
        if step.kind == StepKind.AGENT_REVIEW or not (step.required or step.pk in done):
            continue
        for spec in seen.inputs_of(step):
            if not spec.required:
                continue
            if spec.kind == FieldKind.DOCUMENT:
                if (step.slug, spec.name) not in attached:
                    missing.append(_("la pièce « %(label)s »") % {"label": spec.label})
            elif spec.name not in seen.answers or is_empty(seen.answers[spec.name]):
                missing.append(_("la réponse « %(label)s »") % {"label": spec.label})
    waiting = OpinionRequest.objects.filter(quest_id=quest.pk, answered_at__isnull=True).count()
    if waiting:
        missing.append(
            _("un avis demandé et pas encore rendu")
            if waiting == 1
            else _("%(count)s avis demandés et pas encore rendus") % {"count": waiting}
        )
    return missing


def _accept_complete(actor: User, quest: Quest, events: QuestEvents | None) -> dict[str, Any] | None:
    locked = _locked_for(actor, quest)
    if locked.state != QuestState.ACCEPTED:
        missing = accept_blockers(locked)
        if missing:
            raise InstructionRefused(
                _("Il manque %(missing)s : le dossier ne peut pas être accepté.") % {"missing": ", ".join(missing)}
            )
    return _accept(actor, quest, events).details


# --- Archives ---------------------------------------------------------------------------------


def _archive(actor: User, quest: Quest, archived: bool) -> dict[str, Any] | None:
    """Archive (or bring back) a decided quest; what changed (``None``: it already was)."""
    locked = _locked_for(actor, quest)
    if (locked.archived_at is not None) == archived:
        return None
    if archived and locked.state not in DECIDED_STATES:
        raise InstructionRefused(
            _("Seul un dossier accepté, refusé ou classé sans suite peut être archivé : celui-ci est « %(state)s ».")
            % {"state": locked.get_state_display()}
        )
    locked.archived_at = timezone.now() if archived else None
    locked.save(update_fields=["archived_at"])
    quest.archived_at = locked.archived_at
    return {"archived": archived}


def _follow(actor: User, quest: Quest, follow: bool) -> dict[str, Any] | None:
    """Follow (or stop following) the quest; what changed (``None``: nothing)."""
    if marks.is_following(agent=actor, quest=quest) == follow:
        return None
    marks.follow_set(agent=actor, quest=quest, follow=follow)
    return {"follow": follow}


# --- One quest --------------------------------------------------------------------------------


def bulk_one(
    *, actor: User, quest: Quest, action: str, params: dict[str, Any], events: QuestEvents | None = None
) -> dict[str, Any] | None:
    """Do one action of a bulk on one quest without recording it; what it did (``None``: nothing changed).

    The quest is one of the actor's (``instruction.agent_quests``); ``params``: ``assignee``
    (assign, assign_to), ``label``, ``message`` (request_changes) or ``motivation`` (close).
    """
    if action in ("assign", "assign_to"):
        return _assign(_locked_for(actor, quest), params.get("assignee") or actor)
    if action == "label":
        label = params["label"]
        return {"label": label.pk} if _label_set(_locked_for(actor, quest), label, True) else None
    if action in ("follow", "unfollow"):
        return _follow(actor, quest, action == "follow")
    if action == "accept":
        return _accept_complete(actor, quest, events)
    if action == "request_changes":
        return _request_changes(actor, quest, params.get("message", ""), (), events)[0].details
    if action == "close":
        return _close(actor, quest, params.get("motivation", ""), events).details
    if action in ("archive", "unarchive"):
        return _archive(actor, quest, action == "archive")
    raise InstructionRefused(_("Action inconnue."))
