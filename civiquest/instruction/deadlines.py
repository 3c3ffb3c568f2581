"""Legal deadlines of quests: counted from the first submission, paused while changes are requested.

``deadline_at`` is the first submission plus the procedure's ``legal_delay_days``, plus
every pause already over (the time the quest spent with the citizen, from "changes
requested" to the next transition). A pause under way is ``deadline_paused_since``: the
effective deadline then moves with the clock (``effective_deadline``). The stored fields
are recomputed from the append-only history at each transition (``transition_recorded``, called by the services),
so they never drift from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import ServiceMembership, User
from civiquest.instruction.corrections import corrections_close
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.selectors import transition_quest

# States in which the service must act, so where a deadline runs.
RUNNING_STATES = (QuestState.SUBMITTED, QuestState.IN_REVIEW)
WARN_WITHIN_DAYS = 3


@dataclass(frozen=True)
class DeadlineState:
    deadline_at: dt.datetime | None
    paused_seconds: int
    paused_since: dt.datetime | None


def deadline_from_history(transitions: Iterable[QuestTransition], delay_days: int | None) -> DeadlineState:
    """The deadline that a quest's history (in order) and its procedure's delay give."""
    first_submitted: dt.datetime | None = None
    paused = dt.timedelta()
    since: dt.datetime | None = None
    for transition in transitions:
        if transition.to_state == QuestState.DRAFT:
            continue  # the opening row: nothing runs before the submission
        if transition.to_state == QuestState.SUBMITTED and first_submitted is None:
            first_submitted = transition.at
        if transition.to_state == QuestState.CHANGES_REQUESTED:
            since = transition.at
        elif since is not None:
            paused += transition.at - since
            since = None
    if first_submitted is None or delay_days is None:
        return DeadlineState(None, 0, None)
    deadline = first_submitted + dt.timedelta(days=delay_days) + paused
    return DeadlineState(deadline, round(paused.total_seconds()), since)


def quest_deadline_refresh(*, quest_id: int) -> DeadlineState:
    """Recompute and store the quest's deadline fields from its history."""
    delay = Quest.objects.filter(pk=quest_id).values_list("procedure__legal_delay_days", flat=True).first()
    state = _from_history(quest_id, delay)
    _store(quest_id, state)
    return state


def _from_history(quest_id: int, delay_days: int | None) -> DeadlineState:
    transitions = QuestTransition.objects.filter(quest_id=quest_id).order_by("at", "pk").only("at", "to_state")
    return deadline_from_history(transitions, delay_days)


def _store(quest_id: int, state: DeadlineState) -> None:
    # A plain UPDATE: ``Quest.save`` callers use ``update_fields`` and never write these.
    Quest.objects.filter(pk=quest_id).update(
        deadline_at=state.deadline_at,
        deadline_paused_seconds=state.paused_seconds,
        deadline_paused_since=state.paused_since,
    )


