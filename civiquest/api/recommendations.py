"""The citizen's recommendations and life events in the JSON API (mounted at ``/api/v1/me/``).

Signed-in citizens only, by their Django session (``django_auth``, CSRF checked on writes).

- ``GET /recommendations``: what to do next, best first (at most 5), with reason and deadline;
- ``POST /recommendations/{slug}/dismiss`` (``/snooze``, ``/done``): "pas pour moi", "plus tard",
  "déjà fait ailleurs";
- ``GET /life-events``, ``POST /life-events`` ``{"code", "date"}`` (201; the same event again: 200),
  ``DELETE /life-events/{id}`` (204).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.security import django_auth

from civiquest.accounts.models import Role, User
from civiquest.actions import recommendations as actions
from civiquest.catalogue.models import LifeEventCode
from civiquest.core.api_errors import BadInputOut
from civiquest.core.dates import paris_today
from civiquest.quests.selectors import published_procedure
from civiquest.recommendations.engine import Recommendation
from civiquest.recommendations.models import FeedbackKind, LifeEvent
from civiquest.recommendations.selectors import life_events_of, recommendations_for
from civiquest.recommendations.services import LifeEventInvalid

router = Router(tags=["recommendations"])
# A procedure's slug, as the catalogue writes them.
Slug = Annotated[str, Path(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]


class ErrorOut(Schema):
    detail: str


class RecommendationOut(Schema):
    procedure: str
    title: str
    reason: str
    deadline: dt.date | None
    source: str
    kind: str
    url: str
    in_progress: bool = False


class LifeEventIn(Schema):
    code: str
    date: dt.date


class LifeEventOut(Schema):
    id: int
    code: str
    label: str
    date: dt.date


class AnswerOut(Schema):
    procedure: str
    answer: str


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.CITIZEN else None


def _forbidden() -> Status[Any]:
    return Status(403, ErrorOut(detail=_("Réservé aux usagers connectés.")))


def recommendation_out(item: Recommendation) -> RecommendationOut:
    page = reverse("citizen:procedure", args=[item.procedure_slug])
    return RecommendationOut(
        procedure=item.procedure_slug,
        title=item.procedure_title,
        reason=item.reason,
        deadline=item.deadline,
        source=item.source_url or page,
        kind=item.kind,
        url=reverse("citizen:quest", args=[item.quest_id]) if item.quest_id else page,
        in_progress=item.quest_id is not None,
    )


def _event_out(event: LifeEvent) -> LifeEventOut:
    return LifeEventOut(id=event.pk, code=event.code, label=str(event.get_code_display()), date=event.occurred_on)


@router.get(
    "/recommendations",
    auth=django_auth,
    response={200: list[RecommendationOut], 403: ErrorOut},
    summary="What the signed-in citizen should do next, best first, with the reason and the deadline",
)
def recommendations_list(request: HttpRequest) -> Status[list[RecommendationOut] | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    ranked = recommendations_for(citizen, today=paris_today())
    return Status(200, [recommendation_out(item) for item in (*ranked.items, *ranked.resume)])


def _answer(request: HttpRequest, slug: str, kind: FeedbackKind) -> Status[AnswerOut | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    procedure = published_procedure(slug=slug)
    if procedure is None:
        return Status(404, ErrorOut(detail=_("Cette démarche n’existe pas.")))
    actions.recommendation_answer(citizen=citizen, procedure=procedure, kind=kind, today=paris_today())
    return Status(200, AnswerOut(procedure=slug, answer=kind.value))


@router.post(
    "/recommendations/{slug}/dismiss",
    auth=django_auth,
    response={200: AnswerOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="“Pas pour moi”: never propose this procedure again (until the citizen restores it)",
)
def recommendation_dismiss(request: HttpRequest, slug: Slug) -> Status[AnswerOut | ErrorOut]:
    return _answer(request, slug, FeedbackKind.DISMISSED)


@router.post(
    "/recommendations/{slug}/snooze",
    auth=django_auth,
    response={200: AnswerOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="“Plus tard”: propose it again in 7 days",
)
def recommendation_snooze(request: HttpRequest, slug: Slug) -> Status[AnswerOut | ErrorOut]:
    return _answer(request, slug, FeedbackKind.SNOOZED)


@router.post(
    "/recommendations/{slug}/done",
    auth=django_auth,
    response={200: AnswerOut, 400: BadInputOut, 403: ErrorOut, 404: ErrorOut},
    summary="“Déjà fait ailleurs”: done outside CiviQuest",
)
def recommendation_done(request: HttpRequest, slug: Slug) -> Status[AnswerOut | ErrorOut]:
    return _answer(request, slug, FeedbackKind.DONE_ELSEWHERE)


@router.get(
    "/life-events",
    auth=django_auth,
    response={200: list[LifeEventOut], 403: ErrorOut},
    summary="The life events the citizen declared",
)
def life_events_list(request: HttpRequest) -> Status[list[LifeEventOut] | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    return Status(200, [_event_out(event) for event in life_events_of(citizen)])


@router.post(
    "/life-events",
    auth=django_auth,
    response={200: LifeEventOut, 201: LifeEventOut, 400: BadInputOut, 403: ErrorOut},
    summary="Declare a life event, past or planned (the same event twice is kept once: 200)",
)
def life_event_declare(request: HttpRequest, payload: LifeEventIn) -> Status[LifeEventOut | BadInputOut | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    if payload.code not in LifeEventCode.values:
        return Status(400, BadInputOut(detail=_("Cet événement de vie n’existe pas.")))
    try:
        event, created = actions.life_event_declare(
            citizen=citizen, code=payload.code, occurred_on=payload.date, today=paris_today()
        )
    except LifeEventInvalid as invalid:
        return Status(400, BadInputOut(detail=invalid.message))
    return Status(201 if created else 200, _event_out(event))


@router.delete(
    "/life-events/{event_id}",
    auth=django_auth,
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Remove one of the citizen's life events",
)
def life_event_remove(request: HttpRequest, event_id: int) -> Status[None | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    if actions.life_event_remove(citizen=citizen, event_id=event_id) is None:
        return Status(404, ErrorOut(detail=_("Cet événement n’existe pas ou a déjà été retiré.")))
    return Status(204, None)
