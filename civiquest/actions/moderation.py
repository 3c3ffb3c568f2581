"""Citizens report entraide posts; moderators decide on them. Every decision is audited and explained."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.actions.entraide import answer_confirm_helpful, answer_published_notify
from civiquest.core import ratelimit
from civiquest.core.transactions import use_case
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.social.entraide.models import Answer, Question
from civiquest.social.moderation import services
from civiquest.social.moderation.models import DecisionAction, ModerationDecision

Post = Question | Answer
# A citizen reports at most this many posts per hour (a report is cheap to make, costly to review).
REPORTS_PER_HOUR = 20

AUDIT_REPORT = "moderation.report"
AUDIT_AUTO_HIDE = "moderation.auto_hide"

DECISION_TITLES = {
    DecisionAction.APPROVE: gettext_lazy("Votre message d’entraide est publié"),
    DecisionAction.HIDE: gettext_lazy("Votre message d’entraide est masqué par la modération"),
    DecisionAction.RESTORE: gettext_lazy("Votre message d’entraide est de nouveau affiché"),
    DecisionAction.REMOVE: gettext_lazy("Votre message d’entraide est retiré par la modération"),
    DecisionAction.WARN: gettext_lazy("Un avertissement de la modération de l’entraide"),
    DecisionAction.SUSPEND: gettext_lazy("Vous ne pouvez plus publier dans l’entraide pour le moment"),
}


def _target(post: Post) -> tuple[str, int, str]:
    return (f"entraide.{services.post_kind(post)}", post.pk, services.post_kind(post))


def _decisions_url() -> str:
    return reverse("citizen:moderation-decisions")


@use_case
def post_report(*, reporter: User, post: Post, reason: str, comment: str = "") -> services.ReportOutcome:
    """Report a post (once); at the threshold of distinct reporters it is hidden and its author told."""
    ratelimit.check(
        f"moderation-report:{reporter.pk}",
        limit=REPORTS_PER_HOUR,
        window=3600,
        message=lambda: _("Vous avez fait beaucoup de signalements en peu de temps : réessayez dans une heure."),
    )
    outcome = services.report_post(reporter=reporter, post=post, reason=reason, comment=comment)
    if not outcome.created:
        return outcome
    audit_record(actor=reporter, action=AUDIT_REPORT, target=_target(post), details={"reason": reason})
    if outcome.hid_post:
        audit_record(
            actor=None,
            action=AUDIT_AUTO_HIDE,
            target=_target(post),
            details={"reports": services.reports_to_hide()},
        )
        if post.author is not None:
            notify(
                recipient=post.author,
                kind=NotificationKind.MODERATION,
                key=f"moderation-hidden:{outcome.report.pk}",
                title=_("Votre message d’entraide est masqué en attendant l’examen"),
                body=_(
                    "Plusieurs personnes l’ont signalé. Un modérateur va l’examiner : il sera rétabli ou "
                    "retiré, et vous recevrez l’explication de sa décision."
                ),
                url=_decisions_url(),
                key_is_new=True,
            )
    return outcome


@use_case
def moderation_decide(
    *, moderator: User, post: Post, action: str, explanation: str, days: int | None = None
) -> ModerationDecision:
    """A moderator's decision: recorded, the post moved, its reports resolved, audited, explained to the author."""
    decision = services.decide(moderator=moderator, post=post, action=action, explanation=explanation, days=days)
    details: dict[str, object] = {"action": action}
    if decision.suspended_until is not None:
        details["suspended_until"] = decision.suspended_until.isoformat()
    audit_record(
        actor=moderator,
        action=f"moderation.{action}",
        target=_target(post),
        motivation=decision.explanation,
        details=details,
    )
    if isinstance(post, Answer) and action == DecisionAction.CONFIRM_HELPFUL:
        # The reward, its audit line and the helper's notification: as when the asker accepts.
        answer_confirm_helpful(answer=post, moderator=moderator, explanation=decision.explanation)
    if isinstance(post, Answer) and action == DecisionAction.APPROVE:
        post.refresh_from_db(fields=["status", "published_at"])
        answer_published_notify(post)
    author = post.author
    if author is not None and action in DECISION_TITLES:
        notify(
            recipient=author,
            kind=NotificationKind.MODERATION,
            key=f"moderation-decision:{decision.pk}",
            title=str(DECISION_TITLES[DecisionAction(action)]),
            body=decision.explanation,
            url=_decisions_url(),
            key_is_new=True,
        )
    return decision
