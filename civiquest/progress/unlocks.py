"""What a citizen's progress unlocks for their avatar: their level's titles and their badges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civiquest.accounts.models import User
from civiquest.progress.badges import badge_codes_of
from civiquest.progress.levels import TITLES
from civiquest.progress.xp import level_of


@dataclass
class Unlocks:
    level: int
    title: str
    badges: set[str]
    titles: list[tuple[int, str]]  # (level that unlocks it, title), the unlocked ones
    info: Any = None  # the XP app's LevelInfo, when it exists

    def displayed_title(self, title_level: int | None) -> str:
        """The title the citizen chose if it is unlocked, else the one of their level."""
        for at, title in reversed(self.titles):
            if title_level is not None and at <= title_level:
                return title
        return self.title


def unlocks_of(citizen: User) -> Unlocks:
    """The citizen's level, titles and badges as the XP app reports them (level 1 and none before it exists)."""
    info = level_of(citizen)
    level, title = int(info.level), str(info.title)
    titles = [(at, str(name)) for at, name in TITLES if at <= level]
    badges = set(badge_codes_of(citizen))
    return Unlocks(level=level, title=title, badges=badges, titles=titles, info=info)
