"""Nothing of the Republic's symbols or of public office is a reward (issue 20, point 1).

Badges, avatar parts and colours, level titles: names, codes and art are read, and the
pictograms' files too. Avatars saved with a former part keep working.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders

from civiquest.progress.badges import BADGES
from civiquest.progress.habits import avatar
from civiquest.progress.habits.models import GamePreferences
from civiquest.progress.levels import TITLES

# The sash of elected officials, the tricolour, Marianne, laurels (the crown of a victor, the
# State's emblem), the flag's colours in words; with and without accents, in French and English.
FORBIDDEN = re.compile(
    r"[ée]charpe|sash|tricol|marianne|lauri?er|laurel|bleu[- ]blanc[- ]rouge|drapeau|flag|r[ée]publique",
    re.IGNORECASE,
)


def _texts_of_rewards() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for badge in BADGES:
        texts += [(f"badge {badge.code}", value) for value in (badge.code, str(badge.name), badge.icon)]
        texts += [(f"badge {badge.code}", str(badge.description)), (f"badge {badge.code}", str(badge.how))]
        found = finders.find(badge.icon)
        assert found is not None, badge.icon
        texts.append((f"badge {badge.code} art", Path(str(found)).read_text(encoding="utf-8")))
    for slot, parts in avatar.PARTS.items():
        for part in parts:
            texts += [(f"avatar {slot}", part.code), (f"avatar {slot}", str(part.label)), (f"avatar {slot}", part.svg)]
    for accent in avatar.ACCENTS:
        texts += [("accent", accent.code), ("accent", str(accent.label))]
    texts += [("title", str(name)) for _level, name in TITLES]
    return texts


def test_no_reward_names_or_draws_a_symbol_of_the_republic_or_of_public_office():
    offending = [
        (where, FORBIDDEN.search(text).group(0)) for where, text in _texts_of_rewards() if FORBIDDEN.search(text)
    ]
    assert offending == []


def test_the_check_reads_what_it_claims_to():
    # The texts read are the real ones: the badges' pictograms and the avatar's parts are there.
    texts = _texts_of_rewards()
    assert len(texts) > 100
    assert sum(1 for where, text in texts if where.endswith(" art") and 'id="artwork-major"' in text) == len(BADGES)
    assert FORBIDDEN.search("Écharpe tricolore") and FORBIDDEN.search("couronne de lauriers")
    assert FORBIDDEN.search('font-family="Marianne, Arial"')


def test_an_avatar_saved_with_a_former_part_shows_its_replacement():
    saved = {"background": "tricolore", "base": "light", "hair": "laurels", "accessory": "tricolour_sash"}
    assert avatar.normalized({**saved, "accent": "blue"}) == {
        "background": "hills",
        "base": "light",
        "hair": "sun_hat",
        "accessory": "backpack",
        "accent": "blue",
    }
    assert "sac à dos" in avatar.description(saved)


@pytest.mark.django_db
def test_the_data_migration_moves_saved_avatars_to_the_new_parts(citizen):
    migration = importlib.import_module("civiquest.progress.habits.migrations.0004_avatar_sober_parts")
    saved = {
        "background": "tricolore",
        "base": "dark",
        "hair": "laurels",
        "accessory": "tricolour_sash",
        "accent": "red",
    }
    GamePreferences.objects.create(citizen=citizen, avatar=saved)

    migration.forward(apps, None)

    assert GamePreferences.objects.get(citizen=citizen).avatar == {
        "background": "hills",
        "base": "dark",
        "hair": "sun_hat",
        "accessory": "backpack",
        "accent": "red",
    }
