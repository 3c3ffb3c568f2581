"""Read pseudonyms."""

from __future__ import annotations

from collections.abc import Iterable

from civiquest.accounts.models import User
from civiquest.social.models import SocialProfile


def pseudonym_of(user: User) -> str | None:
    """The user's pseudonym, or None if they have not chosen one yet."""
    return SocialProfile.objects.filter(user=user).values_list("pseudonym", flat=True).first()


def pseudonyms_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Pseudonyms by user id, in one query (users without one are absent)."""
    return dict(SocialProfile.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "pseudonym"))
