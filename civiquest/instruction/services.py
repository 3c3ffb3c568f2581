"""Instruction of quests by the agents of the instructing service: writes.

Every function is keyword-only and checks that the actor is an agent of the quest's
instructing service; a quest of another service is reported as ``QuestNotFound`` (the
views answer 404, never leaking that it exists). The quest is locked once, with what the
decision and its follow-ups read; state changes go through ``transitions.transition_locked``
on that instance (state machine, history); the deadline fields follow from the history
(``deadlines``). Bulk actions run each quest in its own savepoint and report, per quest,
what failed.

One agent action is one audit event: each action collects what it did (the states passed
through, the fields asked for correction, the attestation issued…) and records it once,
at the end of its transaction; an action that changes nothing records nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import Role, ServiceMembership, ServiceRole, User
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.documents.intake import EXTENSION_OF_CONTENT_TYPE, upload_check
from civiquest.instruction.attestation import attestation_issue
from civiquest.instruction.corrections import (
    answers_snapshot,
    correctable_targets,
    corrections_open,
    open_change_request,
    quest_visibility,
)
from civiquest.instruction.marks import quest_changed
from civiquest.instruction.models import ChangeRequest, Label, QuestChangeKind, QuestLabel, QuestMessage, QuestNote
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests import services, transitions
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.services import QuestEvents

MESSAGE_MAX_LENGTH = 10_000


class QuestNotFound(ProcedureError):
    """No such quest for this agent (absent, a draft, or of another service)."""


class InstructionRefused(ProcedureError):
    """The action is not possible (bad input); the message says why, in French."""


def audit(*, actor: User, action: str, target: Any = None, motivation: str = "", details: dict | None = None) -> None:
    """Record one agent action in the audit log, in the caller's transaction."""
    audit_record(actor=actor, action=action, target=target, motivation=motivation, details=details or {})


# --- Who may act on what --------------------------------------------------------------------


def agent_service_ids(agent: User) -> list[int]:
    if agent.role != Role.AGENT or not agent.is_active:
        return []
    return list(ServiceMembership.objects.filter(user=agent).values_list("service_id", flat=True))


def agent_quests(agent: User) -> QuerySet[Quest]:
    """The quests an agent may see: submitted ones (never drafts) of their services' procedures.

    The agent's services are a subquery: reading the quests is one query.
    """
    if agent.role != Role.AGENT or not agent.is_active:
        return Quest.objects.none()
    services = ServiceMembership.objects.filter(user=agent).values("service_id")
    return Quest.objects.filter(procedure__instructing_service_id__in=services).exclude(
        state__in=(QuestState.DRAFT, QuestState.COMPLETED)
    )


def quest_for_agent(*, agent: User, quest_id: Any) -> Quest:
    """The quest, with its procedure, if the agent may instruct it; ``QuestNotFound`` otherwise."""
    try:
        pk = int(quest_id)
    except (TypeError, ValueError):
        raise QuestNotFound(_("Dossier introuvable.")) from None
    quest = agent_quests(agent).select_related("procedure", "procedure__instructing_service").filter(pk=pk).first()
    if quest is None:
        raise QuestNotFound(_("Dossier introuvable."))
    return quest


def is_manager(*, agent: User, quest: Quest) -> bool:
    return ServiceMembership.objects.filter(
        user=agent, service_id=quest.procedure.instructing_service_id or 0, role=ServiceRole.MANAGER
    ).exists()


def _locked_for(agent: User, quest: Quest) -> Quest:
    """The quest locked for this transaction, with what the decisions and their follow-ups read
    (procedure and service, revision, citizen): nothing after this reads the quest again."""
    locked = (
        agent_quests(agent)
        .select_for_update(of=("self",))
        .select_related("procedure", "procedure__instructing_service", "revision", "citizen")
        .filter(pk=quest.pk)
        .first()
    )
    if locked is None:
        raise QuestNotFound(_("Dossier introuvable."))
    return locked


# --- Assignment, labels, notes ----------------------------------------------------------------


@atomic
def quest_assign(*, quest: Quest, actor: User, assignee: User | None) -> Quest:
    """Give the quest to an agent of its service (``None``: to nobody). Idempotent."""
    locked = _locked_for(actor, quest)
    details = _assign(locked, assignee)
    if details is not None:
        audit(actor=actor, action="quest.assign", target=locked, details=details)
    quest.assignee_id = locked.assignee_id
    return locked


