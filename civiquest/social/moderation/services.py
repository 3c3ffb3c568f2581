"""Reports and moderators' decisions on entraide posts (questions and answers).

A post's row is locked (``SELECT … FOR UPDATE``) by every write here, so reports arriving at
once are counted exactly and a decision always starts from the post's latest state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, User
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.social.entraide.models import Answer, PostStatus, Question
from civiquest.social.moderation.models import (
    DecisionAction,
    ModerationDecision,
    PostingSuspension,
    Report,
    ReportReason,
)
from civiquest.social.moderation.selectors import open_reporters

Post = Question | Answer
# How long a moderator may suspend an author from posting, in days.
SUSPENSION_DAYS = (1, 7, 30)
DEFAULT_REPORTS_TO_HIDE = 3
# Which decisions a post in each state can receive (warn, suspend and remove: in every state
# but the last one; a removed post can still be restored after a successful contest).
ACTIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    PostStatus.PENDING: (DecisionAction.APPROVE, DecisionAction.REMOVE, DecisionAction.WARN, DecisionAction.SUSPEND),
    PostStatus.PUBLISHED: (
        DecisionAction.HIDE,
        DecisionAction.DISMISS,
        DecisionAction.REMOVE,
        DecisionAction.WARN,
        DecisionAction.SUSPEND,
    ),
    PostStatus.HIDDEN: (DecisionAction.RESTORE, DecisionAction.REMOVE, DecisionAction.WARN, DecisionAction.SUSPEND),
    PostStatus.REMOVED: (DecisionAction.RESTORE, DecisionAction.WARN, DecisionAction.SUSPEND),
}


def actions_for(post: Post) -> tuple[str, ...]:
    """The decisions a moderator may take on ``post`` in its state.

    A published answer may also be confirmed as helpful (the helper's reward when the asker
    cannot accept it: gone, or never came back).
    """
    allowed = ACTIONS_BY_STATUS.get(post.status, ())
    if isinstance(post, Answer) and post.status == PostStatus.PUBLISHED:
        allowed = (DecisionAction.CONFIRM_HELPFUL, *allowed)
    return allowed


# The status each action moves the post to (the others leave it as it is).
NEXT_STATUS = {
    DecisionAction.APPROVE: PostStatus.PUBLISHED,
    DecisionAction.HIDE: PostStatus.HIDDEN,
    DecisionAction.RESTORE: PostStatus.PUBLISHED,
    DecisionAction.REMOVE: PostStatus.REMOVED,
}


class ReportRefused(ProcedureError):
    """The citizen may not report this post; ``message`` says why."""


class DecisionRefused(ProcedureError):
    """The decision does not apply to this post as it stands; ``message`` says why."""


@dataclass(frozen=True)
class ReportOutcome:
    report: Report
    created: bool
    # The report that made the post reach the threshold: it is now hidden pending review.
    hid_post: bool


def reports_to_hide() -> int:
    return max(1, int(getattr(settings, "ENTRAIDE_REPORTS_TO_HIDE", DEFAULT_REPORTS_TO_HIDE)))


def post_kind(post: Post) -> str:
    return "question" if isinstance(post, Question) else "answer"


def target_of(post: Post) -> dict[str, Post]:
    """The keyword that points a report or a decision at ``post``."""
    return {post_kind(post): post}


def _locked(post: Post) -> Post:
    """The post's row, locked until the end of the transaction, as it stands now."""
    return type(post).objects.select_for_update().get(pk=post.pk)


def report_post(*, reporter: User, post: Post, reason: str, comment: str = "") -> ReportOutcome:
    """``reporter`` reports ``post`` once; at the threshold of distinct reporters it is hidden at once.

    Reporting the same post again returns the first report (``created`` false). A citizen
    cannot report their own post, nor one that is not published.
    """
    if reporter.role != Role.CITIZEN:
        raise ReportRefused(_("Seuls les usagers connectés peuvent signaler un message."))
    if reason not in ReportReason.values:
        raise ReportRefused(_("Choisissez une raison dans la liste."))
    comment = (comment or "").strip()
    if len(comment) > Report._meta.get_field("comment").max_length:  # type: ignore[operator]
        raise ReportRefused(_("La précision compte au plus 500 caractères."))
    with atomic():
        locked = _locked(post)
        if locked.author_id == reporter.pk:
            raise ReportRefused(_("Vous ne pouvez pas signaler votre propre message."))
        existing = Report.objects.filter(reporter=reporter, **target_of(locked)).first()
        if existing is not None:
            return ReportOutcome(report=existing, created=False, hid_post=False)
        if locked.status != PostStatus.PUBLISHED:
            raise ReportRefused(_("Ce message n’est plus affiché : il n’y a plus rien à signaler."))
        try:
            with transaction.atomic():
                report = Report.objects.create(reporter=reporter, reason=reason, comment=comment, **target_of(locked))
        except IntegrityError:
            # The same citizen's other request, on a database that does not lock rows (SQLite).
            return ReportOutcome(
                report=Report.objects.get(reporter=reporter, **target_of(locked)), created=False, hid_post=False
            )
        hid = open_reporters(locked) >= reports_to_hide()
        if hid:
            locked.status = PostStatus.HIDDEN
            locked.save(update_fields=["status"])
        post.status = locked.status
        return ReportOutcome(report=report, created=True, hid_post=hid)


def decide(
    *, moderator: User, post: Post, action: str, explanation: str, days: int | None = None
) -> ModerationDecision:
    """Record a moderator's decision on ``post``, move the post, resolve its open reports.

    ``days`` (1, 7 or 30) is required to suspend the author from posting. The explanation is
    required: the author reads it (except for a dismissal, the moderator's own note).
    """
    if moderator.role != Role.STAFF:
        raise DecisionRefused(_("Seule l’équipe de modération peut décider."))
    explanation = (explanation or "").strip()
    if not explanation:
        raise DecisionRefused(_("Expliquez votre décision : l’auteur la lira."))
    if action == DecisionAction.SUSPEND and days not in SUSPENSION_DAYS:
        raise DecisionRefused(_("Choisissez une durée de suspension de 1, 7 ou 30 jours."))
    now = timezone.now()
    with atomic():
        locked = _locked(post)
        if action not in actions_for(locked):
            raise DecisionRefused(_("Cette décision ne s’applique pas à un message dans cet état."))
        if action in (DecisionAction.WARN, DecisionAction.SUSPEND) and locked.author_id is None:
            raise DecisionRefused(_("L’auteur de ce message a supprimé son compte."))
        if action == DecisionAction.DISMISS and open_reporters(locked) == 0:
            raise DecisionRefused(_("Ce message n’a aucun signalement en attente."))
        until = now + dt.timedelta(days=days) if action == DecisionAction.SUSPEND and days else None
        decision = ModerationDecision.objects.create(
            moderator=moderator,
            author_id=locked.author_id,
            action=action,
            explanation=explanation,
            suspended_until=until,
            created_at=now,
            **target_of(locked),
        )
        if until is not None and locked.author_id is not None:
            PostingSuspension.objects.create(user_id=locked.author_id, until=until, decision=decision, created_at=now)
        status = NEXT_STATUS.get(DecisionAction(action))
        if status is not None:
            locked.status = status
            fields = ["status"]
            if status == PostStatus.PUBLISHED and locked.published_at is None:
                locked.published_at = now
                fields.append("published_at")
            locked.save(update_fields=fields)
            post.status, post.published_at = locked.status, locked.published_at
        Report.objects.filter(**target_of(locked), resolved_at__isnull=True).update(resolved_at=now)
        return decision
