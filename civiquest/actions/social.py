"""What the social features share: the pseudonym, chosen once (entraide, circles)."""

from __future__ import annotations

from civiquest.accounts.models import User
from civiquest.core.transactions import use_case
from civiquest.social import services
from civiquest.social.models import SocialProfile


@use_case
def pseudonym_choose(*, citizen: User, pseudonym: str) -> SocialProfile:
    """Choose the pseudonym shown instead of the name in entraide and circles; once, it never changes."""
    return services.pseudonym_choose(user=citizen, pseudonym=pseudonym)