def _assign(locked: Quest, assignee: User | None) -> dict[str, Any] | None:
    """Set the assignee of a locked quest; what changed, for the audit (``None``: nothing)."""
    service_id = locked.procedure.instructing_service_id or 0
    if assignee is not None and not ServiceMembership.objects.filter(user=assignee, service_id=service_id).exists():
        raise InstructionRefused(_("Cet agent ne fait pas partie du service instructeur."))
    new_id = assignee.pk if assignee is not None else None
    previous_id = locked.assignee_id
    if previous_id == new_id:
        return None
    locked.assignee_id = new_id
    locked.save(update_fields=["assignee", "updated_at"])
    return {"assignee": new_id, "previous_assignee": previous_id}


def quest_take(*, quest: Quest, actor: User) -> Quest:
    """The agent takes the quest for themselves."""
    return quest_assign(quest=quest, actor=actor, assignee=actor)


def labels_of_service(*, service_id: int) -> QuerySet[Label]:
    return Label.objects.filter(service_id=service_id).order_by("name")


@atomic
def label_create(*, actor: User, service_id: int, name: str) -> Label:
    """A label of the service (the existing one when the name is taken)."""
    made = _label_create(actor, service_id, name)
    if made.created:
        audit(actor=actor, action="label.create", target=made.label)
    return made.label


@dataclass(frozen=True)
class _LabelMade:
    label: Label
    created: bool


def _label_create(actor: User, service_id: int, name: str) -> _LabelMade:
    name = " ".join(name.split())[:60]
    if not name:
        raise InstructionRefused(_("Donnez un nom à l’étiquette."))
    if service_id not in agent_service_ids(actor):
        raise QuestNotFound(_("Service introuvable."))
    label, created = Label.objects.get_or_create(service_id=service_id, name=name)
    return _LabelMade(label, created)


@atomic
def quest_label_set(*, quest: Quest, actor: User, label: Label, present: bool = True) -> None:
    """Put (or take off) a label of the quest's service on the quest. Idempotent."""
    locked = _locked_for(actor, quest)
    if _label_set(locked, label, present):
        audit(
            actor=actor,
            action="quest.label" if present else "quest.unlabel",
            target=locked,
            details={"label": label.pk, "name": label.name},
        )


def _label_set(locked: Quest, label: Label, present: bool) -> bool:
    """Put or take off the label; whether anything changed."""
    if label.service_id != locked.procedure.instructing_service_id:
        raise QuestNotFound(_("Étiquette introuvable."))
    if present:
        _link, created = QuestLabel.objects.get_or_create(quest=locked, label=label)
        return created
    return QuestLabel.objects.filter(quest=locked, label=label).delete()[0] > 0


@atomic
def quest_labels_update(*, quest: Quest, actor: User, wanted: Iterable[int], new_name: str = "") -> None:
    """The labels form: exactly the ``wanted`` labels of the service (plus a new one, if named).

    One event for the whole form: the labels put on and taken off, and the label created.
    """
    locked = _locked_for(actor, quest)
    service_id = locked.procedure.instructing_service_id or 0
    wanted_ids = set(wanted)
    details: dict[str, Any] = {}
    if new_name.strip():
        made = _label_create(actor, service_id, new_name)
        wanted_ids.add(made.label.pk)
        if made.created:
            details["created"] = made.label.pk
    added: list[int] = []
    removed: list[int] = []
    for label in labels_of_service(service_id=service_id):
        if _label_set(locked, label, label.pk in wanted_ids):
            (added if label.pk in wanted_ids else removed).append(label.pk)
    if added or removed:
        details.update(added=sorted(added), removed=sorted(removed))
    if details:
        audit(actor=actor, action="quest.labels", target=locked, details=details)


@atomic
def note_add(*, quest: Quest, actor: User, body: str) -> QuestNote:
    body = body.strip()
    if not body:
        raise InstructionRefused(_("Écrivez la note."))
    locked = _locked_for(actor, quest)
    return QuestNote.objects.create(quest=locked, author=actor, body=body[:MESSAGE_MAX_LENGTH])


# --- Messages ---------------------------------------------------------------------------------


