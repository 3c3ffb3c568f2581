"""Writes of moving house: declare a move once, send it to each organisation, follow and retry.

- ``move_declare`` is idempotent per quest: a double click or a retried request finds the
  declaration already made and sends nothing more. In one transaction it records the
  declaration, one dispatch per organisation chosen, the citizen's new home address and
  the quest's step (explicit calls into the procedures services); the dispatches are
  queued once the transaction commits.
- ``dispatch_send`` claims a dispatch (a conditional UPDATE, so two workers never send the
  same one), calls the organisation with the dispatch's idempotency key (a retry after a
  lost answer is recognised by the organisation), and records its answer. A failure is
  retried a few times with backoff, then left ``failed`` for the citizen to retry; it
  never touches the other dispatches.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.catalogue.cleaning import address_label
from civiquest.catalogue.inputs import reference_input_name
from civiquest.core.errors import ProcedureError
from civiquest.core.http import IntegrationError, RequestRejected
from civiquest.integrations.address.moving.models import (
    DispatchStatus,
    HomeAddress,
    MoveDeclaration,
    MoveDispatch,
)
from civiquest.integrations.address.moving.organisations import ORGANISATIONS, ReferenceInvalid, clean_reference
from civiquest.integrations.address.moving.recipients import MovingRecipientsClient, rejection_reason
from civiquest.integrations.address.moving.selectors import DECLARATION_STEP, move_draft
from civiquest.quests import services as procedure_services
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.services import QuestEvents

logger = logging.getLogger(__name__)

EDITABLE_STATES = (QuestState.DRAFT, QuestState.CHANGES_REQUESTED)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A dispatch claimed by a worker that died is sent again (same key) after this long.
STALE_SENDING = dt.timedelta(minutes=10)
CONFLICT = 409


class MoveError(Exception):
    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


def reference_input(organisation: str) -> str:
    """The name of a reference input on the declaration page."""
    return f"reference-{organisation}"


def _declaration_reference() -> str:
    return "DEM-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def max_attempts() -> int:
    return int(getattr(settings, "MOVING_DISPATCH_ATTEMPTS", 3))


@transaction.atomic
def home_address_set(*, citizen: User, address: Any, since: dt.date | None) -> HomeAddress:
    home, _created = HomeAddress.objects.update_or_create(
        citizen=citizen, defaults={"address": address, "label": address_label(address)[:500], "since": since}
    )
    return home


def move_declare(
    *, quest: Quest, citizen: User, references: Mapping[str, str], events: QuestEvents | None = None
) -> MoveDeclaration:
    """Declare the quest's move once; raises ``MoveError`` (with errors by input) when it cannot."""
    with transaction.atomic():
        locked = Quest.objects.select_for_update(of=("self",)).select_related("revision").get(pk=quest.pk)
        if locked.citizen_id != citizen.pk or not locked.revision.address_dispatch:
            raise MoveError(_("Ce dossier n’est pas une déclaration de changement d’adresse."))
        existing = MoveDeclaration.objects.filter(quest=locked).first()
        if existing is not None:
            return existing
        if locked.state not in EDITABLE_STATES:
            raise MoveError(_("Ce dossier ne peut plus être modifié : il est terminé."))
        draft = move_draft(locked)
        if not draft.is_ready or draft.moved_on is None:
            raise MoveError(
                _("Indiquez d’abord votre nouvelle adresse, la date du déménagement et les organismes à prévenir.")
            )
        errors: dict[str, str] = {}
        cleaned: dict[str, str] = {}
        for organisation in draft.organisations:
            try:
                cleaned[organisation.code] = clean_reference(organisation, references.get(organisation.code, ""))
            except ReferenceInvalid as error:
                errors[reference_input(organisation.code)] = str(error)
        if errors:
            raise MoveError(_("Corrigez les références indiquées ci-dessous."), errors)
        declaration = MoveDeclaration.objects.create(
            quest=locked,
            citizen=citizen,
            reference=_declaration_reference(),
            address=draft.address,
            address_label=draft.address_label[:500],
            moved_on=draft.moved_on,
        )
        MoveDispatch.objects.bulk_create(
            [
                MoveDispatch(declaration=declaration, organisation=code, reference=reference)
                for code, reference in cleaned.items()
            ]
        )
        home_address_set(citizen=citizen, address=draft.address, since=draft.moved_on)
        _quest_step_done(locked, declaration, events)
        ids = list(declaration.dispatches.values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(ids))
    return declaration


def _quest_step_done(quest: Quest, declaration: MoveDeclaration, events: QuestEvents | None) -> None:
    """The quest's declaration step takes the declaration number as its reference, and is done."""
    step = quest.revision.steps.filter(slug=DECLARATION_STEP).first()
    if step is None:
        return
    try:
        saved = procedure_services.answers_save(
            quest=quest, step=step, data={reference_input_name(step): declaration.reference}
        )
        if not saved.errors:
            procedure_services.step_complete(quest=quest, step=step, events=events)
    except ProcedureError as error:
        # The move is declared whatever the quest's state; the citizen can finish the step by hand.
        logger.warning("moving quest step not completed", extra={"quest": quest.pk, "problem": error.message})


