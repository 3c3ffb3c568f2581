"""The notification centre both portals share: citizens (their quests, progress) and agents (deadlines)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from civiquest.accounts.access import AuthenticatedHttpRequest
from civiquest.notifications.services import notifications_mark_read, notifications_of

PAGE_SIZE = 20


def notification_centre(
    request: AuthenticatedHttpRequest, *, template: str, include_game: bool, context: dict[str, Any]
) -> HttpResponse:
    """Latest first; the ones not seen before are marked as new, and seen from now on."""
    shown = notifications_of(recipient=request.user, include_game=include_game)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    unseen = [entry.pk for entry in entries if entry.is_unread]
    if unseen:
        notifications_mark_read(recipient=request.user, notification_ids=unseen)
    return render(request, template, {**context, "page": page, "entries": entries, "unseen": set(unseen)})
