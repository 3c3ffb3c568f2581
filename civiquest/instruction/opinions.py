"""Expert opinions (“avis”): an agent asks a colleague, of any service, for an opinion on one quest.

The asker must be an agent who may instruct the quest; the expert is any other active
agent, named by e-mail. The expert reaches that quest only, read-only (``quest_readable_by``,
``may_read_quest``: the service's agents or an expert asked about it), and answers once:
the answer is written under the request's row lock, so two concurrent answers leave one.
The requests and their answers stay in the quest's file for its service's agents; the
citizen never sees them. Each request and each answer notifies the other side (the
quest's reference and a link, never the question nor the answer: they may tell about the
citizen, and the notifications of agents outlive the citizen's erasure) and is one audit
event (ids only).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, User
from civiquest.core.transactions import atomic
from civiquest.instruction.models import OpinionRequest
from civiquest.instruction.services import (
    MESSAGE_MAX_LENGTH,
    InstructionRefused,
    QuestNotFound,
    agent_quests,
    audit,
    quest_for_agent,
)
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests.models import Quest, QuestState


def _is_active_agent(user: User) -> bool:
    return bool(user.is_active and user.role == Role.AGENT)


def _pk(value: Any, message: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QuestNotFound(message) from None


# --- Reads -------------------------------------------------------------------------------------


def quest_readable_by(*, agent: User, quest_id: Any) -> Quest:
    """The quest if the agent may read it: an agent of its service, or an expert asked about it."""
    try:
        return quest_for_agent(agent=agent, quest_id=quest_id)
    except QuestNotFound:
        if not _is_active_agent(agent):
            raise
    quest = (
        Quest.objects.select_related("procedure", "procedure__instructing_service")
        .filter(pk=_pk(quest_id, _("Dossier introuvable.")), opinion_requests__expert=agent)
        .exclude(state=QuestState.DRAFT)
        .first()
    )
    if quest is None:
        raise QuestNotFound(_("Dossier introuvable."))
    return quest


def may_read_quest(*, agent: User, quest: Quest) -> bool:
    """Whether the agent may read the quest (its answers and documents, never its decisions)."""
    if not _is_active_agent(agent) or quest.state == QuestState.DRAFT:
        return False
    return (
        agent_quests(agent).filter(pk=quest.pk).exists()
        or OpinionRequest.objects.filter(quest=quest, expert=agent).exists()
    )


def opinions_of_quest(*, quest: Quest) -> QuerySet[OpinionRequest]:
    """The quest's requests and answers, oldest first, for its service's agents."""
    return OpinionRequest.objects.filter(quest=quest).select_related("asked_by", "expert")


def opinions_for_expert(*, expert: User) -> QuerySet[OpinionRequest]:
    """The requests addressed to the expert: pending ones first, then the newest."""
    if not _is_active_agent(expert):
        return OpinionRequest.objects.none()
    return (
        OpinionRequest.objects.filter(expert=expert)
        .exclude(quest__state=QuestState.DRAFT)
        .select_related("quest", "quest__procedure", "asked_by")
        .order_by(F("answered_at").asc(nulls_first=True), "-asked_at", "-pk")
    )


def opinion_for_expert(*, expert: User, opinion_id: Any) -> OpinionRequest:
    """One request addressed to the expert, with its quest; ``QuestNotFound`` otherwise."""
    pk = _pk(opinion_id, _("Demande d’avis introuvable."))
    opinion = (
        opinions_for_expert(expert=expert)
        .select_related("quest__procedure__instructing_service", "quest__citizen")
        .filter(pk=pk)
        .first()
    )
    if opinion is None:
        raise QuestNotFound(_("Demande d’avis introuvable."))
    return opinion


# --- Writes ------------------------------------------------------------------------------------


@atomic
def opinion_request(*, quest: Quest, actor: User, expert_email: str, question: str) -> OpinionRequest:
    """Ask the active agent with this e-mail for an opinion on the quest the actor instructs."""
    found = quest_for_agent(agent=actor, quest_id=quest.pk)
    question = question.strip()
    if not question:
        raise InstructionRefused(_("Écrivez votre question."))
    email = expert_email.strip()
    expert = (
        User.objects.filter(Q(email__iexact=email), role=Role.AGENT, is_active=True).order_by("pk").first()
        if email
        else None
    )
    if expert is None:
        raise InstructionRefused(_("Aucun agent actif n’a cette adresse électronique."))
    if expert.pk == actor.pk:
        raise InstructionRefused(_("Demandez l’avis d’un ou d’une collègue, pas le vôtre."))
    opinion = OpinionRequest.objects.create(
        quest=found, asked_by=actor, expert=expert, question=question[:MESSAGE_MAX_LENGTH]
    )
    notify(
        recipient=expert,
        kind=NotificationKind.QUEST_STATE,
        key=f"opinion-request:{opinion.pk}",
        title=_("Votre avis est demandé sur le dossier %(reference)s") % {"reference": found.reference},
        url=reverse("agent:opinion", args=[opinion.pk]),
        key_is_new=True,
    )
    audit(
        actor=actor,
        action="quest.opinion_request",
        target=found,
        details={"opinion": opinion.pk, "expert": expert.pk},
    )
    return opinion


@atomic
def opinion_answer(*, opinion_id: Any, expert: User, answer: str) -> OpinionRequest:
    """The expert's answer, once: a second answer (even a concurrent one) is refused."""
    answer = answer.strip()
    if not answer:
        raise InstructionRefused(_("Écrivez votre avis."))
    if not _is_active_agent(expert):
        raise QuestNotFound(_("Demande d’avis introuvable."))
    locked = (
        OpinionRequest.objects.select_for_update(of=("self",))
        .select_related("quest", "asked_by")
        .filter(pk=_pk(opinion_id, _("Demande d’avis introuvable.")), expert=expert)
        .exclude(quest__state=QuestState.DRAFT)
        .first()
    )
    if locked is None:
        raise QuestNotFound(_("Demande d’avis introuvable."))
    if locked.answered_at is not None:
        raise InstructionRefused(_("Vous avez déjà rendu votre avis sur ce dossier : il ne peut plus être modifié."))
    locked.answer = answer[:MESSAGE_MAX_LENGTH]
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answered_at"])
    asker = locked.asked_by
    if asker is not None and _is_active_agent(asker):
        notify(
            recipient=asker,
            kind=NotificationKind.QUEST_STATE,
            key=f"opinion-answer:{locked.pk}",
            title=_("Avis rendu sur le dossier %(reference)s") % {"reference": locked.quest.reference},
            url=reverse("agent:quest", args=[locked.quest_id]) + "#avis",
        )
    audit(actor=expert, action="quest.opinion_answer", target=locked.quest, details={"opinion": locked.pk})
    return locked
