"""Rewards from procedures: what a step done or a quest decided earns, read from the revision.

- A step done earns ``Step.xp`` (or the revision's ``xp_per_step``): in full when it was
  verified (a valid form, documents given, an outside reference in the expected format),
  half (rounded up) when it was only declared (information read, a checklist ticked). Key
  ``quest-step:<quest>:<step>``: undoing and redoing a step earns nothing more.
- A quest accepted or completed earns the revision's ``completion_xp`` and has the badges
  evaluated. Key ``quest-done:<quest>:<cycle>``, where the cycle counts the reversals
  already made: reopening a decided quest reverses its completion reward (a negative
  line), and deciding it again earns it once more — never twice at the same time.
- Each award names its kind (``XpKind``): the completion reward and the on-time bonus are
  milestones, never capped; a step and an entraide answer are repeatable small actions,
  under the daily cap and the diminishing returns.
- Nothing is ever awarded for a page view or a click: only these hooks award.
"""

from __future__ import annotations

import math

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

from civiquest.accounts.models import User
from civiquest.catalogue.models import ProcedureRevision
from civiquest.progress.badges import ENTRAIDE_BADGE, REASON_ENTRAIDE, badges_evaluate, game_visible
from civiquest.progress.models import XpEntry, XpKind
from civiquest.progress.xp import xp_award, xp_reverse
from civiquest.quests.models import Quest, QuestState, QuestTransition, StepProgress
from civiquest.quests.selectors import transition_quest

REASON_STEP = "quest.step"
REASON_STEP_DECLARED = "quest.step.declared"
REASON_DONE = "quest.done"
REASON_REOPENED = "quest.reopened"
REASON_REVOKED = "staff.revoked"
REASON_ON_TIME = "quest.on_time"
# Finishing a recommended procedure before its legal deadline (never in "mode sobre").
ON_TIME_XP = 25
# An entraide answer accepted by the person helped, or confirmed by a moderator (gamification.md §6).
ENTRAIDE_XP = 15

DONE_STATES = frozenset({QuestState.ACCEPTED, QuestState.COMPLETED})


def step_xp(*, progress: StepProgress, revision: ProcedureRevision) -> int:
    base = progress.step.xp if progress.step.xp is not None else revision.xp_per_step
    return base if progress.verified else math.ceil(base / 2)


def step_reward(*, progress: StepProgress, quest: Quest) -> XpEntry | None:
    revision = quest.revision  # loaded with the quest the step's write locked (read here otherwise)
    amount = step_xp(progress=progress, revision=revision)
    if amount <= 0:
        return None
    return xp_award(
        citizen=quest.citizen,
        amount=amount,
        reason=REASON_STEP if progress.verified else REASON_STEP_DECLARED,
        key=f"quest-step:{quest.pk}:{progress.step_id}",
        source=progress,
        kind=XpKind.STEP,
        self_declared=not progress.verified,
    )


def _quest_entries(quest: Quest) -> Q:
    return Q(source_type=ContentType.objects.get_for_model(Quest), source_id=quest.pk)


def quest_transition_reward(*, transition: QuestTransition) -> XpEntry | None:
    """Award the completion reward when a quest is decided; reverse it when the decision is reopened."""
    target, source = transition.to_state, transition.from_state
    if target in DONE_STATES:
        quest = transition_quest(transition, "citizen", "revision")
        cycle = XpEntry.objects.filter(_quest_entries(quest), reason=REASON_REOPENED).count()
        entry = None
        if quest.revision.completion_xp > 0:
            # A level reached here has its badges evaluated below, with all the others: once.
            entry = xp_award(
                citizen=quest.citizen,
                amount=quest.revision.completion_xp,
                reason=REASON_DONE,
                key=f"quest-done:{quest.pk}:{cycle}",
                source=quest,
                kind=XpKind.MILESTONE,  # once per procedure instance: never capped
                level_badges=False,
            )
        badges_evaluate(citizen=quest.citizen)
        return entry
    if source in DONE_STATES and target == QuestState.IN_REVIEW:
        quest = transition_quest(transition)
        awarded = (
            XpEntry.objects.filter(_quest_entries(quest), reason=REASON_DONE, amount__gt=0, reversed_by__isnull=True)
            .order_by("-pk")
            .first()
        )
        if awarded is None:
            return None
        return xp_reverse(entry=awarded, reason=REASON_REOPENED, key=f"quest-done-reversal:{awarded.pk}")
    return None


def on_time_reward(*, quest: Quest) -> XpEntry | None:
    """A bonus for a quest finished before the deadline of the rule that recommended it, once per quest.

    Not in "mode sobre": the citizen chose a service without the game.
    """
    if not game_visible(quest.citizen):
        return None
    return xp_award(
        citizen=quest.citizen,
        amount=ON_TIME_XP,
        reason=REASON_ON_TIME,
        key=f"quest-on-time:{quest.pk}",
        source=quest,
        kind=XpKind.MILESTONE,
    )


def entraide_reward(*, helper: User, answer: Model) -> XpEntry | None:
    """XP for an answer that helped, once per answer (key ``entraide-answer:<answer>``), then the
    "Coup de main" badge. The caller applied the fairness rules (``social.entraide``); nothing
    in "mode sobre".
    """
    if not game_visible(helper):
        return None
    entry = xp_award(
        citizen=helper,
        amount=ENTRAIDE_XP,
        reason=REASON_ENTRAIDE,
        key=f"entraide-answer:{answer.pk}",
        source=answer,
        kind=XpKind.ENTRAIDE,
    )
    badges_evaluate(citizen=helper, codes=[ENTRAIDE_BADGE])
    return entry
