"""The audit log of agent and staff actions: ``audit_record`` writes one append-only row.

One user action is one event: a service collects what its action did (the fields asked
for correction, the attestation issued, the quests of a bulk action…) into ``details`` and
records once, at the end, inside the action's transaction: the row commits or rolls back
with it (``core.transactions.atomic``: the caller's transaction, or its own without one).

Events are chained: each stores the SHA-256 of a canonical JSON of its chained columns
(``CHAINED_COLUMNS``) and of the previous event's hash. Appending takes a lock, so two
writers never fork the chain; ``audit_verify`` walks it and names every broken link. The
actor and the labels are left out of the hash: ``audit_forget_person`` pseudonymises them
(RGPD erasure) without breaking the chain, so ``details`` holds ids, never names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from civiquest.accounts.models import AUDIT_CHAIN_GENESIS, AuditEvent, User
from civiquest.core.transactions import atomic

LABEL_MAX = 255
# What the hash covers, besides ``previous_hash``; never the actor nor the labels (see above).
CHAINED_COLUMNS = (
    "sequence",
    "at",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "motivation",
    "details",
    "previous_hash",
)
# The PostgreSQL advisory lock that serialises appends (any stable 63-bit number).
CHAIN_LOCK_KEY = zlib.crc32(b"civiquest.accounts.audit_chain")
VERIFY_BATCH_SIZE = 1_000
# Broken links kept for the report; the walk counts the others (constant memory).
VERIFY_REPORTED_BREAKS = 100


# How the actions recorded now were made, when not through the portals: ``{"via": "api", "api_token": id}``.
_CHANNEL: ContextVar[dict[str, Any] | None] = ContextVar("civiquest_audit_channel", default=None)


@contextmanager
def audit_channel(**marks: Any) -> Iterator[None]:
    """Every event recorded inside the block carries ``marks`` in its details (the services' API sets
    ``via="api"`` and the token's id: the same use cases as the portal, marked as made through the API)."""
    token = _CHANNEL.set(dict(marks))
    try:
        yield
    finally:
        _CHANNEL.reset(token)


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
    with atomic():
        head = _chain_head_locked()
        event = AuditEvent(
            sequence=head[0] + 1,
            previous_hash=head[1],
            # Taken under the lock, so dates follow the chain's order.
            at=timezone.now(),
            actor=actor if actor is not None and actor.pk is not None else None,
            actor_label=actor_label,
            actor_role=actor_role,
            action=action[:64],
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            motivation=motivation,
            details=_json_safe({**(details or {}), **(_CHANNEL.get() or {})}),
        )
        event.hash = event_hash(chained_values(event))
        event.save(force_insert=True)
        return event


def _chain_head_locked() -> tuple[int, str]:
    """The last event's (sequence, hash), read after taking the chain's lock (released at commit).

    PostgreSQL: a transaction-level advisory lock, so a second writer waits here and then
    reads the first one's committed event. SQLite opens every transaction ``IMMEDIATE``
    (settings): the database's write lock already serialises writers.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return (head[0], head[1]) if head else (0, AUDIT_CHAIN_GENESIS)


def chained_values(event: AuditEvent | dict[str, Any]) -> dict[str, Any]:
    """The columns the hash covers, as plain JSON values (the date in UTC, to the microsecond)."""
    values = {name: (event[name] if isinstance(event, dict) else getattr(event, name)) for name in CHAINED_COLUMNS}
    values["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return values


def event_hash(values: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of ``chained_values`` (sorted keys, no spaces, ASCII)."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


# --- Verification ---------------------------------------------------------------------------


@dataclass
class ChainBreak:
    sequence: int
    reason: str


@dataclass
class ChainReport:
    count: int = 0
    head_hash: str = AUDIT_CHAIN_GENESIS
    broken: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken == 0


def audit_verify(*, batch_size: int = VERIFY_BATCH_SIZE) -> ChainReport:
    """Walk the chain in sequence order, in batches, and report every broken link.

    An edited row no longer matches its hash; a deleted row leaves a gap in the sequence
    and the next row's ``previous_hash`` unmatched; an inserted row points at a hash that
    is not its predecessor's (and a forged one changes the head, which the periodic check
    logs).
    """
    report = ChainReport()
    for sequence, reason in _chain_breaks(report, batch_size):
        report.broken += 1
        if len(report.breaks) < VERIFY_REPORTED_BREAKS:
            report.breaks.append(ChainBreak(sequence, reason))
    return report


def _chain_breaks(report: ChainReport, batch_size: int) -> Iterator[tuple[int, str]]:
    expected_sequence, expected_previous = 1, AUDIT_CHAIN_GENESIS
    last_sequence = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(sequence__gt=last_sequence)
            .order_by("sequence")
            .values(*CHAINED_COLUMNS, "hash")[:batch_size]
        )
        if not batch:
            return
        for row in batch:
            sequence = row["sequence"]
            if sequence != expected_sequence:
                yield sequence, f"sequence gap: expected {expected_sequence}, found {sequence} (deleted rows)"
            if row["previous_hash"] != expected_previous:
                yield sequence, "previous_hash does not match the previous event's hash (row deleted or inserted)"
            if event_hash(chained_values(row)) != row["hash"]:
                yield sequence, "hash does not match the event's content (row edited)"
            report.count += 1
            report.head_hash = row["hash"]
            expected_sequence, expected_previous = sequence + 1, row["hash"]
        last_sequence = batch[-1]["sequence"]


# --- Forgetting a person (RGPD erasure) -------------------------------------------------------


def audit_pseudonym(user: User) -> str:
    """A stable pseudonym for an erased person: the same one in every event, not reversible."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"audit-forget:{user.pk}".encode(), hashlib.sha256)
    # Stored data, not interface text: the log reads the same whatever the reader's language.
    return f"usager effacé n° {digest.hexdigest()[:12]}"


def audit_forget_person(user: User) -> int:
    """Pseudonymise ``user`` in past events: as actor, and as target; returns how many events changed.

    The actor and the labels are outside the hash chain, so the chain still verifies. The
    events stay (what was done, when, why); only who it was is forgotten.
    """
    pseudonym = audit_pseudonym(user)
    by_them = AuditEvent.objects.filter(actor_id=user.pk)
    about_them = AuditEvent.objects.filter(
        Q(target_type=User._meta.label_lower, target_id=str(user.pk))
        | Q(details__citizen_id=user.pk)
        | Q(details__citizen=user.pk)
    ).exclude(target_label=pseudonym)
    with transaction.atomic():
        changed = set(by_them.values_list("pk", flat=True)) | set(about_them.values_list("pk", flat=True))
        by_them.update(actor=None, actor_label=pseudonym)
        about_them.update(target_label=pseudonym)
    return len(changed)


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
