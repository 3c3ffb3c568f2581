"""The commune combobox's suggestions (htmx fragment): the official commune list, searched in memory."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.integrations.address.communes import commune_search

LISTBOX_ID_RE = re.compile(r"^[A-Za-z][\w-]{0,80}$")
FIELD_NAME_RE = re.compile(r"^[\w.-]{1,100}$")
MIN_QUERY_LENGTH = 2
SUGGESTIONS = 8


@role_required(Role.CITIZEN)
@require_GET
def commune_suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    field = request.GET.get("field", "")
    listbox = request.GET.get("listbox", "")
    if not LISTBOX_ID_RE.match(listbox):
        listbox = "commune-listbox"
    query = request.GET.get(field, "") if FIELD_NAME_RE.match(field) else ""
    query = " ".join((query or request.GET.get("q", "")).split())[:200]
    context: dict[str, Any] = {"listbox": listbox, "suggestions": [], "query_too_short": False}
    if len(query) < MIN_QUERY_LENGTH:
        context["query_too_short"] = True
    else:
        context["suggestions"] = [
            {"code": commune.code, "label": commune.label, "description": commune.description}
            for commune in commune_search(query, limit=SUGGESTIONS)
        ]
    response = render(request, "citizen/address/_commune_suggestions.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
