"""The citizen chooses how their space looks: the game shown, or "mode sobre"."""

from __future__ import annotations

from enum import StrEnum

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.core.transactions import use_case
from civiquest.progress.habits import services
from civiquest.progress.habits.models import GamePreferences

AUDIT_DISPLAY_CHOOSE = "display.choose"


class DisplayMode(StrEnum):
    SOBER = "sober"
    GAME = "game"
    # "Décider plus tard": a State service shows nothing of a game the citizen did not ask for.
    SKIP = "skip"


# What skipping the choice records: the sober display (docs/architecture.md, "A service first").
DEFAULT_WHEN_SKIPPED = DisplayMode.SOBER


@use_case
def display_choose(*, citizen: User, mode: DisplayMode) -> GamePreferences:
    """Record the choice (from the page after the first sign-in, or the header's switch) and audit it."""
    sober = (DEFAULT_WHEN_SKIPPED if mode == DisplayMode.SKIP else mode) == DisplayMode.SOBER
    preferences = services.display_choose(citizen=citizen, sober=sober)
    audit_record(
        actor=citizen,
        action=AUDIT_DISPLAY_CHOOSE,
        target=("game_preferences", citizen.pk, ""),
        details={"mode": "sober" if sober else "game", "skipped": mode == DisplayMode.SKIP},
    )
    return preferences
