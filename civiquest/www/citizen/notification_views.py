"""The citizen's notification centre: what happened to their quests and their progress."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.progress.habits.selectors import game_visible_for
from civiquest.www.notification_centre import notification_centre


@role_required(Role.CITIZEN)
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    return notification_centre(
        request,
        template="citizen/notifications.html",
        include_game=game_visible_for(request.user),
        context={"title": _("Mes notifications")},
    )
