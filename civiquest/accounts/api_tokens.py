"""The tokens of the services' API: made by an agent for their services' own systems.

A token is ``cqs_`` and 43 random characters (``secrets.token_urlsafe(32)``); only its SHA-256
is stored, with its first characters (``prefix``) to recognise it in lists. It is shown once,
when it is made. A token reaches the services it names **that its creator still belongs to**
(``token_service_ids``), reads only or reads and writes (``scope``), until it expires (at most
a year) or is revoked. Each call made with it is one ``ServiceApiTokenUse`` row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import (
    ApiTokenScope,
    Role,
    Service,
    ServiceApiToken,
    ServiceApiTokenUse,
    ServiceMembership,
    User,
)
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic

SECRET_START = "cqs_"  # noqa: S105 - the marker every secret starts with, not a secret
PREFIX_LENGTH = 12
MAX_DAYS = 366
NAME_MAX_LENGTH = 100
# ``last_used_at`` is written at most this often per token (one use row per call all the same).
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class ApiTokenRefused(ProcedureError):
    """The token cannot be made as asked; the message says why, in French."""


class ApiTokenNotFound(ProcedureError):
    """No such token among the agent's own."""


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _is_active_agent(user: User) -> bool:
    return user.role == Role.AGENT and user.is_active


@atomic
def token_create(
    *, agent: User, name: str, service_ids: Iterable[int], scope: str, days: int, now: dt.datetime | None = None
) -> tuple[ServiceApiToken, str]:
    """Make a token for some of the agent's services; the token and its secret (never stored in clear)."""
    now = now or timezone.now()
    name = name.strip()
    wanted = set(service_ids)
    if not _is_active_agent(agent):
        raise ApiTokenRefused(_("Seuls les agents des services créent des jetons d’API."))
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ApiTokenRefused(_("Nommez le jeton (100 caractères au plus)."))
    if scope not in ApiTokenScope.values:
        raise ApiTokenRefused(_("Choisissez la portée du jeton."))
    if not 1 <= days <= MAX_DAYS:
        raise ApiTokenRefused(_("Le jeton expire au plus tard dans un an (entre 1 et 366 jours)."))
    own = set(ServiceMembership.objects.filter(user=agent, service_id__in=wanted).values_list("service_id", flat=True))
    if not wanted or own != wanted:
        raise ApiTokenRefused(_("Choisissez un ou plusieurs de vos services."))
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ServiceApiToken.objects.create(
        name=name,
        created_by=agent,
        scope=scope,
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=secret_hash(secret),
        expires_at=now + dt.timedelta(days=days),
    )
    token.services.set(sorted(wanted))
    return token, secret


@atomic
def token_revoke(*, agent: User, token_id: int, now: dt.datetime | None = None) -> tuple[ServiceApiToken, bool]:
    """Revoke one of the agent's tokens at once; the token, and whether it was still unrevoked (idempotent)."""
    token = ServiceApiToken.objects.select_for_update().filter(pk=token_id, created_by=agent).first()
    if token is None:
        raise ApiTokenNotFound(_("Ce jeton n’existe pas."))
    if token.revoked_at is not None:
        return token, False
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    return token, True


def token_for_secret(secret: str) -> ServiceApiToken | None:
    """The token whose secret this is, whatever its state, with its creator (one query); ``None`` if unknown."""
    if not secret.startswith(SECRET_START) or len(secret) > 200:
        return None
    return ServiceApiToken.objects.select_related("created_by").filter(secret_hash=secret_hash(secret)).first()


def token_service_ids(token: ServiceApiToken) -> set[int]:
    """The services the token reaches: those it names that its creator, an active agent, still belongs to."""
    if not _is_active_agent(token.created_by):
        return set()
    return set(
        Service.objects.filter(api_tokens=token, memberships__user_id=token.created_by_id).values_list("pk", flat=True)
    )


def token_uses_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the use log's rows older than ``API_TOKEN_USE_RETENTION_DAYS`` (daily; idempotent).

    The log says who called what and when, for the services' audits; it is not kept for ever
    (one year by default, as the CNIL recommends for access logs)."""
    limit = (now or timezone.now()) - dt.timedelta(days=settings.API_TOKEN_USE_RETENTION_DAYS)
    count, _deleted = ServiceApiTokenUse.objects.filter(at__lt=limit).delete()
    return int(count)


def token_use_record(
    *, token: ServiceApiToken, method: str, path: str, status: int, now: dt.datetime | None = None
) -> None:
    """Log one call made with the token; move its last use forward (at most once a minute)."""
    now = now or timezone.now()
    ServiceApiTokenUse.objects.create(token=token, at=now, method=method[:8], path=path[:255], status=status)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ServiceApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- Reads ------------------------------------------------------------------------------------


def tokens_of(*, agent: User) -> list[ServiceApiToken]:
    """The agent's tokens, newest first, with their services (two queries)."""
    return list(
        ServiceApiToken.objects.filter(created_by=agent).prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name"))
        )
    )


def token_of(*, agent: User, token_id: int) -> ServiceApiToken | None:
    """One of the agent's own tokens, with its services; ``None`` for anyone else's."""
    return (
        ServiceApiToken.objects.filter(pk=token_id, created_by=agent)
        .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name")))
        .first()
    )


def token_uses(*, token: ServiceApiToken, limit: int = 50) -> list[ServiceApiTokenUse]:
    """The token's latest calls, newest first."""
    return list(ServiceApiTokenUse.objects.filter(token=token).order_by("-at", "-pk")[:limit])
