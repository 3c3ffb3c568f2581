"""Read questions, answers, votes and the fairness facts of entraide.

Only ``PUBLISHED`` posts are shown to others; a viewer also sees their own pending posts
(marked "en attente de modération"). Lists are read in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.catalogue.models import Procedure
from civiquest.social.entraide.cache import cached_entraide_read
from civiquest.social.entraide.models import Answer, HelpReward, PostStatus, Question, Vote
from civiquest.social.moderation.models import PostingSuspension
from civiquest.social.selectors import pseudonyms_of


def _visible(viewer: User | None) -> Q:
    if viewer is None or not viewer.is_authenticated:
        return Q(status=PostStatus.PUBLISHED)
    return Q(status=PostStatus.PUBLISHED) | Q(author=viewer, status=PostStatus.PENDING)


def posting_suspended_until(user: User, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The end of the user's current suspension from posting (the latest), or None."""
    now = now or timezone.now()
    return (
        PostingSuspension.objects.filter(user=user, until__gt=now)
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )


def has_published_post(user: User) -> bool:
    """True once one of the user's questions or answers was published (by a moderator or the rules)."""
    return (
        Question.objects.filter(author=user, status=PostStatus.PUBLISHED).exists()
        or Answer.objects.filter(author=user, status=PostStatus.PUBLISHED).exists()
    )


@dataclass
class QuestionRow:
    question: Question
    pseudonym: str
    answers: int
    has_accepted: bool
    step_title: str = ""


def _rows(questions: Iterable[Question]) -> list[QuestionRow]:
    questions = list(questions)
    names = pseudonyms_of(q.author_id for q in questions if q.author_id)
    return [
        QuestionRow(
            question=q,
            pseudonym=names.get(q.author_id or 0, ""),
            answers=getattr(q, "answer_total", 0),
            has_accepted=bool(getattr(q, "has_accepted", False)),
        )
        for q in questions
    ]


def _annotated(queryset: QuerySet[Question]) -> QuerySet[Question]:
    accepted = Answer.objects.filter(question=OuterRef("pk"), accepted_at__isnull=False)
    return queryset.annotate(
        answer_total=Count("answers", filter=Q(answers__status=PostStatus.PUBLISHED)),
        has_accepted=Exists(accepted),
    )


def questions_of_procedure(
    procedure: Procedure, *, step_slug: str = "", viewer: User | None = None, limit: int = 100
) -> list[QuestionRow]:
    """The procedure's questions (on one step if given), newest first: published, and the viewer's pending ones."""
    queryset = Question.objects.filter(_visible(viewer), procedure=procedure)
    if step_slug:
        queryset = queryset.filter(step_slug=step_slug)
    return _rows(_annotated(queryset).order_by("-created_at", "-pk")[:limit])


def step_questions(procedure_id: int, step_slug: str, *, limit: int = 3) -> list[Question]:
    """A step's best published questions: those with an accepted answer first, then by helpful votes.

    From the cache until a question, an answer or a vote changes (``entraide.cache``); else one query.
    """
    return cached_entraide_read(
        f"step:{procedure_id}:{step_slug}:{limit}", lambda: _step_questions(procedure_id, step_slug, limit)
    )


def _step_questions(procedure_id: int, step_slug: str, limit: int) -> list[Question]:
    accepted = Answer.objects.filter(question=OuterRef("pk"), accepted_at__isnull=False)
    return list(
        Question.objects.filter(procedure_id=procedure_id, step_slug=step_slug, status=PostStatus.PUBLISHED)
        .annotate(
            has_accepted=Exists(accepted),
            helpful=Count("answers__votes"),
        )
        .order_by("-has_accepted", "-helpful", "-created_at")[:limit]
    )


def question_visible(question_id: int, viewer: User | None) -> Question | None:
    """The question if the viewer may read it (published, or their own pending one)."""
    return Question.objects.filter(_visible(viewer), pk=question_id).select_related("procedure").first()


@dataclass
class AnswerRow:
    answer: Answer
    pseudonym: str
    voted: bool
    mine: bool


@dataclass
class QuestionPage:
    question: Question
    pseudonym: str
    answers: list[AnswerRow] = field(default_factory=list)
    asker: bool = False
    has_accepted: bool = False


