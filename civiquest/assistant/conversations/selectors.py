"""Reads on the assistant's conversations, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from civiquest.accounts.models import User
from civiquest.assistant.conversations.models import Conversation, Feedback, Message, MessageRole, Vote
from civiquest.catalogue.models import Procedure, ProcedureStatus

# Conversations per page of the history, exchanges (a question and its answer) per page of a conversation.
HISTORY_PAGE_SIZE = 20
EXCHANGES_PAGE_SIZE = 10


def _conversations(citizen: User) -> QuerySet[Conversation]:
    """The citizen's conversations, most recent first, each with ``questions`` (its number of questions)."""
    return (
        Conversation.objects.filter(citizen=citizen)
        .annotate(questions=Count("messages", filter=Q(messages__role=MessageRole.CITIZEN)))
        .order_by("-updated_at", "-pk")
    )


def conversations_page(*, citizen: User, number: str | int | None, per_page: int = HISTORY_PAGE_SIZE) -> Page[Any]:
    """One page of the citizen's conversations, most recent first (two queries: the count, the page).

    ``number`` as read from the query string: anything that is not a page number gives the first page.
    """
    return Paginator(_conversations(citizen), per_page).get_page(number)


def conversation_of(*, citizen: User, conversation_id: int) -> Conversation | None:
    """One of the citizen's conversations; None if not theirs."""
    return Conversation.objects.filter(pk=conversation_id, citizen=citizen).first()


@dataclass
class Exchange:
    """A question of a conversation and its answer (None while it is being answered, or if answering failed)."""

    question: Message
    answer: Message | None


def exchanges_page(
    *, conversation: Conversation, number: str | int | None, per_page: int = EXCHANGES_PAGE_SIZE
) -> Page[Any]:
    """One page of a conversation's exchanges, oldest first; the last page (the latest exchanges) by default.

    Three queries: the count, the page's questions, their answers with their feedback. A
    ``number`` that is not a page number (absent, ``abc``, too big) gives the last page.
    """
    questions = Message.objects.filter(conversation=conversation, role=MessageRole.CITIZEN).order_by(
        "created_at", "pk"
    )
    paginator = Paginator(questions, per_page)
    try:
        page = paginator.page(int(str(number)))
    except (TypeError, ValueError, InvalidPage):
        page = paginator.page(paginator.num_pages)
    asked = list(page.object_list)
    answers = {
        answer.reply_to_id: answer
        for answer in Message.objects.filter(reply_to__in=asked, role=MessageRole.ASSISTANT).select_related("feedback")
    }
    exchanges: list[Any] = [Exchange(question=question, answer=answers.get(question.pk)) for question in asked]
    return Page(exchanges, page.number, paginator)


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
