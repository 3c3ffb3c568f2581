"""What progress does when something happens in procedures. Called by the procedures
services inside their transaction: what is written here commits or rolls back with them.
"""

from __future__ import annotations

from django.db import transaction

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.documents.models import Document
from civiquest.progress import rewards
from civiquest.progress.badges import WALLET_BADGES, badges_evaluate
from civiquest.progress.habits.services import habit_action_recorded
from civiquest.progress.models import XpEntry
from civiquest.progress.xp import xp_reverse
from civiquest.quests.models import Quest, QuestTransition, StepProgress


def quest_transition_recorded(*, transition: QuestTransition) -> None:
    """A quest changed state: award or reverse the completion reward, evaluate badges."""
    rewards.quest_transition_reward(transition=transition)


def quest_done_on_time(*, quest: Quest) -> None:
    """A quest ended well before the deadline of a rule that recommended it: the on-time bonus."""
    rewards.on_time_reward(quest=quest)


def step_done_recorded(*, progress: StepProgress, quest: Quest) -> None:
    """A step of a quest was done (again, after it was undone: rewards are keyed per step).

    It also checks the "move a quest forward" habit: a real action, not a declaration.
    """
    rewards.step_reward(progress=progress, quest=quest)
    habit_action_recorded(citizen=quest.citizen, action="quest_step_done")


def document_added(*, document: Document) -> None:
    """A document entered the citizen's wallet: evaluate the wallet badges, check the wallet habit.

    Called by ``procedures.documents.document_upload`` inside its transaction.
    """
    badges_evaluate(citizen=document.owner, codes=WALLET_BADGES)
    habit_action_recorded(citizen=document.owner, action="wallet_document_added")


AUDIT_XP_REVOKE = "progress.xp_revoke"


class RevokeRefused(Exception):
    """The entry cannot be revoked (already reversed, a reversal itself, or nothing to take back)."""


def xp_entry_revoke(*, entry: XpEntry, actor: User, motivation: str) -> XpEntry:
    """Staff correction: reverse one ledger line with a motivation, and record who did it (audited)."""
    motivation = motivation.strip()
    if not motivation:
        raise ValueError("a motivation is required")
    with transaction.atomic():
        locked = XpEntry.objects.select_for_update().get(pk=entry.pk)
        reversal = xp_reverse(
            entry=locked,
            reason=rewards.REASON_REVOKED,
            key=f"staff-revoke:{locked.pk}",
            actor=actor,
            motivation=motivation,
        )
        if reversal is None:
            raise RevokeRefused(locked.pk)
        audit_record(
            actor=actor,
            action=AUDIT_XP_REVOKE,
            target=locked,
            motivation=motivation,
            details={"citizen_id": locked.citizen_id, "amount": locked.amount, "reversal_id": reversal.pk},
        )
    return reversal
