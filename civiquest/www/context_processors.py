from functools import cache
from typing import Any

from django.http import HttpRequest

from civiquest.accounts.models import Role
from civiquest.notifications.services import unread_count
from civiquest.progress.habits.selectors import game_visible_for


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in citizen's or agent's unread notification count, read (from the cache) only if a page shows it.

    A callable: templates call it when they use it, and ``cache`` keeps the first answer for the request.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (Role.CITIZEN, Role.AGENT):
        return {}

    @cache
    def unread_notifications() -> int:
        # Agents play no game: only their work's notifications count.
        include_game = user.role == Role.CITIZEN and game_visible_for(user)
        return unread_count(recipient=user, include_game=include_game)

    return {"unread_notifications": unread_notifications}
