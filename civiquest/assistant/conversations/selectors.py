"""Reads on the assistant's conversations, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from civiquest.accounts.models import User
from civiquest.assistant.conversations.models import Conversation, Feedback, Message, MessageRole, Vote
from civiquest.catalogue.models import Procedure, ProcedureStatus

HISTORY_LENGTH = 50


def conversations_of(*, citizen: User, limit: int = HISTORY_LENGTH) -> list[Conversation]:
    """The citizen's latest conversations, most recent first, each with ``questions`` (its number of questions)."""
    return list(
        Conversation.objects.filter(citizen=citizen)
        .annotate(questions=Count("messages", filter=Q(messages__role=MessageRole.CITIZEN)))
        .order_by("-updated_at", "-pk")[:limit]
    )


def conversation_of(*, citizen: User, conversation_id: int) -> Conversation | None:
    """One of the citizen's conversations with its messages (and their feedback) prefetched; None if not theirs."""
    return (
        Conversation.objects.filter(pk=conversation_id, citizen=citizen)
        .prefetch_related(
            Prefetch("messages", queryset=Message.objects.select_related("feedback").order_by("created_at", "pk"))
        )
        .first()
    )


def question_of(*, citizen: User, message_id: int) -> Message | None:
    """One of the citizen's questions, with its conversation; None if not theirs."""
    return (
        Message.objects.filter(pk=message_id, role=MessageRole.CITIZEN, conversation__citizen=citizen)
        .select_related("conversation")
        .first()
    )


def answer_of(*, citizen: User, message_id: int) -> Message | None:
    """One of the answers given to the citizen, with its feedback; None if not theirs."""
    return (
        Message.objects.filter(pk=message_id, role=MessageRole.ASSISTANT, conversation__citizen=citizen)
        .select_related("conversation", "feedback")
        .first()
    )


def procedure_titles(slugs: Iterable[str]) -> dict[str, str]:
    """Titles of published procedures by slug, in one query (unknown or unpublished slugs left out)."""
    wanted = {slug for slug in slugs if slug}
    if not wanted:
        return {}
    return dict(
        Procedure.objects.filter(slug__in=wanted, status=ProcedureStatus.PUBLISHED).values_list("slug", "title")
    )


def procedures_offered(slugs: Iterable[str]) -> list[dict[str, str]]:
    """The procedures an answer offers apart ("Faire la démarche"), shaped as its sources, in order."""
    ordered = list(dict.fromkeys(slug for slug in slugs if slug))
    titles = procedure_titles(ordered)
    return [
        {
            "id": slug,
            "title": titles[slug],
            "url": reverse("citizen:procedure", args=[slug]),
            "kind": "procedure",
            "updated_on": "",
        }
        for slug in ordered
        if slug in titles
    ]


# --- Staff statistics --------------------------------------------------------------------------------


@dataclass
class AskedQuestion:
    question: str
    asked: int


@dataclass
class RatedAnswer:
    question: str
    down: int
    up: int


@dataclass
class ProcedureStats:
    slug: str
    title: str
    asked: list[AskedQuestion] = field(default_factory=list)
    worst: list[RatedAnswer] = field(default_factory=list)


def _ranked(queryset: QuerySet[Any, Any], *order: Any, per_procedure: int) -> QuerySet[Any, dict[str, Any]]:
    return queryset.annotate(
        rank=Window(RowNumber(), partition_by=[F("conversation__procedure_slug")], order_by=list(order))
    ).filter(rank__lte=per_procedure)


def assistant_stats(*, since: datetime, per_procedure: int = 10) -> list[ProcedureStats]:
    """Per procedure (and "no procedure"), the most asked questions and the answers rated worst, in 3 queries.

    Questions are grouped by their normalized text; an answer group is rated worst by its
    number of thumbs down, then fewest thumbs up.
    """
    asked = _ranked(
        Message.objects.filter(role=MessageRole.CITIZEN, created_at__gte=since)
        .exclude(question_key="")
        .values("conversation__procedure_slug", "question_key")
        .annotate(asked=Count("pk"), example=Max("text")),
        F("asked").desc(),
        F("question_key").asc(),
        per_procedure=per_procedure,
    ).order_by("conversation__procedure_slug", "rank")
    worst = _ranked(
        Message.objects.filter(role=MessageRole.ASSISTANT, created_at__gte=since, feedback__isnull=False)
        .exclude(question_key="")
        .values("conversation__procedure_slug", "question_key")
        .annotate(
            down=Count("pk", filter=Q(feedback__vote=Vote.DOWN)),
            up=Count("pk", filter=Q(feedback__vote=Vote.UP)),
            example=Max("reply_to__text"),
        )
        .filter(down__gt=0),
        F("down").desc(),
        F("up").asc(),
        F("question_key").asc(),
        per_procedure=per_procedure,
    ).order_by("conversation__procedure_slug", "rank")
    by_slug: dict[str, ProcedureStats] = {}
    asked_rows: list[dict[str, Any]] = list(asked)
    worst_rows: list[dict[str, Any]] = list(worst)
    titles = procedure_titles(row["conversation__procedure_slug"] for row in [*asked_rows, *worst_rows])
    for row in asked_rows:
        slug = row["conversation__procedure_slug"]
        stats = by_slug.setdefault(slug, ProcedureStats(slug=slug, title=titles.get(slug, slug)))
        stats.asked.append(AskedQuestion(question=row["example"], asked=row["asked"]))
    for row in worst_rows:
        slug = row["conversation__procedure_slug"]
        stats = by_slug.setdefault(slug, ProcedureStats(slug=slug, title=titles.get(slug, slug)))
        stats.worst.append(RatedAnswer(question=row["example"] or "", down=row["down"], up=row["up"]))
    # Procedures by title, questions asked outside any procedure last.
    return sorted(by_slug.values(), key=lambda stats: (stats.slug == "", stats.title.lower()))


def negative_comments(*, since: datetime, limit: int = 20) -> list[Feedback]:
    """The latest thumbs down with a comment, with the question and answer they are about, in one query."""
    return list(
        Feedback.objects.filter(vote=Vote.DOWN, created_at__gte=since)
        .exclude(comment="")
        .select_related("message__conversation", "message__reply_to")
        .order_by("-updated_at", "-pk")[:limit]
    )
