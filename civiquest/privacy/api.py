"""The citizen's RGPD rights in the JSON API (mounted at ``/api/v1/me/``).

Signed-in citizens only, by their Django session (``django_auth``, CSRF checked), and only
within a few minutes of a FranceConnect re-authentication: without one the answer is 403
with ``reauthenticate_url``, the page that sends them to FranceConnect.

- ``GET /export``: everything held about the citizen as JSON, and their latest ZIP archive.
- ``POST /export``: ask for a new ZIP archive (built by a Celery task, 202).
- ``DELETE /``: erase the account (see ``services.citizen_erase``); the session ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from civiquest.accounts.models import Role, User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.privacy import selectors, services
from civiquest.privacy.models import DataExport, ExportStatus

router = Router(tags=["privacy"])


class ErrorOut(Schema):
    detail: str
    reauthenticate_url: str = ""


class ArchiveOut(Schema):
    status: str
    requested_at: dt.datetime
    expires_at: dt.datetime
    download_url: str = ""


class ExportOut(Schema):
    data: dict[str, Any]
    archive: ArchiveOut | None = None


class ErasedOut(Schema):
    detail: str
    quests_kept: int


def _archive(data_export: DataExport) -> ArchiveOut:
    ready = data_export.status == ExportStatus.READY and not data_export.is_expired()
    return ArchiveOut(
        status=data_export.status,
        requested_at=data_export.created_at,
        expires_at=data_export.expires_at,
        download_url=reverse("citizen:privacy-export-download", args=[data_export.public_id]) if ready else "",
    )


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.role == Role.CITIZEN else None


def _reauthenticated_citizen(request: HttpRequest, reauthenticate_page: str) -> User | ErrorOut:
    """The signed-in citizen who re-authenticated a moment ago, or why the 403."""
    citizen = _citizen(request)
    if citizen is None:
        return ErrorOut(detail=_("Réservé aux usagers connectés."))
    if not oidc_session.recently_authenticated(request.session, user_id=citizen.pk):
        return ErrorOut(
            detail=_(
                "Pour votre sécurité, confirmez d’abord votre identité avec FranceConnect "
                "(valable quelques minutes), puis recommencez."
            ),
            reauthenticate_url=request.build_absolute_uri(reverse(reauthenticate_page)),
        )
    return citizen


@router.get(
    "/export",
    auth=django_auth,
    response={200: ExportOut, 403: ErrorOut},
    summary="Everything held about the signed-in citizen (RGPD access and portability)",
)
def export_read(request: HttpRequest) -> Status[ExportOut | ErrorOut]:
    citizen = _reauthenticated_citizen(request, "citizen:privacy-export")
    if isinstance(citizen, ErrorOut):
        return Status(403, citizen)
    latest = DataExport.objects.filter(citizen=citizen).order_by("-created_at", "-pk").first()
    return Status(200, ExportOut(data=selectors.citizen_data(citizen), archive=_archive(latest) if latest else None))


@router.post(
    "/export",
    auth=django_auth,
    response={202: ArchiveOut, 403: ErrorOut},
    summary="Ask for a ZIP archive of the citizen's data and documents (ready within minutes, kept 24 h)",
)
def export_request(request: HttpRequest) -> Status[ArchiveOut | ErrorOut]:
    citizen = _reauthenticated_citizen(request, "citizen:privacy-export")
    if isinstance(citizen, ErrorOut):
        return Status(403, citizen)
    data_export = services.data_export_request(citizen=citizen)
    data_export.refresh_from_db()
    return Status(202, _archive(data_export))


@router.delete(
    "",
    auth=django_auth,
    response={200: ErasedOut, 403: ErrorOut, 409: ErrorOut},
    summary="Erase the signed-in citizen's account (RGPD erasure); the session ends",
)
def erase(request: HttpRequest) -> Status[ErasedOut | ErrorOut]:
    citizen = _reauthenticated_citizen(request, "citizen:privacy-erase")
    if isinstance(citizen, ErrorOut):
        return Status(403, citizen)
    try:
        report = services.citizen_erase(citizen=citizen)
    except services.ErasureRefused as refused:
        return Status(409, ErrorOut(detail=str(refused)))
    logout(request)
    return Status(
        200,
        ErasedOut(
            detail=_("Votre compte a été supprimé. Les démarches déjà déposées sont conservées sous un pseudonyme."),
            quests_kept=report.quests_kept,
        ),
    )
