"""The XP ledger: award, reverse, read. Exactly once, capped, derived.

- ``xp_award`` writes one ``XpEntry`` per event ``key`` (unique constraint; a retried
  task, a double click or twenty workers give one line). Its ``kind`` (``XpKind``, the
  caller says it) decides what limits apply. A milestone (a quest accepted or completed,
  the on-time bonus: once per procedure instance) is granted in full, whatever the day
  brought. A repeatable small action (``REPEATABLE_KINDS``: a step, a habit check-in, a
  share, an entraide answer) has, in this order, the diminishing returns (the n-th
  identical action of the day — same reason, same source — earns
  ``PROGRESS_XP_REPEAT_FACTOR ** (n - 1)`` of the base; a reversed award is not counted)
  and the daily caps (``PROGRESS_XP_DAILY_CAP`` over the repeatable kinds,
  ``PROGRESS_XP_SELF_DECLARED_DAILY_CAP`` over the self-declared ones) on the day's net
  earnings of those kinds (a same-day reversal gives its room back), days counted in
  Europe/Paris. The line keeps why it was reduced (``XpLimit``). An award capped to zero
  is still written (amount 0), so the ledger says why nothing came and the event stays spent.
- Awards for one citizen are serialised by locking their ``LevelState`` row, so the
  caps hold under concurrency. An award is a constant number of queries (tested).
- The balance is the sum of the ledger; ``level_of`` caches it per citizen with a
  consistency check: the cached value names the last entry it summed, and is used only
  if it is still the citizen's last entry (an index lookup).
- A reversal is a new negative line pointing at the line it reverses (at most once).
  Levels never go down: ``LevelState.max_level`` keeps the highest level reached.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.core.dates import paris_today
from civiquest.core.transactions import atomic
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.progress.habits.selectors import game_news_by_email_for
from civiquest.progress.levels import LEVEL_CURVE_VERSION, LevelInfo, level_for_xp, level_info, title_for
from civiquest.progress.models import REPEATABLE_KINDS, LevelState, XpEntry, XpKind, XpLimit

logger = logging.getLogger(__name__)

__all__ = ["LevelInfo", "XpKind", "balance_of", "level_of", "level_reached", "paris_today", "xp_award", "xp_reverse"]


def daily_cap() -> int:
    return int(settings.PROGRESS_XP_DAILY_CAP)


def self_declared_daily_cap() -> int:
    return int(settings.PROGRESS_XP_SELF_DECLARED_DAILY_CAP)


def repeat_factor() -> float:
    return float(settings.PROGRESS_XP_REPEAT_FACTOR)


def _cache_key(citizen_id: int) -> str:
    return f"progress:level:v{LEVEL_CURVE_VERSION}:{citizen_id}"


def _invalidate(citizen_id: int) -> None:
    key = _cache_key(citizen_id)
    cache.delete(key)
    # Again after commit: a reader may have cached the state before this transaction committed.
    transaction.on_commit(lambda: cache.delete(key))


def _locked_state(citizen: User) -> LevelState:
    """The citizen's level row, locked for this transaction (created on the first award)."""
    state = LevelState.objects.select_for_update().filter(citizen=citizen).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return LevelState.objects.create(citizen=citizen, curve_version=LEVEL_CURVE_VERSION)
    except IntegrityError:
        return LevelState.objects.select_for_update().get(citizen=citizen)


def _source_fields(source: models.Model | None) -> tuple[ContentType | None, int | None]:
    if source is None:
        return None, None
    return ContentType.objects.get_for_model(source), int(source.pk)


def _diminished(amount: int, repeats: int) -> int:
    """The n-th identical action of the day earns factor ** (n - 1) of its base."""
    return int(round(amount * repeat_factor() ** repeats))


