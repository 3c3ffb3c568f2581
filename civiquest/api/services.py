"""The services' API: a service's own systems (its back office) read and instruct its quests.

Mounted at ``/api/v1/services/``. Authentication: ``Authorization: Bearer <token>``, a token an
agent made in the agent portal (``/agent/api/``, ``accounts.api_tokens``). An unknown, revoked
or expired token is a 401; a service the token does not reach (not named, or its creator no
longer belongs to it) is a 404, as is a quest of another service; a write with a read-only
token is a 403; more than ``SERVICES_API_RATE_LIMIT`` calls per window and token is a 429 with
``Retry-After``. Every call made with a token is logged (``ServiceApiTokenUse``, by
``civiquest.api.use_log``).

- ``GET /{service_id}/quests``: the service's quests, oldest change first, filtered by state,
  procedure and last change, a page at a time (``next_cursor``: pass it back as ``cursor``),
  each with its answers (labels of its revision) and the links to its documents;
- ``GET /{service_id}/quests/{reference}``: one quest;
- ``POST /{service_id}/quests/{reference}/decision``: start the review, accept, reject, ask for
  changes, close, through the same use cases as the agent portal (the actor is the token's
  creator; the audit events say ``"via": "api"`` and the token);
- ``POST /{service_id}/quests/{reference}/messages``: write to the citizen, as the portal does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from civiquest.accounts import api_tokens
from civiquest.accounts.audit import audit_channel
from civiquest.accounts.models import ApiTokenScope, ServiceApiToken
from civiquest.actions import instruction as decisions
from civiquest.core import ratelimit
from civiquest.core.api_errors import BadInputOut
from civiquest.core.errors import ProcedureError
from civiquest.documents.responses import private_file_response
from civiquest.instruction import api_reads
from civiquest.instruction import services as instruction
from civiquest.quests import workflow
from civiquest.quests.errors import IllegalTransition
from civiquest.quests.models import Quest

router = Router(tags=["services"])
ServiceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Reference = Annotated[str, Path(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9-]+$")]
DocumentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
VisibleState = Literal["submitted", "in_review", "changes_requested", "accepted", "rejected", "closed"]
DecisionAction = Literal["start_review", "accept", "reject", "request_changes", "close"]


class ErrorOut(Schema):
    detail: str


class ProcedureOut(Schema):
    id: int
    slug: str
    title: str


class CitizenOut(Schema):
    first_name: str
    last_name: str
    email: str


class AnswerOut(Schema):
    name: str
    label: str
    step: str
    value: Any


class DocumentOut(Schema):
    id: int
    step: str
    input: str
    title: str
    content_type: str
    url: str


class QuestOut(Schema):
    reference: str
    state: str
    state_label: str
    procedure: ProcedureOut
    citizen: CitizenOut
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    updated_at: dt.datetime
    deadline_at: dt.datetime | None
    answers: list[AnswerOut]
    documents: list[DocumentOut]
    url: str


class QuestPageOut(Schema):
    quests: list[QuestOut]
    next_cursor: str | None


class QuestsQuery(Schema):
    state: VisibleState | None = None
    procedure: int | None = Field(None, ge=1, le=2**31 - 1)
    updated_since: dt.datetime | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=api_reads.PAGE_MAX)


class DecisionIn(Schema):
    action: DecisionAction
    motivation: str = Field("", max_length=instruction.MESSAGE_MAX_LENGTH)
    targets: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=100)
    # For request_changes: a comment beside each answer to correct, by target (as in the portal);
    # a target with a comment is pointed at, so ``targets`` may be left out.
    comments: dict[
        Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=instruction.MESSAGE_MAX_LENGTH)]
    ] = Field({}, max_length=100)


class MessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=instruction.MESSAGE_MAX_LENGTH)


class MessageOut(Schema):
    id: int
    body: str
    created_at: dt.datetime


# --- Authentication, reach, the use log -----------------------------------------------------


class TokenAuth(HttpBearer):
    """A token of the services' API: known, unrevoked, unexpired, under its rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ServiceApiToken:
        found = api_tokens.token_for_secret(token.strip())
        if found is None:
            raise HttpError(401, _("Jeton d’API inconnu : vérifiez l’en-tête Authorization: Bearer <jeton>."))
        if not found.is_active():
            # A revoked or expired token still in use: logged, at most once a minute.
            if cache.add(f"services-api:refused:{found.pk}", 1, timeout=60):
                api_tokens.token_use_record(token=found, method=request.method or "", path=request.path, status=401)
            raise HttpError(401, _("Ce jeton d’API est révoqué ou expiré : demandez-en un nouveau à votre agent."))
        try:
            ratelimit.check(
                f"services-api:{found.pk}",
                limit=settings.SERVICES_API_RATE_LIMIT,
                window=settings.SERVICES_API_RATE_LIMIT_WINDOW_SECONDS,
                message=_("Trop d’appels avec ce jeton : réessayez dans quelques instants."),
            )
        except ratelimit.RateLimited as error:
            # The first refusal of a window is logged, not each of them.
            if cache.add(f"services-api:limited:{found.pk}", 1, timeout=error.retry_after):
                api_tokens.token_use_record(token=found, method=request.method or "", path=request.path, status=429)
            raise
        return found


