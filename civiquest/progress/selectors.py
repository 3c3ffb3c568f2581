"""Reads for the progress pages: the ledger history, the badge collection, a citizen's level.

Each reads a bounded number of queries whatever the length of the history: the ledger is
paginated, and the sources of a page's lines are fetched in one query per kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import AuditEvent, User
from civiquest.progress import rewards
from civiquest.progress.badges import BADGES, Badge, reach_now
from civiquest.progress.levels import level_info
from civiquest.progress.models import BadgeAward, LevelState, XpEntry, XpKind, XpLimit
from civiquest.quests.models import Quest, StepProgress

LEDGER_PAGE_SIZE = 20

REASON_LABELS = {
    rewards.REASON_STEP: _("Étape vérifiée"),
    rewards.REASON_STEP_DECLARED: _("Étape déclarée"),
    rewards.REASON_DONE: _("Démarche aboutie"),
    rewards.REASON_REOPENED: _("Décision rouverte : récompense annulée"),
    rewards.REASON_REVOKED: _("Correction par l’équipe"),
    rewards.REASON_ON_TIME: _("Démarche finie avant la date limite"),
    rewards.REASON_ENTRAIDE: _("Réponse utile à l’entraide"),
    "share": _("Partage"),
    "habit.checkin": _("Habitude civique"),
}

# Why a line brought less than the rule asked, in words (``XpEntry.limit``).
LIMIT_LABELS = {
    XpLimit.REPEATED: _("action répétée aujourd’hui : gain réduit"),
    XpLimit.DAILY_CAP: _("limite du jour atteinte"),
    XpLimit.SELF_DECLARED_CAP: _("limite du jour des actions déclarées atteinte"),
}


def reason_label(reason: str) -> str:
    label = REASON_LABELS.get(reason)
    return str(label) if label is not None else reason


@dataclass(frozen=True)
class LedgerLine:
    entry: XpEntry
    label: str
    detail: str
    quest_id: int | None

    @property
    def is_reduced(self) -> bool:
        """Less than the rule asked: the daily cap or a repeated action of the day."""
        return self.entry.reverses_id is None and 0 <= self.entry.amount < self.entry.requested

    @property
    def why_reduced(self) -> str:
        """Why the line brought less than the rule asked, in words (empty when in full)."""
        if not self.is_reduced:
            return ""
        label = LIMIT_LABELS.get(XpLimit(self.entry.limit)) if self.entry.limit in XpLimit.values else None
        # Lines written before the reason was kept: one of the two day rules.
        return str(label or _("limite du jour atteinte ou action répétée aujourd’hui"))

    @property
    def is_milestone(self) -> bool:
        """A milestone reward (a quest decided, the on-time bonus): never capped."""
        return self.entry.kind == XpKind.MILESTONE

    @property
    def is_reversed(self) -> bool:
        return hasattr(self.entry, "reversed_by")


def ledger_of(citizen: User | int) -> QuerySet[XpEntry]:
    return XpEntry.objects.filter(citizen=citizen).order_by("-pk")


def _describe(entries: list[XpEntry]) -> list[LedgerLine]:
    quest_type = ContentType.objects.get_for_model(Quest)
    progress_type = ContentType.objects.get_for_model(StepProgress)
    quest_ids = {e.source_id for e in entries if e.source_type_id == quest_type.pk and e.source_id}
    progress_ids = {e.source_id for e in entries if e.source_type_id == progress_type.pk and e.source_id}
    steps = (
        {p.pk: p for p in StepProgress.objects.filter(pk__in=progress_ids).select_related("quest__procedure", "step")}
        if progress_ids
        else {}
    )
    quests = {q.pk: q for q in Quest.objects.filter(pk__in=quest_ids).select_related("procedure")} if quest_ids else {}
    lines = []
    for entry in entries:
        detail, quest_id = "", None
        if entry.source_type_id == quest_type.pk and entry.source_id in quests:
            quest = quests[entry.source_id]
            detail, quest_id = f"{quest.procedure.title} ({quest.reference})", quest.pk
        elif entry.source_type_id == progress_type.pk and entry.source_id in steps:
            progress = steps[entry.source_id]
            detail = f"{progress.quest.procedure.title} — {progress.step.title}"
            quest_id = progress.quest_id
        lines.append(LedgerLine(entry=entry, label=reason_label(entry.reason), detail=detail, quest_id=quest_id))
    return lines


def ledger_page(*, citizen: User | int, page: str | int | None) -> tuple[Page[XpEntry], list[LedgerLine]]:
    """One page of the citizen's ledger, newest first, with what each line was for (≤ 4 queries)."""
    paginator = Paginator(ledger_of(citizen).select_related("reversed_by"), LEDGER_PAGE_SIZE)
    current = paginator.get_page(page)
    return current, _describe(list(current.object_list))


