"""A per-citizen limit on questions to the assistant, counted in the Django cache (Redis in production).

A fixed window: the first question opens a window of ``ASSISTANT_RATE_LIMIT_WINDOW_SECONDS``
in which at most ``ASSISTANT_RATE_LIMIT_QUESTIONS`` are answered; pages and API count together.
With Redis down it keeps counting per process (``civiquest.core.ratelimit``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import ngettext

from civiquest.core import ratelimit


def _key(user_id: int) -> str:
    return f"assistant:questions:{user_id}"


def question_allowed(user_id: int) -> bool:
    """Count one question for the user; False when it is over the limit (the question is then refused)."""
    return ratelimit.allowed(
        _key(user_id),
        limit=settings.ASSISTANT_RATE_LIMIT_QUESTIONS,
        window=settings.ASSISTANT_RATE_LIMIT_WINDOW_SECONDS,
    )


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