token_auth = TokenAuth()
ERRORS: dict[int, Any] = {400: BadInputOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _token(request: HttpRequest) -> ServiceApiToken:
    token = request.auth  # type: ignore[attr-defined]
    if not isinstance(token, ServiceApiToken):  # TokenAuth set it, or the call never got here
        raise TypeError(token)
    return token


def _service_refused(request: HttpRequest, service_id: int, *, write: bool = False) -> Status[Any] | None:
    """The 404 of a service out of the token's reach, the 403 of a write with a read-only token, or ``None``."""
    token = _token(request)
    if service_id not in api_tokens.token_service_ids(token):
        return Status(404, ErrorOut(detail=_("Ce service n’existe pas ou ce jeton n’y donne pas accès.")))
    if write and token.scope != ApiTokenScope.READ_WRITE:
        return Status(403, ErrorOut(detail=_("Ce jeton ne permet que la lecture des dossiers.")))
    return None


def _quest_not_found() -> Status[Any]:
    return Status(404, ErrorOut(detail=_("Dossier introuvable.")))


# --- What a quest looks like ------------------------------------------------------------------


def _quest_out(quest: Quest, labels: dict[str, api_reads.InputLabel]) -> QuestOut:
    base = settings.CIVIQUEST_PUBLIC_URL
    unknown = api_reads.InputLabel("", "")
    return QuestOut(
        reference=quest.reference,
        state=quest.state,
        state_label=workflow.state_label(quest.state),
        procedure=ProcedureOut(id=quest.procedure_id, slug=quest.procedure.slug, title=quest.procedure.title),
        citizen=CitizenOut(
            first_name=quest.citizen.first_name, last_name=quest.citizen.last_name, email=quest.citizen.email
        ),
        submitted_at=quest.submitted_at,
        decided_at=quest.decided_at,
        updated_at=quest.updated_at,
        deadline_at=quest.deadline_at,
        answers=[
            AnswerOut(
                name=answer.field_name,
                label=labels.get(answer.field_name, unknown).label,
                step=labels.get(answer.field_name, unknown).step,
                value=answer.value,
            )
            for answer in sorted(quest.answers.all(), key=lambda answer: answer.field_name)
        ],
        documents=[
            DocumentOut(
                id=link.document_id,
                step=link.step_slug,
                input=link.input_name,
                title=link.document.title,
                content_type=link.document.content_type,
                url=base
                + reverse(
                    "api:services_quest_document",
                    args=[quest.procedure.instructing_service_id, quest.reference, link.document_id],
                ),
            )
            for link in quest.documents.all()
        ],
        url=base + reverse("agent:quest", args=[quest.pk]),
    )


def _quests_out(quests: list[Quest]) -> list[QuestOut]:
    labels = api_reads.input_labels([quest.revision for quest in quests])
    return [_quest_out(quest, labels[quest.revision_id]) for quest in quests]


def _cursor(quest: Quest) -> str:
    raw = json.dumps([quest.updated_at.isoformat(), quest.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[dt.datetime, int]:
    """The position a cursor names; ``ValueError`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        at = dt.datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as error:
        raise ValueError(cursor) from error
    if not isinstance(pk, int) or isinstance(pk, bool) or at.tzinfo is None:
        raise ValueError(cursor)
    return at, pk


# --- Operations -------------------------------------------------------------------------------


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """``updated_since`` in UTC: ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59), and a
    date without one is read in the service's time zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment.astimezone(dt.UTC)


@router.get(
    "/{service_id}/quests",
    auth=token_auth,
    response={200: QuestPageOut, **ERRORS},
    summary="The service's quests, oldest change first, with answers and documents (keyset pagination)",
)
def quests_list(request: HttpRequest, service_id: ServiceId, filters: Query[QuestsQuery]) -> Status[Any]:
    refused = _service_refused(request, service_id)
    if refused is not None:
        return refused
    after = None
    if filters.cursor:
        try:
            after = _after(filters.cursor)
        except ValueError:
            detail = _("Curseur invalide : reprenez la liste depuis le début, sans curseur.")
            return Status(400, BadInputOut(detail=detail))
    try:
        since = _utc(filters.updated_since)
    except (OverflowError, ValueError):
        return Status(400, BadInputOut(detail=_("Date « updated_since » hors des limites : donnez une date réelle.")))
    quests, more = api_reads.service_quests_page(
        agent=_token(request).created_by,
        service_id=service_id,
        filters=api_reads.QuestFilters(
            states=(filters.state,) if filters.state else (),
            procedure_id=filters.procedure,
            updated_since=since,
        ),
        after=after,
        limit=filters.limit,
    )
    page = QuestPageOut(quests=_quests_out(quests), next_cursor=_cursor(quests[-1]) if more else None)
    return Status(200, page)


@router.get(
    "/{service_id}/quests/{reference}",
    auth=token_auth,
    response={200: QuestOut, **ERRORS},
    summary="One quest of the service, with its answers and documents",
)
def quest_detail(request: HttpRequest, service_id: ServiceId, reference: Reference) -> Status[Any]:
    refused = _service_refused(request, service_id)
    if refused is not None:
        return refused
    quest = api_reads.service_quest(agent=_token(request).created_by, service_id=service_id, reference=reference)
    if quest is None:
        return _quest_not_found()
    return Status(200, _quests_out([quest])[0])


@router.get(
    "/{service_id}/quests/{reference}/documents/{document_id}",
    auth=token_auth,
    response={200: None, **ERRORS},
    url_name="services_quest_document",
    summary="A document given with the quest: the file, as its type was sniffed at intake",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, always as an attachment",
                "content": {kind: {} for kind in ("application/pdf", "image/jpeg", "image/png")},
            }
        }
    },
)
def quest_document(
    request: HttpRequest, service_id: ServiceId, reference: Reference, document_id: DocumentId
) -> HttpResponseBase:
    """Read with the token (read scope is enough), like the agent's own download: only a document of
    a quest of the token's services, streamed, never a storage URL."""
    refused = _service_refused(request, service_id)
    if refused is not None:
        return refused  # type: ignore[return-value]  # ninja renders the Status
    quest = api_reads.service_quest(agent=_token(request).created_by, service_id=service_id, reference=reference)
    document = None if quest is None else api_reads.quest_document(quest=quest, document_id=document_id)
    if document is None:
        return Status(404, ErrorOut(detail=_("Document introuvable.")))  # type: ignore[return-value]
    return private_file_response(
        request, document.file, filename=document.original_filename, content_type=document.content_type
    )