@dataclass(frozen=True)
class BadgeSlot:
    badge: Badge
    awarded_at: dt.datetime | None

    @property
    def earned(self) -> bool:
        return self.awarded_at is not None


def badge_collection(*, citizen: User) -> list[BadgeSlot]:
    """Earned badges first (by date), then the ones still to earn that can be (2 queries).

    A badge whose feature is not offered (``Badge.available``: no published procedure
    awards it, entraide rewards off…) is not shown, unless it was earned.
    """
    awarded = dict(BadgeAward.objects.filter(citizen=citizen).values_list("code", "awarded_at"))
    reach = reach_now()
    earned = sorted(
        (BadgeSlot(b, awarded[b.code]) for b in BADGES if b.code in awarded),
        key=lambda slot: slot.awarded_at or dt.datetime.min.replace(tzinfo=dt.UTC),
    )
    locked = [BadgeSlot(b, None) for b in BADGES if b.code not in awarded and b.available(reach)]
    return earned + locked


def audit_of(*, subject: User) -> QuerySet[AuditEvent]:
    """The staff corrections of a citizen's ledger, from the platform audit log (newest first)."""
    return (
        AuditEvent.objects.filter(target_type=XpEntry._meta.label_lower, details__citizen_id=subject.pk)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def recent_rewards(*, citizen: User, limit: int = 5) -> list[LedgerLine]:
    """The citizen's latest ledger lines that brought XP, described (for the home page; ≤ 3 queries)."""
    entries = list(ledger_of(citizen).filter(amount__gt=0).select_related("reversed_by")[:limit])
    return _describe(entries)


def ledger_entry_of(*, citizen: User, entry_id: int) -> XpEntry | None:
    return XpEntry.objects.filter(pk=entry_id, citizen=citizen).first()


@dataclass(frozen=True)
class SharedProgress:
    """What a citizen's circles may see of their progress, if they chose to show it."""

    level: int
    title: str
    badges: list[Badge]
    done_count: int


def shared_progress_of(citizen_ids: list[int]) -> dict[int, SharedProgress]:
    """Level, badges and count of procedures done of several citizens, in four queries."""
    ids = sorted(set(citizen_ids))
    if not ids:
        return {}
    balances = dict(
        XpEntry.objects.filter(citizen_id__in=ids)
        .values("citizen_id")
        .annotate(total=Sum("amount"))
        .values_list("citizen_id", "total")
    )
    levels = dict(LevelState.objects.filter(citizen_id__in=ids).values_list("citizen_id", "max_level"))
    codes: dict[int, set[str]] = {}
    for citizen_id, code in BadgeAward.objects.filter(citizen_id__in=ids).values_list("citizen_id", "code"):
        codes.setdefault(citizen_id, set()).add(code)
    done = dict(
        Quest.objects.filter(citizen_id__in=ids, state__in=rewards.DONE_STATES)
        .values("citizen_id")
        .annotate(count=Count("pk"))
        .values_list("citizen_id", "count")
    )
    shared = {}
    for citizen_id in ids:
        info = level_info(xp=int(balances.get(citizen_id) or 0), max_level=int(levels.get(citizen_id) or 1))
        shared[citizen_id] = SharedProgress(
            level=info.level,
            title=info.title,
            badges=[badge for badge in BADGES if badge.code in codes.get(citizen_id, set())],
            done_count=int(done.get(citizen_id) or 0),
        )
    return shared