def effective_deadline(quest: Quest, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The deadline as it stands now: a pause under way pushes it back as time passes."""
    return deadline_as_of(quest.deadline_at, quest.deadline_paused_since, now=now)


def deadline_as_of(
    deadline_at: dt.datetime | None, paused_since: dt.datetime | None, *, now: dt.datetime | None = None
) -> dt.datetime | None:
    """``effective_deadline`` from a quest's values (the inbox reads no model)."""
    if deadline_at is None:
        return None
    if paused_since is not None:
        now = now or timezone.now()
        return deadline_at + max(now - paused_since, dt.timedelta())
    return deadline_at


def is_overdue(quest: Quest, *, now: dt.datetime | None = None) -> bool:
    """The service has not decided and the deadline is past (never while paused)."""
    return overdue_as_of(quest.state, quest.deadline_at, now=now)


def overdue_as_of(state: str, deadline_at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    """``is_overdue`` from a quest's values."""
    if state not in RUNNING_STATES or deadline_at is None:
        return False
    return deadline_at < (now or timezone.now())


def overdue_q(*, now: dt.datetime | None = None) -> Q:
    return Q(state__in=RUNNING_STATES, deadline_at__lt=now or timezone.now())


def due_soon(*, now: dt.datetime | None = None, within_days: int = WARN_WITHIN_DAYS) -> QuerySet[Quest]:
    """Quests the service must decide within ``within_days`` days (not yet overdue)."""
    now = now or timezone.now()
    return (
        Quest.objects.filter(
            state__in=RUNNING_STATES,
            deadline_at__gte=now,
            deadline_at__lt=now + dt.timedelta(days=within_days),
            procedure__instructing_service__isnull=False,
        )
        .select_related("procedure", "assignee")
        .order_by("deadline_at", "pk")
    )


# The notification kind of a deadline warning. ``progress.NotificationKind`` has no
# "deadline" value yet: until it does, the warning uses the quest-tracking kind.
def _deadline_kind() -> str:
    return NotificationKind.DEADLINE


def deadlines_warn(*, now: dt.datetime | None = None, within_days: int | None = None) -> int:
    """Warn the agents of each quest due within ``within_days`` days: its assignee, or else every
    agent of its service. One notification per quest, agent and day. Returns how many were written."""
    now = now or timezone.now()
    if within_days is None:
        within_days = int(getattr(settings, "INSTRUCTION_DEADLINE_WARN_DAYS", WARN_WITHIN_DAYS))
    quests = list(due_soon(now=now, within_days=within_days))
    service_ids = {quest.procedure.instructing_service_id for quest in quests}
    members: dict[int, list[User]] = {}
    for membership in ServiceMembership.objects.filter(
        service_id__in=service_ids, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.service_id, []).append(membership.user)
    today = timezone.localdate(now)
    kind = _deadline_kind()
    planned: list[tuple[str, Quest, User]] = []
    for quest in quests:
        service_id = quest.procedure.instructing_service_id or 0
        recipients = [quest.assignee] if quest.assignee is not None else members.get(service_id, [])
        planned.extend((f"deadline:{quest.pk}:{agent.pk}:{today.isoformat()}", quest, agent) for agent in recipients)
    already = set(Notification.objects.filter(key__in=[key for key, _q, _a in planned]).values_list("key", flat=True))
    written = 0
    for key, quest, agent in planned:
        if key in already or quest.deadline_at is None:
            continue
        date = formats.date_format(timezone.localtime(quest.deadline_at), "DATE_FORMAT")
        notify(
            recipient=agent,
            kind=kind,
            key=key,
            title=_("Dossier %(reference)s à instruire avant le %(date)s")
            % {"reference": quest.reference, "date": date},
            body=_("Le délai légal d’instruction de ce dossier « %(procedure)s » arrive à échéance.")
            % {"procedure": quest.procedure.title},
            url=reverse("agent:quest", args=[quest.pk]),
            quest=quest,
        )
        written += 1
    return written


def transition_recorded(*, transition: QuestTransition) -> None:
    """After any transition, in its transaction: the deadline from the history, and the change requests closed.

    Called by the use cases for every transition, the citizen's resubmission included. The quest
    is the one the transition's writes locked (its procedure gives the delay, its fields what is
    stored): the fields are written only when the history moves them.
    """
    quest = transition_quest(transition, "procedure")
    if _moves_the_clock(transition, quest):
        _deadline_follow(quest)
    if transition.from_state == QuestState.CHANGES_REQUESTED:
        corrections_close(quest=quest, at=transition.at)


# The transitions that start, pause or resume the clock; any other leaves the stored deadline
# as the history gives it (it is written after every transition), so it is not read again.
CLOCK_STATES = frozenset({QuestState.SUBMITTED, QuestState.CHANGES_REQUESTED})


def _moves_the_clock(transition: QuestTransition, quest: Quest) -> bool:
    return (
        transition.to_state in CLOCK_STATES
        or transition.from_state == QuestState.CHANGES_REQUESTED
        or quest.deadline_paused_since is not None
    )


def _deadline_follow(quest: Quest) -> None:
    state = _from_history(quest.pk, quest.procedure.legal_delay_days)
    if state != DeadlineState(quest.deadline_at, quest.deadline_paused_seconds, quest.deadline_paused_since):
        _store(quest.pk, state)
        quest.deadline_at = state.deadline_at
        quest.deadline_paused_seconds = state.paused_seconds
        quest.deadline_paused_since = state.paused_since