def _decide(quest: Quest, token: ServiceApiToken, payload: DecisionIn) -> None:
    actor = token.created_by
    if payload.action == "start_review":
        decisions.quest_start_review(quest=quest, actor=actor)
    elif payload.action == "accept":
        decisions.quest_accept(quest=quest, actor=actor)
    elif payload.action == "reject":
        decisions.quest_reject(quest=quest, actor=actor, motivation=payload.motivation)
    elif payload.action == "request_changes":
        comments = {target: text.strip() for target, text in payload.comments.items() if text.strip()}
        decisions.quest_request_changes(
            quest=quest, actor=actor, message=payload.motivation, targets=payload.targets, comments=comments
        )
    else:
        decisions.quest_close(quest=quest, actor=actor, motivation=payload.motivation)


@router.post(
    "/{service_id}/quests/{reference}/decision",
    auth=token_auth,
    response={200: QuestOut, 409: ErrorOut, **ERRORS},
    summary="Start the review, accept, reject, ask for changes or close, as in the agent portal",
)
def quest_decision(
    request: HttpRequest, service_id: ServiceId, reference: Reference, payload: DecisionIn
) -> Status[Any]:
    refused = _service_refused(request, service_id, write=True)
    if refused is not None:
        return refused
    token = _token(request)
    quest = api_reads.service_quest(agent=token.created_by, service_id=service_id, reference=reference)
    if quest is None:
        return _quest_not_found()
    try:
        with audit_channel(via="api", api_token=token.pk):
            _decide(quest, token, payload)
    except instruction.QuestNotFound:
        return _quest_not_found()
    except IllegalTransition as error:
        return Status(409, ErrorOut(detail=error.message))
    except ProcedureError as error:
        return Status(400, BadInputOut(detail=error.message))
    updated = api_reads.service_quest(agent=token.created_by, service_id=service_id, reference=reference)
    if updated is None:  # closed quests stay visible; only a quest gone meanwhile lands here
        return _quest_not_found()
    return Status(200, _quests_out([updated])[0])


@router.post(
    "/{service_id}/quests/{reference}/messages",
    auth=token_auth,
    response={201: MessageOut, **ERRORS},
    summary="Write to the citizen in the quest's thread, as the agent portal does",
)
def quest_message(
    request: HttpRequest, service_id: ServiceId, reference: Reference, payload: MessageIn
) -> Status[Any]:
    refused = _service_refused(request, service_id, write=True)
    if refused is not None:
        return refused
    token = _token(request)
    quest = api_reads.service_quest(agent=token.created_by, service_id=service_id, reference=reference)
    if quest is None:
        return _quest_not_found()
    try:
        with audit_channel(via="api", api_token=token.pk):
            message = instruction.message_send(quest=quest, author=token.created_by, body=payload.body)
    except instruction.QuestNotFound:
        return _quest_not_found()
    except ProcedureError as error:
        return Status(400, BadInputOut(detail=error.message))
    return Status(201, MessageOut(id=message.pk, body=message.body, created_at=message.created_at))
