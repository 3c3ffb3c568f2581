"""Reads of moderation: the moderators' queue, a post's file, the decisions an author reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.social.entraide.models import Answer, PostStatus, Question
from civiquest.social.moderation.models import DecisionAction, ModerationDecision, PostingSuspension, Report
from civiquest.social.selectors import pseudonyms_of

Post = Question | Answer
QUEUE_PAGE_SIZE = 25
HISTORY_SIZE = 50
# The queue's tabs: which posts each lists.
TAB_PENDING = "a-valider"
TAB_HIDDEN = "masques"
TAB_REPORTED = "signales"
TABS = (TAB_PENDING, TAB_HIDDEN, TAB_REPORTED)
OPEN_REPORTS = Count("reports", filter=Q(reports__resolved_at__isnull=True))


@dataclass(frozen=True)
class QueueItem:
    post: Post
    kind: str  # "question" or "answer"
    procedure_title: str
    excerpt: str
    author_pseudonym: str | None
    open_reports: int
    created_at: dt.datetime


@dataclass(frozen=True)
class QueuePage:
    tab: str
    items: list[QueueItem]
    page: int
    has_next: bool
    counts: dict[str, int]


def posting_suspended_until(user: User) -> dt.datetime | None:
    """Until when the user may not post (a moderator's suspension), or None if they may."""
    if user.pk is None:
        return None
    return (
        PostingSuspension.objects.filter(user=user, until__gt=timezone.now())
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )


def open_reporters(post: Post) -> int:
    """How many distinct citizens reported the post since its last review."""
    return (
        Report.objects.filter(**{_kind(post): post}, resolved_at__isnull=True).values("reporter_id").distinct().count()
    )


def post_for_staff(kind: str, post_id: int) -> Post | None:
    """Any question or answer, whatever its status, with what its page shows."""
    if kind == "question":
        return Question.objects.select_related("procedure", "author").filter(pk=post_id).first()
    return Answer.objects.select_related("question__procedure", "author").filter(pk=post_id).first()


def reportable_post(kind: str, post_id: int, *, reporter: User) -> Post | None:
    """The post a citizen may report: published, or already reported by them (the confirmation)."""
    visible = Q(status=PostStatus.PUBLISHED) | Q(reports__reporter=reporter)
    model: type[Question] | type[Answer] = Question if kind == "question" else Answer
    related = "procedure" if kind == "question" else "question__procedure"
    return model.objects.select_related(related).filter(visible, pk=post_id).distinct().first()


def report_of(post: Post, *, reporter: User) -> Report | None:
    return Report.objects.filter(reporter=reporter, **{_kind(post): post}).first()


def is_public(post: Post) -> bool:
    """Whether other citizens see the post now (entraide lists only published posts)."""
    return type(post).objects.filter(pk=post.pk, status=PostStatus.PUBLISHED).exists()


def _kind(post: Post) -> str:
    return "question" if isinstance(post, Question) else "answer"


def procedure_title_of(post: Post) -> str:
    question = post if isinstance(post, Question) else post.question
    return question.procedure.title


def excerpt_of(post: Post, length: int = 160) -> str:
    text = post.title if isinstance(post, Question) else post.body
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _tab_filters(tab: str) -> Q:
    if tab == TAB_PENDING:
        return Q(status=PostStatus.PENDING)
    if tab == TAB_HIDDEN:
        return Q(status=PostStatus.HIDDEN)
    return Q(status=PostStatus.PUBLISHED, open_reports__gt=0)


def _tab_queryset(model: type[Question] | type[Answer], tab: str) -> QuerySet[Any]:
    related = "procedure" if model is Question else "question__procedure"
    return (
        model.objects.select_related(related)
        .annotate(open_reports=OPEN_REPORTS)
        .filter(_tab_filters(tab))
        .order_by("created_at", "pk")
    )


def _tab_count(tab: str) -> int:
    return sum(
        model.objects.annotate(open_reports=OPEN_REPORTS).filter(_tab_filters(tab)).count()
        for model in (Question, Answer)
    )


def moderation_queue(tab: str, *, page: int = 1, size: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """One page of a tab, questions and answers together, oldest first (the longest waiting)."""
    tab = tab if tab in TABS else TAB_PENDING
    page = max(1, page)
    end = page * size
    posts: list[Post] = [*_tab_queryset(Question, tab)[: end + 1], *_tab_queryset(Answer, tab)[: end + 1]]
    posts.sort(key=lambda post: (post.created_at, _kind(post), post.pk))
    window = posts[end - size : end]
    names = pseudonyms_of(post.author_id for post in window if post.author_id)
    items = [
        QueueItem(
            post=post,
            kind=_kind(post),
            procedure_title=procedure_title_of(post),
            excerpt=excerpt_of(post),
            author_pseudonym=names.get(post.author_id) if post.author_id else None,
            open_reports=post.open_reports,  # type: ignore[union-attr]
            created_at=post.created_at,
        )
        for post in window
    ]
    return QueuePage(
        tab=tab,
        items=items,
        page=page,
        has_next=len(posts) > end,
        counts={name: _tab_count(name) for name in TABS},
    )


def reports_on(post: Post) -> list[Report]:
    """The post's reports, open ones first, newest first."""
    return list(Report.objects.filter(**{_kind(post): post}).order_by("-resolved_at", "-created_at", "-pk"))


def author_history(author_id: int | None, *, size: int = HISTORY_SIZE) -> list[ModerationDecision]:
    """The latest decisions about an author's posts, with the post each is about."""
    if author_id is None:
        return []
    return list(
        ModerationDecision.objects.filter(author_id=author_id)
        .select_related("question", "answer__question", "moderator")
        .order_by("-created_at", "-pk")[:size]
    )


def decisions_about(user: User) -> list[ModerationDecision]:
    """What moderators decided about the user's posts, newest first (not a dismissed report)."""
    return list(
        ModerationDecision.objects.filter(author=user)
        .exclude(action=DecisionAction.DISMISS)
        .select_related("question", "answer__question")
        .order_by("-created_at", "-pk")
    )


def citizen_moderation_data(citizen: User) -> dict[str, list[dict[str, Any]]]:
    """For the data export: the citizen's reports, the decisions about their posts, their suspensions."""
    return {
        "reports": [
            {
                "question": report.question_id,
                "answer": report.answer_id,
                "reason": report.reason,
                "comment": report.comment,
                "created_at": report.created_at,
                "resolved_at": report.resolved_at,
            }
            for report in Report.objects.filter(reporter=citizen).order_by("created_at", "pk")
        ],
        "decisions": [
            {
                "question": decision.question_id,
                "answer": decision.answer_id,
                "action": decision.action,
                "explanation": decision.explanation,
                "suspended_until": decision.suspended_until,
                "created_at": decision.created_at,
            }
            for decision in ModerationDecision.objects.filter(author=citizen)
            .exclude(action=DecisionAction.DISMISS)
            .order_by("created_at", "pk")
        ],
        "suspensions": [
            {"until": row.until, "created_at": row.created_at}
            for row in PostingSuspension.objects.filter(user=citizen).order_by("created_at", "pk")
        ],
    }
