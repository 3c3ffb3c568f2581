"""Citizens report entraide posts in the JSON API (mounted at ``/api/v1/entraide/``).

Signed-in citizens only, by their Django session (``django_auth``, CSRF checked on writes).

- ``POST /questions/{id}/report`` and ``POST /answers/{id}/report`` ``{"reason", "comment"}``:
  201 the first time, 200 when the citizen already reported it (idempotent), 400 with a French
  message for their own post, a post no longer shown or an unknown reason; 429 over the rate limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.security import django_auth

from civiquest.accounts.models import Role, User
from civiquest.actions.moderation import post_report
from civiquest.core.api_errors import BadInputOut
from civiquest.social.moderation.models import ReportReason
from civiquest.social.moderation.selectors import reportable_post
from civiquest.social.moderation.services import ReportRefused

router = Router(tags=["moderation"])
PostId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ErrorOut(Schema):
    detail: str


class ReportIn(Schema):
    reason: str = Field(max_length=24, description=f"One of: {', '.join(ReportReason.values)}")
    comment: str = Field(default="", max_length=500)


class ReportOut(Schema):
    id: int
    reason: str
    created_at: dt.datetime
    # The post is now hidden pending a moderator's review (this report reached the threshold).
    post_hidden: bool


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.CITIZEN else None


def _report(request: HttpRequest, kind: str, post_id: int, payload: ReportIn) -> Status[Any]:
    citizen = _citizen(request)
    if citizen is None:
        return Status(403, ErrorOut(detail=_("Réservé aux usagers connectés.")))
    if payload.reason not in ReportReason.values:
        return Status(400, BadInputOut(detail=_("Choisissez une raison dans la liste.")))
    post = reportable_post(kind, post_id, reporter=citizen)
    if post is None:
        return Status(404, ErrorOut(detail=_("Ce message n’existe pas ou n’est plus affiché.")))
    try:
        outcome = post_report(reporter=citizen, post=post, reason=payload.reason, comment=payload.comment)
    except ReportRefused as refused:
        return Status(400, BadInputOut(detail=refused.message))
    report = outcome.report
    out = ReportOut(id=report.pk, reason=report.reason, created_at=report.created_at, post_hidden=outcome.hid_post)
    return Status(201 if outcome.created else 200, out)


@router.post(
    "/questions/{post_id}/report",
    auth=django_auth,
    response={200: ReportOut, 201: ReportOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="Report a question (once; the same report again: 200)",
)
def question_report(request: HttpRequest, post_id: PostId, payload: ReportIn) -> Status[Any]:
    return _report(request, "question", post_id, payload)


@router.post(
    "/answers/{post_id}/report",
    auth=django_auth,
    response={200: ReportOut, 201: ReportOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="Report an answer (once; the same report again: 200)",
)
def answer_report(request: HttpRequest, post_id: PostId, payload: ReportIn) -> Status[Any]:
    return _report(request, "answer", post_id, payload)
