"""Instruction of quests by the agents of the instructing service: writes.

Every function is keyword-only and checks that the actor is an agent of the quest's
instructing service; a quest of another service is reported as ``QuestNotFound`` (the
views answer 404, never leaking that it exists). State changes go through
``services.quest_transition`` (state machine, history, citizen notification); the
deadline fields follow from the history (``deadlines``). Bulk actions run each quest in
its own transaction and report, per quest, what failed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, ServiceMembership, ServiceRole, User
from civiquest.procedures import services
from civiquest.procedures.errors import IllegalTransition, ProcedureError
from civiquest.procedures.models import (
    ChangeRequest,
    Label,
    Quest,
    QuestLabel,
    QuestMessage,
    QuestNote,
    QuestState,
    QuestTransition,
)

MESSAGE_MAX_LENGTH = 10_000


class QuestNotFound(ProcedureError):
    """No such quest for this agent (absent, a draft, or of another service)."""


class InstructionRefused(ProcedureError):
    """The action is not possible (bad input); the message says why, in French."""


def audit(*, actor: User, action: str, target: Any = None, motivation: str = "", details: dict | None = None) -> None:
    """Record in the audit log, if the accounts app provides it (it does nothing otherwise)."""
    try:
        from civiquest.accounts.audit import audit_record
    except ImportError:  # pragma: no cover - the audit log is optional
        return
    audit_record(actor=actor, action=action, target=target, motivation=motivation, details=details or {})


# --- Who may act on what --------------------------------------------------------------------


def agent_service_ids(agent: User) -> list[int]:
    if agent.role != Role.AGENT or not agent.is_active:
        return []
    return list(ServiceMembership.objects.filter(user=agent).values_list("service_id", flat=True))


def agent_quests(agent: User) -> QuerySet[Quest]:
    """The quests an agent may see: submitted ones (never drafts) of their services' procedures."""
    return Quest.objects.filter(procedure__instructing_service_id__in=agent_service_ids(agent)).exclude(
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
    locked = (
        agent_quests(agent).select_for_update(of=("self",)).select_related("procedure").filter(pk=quest.pk).first()
    )
    if locked is None:
        raise QuestNotFound(_("Dossier introuvable."))
    return locked


# --- Assignment, labels, notes ----------------------------------------------------------------


@transaction.atomic
def quest_assign(*, quest: Quest, actor: User, assignee: User | None) -> Quest:
    """Give the quest to an agent of its service (``None``: to nobody). Idempotent."""
    locked = _locked_for(actor, quest)
    service_id = locked.procedure.instructing_service_id or 0
    if assignee is not None and not ServiceMembership.objects.filter(user=assignee, service_id=service_id).exists():
        raise InstructionRefused(_("Cet agent ne fait pas partie du service instructeur."))
    new_id = assignee.pk if assignee is not None else None
    if locked.assignee_id != new_id:
        locked.assignee_id = new_id
        locked.save(update_fields=["assignee", "updated_at"])
        audit(actor=actor, action="quest.assign", target=locked, details={"assignee": new_id})
    quest.assignee_id = new_id
    return locked


def quest_take(*, quest: Quest, actor: User) -> Quest:
    """The agent takes the quest for themselves."""
    return quest_assign(quest=quest, actor=actor, assignee=actor)


def labels_of_service(*, service_id: int) -> QuerySet[Label]:
    return Label.objects.filter(service_id=service_id).order_by("name")


@transaction.atomic
def label_create(*, actor: User, service_id: int, name: str) -> Label:
    """A label of the service (the existing one when the name is taken)."""
    name = " ".join(name.split())[:60]
    if not name:
        raise InstructionRefused(_("Donnez un nom à l’étiquette."))
    if service_id not in agent_service_ids(actor):
        raise QuestNotFound(_("Service introuvable."))
    label, created = Label.objects.get_or_create(service_id=service_id, name=name)
    if created:
        audit(actor=actor, action="label.create", target=label)
    return label


@transaction.atomic
def quest_label_set(*, quest: Quest, actor: User, label: Label, present: bool = True) -> None:
    """Put (or take off) a label of the quest's service on the quest. Idempotent."""
    locked = _locked_for(actor, quest)
    if label.service_id != locked.procedure.instructing_service_id:
        raise QuestNotFound(_("Étiquette introuvable."))
    if present:
        _link, created = QuestLabel.objects.get_or_create(quest=locked, label=label)
        changed = created
    else:
        changed = QuestLabel.objects.filter(quest=locked, label=label).delete()[0] > 0
    if changed:
        audit(
            actor=actor,
            action="quest.label" if present else "quest.unlabel",
            target=locked,
            details={"label": label.name},
        )


@transaction.atomic
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
        with transaction.atomic():
            if from_agent:
                locked = _locked_for(author, quest)
            else:
                own = Quest.objects.select_for_update().filter(pk=quest.pk, citizen=author).first()
                if own is None or own.state == QuestState.DRAFT:
                    raise QuestNotFound(_("Dossier introuvable."))
                locked = own
            message = QuestMessage(quest=locked, author=author, from_agent=from_agent, body=body[:MESSAGE_MAX_LENGTH])
            if attachment is not None:
                from civiquest.procedures.documents import EXTENSION_OF_CONTENT_TYPE, _check_upload

                data, content_type, original = _check_upload(attachment)
                name = f"messages/{locked.pk}/{uuid.uuid4().hex}{EXTENSION_OF_CONTENT_TYPE[content_type]}"
                message.attachment.save(name, ContentFile(data), save=False)
                stored = message.attachment.name
                message.attachment_name = original
                message.attachment_content_type = content_type
            message.save()
            if from_agent:
                _notify_citizen_of_message(locked, message)
                audit(actor=author, action="quest.message", target=locked)
    except BaseException:
        if stored:
            QuestMessage._meta.get_field("attachment").storage.delete(stored)
        raise
    return message


def _notify_citizen_of_message(quest: Quest, message: QuestMessage) -> None:
    from django.urls import reverse

    from civiquest.progress.models import NotificationKind
    from civiquest.progress.notifications import notify

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


def _transition(quest: Quest, actor: User, target: str, motivation: str = "") -> QuestTransition:
    transition = services.quest_transition(quest=quest, to_state=target, actor=actor, motivation=motivation)
    audit(actor=actor, action=f"quest.{target}", target=quest, motivation=motivation)
    return transition


@transaction.atomic
def quest_start_review(*, quest: Quest, actor: User) -> QuestTransition:
    _locked_for(actor, quest)
    transition = _transition(quest, actor, QuestState.IN_REVIEW)
    if quest.assignee_id is None:
        quest_assign(quest=quest, actor=actor, assignee=actor)
    return transition


@transaction.atomic
def quest_request_changes(*, quest: Quest, actor: User, message: str, targets: Sequence[str] = ()) -> ChangeRequest:
    """Send the quest back to the citizen, pointing at what to fix (inputs or ``step:<slug>``)."""
    locked = _locked_for(actor, quest)
    message = message.strip()
    if not message:
        raise InstructionRefused(_("Expliquez à l’usager ce qu’il doit corriger."))
    known = set(change_targets(locked))
    unknown = [target for target in targets if target not in known]
    if unknown:
        raise InstructionRefused(_("Certains éléments à corriger n’existent pas dans ce dossier."))
    if locked.state == QuestState.SUBMITTED:
        _transition(quest, actor, QuestState.IN_REVIEW)
    _transition(quest, actor, QuestState.CHANGES_REQUESTED, message)
    return ChangeRequest.objects.create(quest_id=quest.pk, requested_by=actor, message=message, targets=list(targets))


@transaction.atomic
def quest_accept(*, quest: Quest, actor: User) -> QuestTransition:
    locked = _locked_for(actor, quest)
    if locked.state == QuestState.SUBMITTED:
        _transition(quest, actor, QuestState.IN_REVIEW)
    transition = _transition(quest, actor, QuestState.ACCEPTED)
    from civiquest.procedures.attestation import attestation_issue

    attestation_issue(quest=quest)
    return transition


@transaction.atomic
def quest_reject(*, quest: Quest, actor: User, motivation: str) -> QuestTransition:
    locked = _locked_for(actor, quest)
    if not motivation.strip():
        raise InstructionRefused(_("Motivez le refus : l’usager en sera informé."))
    if locked.state == QuestState.SUBMITTED:
        _transition(quest, actor, QuestState.IN_REVIEW)
    return _transition(quest, actor, QuestState.REJECTED, motivation)


@transaction.atomic
def quest_close(*, quest: Quest, actor: User, motivation: str) -> QuestTransition:
    _locked_for(actor, quest)
    if not motivation.strip():
        raise InstructionRefused(_("Motivez le classement sans suite : l’usager en sera informé."))
    return _transition(quest, actor, QuestState.CLOSED, motivation)


@transaction.atomic
def quest_reopen(*, quest: Quest, actor: User, motivation: str) -> QuestTransition:
    _locked_for(actor, quest)
    if not motivation.strip():
        raise InstructionRefused(_("Motivez la réouverture du dossier."))
    return _transition(quest, actor, QuestState.IN_REVIEW, motivation)


# --- What can be pointed at ---------------------------------------------------------------------


def change_targets(quest: Quest) -> dict[str, str]:
    """What the agent may ask to fix: ``{target: label}``, in the order of the revision."""
    from civiquest.procedures.validation import step_inputs

    revision = services.revision_loaded(quest.revision_id)
    targets: dict[str, str] = {}
    for step in revision.steps.all():
        if step.kind in ("info", "agent_review"):
            continue
        targets[f"step:{step.slug}"] = _("Étape « %(title)s » (en entier)") % {"title": step.title}
        for spec in step_inputs(step):
            targets[spec.name] = f"{step.title} — {spec.label}"
    return targets


def open_change_request(*, quest: Quest) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(quest=quest, closed_at__isnull=True).order_by("-created_at", "-pk").first()


# --- Bulk --------------------------------------------------------------------------------------


@dataclass
class BulkReport:
    done: list[Quest] = field(default_factory=list)
    failed: list[tuple[Quest | int, str]] = field(default_factory=list)


BULK_ACTIONS: dict[str, Callable[..., Any]] = {}


def bulk_apply(*, actor: User, quest_ids: Iterable[Any], action: str, **params: Any) -> BulkReport:
    """Apply one action to each quest, each in its own transaction; report what failed and why."""
    report = BulkReport()
    ids = []
    for raw in quest_ids:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    quests = {quest.pk: quest for quest in agent_quests(actor).select_related("procedure").filter(pk__in=ids)}
    for pk in dict.fromkeys(ids):
        quest = quests.get(pk)
        if quest is None:
            report.failed.append((pk, _("Dossier introuvable.")))
            continue
        try:
            with transaction.atomic():
                _bulk_one(actor, quest, action, params)
        except (ProcedureError, IllegalTransition) as error:
            report.failed.append((quest, str(error.args[0]) if error.args else str(error)))
        else:
            report.done.append(quest)
    return report


def _bulk_one(actor: User, quest: Quest, action: str, params: dict[str, Any]) -> None:
    if action == "assign":
        quest_assign(quest=quest, actor=actor, assignee=params.get("assignee"))
    elif action == "label":
        quest_label_set(quest=quest, actor=actor, label=params["label"])
    elif action == "request_changes":
        quest_request_changes(quest=quest, actor=actor, message=params.get("message", ""))
    elif action == "accept":
        quest_accept(quest=quest, actor=actor)
    elif action == "close":
        quest_close(quest=quest, actor=actor, motivation=params.get("motivation", ""))
    else:
        raise InstructionRefused(_("Action inconnue."))


def agents_of_service(*, service_id: int) -> QuerySet[User]:
    return User.objects.filter(memberships__service_id=service_id, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
