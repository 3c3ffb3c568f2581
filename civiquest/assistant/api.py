"""The assistant's JSON API (mounted at ``/api/v1/assistant/``).

Signed-in citizens only, by their Django session (``django_auth``: ninja checks the CSRF
token of cookie-authenticated calls). Each question is recorded in the citizen's history
(redacted, like the chat's) and counts against the same rate limit as the pages.

Visitors who are not signed in ask on the page ``/assistant/`` (nothing stored, a limit per
address), not here: service-public.fr offers no such public API, and an anonymous JSON
endpoint would invite scripted use of the model that a per-address limit cannot hold back.
"""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field, field_validator

from civiquest.accounts.models import Role, User
from civiquest.assistant.conversations import selectors
from civiquest.assistant.conversations.models import Message
from civiquest.assistant.conversations.services import (
    QUESTION_MAX_LENGTH,
    question_answer,
    question_ask,
)
from civiquest.assistant.conversations.streaming import StreamSlot, api_chunks, sse_busy, sse_response
from civiquest.assistant.links import citation_for_api
from civiquest.core.api_errors import BadInputOut

router = Router(tags=["assistant"])


class AskIn(Schema):
    question: str = Field(description="The citizen's question, in French (1 to 1000 characters).")
    procedure: str = Field(default="", max_length=100, description="Slug of the procedure the question is about.")

    @field_validator("question")
    @classmethod
    def question_present(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(_("La question est vide : écrivez votre question."))
        if len(value) > QUESTION_MAX_LENGTH:
            raise ValueError(
                _("La question est trop longue : %(limit)d caractères au plus.") % {"limit": QUESTION_MAX_LENGTH}
            )
        return value


class SourceOut(Schema):
    id: str
    title: str
    url: str
    kind: str
    # The source's last update (ISO 8601), empty when unknown.
    updated_on: str = ""


class AskOut(Schema):
    answer: str
    # The official fiches the answer comes from.
    sources: list[SourceOut]
    # Our procedures matching the question, to start ("Faire la démarche"); never sources.
    procedures: list[SourceOut]
    confidence: float
    provider: str
    outcome: str
    notice: str


class ErrorOut(Schema):
    detail: str


def _citizen(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role != Role.CITIZEN:
        raise HttpError(403, _("L’assistant est réservé aux usagers connectés."))
    return user


def _question(request: HttpRequest, payload: AskIn) -> Message:
    citizen = _citizen(request)
    procedure = payload.procedure.strip()
    if procedure and procedure not in selectors.procedure_titles([procedure]):
        procedure = ""
    # Over the rate limit: RateLimited, answered 429 with Retry-After (civiquest.core.api_errors).
    return question_ask(citizen=citizen, text=payload.question, procedure_slug=procedure)


@router.post(
    "/ask",
    auth=django_auth,
    response={200: AskOut, 400: BadInputOut, 403: ErrorOut, 429: ErrorOut},
    summary="Ask the assistant",
)
def ask(request: HttpRequest, payload: AskIn) -> AskOut:
    """The whole answer, with its sources (built from the passages used, never by a model)."""
    answer = question_answer(question=_question(request, payload))
    return AskOut(
        answer=answer.text,
        sources=[SourceOut(**citation_for_api(citation)) for citation in answer.citations],
        procedures=[
            SourceOut(**citation_for_api(procedure))
            for procedure in selectors.procedures_offered(answer.suggested_procedures)
        ],
        confidence=answer.confidence or 0.0,
        provider=answer.provider,
        outcome=answer.outcome,
        notice=answer.notice,
    )


@router.post(
    "/ask/stream",
    auth=django_auth,
    response={200: None, 400: BadInputOut, 403: ErrorOut, 429: ErrorOut, 503: None},
    summary="Ask the assistant, answer streamed as server-sent events",
)
def ask_stream(request: HttpRequest, payload: AskIn) -> StreamingHttpResponse:
    """``text/event-stream``: ``sources`` (JSON list), ``token`` ({"text"}), ``notice``, then ``done`` (as /ask).

    503 with ``Retry-After`` (an ``error`` event) when this server streams as many answers as it allows.
    """
    _citizen(request)
    slot = StreamSlot()
    if not slot.taken:
        return sse_busy(request)
    try:
        question = _question(request, payload)
    except BaseException:
        slot.release()
        raise
    return sse_response(slot.holding(api_chunks(question)), request)
