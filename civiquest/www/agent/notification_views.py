"""The agent's notification centre: the deadline warnings of the quests they instruct."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.www.notification_centre import notification_centre


@role_required(Role.AGENT)
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    return notification_centre(
        request, template="agent/notifications.html", include_game=False, context={"title": _("Notifications")}
    )
