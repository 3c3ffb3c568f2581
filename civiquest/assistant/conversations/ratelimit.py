"""A per-citizen limit on questions to the assistant, counted in the Django cache (Redis in production).

A fixed window: the first question opens a window of ``ASSISTANT_RATE_LIMIT_WINDOW_SECONDS``
in which at most ``ASSISTANT_RATE_LIMIT_QUESTIONS`` are answered; pages and API count together.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext


def _key(user_id: int) -> str:
    return f"assistant:questions:{user_id}"


def question_allowed(user_id: int) -> bool:
    """Count one question for the user; False when it is over the limit (the question is then refused)."""
    window = settings.ASSISTANT_RATE_LIMIT_WINDOW_SECONDS
    key = _key(user_id)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window expired between add and incr: this question opens a new one.
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= settings.ASSISTANT_RATE_LIMIT_QUESTIONS


def rate_limit_message() -> str:
    minutes = max(1, settings.ASSISTANT_RATE_LIMIT_WINDOW_SECONDS // 60)
    limit = settings.ASSISTANT_RATE_LIMIT_QUESTIONS
    window = ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}
    return ngettext(
        "Vous avez posé %(limit)d question en moins de %(window)s, la limite pour l’assistant. "
        "Réessayez dans quelques minutes, ou contactez une maison France Services.",
        "Vous avez posé %(limit)d questions en moins de %(window)s, la limite pour l’assistant. "
        "Réessayez dans quelques minutes, ou contactez une maison France Services.",
        limit,
    ) % {"limit": limit, "window": window}
