"""Following quests and the "nouveau" marks of the agent inbox (issue 21, point 2).

When the citizen changes a submitted quest (resubmission, message, document, appointment),
``quest_changed`` marks it for its assignee and its followers, never for the actor, and tells
them in the notification centre. Opening the quest clears the agent's mark (``mark_clear``).
The inbox shows the mark with an ``Exists`` on ``instruction_mark_unique`` (agent, quest).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import ServiceMembership, User
from civiquest.core.transactions import atomic
from civiquest.instruction.models import QuestChangeKind, QuestFollow, QuestMark
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests.models import Quest, QuestDocument, QuestState


def _title(kind: str, reference: str) -> str:
    titles = {
        QuestChangeKind.RESUBMITTED: _("Dossier %(reference)s déposé à nouveau par l’usager"),
        QuestChangeKind.MESSAGE: _("Nouveau message de l’usager sur le dossier %(reference)s"),
        QuestChangeKind.DOCUMENT: _("Nouveau document sur le dossier %(reference)s"),
        QuestChangeKind.APPOINTMENT: _("Rendez-vous modifié pour le dossier %(reference)s"),
    }
    return titles[QuestChangeKind(kind)] % {"reference": reference}


def quest_changed(*, quest: Quest, kind: str, actor: User | None = None) -> int:
    """Mark the quest "nouveau" for its assignee and followers (not the actor); returns how many.

    Only submitted quests (never drafts) of agents still members of the quest's service.
    Called by the use cases after their write, in their transaction.
    """
    if quest.state in (QuestState.DRAFT, QuestState.COMPLETED):
        return 0
    follower_ids = set(QuestFollow.objects.filter(quest_id=quest.pk).values_list("agent_id", flat=True))
    if quest.assignee_id:
        follower_ids.add(quest.assignee_id)
    if actor is not None:
        follower_ids.discard(actor.pk)
    if not follower_ids:
        return 0
    members = ServiceMembership.objects.filter(
        service_id=quest.procedure.instructing_service_id or 0, user_id=OuterRef("pk")
    )
    agents = list(User.objects.filter(pk__in=follower_ids, is_active=True).filter(Exists(members)))
    now = timezone.now()
    QuestMark.objects.bulk_create(
        [QuestMark(agent=agent, quest_id=quest.pk, kind=kind, changed_at=now) for agent in agents],
        update_conflicts=True,
        unique_fields=["agent", "quest"],
        update_fields=["kind", "changed_at"],
    )
    url = reverse("agent:quest", args=[quest.pk])
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    for agent in agents:
        notify(
            recipient=agent,
            kind=NotificationKind.QUEST_CHANGE,
            key=f"quest-change:{quest.pk}:{agent.pk}:{kind}:{stamp}",
            title=_title(kind, quest.reference),
            url=url,
            quest=quest,
            # The agents who want e-mail get the daily digest instead.
            email=False,
            likely_new=True,
        )
    return len(agents)


def quest_changed_by_id(*, quest_id: int, kind: str, actor: User | None = None) -> int:
    """``quest_changed`` for a quest known by its id (an appointment's)."""
    quest = Quest.objects.select_related("procedure").filter(pk=quest_id).first()
    return 0 if quest is None else quest_changed(quest=quest, kind=kind, actor=actor)


def attachment_keys(*, quest: Quest) -> set[tuple[str, str, int]]:
    """The documents given with the quest, as (step, input, document): to see one was added."""
    return set(QuestDocument.objects.filter(quest_id=quest.pk).values_list("step_slug", "input_name", "document_id"))


def mark_clear(*, agent: User, quest: Quest) -> int:
    """The agent opened the quest: it is no longer new for them. Idempotent."""
    deleted, _kinds = QuestMark.objects.filter(agent=agent, quest_id=quest.pk).delete()
    return deleted


def is_following(*, agent: User, quest: Quest) -> bool:
    return QuestFollow.objects.filter(agent=agent, quest_id=quest.pk).exists()


@atomic
def follow_set(*, agent: User, quest: Quest, follow: bool) -> bool:
    """Follow (or stop following) a quest the agent may see (the caller checked). Idempotent."""
    if follow:
        QuestFollow.objects.get_or_create(agent=agent, quest_id=quest.pk)
    else:
        QuestFollow.objects.filter(agent=agent, quest_id=quest.pk).delete()
    return follow


def follow_ensure(*, agent: User, quest: Quest) -> None:
    """The agent follows the quest, whether they did already or not: one statement."""
    QuestFollow.objects.bulk_create([QuestFollow(agent=agent, quest_id=quest.pk)], ignore_conflicts=True)


def marked_q(agent: User) -> Exists:
    """Whether the quest is new for the agent (a ``Quest`` filter or annotation)."""
    return Exists(QuestMark.objects.filter(agent_id=agent.pk, quest_id=OuterRef("pk")))
