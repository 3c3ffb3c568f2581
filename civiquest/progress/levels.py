"""The level curve: published, versioned, capped. Levels are derived from XP and never go down.

Version 1 (``LEVEL_CURVE_VERSION = 1``), after the recommended design in
``shared/reference/gamification.md`` §6, with level 2 brought down to 50 XP::

    threshold(1) = 0, threshold(2) = 50,
    threshold(L) = 10 × round(10 × (L − 1) ** 1.5)      for 3 ≤ L ≤ 20 (the cap)

    L2 = 50, L3 = 280, L4 = 520, L5 = 800, L10 = 2,700, L20 = 8,280 XP.

Level 2 is what one quest is worth at the least: every procedure of the catalogue
earns 55 to 205 XP through its steps and its completion (a test checks it), so the
first quest reaches level 2. The gaps then grow gently from 230 to 640 XP, about a
month of real activity under the daily cap. Titles unlock with levels. Changing the
curve means a new version: the level a citizen reached (``LevelState.max_level``) is kept.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LEVEL_CURVE_VERSION = 1
LEVEL_CAP = 20
# What one quest of the catalogue is worth at the least: the first quest reaches level 2.
FIRST_LEVEL_XP = 50


def threshold(level: int) -> int:
    """The total XP at which ``level`` starts (level 1 starts at 0)."""
    if level < 1 or level > LEVEL_CAP:
        raise ValueError(f"level out of range: {level}")
    if level == 2:
        return FIRST_LEVEL_XP
    return 10 * round(10 * (level - 1) ** 1.5)


THRESHOLDS: tuple[int, ...] = tuple(threshold(level) for level in range(1, LEVEL_CAP + 1))

# Titles, each unlocked at a level (the citizen may display any title they unlocked).
TITLES: tuple[tuple[int, Promise], ...] = (
    (1, _("Nouvel arrivant")),
    (2, _("Premier pas")),
    (3, _("Usager averti")),
    (5, _("Citoyen organisé")),
    (8, _("As des démarches")),
    (12, _("Pilier de la vie civique")),
    (16, _("Sage de l’administration")),
    (20, _("Légende civique")),
)


def level_for_xp(xp: int) -> int:
    """The level that ``xp`` reaches on the curve (1 for zero or negative XP)."""
    return max(1, bisect_right(THRESHOLDS, xp))


def title_for(level: int) -> str:
    return str([title for at, title in TITLES if at <= level][-1])


def titles_unlocked(level: int) -> list[str]:
    return [str(title) for at, title in TITLES if at <= level]


@dataclass(frozen=True)
class LevelInfo:
    """Where a citizen is on the curve. ``level`` is the highest reached (never lower)."""

    level: int
    title: str
    xp: int
    xp_current_level: int
    xp_next_level: int | None
    progress: float
    is_max: bool

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def xp_to_next(self) -> int:
        return 0 if self.xp_next_level is None else max(0, self.xp_next_level - self.xp)


def level_info(*, xp: int, max_level: int = 1) -> LevelInfo:
    level = min(LEVEL_CAP, max(level_for_xp(xp), max_level))
    current = THRESHOLDS[level - 1]
    if level >= LEVEL_CAP:
        return LevelInfo(level, title_for(level), xp, current, None, 1.0, True)
    following = THRESHOLDS[level]
    ratio = (xp - current) / (following - current)
    return LevelInfo(level, title_for(level), xp, current, following, min(1.0, max(0.0, ratio)), False)
