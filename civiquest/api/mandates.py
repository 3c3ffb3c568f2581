"""The citizen's mandates in the JSON API (mounted at ``/api/v1/me/``).

Signed-in citizens only, by their Django session (``django_auth``, CSRF checked on writes).

- ``GET /mandates``: the mandates the citizen gave and those they hold as a helper;
- ``POST /mandates`` ``{"helper_code", "domains", "days"}``: give one (201), after a
  FranceConnect re-authentication of the last minutes (else 403 with ``reauthenticate_url``);
- ``POST`` or ``DELETE /mandates/{id}``: revoke, by either side, at once (idempotent); a
  mandate of other people is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.security import django_auth

from civiquest.accounts.models import Role, User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.actions.mandates import mandate_grant, mandate_revoke
from civiquest.core import ratelimit
from civiquest.core.api_errors import BadInputOut
from civiquest.core.errors import ProcedureError
from civiquest.social.mandates import selectors
from civiquest.social.mandates.models import Mandate

router = Router(tags=["mandates"])
MandateId = Annotated[int, Path(ge=1, le=2**31 - 1)]
GRANTS_PER_HOUR = 10


class ErrorOut(Schema):
    detail: str
    reauthenticate_url: str = ""


class MandateIn(Schema):
    helper_code: str = Field(max_length=12)
    domains: list[Annotated[str, Field(max_length=24)]] = Field(max_length=10)
    days: int = Field(ge=0, le=10_000)


class MandateOut(Schema):
    id: int
    side: str
    helper: str
    citizen: str
    structure: str
    domains: list[str]
    duration_days: int
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool
    journal_url: str


class MandatesOut(Schema):
    given: list[MandateOut]
    held: list[MandateOut]


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.CITIZEN else None


def _forbidden() -> Status[Any]:
    return Status(403, ErrorOut(detail=_("Réservé aux usagers connectés.")))


def _out(mandate: Mandate, side: str, now: dt.datetime) -> MandateOut:
    return MandateOut(
        id=mandate.pk,
        side=side,
        helper=mandate.helper_name,
        citizen=mandate.citizen.display_name,
        structure=mandate.structure.name if mandate.structure else "",
        domains=list(mandate.domains),
        duration_days=mandate.duration_days,
        created_at=mandate.created_at,
        expires_at=mandate.expires_at,
        revoked_at=mandate.revoked_at,
        active=mandate.is_active(now),
        journal_url=reverse("citizen:mandate-journal", args=[mandate.pk]) if side == "given" else "",
    )


@router.get(
    "/mandates",
    auth=django_auth,
    response={200: MandatesOut, 403: ErrorOut},
    summary="The mandates the citizen gave and those they hold as a helper",
)
def mandates_list(request: HttpRequest) -> Status[MandatesOut | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    now = timezone.now()
    return Status(
        200,
        MandatesOut(
            given=[_out(m, "given", now) for m in selectors.mandates_given(citizen=citizen, now=now)],
            held=[_out(m, "held", now) for m in selectors.mandates_held(helper=citizen, now=now)],
        ),
    )


@router.post(
    "/mandates",
    auth=django_auth,
    response={201: MandateOut, 400: BadInputOut, 403: ErrorOut, 429: ErrorOut},
    summary="Give a helper a mandate (after a FranceConnect re-authentication)",
)
def mandate_create(request: HttpRequest, payload: MandateIn) -> Status[MandateOut | BadInputOut | ErrorOut]:
    citizen = _citizen(request)
    if citizen is None:
        return _forbidden()
    if not oidc_session.recently_authenticated(request.session, user_id=citizen.pk):
        return Status(
            403,
            ErrorOut(
                detail=_(
                    "Pour votre sécurité, confirmez d’abord votre identité avec FranceConnect "
                    "(valable quelques minutes), puis recommencez."
                ),
                reauthenticate_url=request.build_absolute_uri(reverse("citizen:mandate-new")),
            ),
        )
    ratelimit.check(
        f"mandate-grant:{citizen.pk}",
        limit=GRANTS_PER_HOUR,
        window=3600,
        message=_("Trop de mandats donnés en peu de temps : réessayez dans une heure."),
    )
    try:
        mandate = mandate_grant(
            citizen=citizen, helper_code=payload.helper_code, domains=payload.domains, days=payload.days
        )
    except ProcedureError as error:
        return Status(400, BadInputOut(detail=error.message))
    return Status(201, _out(mandate, "given", timezone.now()))


def _revoke(request: HttpRequest, mandate_id: int) -> Status[MandateOut | ErrorOut]:
    user = _citizen(request)
    if user is None:
        return _forbidden()
    mandate = selectors.mandate_of_either(user=user, mandate_id=mandate_id)
    if mandate is None:
        return Status(404, ErrorOut(detail=_("Ce mandat n’existe pas.")))
    mandate_revoke(mandate=mandate, by=user)
    side = "given" if mandate.citizen_id == user.pk else "held"
    return Status(200, _out(mandate, side, timezone.now()))


@router.post(
    "/mandates/{mandate_id}",
    auth=django_auth,
    response={200: MandateOut, 403: ErrorOut, 404: ErrorOut},
    summary="Revoke a mandate, given or held (idempotent)",
)
def mandate_revoke_post(request: HttpRequest, mandate_id: MandateId) -> Status[MandateOut | ErrorOut]:
    return _revoke(request, mandate_id)


@router.delete(
    "/mandates/{mandate_id}",
    auth=django_auth,
    response={200: MandateOut, 403: ErrorOut, 404: ErrorOut},
    summary="Revoke a mandate, given or held (idempotent)",
)
def mandate_revoke_delete(request: HttpRequest, mandate_id: MandateId) -> Status[MandateOut | ErrorOut]:
    return _revoke(request, mandate_id)
