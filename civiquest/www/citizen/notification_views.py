"""The citizen's notification centre: what happened to their quests (and, later, their progress)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.progress.habits.selectors import game_visible_for
from civiquest.progress.notifications import notifications_mark_read, notifications_of

PAGE_SIZE = 20


@role_required(Role.CITIZEN)
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Latest first; the ones not seen before are marked as new, and seen from now on."""
    shown = notifications_of(recipient=request.user, include_game=game_visible_for(request.user))
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    unseen = [entry.pk for entry in entries if entry.is_unread]
    if unseen:
        notifications_mark_read(recipient=request.user, notification_ids=unseen)
    return render(
        request,
        "citizen/notifications.html",
        {"title": _("Mes notifications"), "page": page, "entries": entries, "unseen": set(unseen)},
    )