def _limited(amount: int, facts: dict[str, Any], *, kind: str, self_declared: bool) -> tuple[int, str]:
    """What a repeatable action is granted, and the rule that reduced it last (a milestone: in full)."""
    if kind not in REPEATABLE_KINDS:
        return amount, XpLimit.NONE
    granted, limit = _diminished(amount, facts["repeats"]), XpLimit.NONE
    if granted < amount:
        limit = XpLimit.REPEATED
    room = max(0, daily_cap() - (facts["today"] or 0))
    if room < granted:
        granted, limit = room, XpLimit.DAILY_CAP
    if self_declared:
        room = max(0, self_declared_daily_cap() - (facts["today_self"] or 0))
        if room < granted:
            granted, limit = room, XpLimit.SELF_DECLARED_CAP
    return granted, limit


def xp_award(
    *,
    citizen: User,
    amount: int,
    reason: str,
    key: str,
    source: models.Model | None = None,
    kind: XpKind = XpKind.STEP,
    self_declared: bool = False,
    level_badges: bool = True,
) -> XpEntry | None:
    """Award ``amount`` XP for the event ``key``, once. None if already awarded or capped to 0.

    ``reason`` names the action (a code such as ``quest.step`` or a short sentence): two
    awards with the same reason and source on the same day are "identical actions".
    ``key`` must be globally unique for the event, and name the citizen or its object.
    ``kind``: ``XpKind.MILESTONE`` for an outcome that happens once per procedure instance
    (never capped nor diminished); a repeatable kind otherwise (capped: the default).
    ``level_badges=False``: a level reached does not evaluate the level badges, because the
    caller evaluates every badge next (a quest decided): badges are evaluated once per action.
    """
    if amount <= 0:
        return None  # nothing to award; a correction is ``xp_reverse``
    source_type, source_id = _source_fields(source)
    today = paris_today()
    with atomic():
        state = _locked_state(citizen)
        mine = Q(citizen=citizen)
        # Today's net earnings: a reversal made today of an award made today gives its room back.
        # Only the repeatable kinds count against the daily caps: milestones never use the day's room.
        mine_today = Q(citizen=citizen, day=today, kind__in=sorted(REPEATABLE_KINDS)) & (
            Q(amount__gt=0) | Q(reverses__day=today)
        )
        facts = XpEntry.objects.filter(Q(key=key) | mine).aggregate(
            taken=Count("pk", filter=Q(key=key)),
            balance=Sum("amount", filter=mine),
            today=Sum("amount", filter=mine_today),
            today_self=Sum("amount", filter=mine_today & Q(self_declared=True)),
            repeats=Count(
                "pk",
                filter=Q(
                    citizen=citizen,
                    day=today,
                    reason=reason,
                    source_type=source_type,
                    source_id=source_id,
                    reversed_by__isnull=True,
                ),
            ),
        )
        if facts["taken"]:
            return None
        granted, limit = _limited(amount, facts, kind=kind, self_declared=self_declared)
        try:
            with transaction.atomic():
                entry = XpEntry.objects.create(
                    citizen=citizen,
                    amount=granted,
                    requested=amount,
                    reason=reason[:200],
                    key=key,
                    source_type=source_type,
                    source_id=source_id,
                    self_declared=self_declared,
                    kind=kind,
                    limit=limit,
                    day=today,
                )
        except IntegrityError:
            # The same event, awarded by another worker that did not hold our lock (another citizen's key).
            return None
        _invalidate(citizen.pk)
        if granted == 0:
            return None
        balance = (facts["balance"] or 0) + granted
        # Known before the level badges are evaluated, which read it.
        _level_remember(citizen, max(state.max_level, level_for_xp(balance)))
        _level_up_check(citizen, state, balance, level_badges=level_badges)
    return entry


# The level an award of this transaction left the citizen at, kept on the user object: its
# level row is locked until the transaction ends, so the badges evaluated next read it from
# here instead of summing the ledger again. Dropped at commit.
LEVEL_MEMO = "_civiquest_level_reached"


def _level_remember(citizen: User, level: int) -> None:
    setattr(citizen, LEVEL_MEMO, level)
    transaction.on_commit(lambda: citizen.__dict__.pop(LEVEL_MEMO, None))


