"""The audit log of agent and staff actions: ``audit_record`` writes one append-only row.

Call it inside the transaction of the action it records: the row commits or rolls back
with it (a nested atomic block keeps the caller's transaction, and works without one).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from civiquest.accounts.models import AuditEvent, User

LABEL_MAX = 255


def _target_parts(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk or ""), str(target)[:LABEL_MAX]
    if isinstance(target, tuple) and len(target) == 3:
        kind, identifier, label = target
        return str(kind)[:64], str(identifier)[:64], str(label)[:LABEL_MAX]
    return type(target).__name__.lower()[:64], "", str(target)[:LABEL_MAX]


def _json_safe(details: dict[str, Any]) -> dict[str, Any]:
    # Dates, decimals, UUIDs… as text, so that any caller's details fit a JSON column.
    result: dict[str, Any] = json.loads(json.dumps(details, cls=DjangoJSONEncoder))
    return result


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Any = None,
    motivation: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event: ``actor`` did ``action`` (a dotted code, ``procedure.publish``) to ``target``.

    ``target`` is a model instance, a ``(type, id, label)`` tuple, or ``None``.
    """
    target_type, target_id, target_label = _target_parts(target)
    actor_label = ""
    actor_role = ""
    if actor is not None and actor.pk is not None:
        actor_label = (actor.email or actor.username)[:254]
        actor_role = actor.role
    with transaction.atomic():
        return AuditEvent.objects.create(
            actor=actor if actor is not None and actor.pk is not None else None,
            actor_label=actor_label,
            actor_role=actor_role,
            action=action[:64],
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            motivation=motivation,
            details=_json_safe(details or {}),
        )


def audit_search(
    *,
    text: str = "",
    actor: str = "",
    action: str = "",
    target: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching every given filter, newest first; each filter uses an index or the date range."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(Q(actor_label__iexact=actor) | Q(actor__username__iexact=actor))
    if action:
        events = events.filter(action__startswith=action)
    if target:
        events = events.filter(target_type=target)
    if since:
        events = events.filter(at__gte=_day_start(since))
    if until:
        events = events.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    if text:
        events = events.filter(
            Q(target_label__icontains=text)
            | Q(motivation__icontains=text)
            | Q(actor_label__icontains=text)
            | Q(action__icontains=text)
        )
    return events.order_by("-at", "-pk")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
