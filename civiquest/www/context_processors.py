from functools import cache
from typing import Any

from django.http import HttpRequest

from civiquest.accounts.models import Role
from civiquest.notifications.services import Section, unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in citizen's or agent's unread count of the services' messages, read only if a page shows it.

    From the cache: see ``notifications.services.unread_count``.

    A callable: templates call it when they use it, and ``cache`` keeps the first answer for the request.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (Role.CITIZEN, Role.AGENT):
        return {}

    @cache
    def unread_notifications() -> int:
        # The services' messages only: the game's news and habit reminders are no message to answer.
        return unread_count(recipient=user, section=Section.SERVICE)

    return {"unread_notifications": unread_notifications}
