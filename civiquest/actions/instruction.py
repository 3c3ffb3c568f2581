"""An agent's decisions on a quest, one by one or in bulk; each is one audit event (``instruction``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.actions.follow import quest_events_follow
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import use_case
from civiquest.instruction import bulk, digest, marks
from civiquest.instruction import services as instruction
from civiquest.instruction.models import ChangeRequest
from civiquest.quests.errors import IllegalTransition
from civiquest.quests.models import Quest, QuestTransition
from civiquest.quests.services import QuestEvents


@use_case
def quest_start_review(*, quest: Quest, actor: User) -> QuestTransition:
    events = QuestEvents()
    transition = instruction.quest_start_review(quest=quest, actor=actor, events=events)
    quest_events_follow(events=events)
    return transition


@use_case
def quest_request_changes(
    *, quest: Quest, actor: User, message: str, targets: Sequence[str] = (), comments: Mapping[str, str] | None = None
) -> ChangeRequest:
    """Send the quest back to the citizen, with the answers to correct and a comment beside each."""
    events = QuestEvents()
    request = instruction.quest_request_changes(
        quest=quest, actor=actor, message=message, targets=targets, comments=comments, events=events
    )
    quest_events_follow(events=events)
    return request


@use_case
def quest_accept(*, quest: Quest, actor: User) -> QuestTransition:
    events = QuestEvents()
    transition = instruction.quest_accept(quest=quest, actor=actor, events=events)
    quest_events_follow(events=events)
    return transition


@use_case
def quest_reject(*, quest: Quest, actor: User, motivation: str) -> QuestTransition:
    events = QuestEvents()
    transition = instruction.quest_reject(quest=quest, actor=actor, motivation=motivation, events=events)
    quest_events_follow(events=events)
    return transition


@use_case
def quest_close(*, quest: Quest, actor: User, motivation: str) -> QuestTransition:
    events = QuestEvents()
    transition = instruction.quest_close(quest=quest, actor=actor, motivation=motivation, events=events)
    quest_events_follow(events=events)
    return transition


@use_case
def quest_reopen(*, quest: Quest, actor: User, motivation: str) -> QuestTransition:
    events = QuestEvents()
    transition = instruction.quest_reopen(quest=quest, actor=actor, motivation=motivation, events=events)
    quest_events_follow(events=events)
    return transition


@dataclass
class BulkReport:
    """What a bulk action did: the quests it changed, those already so ("déjà fait"), and those
    it refused with the reason (a quest the agent may not see is only its id: "introuvable")."""

    done: list[Quest] = field(default_factory=list)
    failed: list[tuple[Quest | int, str]] = field(default_factory=list)
    unchanged: list[Quest] = field(default_factory=list)


def quests_bulk_apply(*, actor: User, quest_ids: Iterable[Any], action: str, **params: Any) -> BulkReport:
    """Apply one action to each quest, each in its own savepoint; report what failed and why.

    The whole bulk action is one audit event (``quest.bulk``), recorded in the same
    transaction as the quests it changed, with what it did to each of them. What follows a
    quest's transitions (deadline, the citizen told, rewards) is in its savepoint: a quest
    that fails leaves nothing behind.
    """
    report = BulkReport()
    ids = []
    for raw in quest_ids:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            continue
        # An id no database holds is not found, like any other quest the agent may not see.
        ids.append(pk if 0 < pk < 2**63 else 0)
    quests = {
        quest.pk: quest for quest in instruction.agent_quests(actor).select_related("procedure").filter(pk__in=ids)
    }
    changed: dict[str, dict[str, Any]] = {}
    with use_case():
        for pk in dict.fromkeys(ids):
            quest = quests.get(pk)
            if quest is None:
                report.failed.append((pk, _("Dossier introuvable.")))
                continue
            try:
                # A savepoint: a quest that fails is rolled back alone, and the others go on.
                with transaction.atomic():
                    events = QuestEvents()
                    details = bulk.bulk_one(actor=actor, quest=quest, action=action, params=params, events=events)
                    quest_events_follow(events=events)
            except (ProcedureError, IllegalTransition) as error:
                report.failed.append((quest, str(error.args[0]) if error.args else str(error)))
            else:
                if details is None:
                    report.unchanged.append(quest)
                else:
                    report.done.append(quest)
                    changed[str(quest.pk)] = details
        if changed:
            references = ", ".join(quest.reference for quest in report.done)
            instruction.audit(
                actor=actor,
                action="quest.bulk",
                target=(Quest._meta.label_lower, "", references),
                motivation=str(params.get("message") or params.get("motivation") or "").strip(),
                details={
                    "action": action,
                    "quests": changed,
                    "failed": [quest.pk if isinstance(quest, Quest) else quest for quest, _reason in report.failed],
                },
            )
    return report


@use_case
def quest_follow_set(*, agent: User, quest: Quest, follow: bool) -> bool:
    """The agent follows the quest (told of its changes like its assignee), or stops. Idempotent.

    The caller found the quest among the agent's (``instruction.quest_for_agent``)."""
    return marks.follow_set(agent=agent, quest=quest, follow=follow)


@use_case
def agent_digest_set(*, agent: User, wanted: bool) -> bool:
    """The agent asks for the daily e-mail of the quests new for them, or stops it. Idempotent."""
    return digest.digest_set(agent_id=agent.pk, wanted=wanted)
