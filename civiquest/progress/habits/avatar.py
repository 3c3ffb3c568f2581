"""The avatar: simple SVG parts in layers, unlocked by level and badges, with a text alternative.

Nothing of the Republic's symbols or of public office is a reward (no sash, Marianne,
tricolour or laurels): ``RENAMED`` maps the codes of the parts they replaced, for avatars
saved before (migration ``habits.0004``). Every part is free of charge: some are there from
the start, others unlock with a level or a badge (``Unlock``). Nothing is ever taken back: a
level never goes down and a badge is kept. The shapes are constants written here (no user
input reaches the SVG), drawn in a 120×120 box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SLOTS: tuple[str, ...] = ("background", "base", "hair", "accessory")
# (slot, former code) → the part that replaced it; ``normalized`` reads it for any avatar missed.
RENAMED: dict[tuple[str, str], str] = {
    ("background", "tricolore"): "hills",
    ("hair", "laurels"): "sun_hat",
    ("accessory", "tricolour_sash"): "backpack",
}


@dataclass(frozen=True)
class Unlock:
    level: int = 1
    badge: str = ""  # a badge code of civiquest.progress.badges; "" when only the level counts

    def is_met(self, *, level: int, badges: set[str]) -> bool:
        return level >= self.level and (not self.badge or self.badge in badges)


@dataclass(frozen=True)
class Part:
    code: str
    label: Promise  # what the text alternative says ("cheveux courts")
    svg: str  # SVG elements; "{accent}" and "{skin}" are replaced by colours
    unlock: Unlock = field(default_factory=Unlock)


@dataclass(frozen=True)
class Accent:
    code: str
    label: Promise
    colour: str
    unlock: Unlock = field(default_factory=Unlock)


PARTS: dict[str, tuple[Part, ...]] = {
    "background": (
        Part("sky", _("fond bleu ciel"), '<rect width="120" height="120" rx="16" fill="#e3e3fd"/>'),
        Part(
            "meadow",
            _("fond de prairie"),
            '<rect width="120" height="120" rx="16" fill="#dffee6"/>'
            '<path d="M0 96 Q30 80 60 94 T120 90 V120 H0 Z" fill="#b8fec9"/>',
        ),
        Part(
            "sunset",
            _("fond de coucher de soleil"),
            '<rect width="120" height="120" rx="16" fill="#fee9e6"/><circle cx="96" cy="26" r="14" fill="#fcc63a"/>',
            Unlock(level=3),
        ),
        Part(
            "night",
            _("fond de ciel étoilé"),
            '<rect width="120" height="120" rx="16" fill="#1b1b35"/>'
            '<circle cx="18" cy="20" r="2" fill="#fff"/><circle cx="100" cy="16" r="2.5" fill="#fff"/>'
            '<circle cx="92" cy="44" r="1.5" fill="#fff"/><circle cx="24" cy="48" r="1.5" fill="#fff"/>',
            Unlock(level=6),
        ),
        Part(
            "hills",
            _("fond de collines"),
            '<rect width="120" height="120" rx="16" fill="#e8edff"/>'
            '<path d="M0 88 Q28 62 58 86 Q86 66 120 84 V120 H0 Z" fill="#c3fad5"/>',
            Unlock(badge="electeur"),
        ),
    ),
    "base": (
        Part("light", _("teint clair"), "#f6d7c3"),
        Part("medium", _("teint mat"), "#d9a47a"),
        Part("tan", _("teint hâlé"), "#b07a4f"),
        Part("dark", _("teint foncé"), "#6f4a2f"),
    ),
    "hair": (
        Part("none", _("sans cheveux"), ""),
        Part(
            "short",
            _("cheveux courts"),
            '<path d="M33 52 Q34 26 60 25 Q86 26 87 52 Q78 37 60 37 Q42 37 33 52 Z" fill="#3a2a1a"/>',
        ),
        Part(
            "long",
            _("cheveux longs"),
            '<path d="M31 86 Q26 50 36 34 Q48 22 60 24 Q80 24 86 38 Q94 52 89 86 L82 86 Q84 52 76 40 '
            'Q60 36 44 40 Q36 52 38 86 Z" fill="#7a4b22"/>',
        ),
        Part(
            "curly",
            _("cheveux bouclés"),
            '<g fill="#161616"><circle cx="40" cy="38" r="9"/><circle cx="52" cy="30" r="9"/>'
            '<circle cx="66" cy="29" r="9"/><circle cx="79" cy="36" r="9"/><circle cx="35" cy="50" r="7"/>'
            '<circle cx="86" cy="48" r="7"/></g>',
        ),
        Part(
            "cap",
            _("casquette"),
            '<path d="M34 46 Q36 24 60 24 Q84 24 86 46 Z" fill="{accent}"/>'
            '<rect x="60" y="42" width="36" height="6" rx="3" fill="{accent}"/>',
            Unlock(level=2),
        ),
        Part(
            "beret",
            _("béret"),
            '<ellipse cx="58" cy="34" rx="30" ry="11" fill="{accent}"/><rect x="56" y="18" width="4" height="8" '
            'fill="{accent}"/>',
            Unlock(level=4),
        ),
        Part(
            "sun_hat",
            _("chapeau de soleil"),
            '<ellipse cx="60" cy="38" rx="40" ry="7" fill="{accent}"/>'
            '<path d="M38 38 Q40 18 60 18 Q80 18 82 38 Z" fill="{accent}"/>',
            Unlock(level=10),
        ),
    ),
    "accessory": (
        Part("none", _("sans accessoire"), ""),
        Part(
            "glasses",
            _("lunettes"),
            '<g fill="none" stroke="#161616" stroke-width="2"><circle cx="51" cy="55" r="7"/>'
            '<circle cx="69" cy="55" r="7"/><path d="M58 55 H62"/></g>',
        ),
        Part(
            "scarf",
            _("foulard"),
            '<path d="M38 84 Q60 94 82 84 L84 92 Q60 102 36 92 Z" fill="{accent}"/>'
            '<rect x="68" y="90" width="9" height="22" rx="3" fill="{accent}"/>',
            Unlock(level=3),
        ),
        Part(
            "medal",
            _("broche"),
            '<circle cx="74" cy="100" r="5" fill="{accent}" stroke="#161616" stroke-width="1"/>',
            Unlock(badge="premiere-demarche"),
        ),
        Part(
            "backpack",
            _("sac à dos"),
            '<path d="M34 90 Q32 110 36 120 L46 120 L44 90 Z" fill="#6a6156"/>'
            '<path d="M86 90 Q88 110 84 120 L74 120 L76 90 Z" fill="#6a6156"/>',
            Unlock(level=8),
        ),
    ),
}

ACCENTS: tuple[Accent, ...] = (
    Accent("blue", _("bleu"), "#000091"),
    Accent("green", _("vert"), "#18753c"),
    Accent("red", _("rouge"), "#ce0500"),
    Accent("purple", _("violet"), "#6e445a", Unlock(level=2)),
    Accent("orange", _("orange"), "#b34000", Unlock(level=5)),
    Accent("gold", _("doré"), "#716043", Unlock(badge="habitude-4-semaines")),
)

DEFAULT_CHOICE: dict[str, str] = {
    "background": "sky",
    "base": "light",
    "hair": "short",
    "accessory": "none",
    "accent": "blue",
}

_PART_BY_CODE: dict[str, dict[str, Part]] = {
    slot: {part.code: part for part in parts} for slot, parts in PARTS.items()
}
_ACCENT_BY_CODE: dict[str, Accent] = {accent.code: accent for accent in ACCENTS}

SLOT_LABELS: dict[str, Promise] = {
    "background": _("Fond"),
    "base": _("Teint"),
    "hair": _("Cheveux et couvre-chef"),
    "accessory": _("Accessoire"),
    "accent": _("Couleur"),
}


def part(slot: str, code: str) -> Part | None:
    return _PART_BY_CODE.get(slot, {}).get(code)


def accent(code: str) -> Accent | None:
    return _ACCENT_BY_CODE.get(code)


def unlocked(choice: dict[str, str], *, level: int, badges: set[str]) -> bool:
    """Whether every part and the accent of a choice exist and are unlocked."""
    for slot in SLOTS:
        found = part(slot, choice.get(slot, ""))
        if found is None or not found.unlock.is_met(level=level, badges=badges):
            return False
    found_accent = accent(choice.get("accent", ""))
    return found_accent is not None and found_accent.unlock.is_met(level=level, badges=badges)


def normalized(choice: dict[str, str]) -> dict[str, str]:
    """The choice with any unknown code replaced by the default (a part removed from the catalogue)."""
    result = {}
    for slot in SLOTS:
        code = RENAMED.get((slot, choice.get(slot, "")), choice.get(slot, ""))
        result[slot] = code if part(slot, code) else DEFAULT_CHOICE[slot]
    result["accent"] = choice.get("accent", "") if accent(choice.get("accent", "")) else DEFAULT_CHOICE["accent"]
    return result


def description(choice: dict[str, str]) -> str:
    """The text alternative: what the avatar shows, in words."""
    choice = normalized(choice)
    words = [str(_PART_BY_CODE[slot][choice[slot]].label) for slot in ("background", "base", "hair", "accessory")]
    colour = str(_ACCENT_BY_CODE[choice["accent"]].label)
    return gettext("Avatar : %(parts)s, couleur %(colour)s") % {"parts": ", ".join(words), "colour": colour}


def render_svg(choice: dict[str, str], *, size: int = 120) -> SafeString:
    """The avatar as inline SVG, with ``role="img"`` and its description as accessible name."""
    choice = normalized(choice)
    colour = _ACCENT_BY_CODE[choice["accent"]].colour
    skin = _PART_BY_CODE["base"][choice["base"]].svg
    body = (
        f'<path d="M18 120 Q22 86 60 84 Q98 86 102 120 Z" fill="{colour}"/>'
        f'<circle cx="60" cy="56" r="27" fill="{skin}"/>'
        '<circle cx="51" cy="55" r="2.5" fill="#161616"/><circle cx="69" cy="55" r="2.5" fill="#161616"/>'
        '<path d="M51 66 Q60 73 69 66" fill="none" stroke="#161616" stroke-width="2" stroke-linecap="round"/>'
    )
    layers = [
        _PART_BY_CODE["background"][choice["background"]].svg,
        body,
        _PART_BY_CODE["hair"][choice["hair"]].svg,
        _PART_BY_CODE["accessory"][choice["accessory"]].svg,
    ]
    # The shapes are constants of this module and the colours come from it too: safe to mark.
    shapes = mark_safe("".join(layers).replace("{accent}", colour).replace("{skin}", skin))  # noqa: S308
    return format_html(
        '<svg class="cq-avatar" data-game="avatar" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 120 120" xmlns="http://www.w3.org/2000/svg" focusable="false">{}</svg>',
        description(choice),
        size,
        size,
        shapes,
    )
