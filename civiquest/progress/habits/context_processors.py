from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civiquest.progress.habits.selectors import game_news_by_email_for, game_visible_for


def game(request: HttpRequest) -> dict[str, Any]:
    """``game_visible``: False for a citizen in "mode sobre", True otherwise (anonymous included).

    Lazy: a page that never asks costs no query; one that asks costs one, once per request.
    Use it for its truth value (``{% if game_visible %}``). ``game_news_by_email`` is a callable,
    read only by the preferences form.
    """
    user = getattr(request, "user", None)
    return {
        "game_visible": SimpleLazyObject(lambda: game_visible_for(user)),
        "game_news_by_email": lambda: game_news_by_email_for(user),
    }
