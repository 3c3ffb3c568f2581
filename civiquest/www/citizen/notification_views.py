"""The citizen's notification centre: the services' messages first, their progress's news apart."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.notifications.services import Section, notifications_mark_read, notifications_of
from civiquest.progress.habits.selectors import game_visible_for
from civiquest.www.notification_centre import PAGE_SIZE

NEWS_PAGE_PARAMETER = "page_progression"


@role_required(Role.CITIZEN)
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Two sections, each paged, latest first: the services' messages, then levels, badges and habit reminders.

    A level reached never looks like a message from a service: the second section is a plain list,
    below. The ones not seen before are marked as new, and seen from now on.
    """
    citizen = request.user
    game_visible = game_visible_for(citizen)
    service_page = Paginator(notifications_of(recipient=citizen, section=Section.SERVICE), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    news_page = Paginator(
        notifications_of(recipient=citizen, include_game=game_visible, section=Section.NEWS), PAGE_SIZE
    ).get_page(request.GET.get(NEWS_PAGE_PARAMETER))
    entries = list(service_page.object_list)
    news = list(news_page.object_list)
    unseen = [entry.pk for entry in (*entries, *news) if entry.is_unread]
    if unseen:
        notifications_mark_read(recipient=citizen, notification_ids=unseen)
    context = {
        "title": _("Mes notifications"),
        "page": service_page,
        "entries": entries,
        "news_page": news_page,
        "news": news,
        "news_page_parameter": NEWS_PAGE_PARAMETER,
        "unseen": set(unseen),
        "unseen_service": sum(1 for entry in entries if entry.pk in unseen),
    }
    return render(request, "citizen/notifications.html", context)