def message_send(*, quest: Quest, author: User, body: str, attachment: Any = None) -> QuestMessage:
    """A message of the thread, from the quest's citizen or an agent of its service."""
    body = body.strip()
    if not body:
        raise InstructionRefused(_("Écrivez votre message."))
    from_agent = author.role == Role.AGENT
    stored: str | None = None
    try:
        with atomic():
            if from_agent:
                locked = _locked_for(author, quest)
            else:
                own = Quest.objects.select_for_update().filter(pk=quest.pk, citizen=author).first()
                if own is None or own.state == QuestState.DRAFT:
                    raise QuestNotFound(_("Dossier introuvable."))
                locked = own
            message = QuestMessage(quest=locked, author=author, from_agent=from_agent, body=body[:MESSAGE_MAX_LENGTH])
            if attachment is not None:
                data, content_type, original = upload_check(attachment)
                name = f"messages/{locked.pk}/{uuid.uuid4().hex}{EXTENSION_OF_CONTENT_TYPE[content_type]}"
                message.attachment.save(name, ContentFile(data), save=False)
                stored = message.attachment.name
                message.attachment_name = original
                message.attachment_content_type = content_type
            message.save()
            if from_agent:
                _notify_citizen_of_message(locked, message)
                audit(actor=author, action="quest.message", target=locked)
            else:
                quest_changed(quest=locked, kind=QuestChangeKind.MESSAGE, actor=author)
    except BaseException:
        if stored:
            QuestMessage._meta.get_field("attachment").storage.delete(stored)
        raise
    return message


def _notify_citizen_of_message(quest: Quest, message: QuestMessage) -> None:
    notify(
        recipient=quest.citizen,
        kind=NotificationKind.QUEST_STATE,
        key=f"quest-message:{message.pk}",
        title=_("Nouveau message du service pour votre dossier %(reference)s") % {"reference": quest.reference},
        body=message.body[:500],
        url=reverse("citizen:quest", args=[quest.pk]),
        quest=quest,
    )


def messages_mark_read(*, quest: Quest, reader: User, now: Any = None) -> int:
    """Read receipts: the reader saw the other side's messages. Returns how many were new."""
    now = now or timezone.now()
    if reader.role == Role.AGENT:
        return QuestMessage.objects.filter(quest=quest, from_agent=False, read_by_agent_at__isnull=True).update(
            read_by_agent_at=now
        )
    if reader.pk != quest.citizen_id:
        return 0
    return QuestMessage.objects.filter(quest=quest, from_agent=True, read_by_citizen_at__isnull=True).update(
        read_by_citizen_at=now
    )


# --- Decisions ---------------------------------------------------------------------------------


@dataclass
class Decision:
    """What one decision did: its last transition, and the audit details (``None``: nothing changed)."""

    transition: QuestTransition
    details: dict[str, Any] | None


def _decide(
    locked: Quest,
    quest: Quest,
    actor: User,
    target: str,
    motivation: str = "",
    *,
    through_review: bool = True,
    events: QuestEvents | None = None,
) -> Decision:
    """Move the quest to ``target`` (first to ``in_review`` when still submitted and ``through_review``)."""
    from_state = locked.state
    passed = []
    if through_review and from_state == QuestState.SUBMITTED and target != QuestState.IN_REVIEW:
        passed.append(
            transitions.transition_locked(locked=locked, to_state=QuestState.IN_REVIEW, actor=actor, events=events)
        )
    transition = transitions.transition_locked(
        locked=locked, to_state=target, actor=actor, motivation=motivation, events=events
    )
    services.quest_sync(quest, locked)
    if from_state == target:
        return Decision(transition, None)  # a retried decision: already taken, nothing to record
    passed.append(transition)
    details: dict[str, Any] = {
        "from_state": from_state,
        "to_state": target,
        "transitions": [step.pk for step in passed],
    }
    return Decision(transition, details)


def _record(actor: User, quest: Quest, decision: Decision, motivation: str = "") -> QuestTransition:
    if decision.details is not None:
        action = f"quest.{decision.details['to_state']}"
        audit(actor=actor, action=action, target=quest, motivation=motivation, details=decision.details)
    return decision.transition


def _start_review(actor: User, quest: Quest, events: QuestEvents | None) -> Decision:
    locked = _locked_for(actor, quest)
    decision = _decide(locked, quest, actor, QuestState.IN_REVIEW, events=events)
    if locked.assignee_id is None:
        # Whoever starts the review takes the quest, if nobody had.
        assigned = _assign(locked, actor)
        quest.assignee_id = locked.assignee_id
        if decision.details is not None and assigned is not None:
            decision.details["assignee"] = actor.pk
    return decision


@atomic
def quest_start_review(*, quest: Quest, actor: User, events: QuestEvents | None = None) -> QuestTransition:
    return _record(actor, quest, _start_review(actor, quest, events))


