"""Entraide in the JSON API (mounted at ``/api/v1/entraide/``).

Signed-in citizens only, by their Django session (``django_auth``, CSRF checked on writes).

- ``GET /questions?procedure=<slug>&step=<slug>``: a procedure's published questions (and the
  caller's pending ones), newest first;
- ``POST /questions`` ``{"procedure", "step", "title", "body", "confirm_personal_data"}`` (201);
- ``GET /questions/{id}``: the question and its answers (the accepted one first, then by votes);
- ``POST /questions/{id}/answers`` ``{"body", "fiche_url", "confirm_personal_data"}`` (201);
- ``POST /answers/{id}/vote``, ``POST /answers/{id}/accept``: idempotent (the same again: 200, the same result).

A post with a NIR, an IBAN, a phone number or an e-mail address is refused (400); one with other
personal data (a name, an address, a birth date) needs ``"confirm_personal_data": true`` (else 400).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import django_auth

from civiquest.accounts.models import Role, User
from civiquest.actions import entraide as actions
from civiquest.catalogue.selectors import published_steps
from civiquest.core.api_errors import BadInputOut
from civiquest.core.errors import ProcedureError
from civiquest.quests.selectors import published_procedure
from civiquest.social.entraide import selectors
from civiquest.social.entraide.models import Answer, Question
from civiquest.social.selectors import pseudonym_of

router = Router(tags=["entraide"])
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ErrorOut(Schema):
    detail: str


class QuestionsQuery(Schema):
    procedure: str = Field(..., pattern=SLUG_PATTERN, max_length=80)
    step: str = Field("", pattern=r"^([a-z0-9]+(-[a-z0-9]+)*)?$", max_length=60)


class QuestionIn(Schema):
    procedure: str = Field(..., pattern=SLUG_PATTERN, max_length=80)
    step: str = Field("", pattern=r"^([a-z0-9]+(-[a-z0-9]+)*)?$", max_length=60)
    title: str = Field(..., min_length=1, max_length=160)
    body: str = Field("", max_length=2000)
    confirm_personal_data: bool = False


class AnswerIn(Schema):
    body: str = Field(..., min_length=1, max_length=4000)
    fiche_url: str = Field("", max_length=300)
    confirm_personal_data: bool = False


class AnswerOut(Schema):
    id: int
    author: str
    body: str
    fiche_url: str
    status: str
    accepted: bool
    helpful_count: int
    created_at: dt.datetime


class QuestionOut(Schema):
    id: int
    procedure: str
    step: str
    title: str
    body: str
    author: str
    status: str
    answers: int
    has_accepted: bool
    created_at: dt.datetime


class QuestionDetailOut(QuestionOut):
    answer_list: list[AnswerOut]


class VoteOut(Schema):
    answer: int
    voted: bool
    helpful_count: int


class AcceptOut(Schema):
    answer: int
    accepted: bool


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.CITIZEN else None


def _forbidden() -> Status[Any]:
    return Status(403, ErrorOut(detail=_("Réservé aux usagers connectés.")))


def _no_pseudonym() -> Status[Any]:
    return Status(403, ErrorOut(detail=_("Choisissez d’abord votre pseudonyme d’entraide, dans votre espace.")))


def _question_out(question: Question, *, author: str, answers: int, has_accepted: bool) -> QuestionOut:
    return QuestionOut(
        id=question.pk,
        procedure=question.procedure.slug,
        step=question.step_slug,
        title=question.title,
        body=question.body,
        author=author,
        status=question.status,
        answers=answers,
        has_accepted=has_accepted,
        created_at=question.created_at,
    )


def _answer_out(answer: Answer, author: str) -> AnswerOut:
    return AnswerOut(
        id=answer.pk,
        author=author,
        body=answer.body,
        fiche_url=answer.fiche_url,
        status=answer.status,
        accepted=answer.accepted_at is not None,
        helpful_count=answer.helpful_count,
        created_at=answer.created_at,
    )


def _detail(question: Question, viewer: User) -> QuestionDetailOut:
    page = selectors.question_page(question, viewer)
    base = _question_out(question, author=page.pseudonym, answers=len(page.answers), has_accepted=page.has_accepted)
    return QuestionDetailOut(
        **base.dict(), answer_list=[_answer_out(row.answer, row.pseudonym) for row in page.answers]
    )


def _refused(error: ProcedureError) -> Status[Any]:
    return Status(400, BadInputOut(detail=error.message))


@router.get(
    "/questions",
    auth=django_auth,
    response={200: list[QuestionOut], 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="A procedure's questions (on one step if given), newest first",
)
def questions_list(request: HttpRequest, filters: Query[QuestionsQuery]) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    procedure = published_procedure(slug=filters.procedure)
    if procedure is None:
        return Status(404, ErrorOut(detail=_("Cette démarche n’existe pas.")))
    rows = selectors.questions_of_procedure(procedure, step_slug=filters.step, viewer=citizen)
    return Status(
        200,
        [
            _question_out(row.question, author=row.pseudonym, answers=row.answers, has_accepted=row.has_accepted)
            for row in rows
        ],
    )


@router.post(
    "/questions",
    auth=django_auth,
    response={201: QuestionDetailOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="Ask a question on a procedure (and one of its steps); a newcomer's first posts wait for moderation",
)
def question_ask(request: HttpRequest, payload: QuestionIn) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    if pseudonym_of(citizen) is None:
        return _no_pseudonym()
    procedure = published_procedure(slug=payload.procedure)
    if procedure is None:
        return Status(404, ErrorOut(detail=_("Cette démarche n’existe pas.")))
    if payload.step and payload.step not in {step.slug for step in published_steps(procedure)}:
        return Status(400, BadInputOut(detail=_("Cette étape n’existe pas dans cette démarche.")))
    try:
        question = actions.question_ask(
            author=citizen,
            procedure=procedure,
            step_slug=payload.step,
            title=payload.title,
            body=payload.body,
            confirm_personal_data=payload.confirm_personal_data,
        )
    except ProcedureError as error:
        return _refused(error)
    return Status(201, _detail(question, citizen))


def _visible_question(citizen: User, question_id: int) -> Question | None:
    return selectors.question_visible(question_id, citizen)


@router.get(
    "/questions/{question_id}",
    auth=django_auth,
    response={200: QuestionDetailOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="A question and its answers, the accepted one first, then by helpful votes",
)
def question_detail(request: HttpRequest, question_id: Id) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    question = _visible_question(citizen, question_id)
    if question is None:
        return Status(404, ErrorOut(detail=_("Cette question n’existe pas.")))
    return Status(200, _detail(question, citizen))


@router.post(
    "/questions/{question_id}/answers",
    auth=django_auth,
    response={201: AnswerOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="Answer a question (a fiche of service-public.fr or legifrance.gouv.fr may be cited)",
)
def answer_post(request: HttpRequest, question_id: Id, payload: AnswerIn) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    name = pseudonym_of(citizen)
    if name is None:
        return _no_pseudonym()
    question = _visible_question(citizen, question_id)
    if question is None:
        return Status(404, ErrorOut(detail=_("Cette question n’existe pas.")))
    try:
        answer = actions.answer_post(
            author=citizen,
            question=question,
            body=payload.body,
            fiche_url=payload.fiche_url,
            confirm_personal_data=payload.confirm_personal_data,
        )
    except ProcedureError as error:
        return _refused(error)
    return Status(201, _answer_out(answer, name))


def _visible_answer(citizen: User, answer_id: int) -> Answer | None:
    answer = selectors.answer_of(answer_id)
    if answer is None or _visible_question(citizen, answer.question_id) is None:
        return None
    return answer


@router.post(
    "/answers/{answer_id}/vote",
    auth=django_auth,
    response={200: VoteOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="Find an answer “utile” (once: voting again answers the same)",
)
def answer_vote(request: HttpRequest, answer_id: Id) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    answer = _visible_answer(citizen, answer_id)
    if answer is None:
        return Status(404, ErrorOut(detail=_("Cette réponse n’existe pas.")))
    try:
        actions.answer_vote(voter=citizen, answer=answer)
    except ProcedureError as error:
        return _refused(error)
    answer.refresh_from_db(fields=["helpful_count"])
    return Status(200, VoteOut(answer=answer.pk, voted=True, helpful_count=answer.helpful_count))


@router.post(
    "/answers/{answer_id}/accept",
    auth=django_auth,
    response={200: AcceptOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="The asker accepts an answer (once: accepting it again answers the same)",
)
def answer_accept(request: HttpRequest, answer_id: Id) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    answer = _visible_answer(citizen, answer_id)
    if answer is None:
        return Status(404, ErrorOut(detail=_("Cette réponse n’existe pas.")))
    try:
        actions.answer_accept(asker=citizen, answer=answer)
    except ProcedureError as error:
        return _refused(error)
    return Status(200, AcceptOut(answer=answer.pk, accepted=True))
