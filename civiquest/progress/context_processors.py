from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civiquest.accounts.models import Role
from civiquest.progress.notifications import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in citizen's unread notification count, read (from the cache) only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != Role.CITIZEN:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(recipient=user))}
