"""The citizen's address pages: the suggestions of the address field, and moving house.

- ``address_suggestions`` answers the address combobox (htmx): the options of its listbox
  and, out of band, the sentence its live region reads. When the geocoder is down it says
  so and offers free entry: the citizen can always type an address and go on.
- ``moving`` / ``moving_quest`` show a move's declaration: the organisations chosen in
  the ``changement-adresse`` quest, a reference input for each, the "declare" button,
  then each organisation's status, with a retry for those that failed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.moving import move_declare
from civiquest.catalogue.cleaning import address_display
from civiquest.core.addresses import NormalizedAddress
from civiquest.core.http import IntegrationError
from civiquest.integrations.address.moving import selectors as moving_selectors
from civiquest.integrations.address.moving import services as moving_services
from civiquest.integrations.address.moving.models import DispatchStatus
from civiquest.integrations.address.moving.organisations import ORGANISATIONS
from civiquest.integrations.address.selectors import address_search
from civiquest.quests.models import Quest
from civiquest.www.citizen.quest_forms import address_token

logger = logging.getLogger(__name__)

MIN_QUERY_LENGTH = 3
SUGGESTIONS = 5
WAITING = (DispatchStatus.PENDING, DispatchStatus.SENDING, DispatchStatus.RECEIVED)
LISTBOX_ID_RE = re.compile(r"^[A-Za-z][\w-]{0,80}$")
FIELD_NAME_RE = re.compile(r"^[\w.-]{1,100}$")


@role_required(Role.CITIZEN)
@require_GET
def address_suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    field = request.GET.get("field", "")
    listbox = request.GET.get("listbox", "")
    if not LISTBOX_ID_RE.match(listbox):
        listbox = "adresse-listbox"
    query = request.GET.get(field, "") if FIELD_NAME_RE.match(field) else ""
    query = " ".join((query or request.GET.get("q", "")).split())[:200]
    context: dict[str, Any] = {"listbox": listbox, "suggestions": [], "problem": "", "query_too_short": False}
    if len(query) < MIN_QUERY_LENGTH:
        context["query_too_short"] = True
    else:
        try:
            features = address_search(query, limit=SUGGESTIONS)
        except IntegrationError as error:
            context["problem"] = error.user_message
        else:
            context["suggestions"] = _suggestions(features)
    response = render(request, "citizen/address/_suggestions.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _suggestions(features: list[dict[str, Any]]) -> list[dict[str, str]]:
    suggestions = []
    for feature in features:
        try:
            address = NormalizedAddress.from_feature(feature)
        except ValueError:
            logger.warning("geocoder feature without a usable label skipped")
            continue
        suggestions.append({"label": address.label, "token": address_token(address.as_dict())})
    return suggestions


# --- Moving house ------------------------------------------------------------------------------------


@role_required(Role.CITIZEN)
@require_GET
def moving(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The declaration page of the citizen's latest changement-adresse quest, or their address and how to move."""
    quest = moving_selectors.latest_moving_quest(request.user)
    if quest is not None:
        return redirect("citizen:moving-quest", quest_id=quest.pk)
    return render(
        request,
        "citizen/moving/index.html",
        {
            "title": _("Déclarer mon déménagement"),
            "home": moving_selectors.home_address_of(request.user),
            "procedure_slug": moving_selectors.moving_procedure_slug(),
        },
    )


def _moving_quest(request: AuthenticatedHttpRequest, quest_id: int) -> Quest:
    quest = moving_selectors.citizen_moving_quest(citizen=request.user, quest_id=quest_id)
    if quest is None:
        raise Http404
    return quest


@dataclass
class ReferenceRow:
    code: str
    name: str
    label: str
    reference_label: str
    hint: str
    value: str
    error: str


def _render_moving(
    request: AuthenticatedHttpRequest,
    quest: Quest,
    *,
    posted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    declaration = moving_selectors.declaration_of(quest)
    draft = moving_selectors.move_draft(quest)
    posted = posted or {}
    errors = errors or {}
    rows = [
        ReferenceRow(
            code=organisation.code,
            name=moving_services.reference_input(organisation.code),
            label=str(organisation.label),
            reference_label=str(organisation.reference_label),
            hint=str(organisation.reference_hint),
            value=posted.get(organisation.code, ""),
            error=errors.get(moving_services.reference_input(organisation.code), ""),
        )
        for organisation in draft.organisations
    ]
    dispatches = list(declaration.dispatches.all()) if declaration is not None else []
    return render(
        request,
        "citizen/moving/moving.html",
        {
            "title": _("Déclarer mon déménagement"),
            "quest": quest,
            "draft": draft,
            "address_display": address_display(draft.address),
            "declaration": declaration,
            "dispatches": dispatches,
            "waiting": any(dispatch.status in WAITING for dispatch in dispatches),
            "rows": rows,
            "errors": errors,
            "problem": problem,
            "organisations": ORGANISATIONS,
        },
        status=status,
    )


@role_required(Role.CITIZEN)
@require_http_methods(["GET", "POST"])
def moving_quest(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    quest = _moving_quest(request, quest_id)
    if request.method != "POST":
        return _render_moving(request, quest)
    references = {code: request.POST.get(moving_services.reference_input(code), "")[:100] for code in ORGANISATIONS}
    try:
        declaration = move_declare(quest=quest, citizen=request.user, references=references)
    except moving_services.MoveError as error:
        return _render_moving(
            request, quest, posted=references, errors=error.errors, problem=error.message, status=400
        )
    messages.success(
        request,
        _("Votre déménagement est déclaré (n° %(reference)s). Suivez ci-dessous la réponse de chaque organisme.")
        % {"reference": declaration.reference},
    )
    return redirect("citizen:moving-quest", quest_id=quest.pk)


@role_required(Role.CITIZEN)
@require_POST
def moving_refresh(request: AuthenticatedHttpRequest, quest_id: int) -> HttpResponse:
    quest = _moving_quest(request, quest_id)
    declaration = moving_selectors.declaration_of(quest)
    if declaration is not None:
        for dispatch in declaration.dispatches.all():
            moving_services.dispatch_refresh(dispatch=dispatch)
    if request.headers.get("HX-Request") == "true":
        return _render_moving(request, quest)
    return redirect("citizen:moving-quest", quest_id=quest.pk)


@role_required(Role.CITIZEN)
@require_POST
def moving_retry(request: AuthenticatedHttpRequest, quest_id: int, organisation: str) -> HttpResponse:
    quest = _moving_quest(request, quest_id)
    dispatch = moving_selectors.dispatch_of(citizen=request.user, quest=quest, organisation=organisation)
    if dispatch is None:
        raise Http404
    reference = request.POST.get(moving_services.reference_input(organisation))
    try:
        moving_services.dispatch_retry(dispatch=dispatch, citizen=request.user, reference=reference)
    except moving_services.MoveError as error:
        return _render_moving(request, quest, errors=error.errors, problem=error.message, status=400)
    messages.success(
        request, _("La déclaration est renvoyée à %(organisation)s.") % {"organisation": dispatch.organisation_label}
    )
    return redirect("citizen:moving-quest", quest_id=quest.pk)
