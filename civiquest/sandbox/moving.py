"""Sandbox of the organisations a move is declared to (no public API exists: state-apis.md §1.3).

Speaks the protocol ``civiquest.integrations.address.moving.recipients`` documents, one
route per organisation, with realistic behaviours:

- the tax office and the energy supplier take the new address at once (``processed``);
  the others answer ``received`` and have it ``processed`` after
  ``settings.SANDBOX_MOVING_PROCESSING_SECONDS`` (what a later ``GET`` shows);
- a malformed reference, a social security number whose key is wrong, or a number the
  organisation does not know is refused with ``422`` and a reason (sandbox convention: a
  reference ending in ``0000``, or a plate numbered ``000``, is unknown);
- ``Idempotency-Key`` is required on ``POST``: replaying a key answers the first result
  again (``200``, ``Idempotent-Replayed: true``), reusing it for another body is ``422``.

State lives in the cache (shared with a live server's thread, or between processes on
Redis); faults come from ``http_faults.faulty("moving_recipients")``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from civiquest.accounts.access import public
from civiquest.integrations.address.moving.organisations import ORGANISATIONS, nir_key_is_valid
from civiquest.sandbox.http_faults import faulty

SERVICE = "moving_recipients"
LIFETIME_SECONDS = 7 * 24 * 3600
# Organisations that update their files at once; the others process later.
IMMEDIATE = frozenset({"impots", "energie"})
NIR_ORGANISATIONS = frozenset({"assurance_maladie", "retraite"})


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _authorized(request: HttpRequest) -> bool:
    expected = str(settings.INTEGRATIONS[SERVICE].get("TOKEN", ""))
    given = request.headers.get("Authorization", "")
    return bool(expected) and secrets.compare_digest(given, f"Bearer {expected}")


def _declaration_key(organisation: str, remote_id: str) -> str:
    return f"sandbox:moving:{organisation}:declaration:{remote_id}"


def _idempotency_key(organisation: str, key: str) -> str:
    return f"sandbox:moving:{organisation}:idempotency:{hashlib.sha256(key.encode()).hexdigest()}"


def _created_key(organisation: str) -> str:
    return f"sandbox:moving:{organisation}:created"


def declarations_created(organisation: str) -> int:
    """How many declarations this organisation recorded (tests prove a retry is not processed twice)."""
    return int(cache.get(_created_key(organisation), 0))


def _count_created(organisation: str) -> None:
    if not cache.add(_created_key(organisation), 1, LIFETIME_SECONDS):
        cache.incr(_created_key(organisation))


def _refusal(organisation: str, reference: str) -> str:
    """Why the organisation refuses this reference (empty: it accepts it)."""
    spec = ORGANISATIONS[organisation]
    if re.fullmatch(spec.pattern, reference) is None:
        return "Le format de la référence est incorrect."
    if organisation in NIR_ORGANISATIONS and not nir_key_is_valid(reference):
        return "La clé du numéro de sécurité sociale est incorrecte."
    if reference.endswith("0000") or (organisation == "carte_grise" and reference[3:6] == "000"):
        return "Cette référence est inconnue de nos services : vérifiez-la sur un de nos courriers."
    return ""


def _view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the API shows it, its status moved on if its processing time has passed."""
    shown = {key: value for key, value in record.items() if not key.startswith("_")}
    if shown["status"] == "received":
        due = dt.datetime.fromisoformat(record["_processed_due"])
        if timezone.now() >= due:
            shown["status"] = "processed"
            shown["processed_at"] = record["_processed_due"]
    return shown


def _body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@public
@csrf_exempt
@require_POST
@faulty(SERVICE)
def declarations(request: HttpRequest, organisation: str) -> HttpResponse:
    if organisation not in ORGANISATIONS:
        return _error(404, "unknown_organisation", "Organisme inconnu.")
    if not _authorized(request):
        return _error(401, "unauthorized", "Jeton d’accès absent ou invalide.")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        return _error(400, "idempotency_key_required", "L’en-tête Idempotency-Key est obligatoire.")
    try:
        body = json.loads(request.body)
    except ValueError:
        return _error(400, "invalid_json", "Le corps de la requête n’est pas du JSON.")
    if not isinstance(body, dict) or not all(
        isinstance(body.get(name), str) and body[name] for name in ("declaration", "reference", "moved_on")
    ):
        return _error(400, "invalid_body", "« declaration », « reference » et « moved_on » sont obligatoires.")
    if not isinstance(body.get("address"), dict) or not body["address"].get("label"):
        return _error(400, "invalid_body", "« address.label » est obligatoire.")
    digest = _body_digest(json.dumps(body, sort_keys=True).encode())
    # One request per key at a time: a concurrent duplicate is told to come back (409, as Stripe does).
    lock = _idempotency_key(organisation, key) + ":lock"
    if not cache.add(lock, 1, 30):
        return _error(409, "request_in_progress", "Une demande avec cette clé est en cours de traitement.")
    try:
        return _declare(organisation, key, body, digest)
    finally:
        cache.delete(lock)


def _declare(organisation: str, key: str, body: dict[str, Any], digest: str) -> HttpResponse:
    seen = cache.get(_idempotency_key(organisation, key))
    if seen is not None:
        if seen["digest"] != digest:
            return _error(422, "idempotency_key_reused", "Cette clé d’idempotence a servi pour une autre demande.")
        if seen.get("refusal"):
            return _error(422, "reference_refused", seen["refusal"])
        record = cache.get(_declaration_key(organisation, seen["id"]))
        response = JsonResponse(_view(record), status=200)
        response["Idempotent-Replayed"] = "true"
        return response
    refusal = _refusal(organisation, body["reference"])
    if refusal:
        cache.set(
            _idempotency_key(organisation, key), {"digest": digest, "id": "", "refusal": refusal}, LIFETIME_SECONDS
        )
        return _error(422, "reference_refused", refusal)
    now = timezone.now()
    immediate = organisation in IMMEDIATE
    delay = dt.timedelta(seconds=float(getattr(settings, "SANDBOX_MOVING_PROCESSING_SECONDS", 60)))
    remote_id = f"{organisation[:3].upper()}-{secrets.token_hex(6).upper()}"
    record = {
        "id": remote_id,
        "organisation": organisation,
        "declaration": body["declaration"],
        "status": "processed" if immediate else "received",
        "reason": "",
        "received_at": now.isoformat(),
        "processed_at": now.isoformat() if immediate else None,
        "_processed_due": (now if immediate else now + delay).isoformat(),
    }
    cache.set(_declaration_key(organisation, remote_id), record, LIFETIME_SECONDS)
    _count_created(organisation)
    cache.set(_idempotency_key(organisation, key), {"digest": digest, "id": remote_id}, LIFETIME_SECONDS)
    return JsonResponse(_view(record), status=201)


@public
@require_GET
@faulty(SERVICE)
def declaration(request: HttpRequest, organisation: str, remote_id: str) -> HttpResponse:
    if organisation not in ORGANISATIONS:
        return _error(404, "unknown_organisation", "Organisme inconnu.")
    if not _authorized(request):
        return _error(401, "unauthorized", "Jeton d’accès absent ou invalide.")
    record = cache.get(_declaration_key(organisation, remote_id))
    if record is None:
        return _error(404, "not_found", "Déclaration inconnue.")
    return JsonResponse(_view(record))