def level_reached(citizen: User) -> int:
    """The citizen's level: from this transaction's last award to them if any, else the ledger."""
    remembered = citizen.__dict__.get(LEVEL_MEMO)
    return int(remembered) if remembered is not None else level_of(citizen).level


def _level_up_check(citizen: User, state: LevelState, balance: int, *, level_badges: bool) -> None:
    """Raise the stored level if the new balance reaches a higher one; tell the citizen once."""
    reached = level_for_xp(balance)
    if reached <= state.max_level:
        return
    state.max_level = reached
    state.curve_version = LEVEL_CURVE_VERSION
    state.reached_at = timezone.now()
    state.save(update_fields=["max_level", "curve_version", "reached_at"])
    # badges.py reads levels through this module: imported here, where a level is reached.
    from civiquest.progress.badges import LEVEL_BADGES, badges_evaluate, game_visible  # noqa: PLC0415 - intra-app cycle: badges imports xp

    if level_badges:
        badges_evaluate(citizen=citizen, codes=LEVEL_BADGES)
    if not game_visible(citizen):
        return  # "Mode sobre": the level is kept, nothing is said about it.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Vous passez au niveau %(level)d") % {"level": reached}
        body = _("Nouveau titre disponible : « %(title)s ».") % {"title": title_for(reached)}
    notify(
        recipient=citizen,
        kind=NotificationKind.LEVEL_UP,
        key=f"level-up:{citizen.pk}:{reached}",
        title=title,
        body=body,
        url=reverse("citizen:progress"),
        email=game_news_by_email_for(citizen),
        likely_new=True,  # a level is reached once: its row is locked and only rises
    )


def xp_reverse(
    *,
    entry: XpEntry,
    reason: str,
    key: str,
    actor: User | None = None,
    motivation: str = "",
) -> XpEntry | None:
    """Write the negative line that cancels ``entry`` (once). None if already reversed or nothing to reverse."""
    if entry.amount <= 0 or entry.reverses_id is not None:
        return None
    with atomic():
        if XpEntry.objects.filter(Q(key=key) | Q(reverses=entry)).exists():
            return None
        try:
            with transaction.atomic():
                reversal = XpEntry.objects.create(
                    citizen_id=entry.citizen_id,
                    amount=-entry.amount,
                    requested=-entry.amount,
                    reason=reason[:200],
                    key=key,
                    source_type_id=entry.source_type_id,
                    source_id=entry.source_id,
                    self_declared=entry.self_declared,
                    kind=entry.kind,
                    reverses=entry,
                    actor=actor,
                    motivation=motivation,
                    day=paris_today(),
                )
        except IntegrityError:
            return None
        _invalidate(entry.citizen_id)
    return reversal


def _ledger_state(citizen_id: int) -> dict[str, Any]:
    facts = XpEntry.objects.filter(citizen_id=citizen_id).aggregate(balance=Sum("amount"), last=Max("pk"))
    max_level = LevelState.objects.filter(citizen_id=citizen_id).values_list("max_level", flat=True).first()
    return {"balance": facts["balance"] or 0, "last": facts["last"], "max_level": max_level or 1}


def _state_of(citizen_id: int) -> dict[str, Any]:
    key = _cache_key(citizen_id)
    cached = cache.get(key)
    if cached is not None:
        last = XpEntry.objects.filter(citizen_id=citizen_id).order_by("-pk").values_list("pk", flat=True).first()
        if last == cached["last"]:
            return dict(cached)
    fresh = _ledger_state(citizen_id)
    # Only a committed state is cached: inside a transaction, once (and if) it commits.
    transaction.on_commit(lambda: cache.set(key, fresh, timeout=60 * 60 * 24))
    return fresh


def balance_of(citizen: User) -> int:
    """The citizen's XP: the sum of their ledger (cached, checked against the last entry)."""
    return int(_state_of(citizen.pk)["balance"])


def level_of(citizen: User) -> LevelInfo:
    """Level, title, XP and progress to the next level, derived from the ledger (cached, checked)."""
    state = _state_of(citizen.pk)
    return level_info(xp=int(state["balance"]), max_level=int(state["max_level"]))