def _enqueue(dispatch_ids: list[int]) -> None:
    from civiquest.integrations.address.moving.tasks import moving_dispatch_send  # noqa: PLC0415 - moving.tasks imports this module

    for dispatch_id in dispatch_ids:
        moving_dispatch_send.delay(dispatch_id)


def _payload(dispatch: MoveDispatch) -> dict[str, Any]:
    declaration = dispatch.declaration
    address = declaration.address if isinstance(declaration.address, dict) else {"label": declaration.address_label}
    return {
        "declaration": declaration.reference,
        "reference": dispatch.reference,
        "moved_on": declaration.moved_on.isoformat(),
        "address": address,
    }


def _claim(dispatch_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=DispatchStatus.PENDING) | Q(status=DispatchStatus.SENDING, updated_at__lt=now - STALE_SENDING)
    return bool(
        MoveDispatch.objects.filter(claimable, pk=dispatch_id).update(
            status=DispatchStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
        )
    )


def dispatch_send(*, dispatch_id: int) -> bool:
    """Send one dispatch if it is due; returns whether it should be tried again later."""
    if not _claim(dispatch_id):
        return False
    dispatch = MoveDispatch.objects.select_related("declaration").get(pk=dispatch_id)
    retry = False
    try:
        remote = MovingRecipientsClient().declare(
            organisation=dispatch.organisation,
            idempotency_key=str(dispatch.idempotency_key),
            payload=_payload(dispatch),
        )
    except RequestRejected as error:
        if error.status == CONFLICT:
            # The same request is still being handled (a retry overtook it): ask again later.
            retry = dispatch.attempts < max_attempts()
            dispatch.status = DispatchStatus.PENDING if retry else DispatchStatus.FAILED
            dispatch.reason = error.user_message
        else:
            dispatch.status = DispatchStatus.REJECTED
            dispatch.reason = rejection_reason(error.payload) or error.user_message
    except IntegrationError as error:
        retry = dispatch.attempts < max_attempts()
        dispatch.status = DispatchStatus.PENDING if retry else DispatchStatus.FAILED
        dispatch.reason = error.user_message
    except Exception:
        # Never let one organisation's surprise stop the others: the citizen can retry it.
        logger.exception("moving dispatch failed", extra={"dispatch": dispatch.pk})
        dispatch.status = DispatchStatus.FAILED
        dispatch.reason = _("L’envoi a échoué. Réessayez dans quelques minutes.")
    else:
        dispatch.status = remote.status
        dispatch.remote_id = remote.remote_id
        dispatch.reason = remote.reason
        dispatch.sent_at = timezone.now()
        dispatch.processed_at = remote.processed_at
    dispatch.save(update_fields=["status", "reason", "remote_id", "sent_at", "processed_at", "updated_at"])
    return retry


def dispatch_refresh(*, dispatch: MoveDispatch) -> MoveDispatch:
    """Ask the organisation where a received dispatch stands (nothing changes if it cannot answer)."""
    if dispatch.status != DispatchStatus.RECEIVED or not dispatch.remote_id:
        return dispatch
    try:
        remote = MovingRecipientsClient().status(organisation=dispatch.organisation, remote_id=dispatch.remote_id)
    except IntegrationError as error:
        logger.info("moving dispatch status unavailable", extra={"dispatch": dispatch.pk, "detail": error.detail})
        return dispatch
    if remote.status != dispatch.status:
        dispatch.status = remote.status
        dispatch.reason = remote.reason
        dispatch.processed_at = remote.processed_at
        dispatch.save(update_fields=["status", "reason", "processed_at", "updated_at"])
    return dispatch


def dispatches_refresh(*, limit: int = 200) -> int:
    """The periodic job: the status of every dispatch still waiting for its organisation."""
    waiting = MoveDispatch.objects.filter(status=DispatchStatus.RECEIVED).order_by("updated_at")[:limit]
    changed = 0
    for dispatch in waiting:
        if dispatch_refresh(dispatch=dispatch).status != DispatchStatus.RECEIVED:
            changed += 1
    return changed


def dispatch_retry(*, dispatch: MoveDispatch, citizen: User, reference: str | None = None) -> MoveDispatch:
    """Send a refused or undelivered dispatch again (a refused one with a corrected reference)."""
    with transaction.atomic():
        locked = MoveDispatch.objects.select_for_update().select_related("declaration").get(pk=dispatch.pk)
        if locked.declaration.citizen_id != citizen.pk:
            raise MoveError(_("Cet envoi n’est pas le vôtre."))
        if not locked.is_retriable:
            # Already sent again (a double click): nothing more to do.
            return locked
        if reference is not None and reference.strip():
            try:
                locked.reference = clean_reference(ORGANISATIONS[locked.organisation], reference)
            except ReferenceInvalid as error:
                raise MoveError(str(error), {reference_input(locked.organisation): str(error)}) from error
        if locked.status == DispatchStatus.REJECTED:
            # A new request for the organisation: the refused one keeps its key and its answer.
            locked.idempotency_key = uuid.uuid4()
        locked.status = DispatchStatus.PENDING
        locked.reason = ""
        locked.attempts = 0
        locked.save(update_fields=["reference", "idempotency_key", "status", "reason", "attempts", "updated_at"])
        transaction.on_commit(lambda: _enqueue([locked.pk]))
    return locked