def _request_changes(
    actor: User,
    quest: Quest,
    message: str,
    targets: Sequence[str],
    events: QuestEvents | None,
    comments: Mapping[str, str] | None = None,
) -> tuple[Decision, ChangeRequest]:
    locked = _locked_for(actor, quest)
    comments = {target: comment.strip() for target, comment in (comments or {}).items() if comment.strip()}
    targets = list(dict.fromkeys([*targets, *comments]))
    seen = quest_visibility(locked)
    known = correctable_targets(locked, seen)
    if any(target not in known for target in targets):
        raise InstructionRefused(_("Certains éléments à corriger n’existent pas dans ce dossier."))
    message = message.strip() or (
        _("Corrections demandées : %(targets)s.") % {"targets": " ; ".join(known[target] for target in targets)}
        if targets
        else ""
    )
    if not message:
        raise InstructionRefused(_("Expliquez à l’usager ce qu’il doit corriger."))
    from_state = locked.state
    decision = _decide(locked, quest, actor, QuestState.CHANGES_REQUESTED, message, events=events)
    if decision.details is None:
        # Already sent back: the same request again is a retry; a different one adds to it.
        current = open_change_request(quest=locked)
        if current is not None and (current.message, current.targets, current.comments) == (
            message,
            targets,
            comments,
        ):
            return decision, current
        decision.details = {"from_state": from_state, "to_state": QuestState.CHANGES_REQUESTED, "transitions": []}
    request = ChangeRequest.objects.create(
        quest_id=quest.pk,
        requested_by=actor,
        message=message,
        targets=targets,
        comments=comments,
        answers_before=answers_snapshot(locked, targets, seen) if targets else {},
    )
    corrections_open(locked=locked, request=request, seen=seen)
    decision.details.update(change_request=request.pk, targets=targets)
    return decision, request


@atomic
def quest_request_changes(
    *,
    quest: Quest,
    actor: User,
    message: str,
    targets: Sequence[str] = (),
    comments: Mapping[str, str] | None = None,
    events: QuestEvents | None = None,
) -> ChangeRequest:
    """Send the quest back to the citizen, pointing at what to fix (inputs or ``step:<slug>``),
    each with an optional comment (``comments``: a target with a comment is pointed at)."""
    decision, request = _request_changes(actor, quest, message, targets, events, comments)
    _record(actor, quest, decision, request.message)
    return request


def _accept(actor: User, quest: Quest, events: QuestEvents | None) -> Decision:
    locked = _locked_for(actor, quest)
    decision = _decide(locked, quest, actor, QuestState.ACCEPTED, events=events)
    attestation = attestation_issue(quest=locked, is_locked=True)
    if decision.details is not None:
        decision.details["attestation"] = {"id": attestation.pk, "code": attestation.code}
    return decision


@atomic
def quest_accept(*, quest: Quest, actor: User, events: QuestEvents | None = None) -> QuestTransition:
    return _record(actor, quest, _accept(actor, quest, events))


@atomic
def quest_reject(*, quest: Quest, actor: User, motivation: str, events: QuestEvents | None = None) -> QuestTransition:
    locked = _locked_for(actor, quest)
    if not motivation.strip():
        raise InstructionRefused(_("Motivez le refus : l’usager en sera informé."))
    decision = _decide(locked, quest, actor, QuestState.REJECTED, motivation, events=events)
    return _record(actor, quest, decision, motivation)


def _close(actor: User, quest: Quest, motivation: str, events: QuestEvents | None) -> Decision:
    locked = _locked_for(actor, quest)
    if not motivation.strip():
        raise InstructionRefused(_("Motivez le classement sans suite : l’usager en sera informé."))
    return _decide(locked, quest, actor, QuestState.CLOSED, motivation, through_review=False, events=events)


@atomic
def quest_close(*, quest: Quest, actor: User, motivation: str, events: QuestEvents | None = None) -> QuestTransition:
    return _record(actor, quest, _close(actor, quest, motivation, events), motivation)


@atomic
def quest_reopen(*, quest: Quest, actor: User, motivation: str, events: QuestEvents | None = None) -> QuestTransition:
    locked = _locked_for(actor, quest)
    if not motivation.strip():
        raise InstructionRefused(_("Motivez la réouverture du dossier."))
    decision = _decide(locked, quest, actor, QuestState.IN_REVIEW, motivation, events=events)
    if decision.details is not None:
        decision.details["reopened"] = True
    return _record(actor, quest, decision, motivation)


def agents_of_service(*, service_id: int) -> QuerySet[User]:
    return User.objects.filter(memberships__service_id=service_id, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
