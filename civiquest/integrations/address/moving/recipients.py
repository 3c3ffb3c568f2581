"""The production client of the organisations a move is declared to.

No public API exists for service-public.fr's "changement de coordonnées" (state-apis.md
§1.3): this client speaks the protocol the project defines for its recipients, which the
sandbox (``civiquest.sandbox.moving``) implements and a real connector would too:

- ``POST {base}/{organisation}/declarations`` with ``Authorization: Bearer <token>`` and an
  ``Idempotency-Key`` header, body ``{"declaration", "reference", "moved_on", "address"}``
  → ``201`` (``200`` when the same key is replayed) ``{"id", "organisation", "status",
  "reason", "received_at", "processed_at"}``; ``422`` ``{"error": {"code", "message"}}``
  when the organisation refuses (unknown or malformed reference).
- ``GET {base}/{organisation}/declarations/{id}`` → the same object, status updated.

Creating a declaration is not idempotent by nature, but the key makes a retry safe (the
organisation answers the first result again), so the shared client may retry it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from civiquest.core.http import ServiceClient, answer_shape_error

SERVICE = "moving_recipients"
REMOTE_STATUSES = ("received", "processed", "rejected")


@dataclass(frozen=True)
class RemoteStatus:
    remote_id: str
    status: str
    reason: str
    processed_at: dt.datetime | None


def _parse(payload: Any) -> RemoteStatus:
    if not isinstance(payload, Mapping):
        raise answer_shape_error(SERVICE, "answer is not an object")
    remote_id, status = payload.get("id"), payload.get("status")
    if not isinstance(remote_id, str) or not remote_id or status not in REMOTE_STATUSES:
        raise answer_shape_error(SERVICE, "answer without id or known status")
    reason = payload.get("reason") or ""
    processed_at = None
    if isinstance(payload.get("processed_at"), str):
        try:
            processed_at = dt.datetime.fromisoformat(payload["processed_at"])
        except ValueError as error:
            raise answer_shape_error(SERVICE, "processed_at is not a date") from error
    return RemoteStatus(remote_id=remote_id, status=str(status), reason=str(reason)[:500], processed_at=processed_at)


def rejection_reason(payload: Any) -> str:
    """The organisation's own words for a refusal (``{"error": {"message"}}``), if any."""
    if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping):
        return str(payload["error"].get("message") or "")[:500]
    return ""


class MovingRecipientsClient:
    def __init__(self, client: ServiceClient | None = None) -> None:
        self.client = client or ServiceClient.for_service(SERVICE)

    def _headers(self, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if self.client.config.token:
            headers["Authorization"] = f"Bearer {self.client.config.token}"
        return headers

    def declare(self, *, organisation: str, idempotency_key: str, payload: Mapping[str, Any]) -> RemoteStatus:
        """Send the move to one organisation; raises ``RequestRejected`` when it refuses it."""
        answer = self.client.post(
            f"{quote(organisation)}/declarations",
            json=dict(payload),
            headers=self._headers(**{"Idempotency-Key": idempotency_key}),
            idempotent=True,  # the key makes the retry safe
        )
        return _parse(answer)

    def status(self, *, organisation: str, remote_id: str) -> RemoteStatus:
        answer = self.client.get(f"{quote(organisation)}/declarations/{quote(remote_id)}", headers=self._headers())
        return _parse(answer)