def question_page(question: Question, viewer: User | None) -> QuestionPage:
    """The question and its visible answers: the accepted one first, then by helpful votes (3 queries)."""
    answers = list(
        Answer.objects.filter(_visible(viewer), question=question).order_by(
            "accepted_at", "-helpful_count", "created_at", "pk"
        )
    )
    answers.sort(key=lambda a: a.accepted_at is None)  # accepted first (NULLs order differs per database)
    names = pseudonyms_of({a.author_id for a in answers if a.author_id} | {question.author_id or 0})
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    voted: set[int] = set()
    if viewer_id is not None and answers:
        voted = set(Vote.objects.filter(voter_id=viewer_id, answer__in=answers).values_list("answer_id", flat=True))
    rows = [
        AnswerRow(
            answer=a,
            pseudonym=names.get(a.author_id or 0, ""),
            voted=a.pk in voted,
            mine=viewer_id is not None and a.author_id == viewer_id,
        )
        for a in answers
    ]
    return QuestionPage(
        question=question,
        pseudonym=names.get(question.author_id or 0, ""),
        answers=rows,
        asker=viewer_id is not None and question.author_id == viewer_id,
        has_accepted=any(a.accepted_at for a in answers),
    )


def answer_of(answer_id: int) -> Answer | None:
    return Answer.objects.filter(pk=answer_id).select_related("question").first()


def accepted_questions_of(procedure_slugs: Iterable[str], *, limit: int = 3) -> list[Question]:
    """Published questions of these procedures with a published accepted answer, newest accepted first (one query).

    At most ``limit`` per procedure's share of the list: the caller keeps the first ones of each answer.
    """
    slugs = list(dict.fromkeys(procedure_slugs))
    if not slugs:
        return []
    return list(
        Question.objects.filter(
            procedure__slug__in=slugs,
            status=PostStatus.PUBLISHED,
            answers__accepted_at__isnull=False,
            answers__status=PostStatus.PUBLISHED,
        )
        .select_related("procedure")
        .order_by("-answers__accepted_at", "-pk")[: limit * len(slugs)]
    )


# --- Fairness facts ----------------------------------------------------------------------------------


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=int(settings.ENTRAIDE_RING_WINDOW_DAYS))


def rewarded_count(*, helper_id: int, week: str, helped_id: int | None = None) -> int:
    rows = HelpReward.objects.filter(helper_id=helper_id, week=week, rewarded=True)
    if helped_id is not None:
        rows = rows.filter(helped_id=helped_id)
    return rows.count()


def in_ring(*, helper_id: int, helped_id: int, now: dt.datetime) -> bool:
    """True when helping ``helped_id`` would only feed a closed circle of accounts (docs/architecture.md).

    In the window (``ENTRAIDE_RING_WINDOW_DAYS``), the helper's *circle* is everyone with a
    rewarded help towards the helper, directly (X helped the helper) or through one account (X
    helped Y who helped the helper). A ring: the helped person is in the circle, the helper
    already earned at least ``ENTRAIDE_RING_MIN_REWARDS`` rewards in the window, and every one
    of them went to the circle. An honest helper, who helps people outside it, keeps earning.
    """
    since = _window_start(now)
    rewarded = HelpReward.objects.filter(rewarded=True, created_at__gte=since)
    direct = set(rewarded.filter(helped_id=helper_id).values_list("helper_id", flat=True))
    second = set(rewarded.filter(helped_id__in=direct).values_list("helper_id", flat=True)) if direct else set()
    circle = (direct | second) - {helper_id}
    if helped_id not in circle:
        return False
    given = list(rewarded.filter(helper_id=helper_id).values_list("helped_id", flat=True))
    return len(given) >= int(settings.ENTRAIDE_RING_MIN_REWARDS) and all(h in circle for h in given)


# --- The citizen's own data (export) -------------------------------------------------------------


def entraide_export(user: User) -> dict[str, Any]:
    """The citizen's questions, answers and votes, for the data export."""
    return {
        "questions": [
            {
                "procedure": slug,
                "step": step,
                "title": title,
                "body": body,
                "status": status,
                "created_at": created.isoformat(),
            }
            for slug, step, title, body, status, created in Question.objects.filter(author=user)
            .order_by("created_at")
            .values_list("procedure__slug", "step_slug", "title", "body", "status", "created_at")
        ],
        "answers": [
            {
                "question": question,
                "body": body,
                "fiche_url": fiche,
                "status": status,
                "accepted": accepted is not None,
                "created_at": created.isoformat(),
            }
            for question, body, fiche, status, accepted, created in Answer.objects.filter(author=user)
            .order_by("created_at")
            .values_list("question__title", "body", "fiche_url", "status", "accepted_at", "created_at")
        ],
        "votes": [
            {"answer": answer_id, "created_at": created.isoformat()}
            for answer_id, created in Vote.objects.filter(voter=user)
            .order_by("created_at")
            .values_list("answer_id", "created_at")
        ],
    }
