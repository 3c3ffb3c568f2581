"""The citizen's share links in the JSON API (mounted at ``/api/v1/me/``).

Signed-in citizens only, by their Django session (``django_auth``, CSRF checked on writes).

- ``GET /shares``: the citizen's links, newest first, with their view count;
- ``POST /shares`` ``{"kind": "checklist"|"badge"|"level", "quest_id"?, "badge"?, "include_ticks"?,
  "show_pseudonym"?, "days"?}``: 201 with the link's URL;
- ``DELETE /shares/{id}``: 204 (again: 204); another citizen's or an unknown id: 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from civiquest.accounts.models import Role, User
from civiquest.actions import sharing as actions
from civiquest.core.api_errors import BadInputOut
from civiquest.social.sharing.models import ShareLink
from civiquest.social.sharing.selectors import shares_of
from civiquest.social.sharing.services import ShareInvalid

router = Router(tags=["sharing"])
ShareId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class ErrorOut(Schema):
    detail: str


class ShareIn(Schema):
    kind: Literal["checklist", "badge", "level"]
    quest_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    badge: str = Field(default="", max_length=60)
    include_ticks: bool = False
    show_pseudonym: bool = False
    days: Literal[7, 30, 90] = 30  # services.DEFAULT_SHARE_DAYS


class ShareOut(Schema):
    id: int
    kind: str
    url: str
    quest_id: int | None
    badge: str
    include_ticks: bool
    show_pseudonym: bool
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool
    active: bool
    views: int


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.CITIZEN else None


def _forbidden() -> Status[Any]:
    return Status(403, ErrorOut(detail=_("Réservé aux usagers connectés.")))


def share_out(request: HttpRequest, share: ShareLink) -> ShareOut:
    return ShareOut(
        id=share.pk,
        kind=share.kind,
        url=request.build_absolute_uri(reverse("citizen:share-public", args=[share.token])),
        quest_id=share.quest_id,
        badge=share.badge_code,
        include_ticks=share.include_ticks,
        show_pseudonym=share.show_pseudonym,
        created_at=share.created_at,
        expires_at=share.expires_at,
        revoked=share.revoked_at is not None,
        active=share.is_active(),
        views=share.views,
    )


@router.get(
    "/shares",
    auth=django_auth,
    response={200: list[ShareOut], 403: ErrorOut},
    summary="The signed-in citizen's share links, newest first, with their view count",
)
def shares_list(request: HttpRequest) -> Status[list[ShareOut] | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    return Status(200, [share_out(request, share) for share in shares_of(owner=citizen)])


@router.post(
    "/shares",
    auth=django_auth,
    response={201: ShareOut, 400: BadInputOut, 403: ErrorOut},
    summary="Share a quest's checklist, a badge held or the level, by a link that expires (7, 30 or 90 days)",
)
def share_create(request: HttpRequest, payload: ShareIn) -> Status[ShareOut | BadInputOut | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    if payload.kind == "checklist" and payload.quest_id is None:
        return Status(400, BadInputOut(detail=_("Indiquez la démarche (quest_id) dont vous partagez la liste.")))
    if payload.kind == "badge" and not payload.badge:
        return Status(400, BadInputOut(detail=_("Indiquez le badge que vous partagez.")))
    try:
        share = actions.share_create(
            citizen=citizen,
            kind=payload.kind,
            quest_id=payload.quest_id,
            badge_code=payload.badge,
            include_ticks=payload.include_ticks,
            show_pseudonym=payload.show_pseudonym,
            days=payload.days,
        )
    except ShareInvalid as invalid:
        return Status(400, BadInputOut(detail=invalid.message))
    return Status(201, share_out(request, share))


@router.delete(
    "/shares/{share_id}",
    auth=django_auth,
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Revoke one of the citizen's share links (again: 204)",
)
def share_revoke(request: HttpRequest, share_id: ShareId) -> Status[None | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    if actions.share_revoke(citizen=citizen, share_id=share_id) is None:
        return Status(404, ErrorOut(detail=_("Ce lien n’existe pas.")))
    return Status(204, None)
