"""Named formats of a builder field: what staff pick instead of writing a regular expression.

Each format sets the values of the field the catalogue already validates with: a field kind
(``phone`` is cleaned to E.164 by ``catalogue.cleaning``), bounds (an amount is a number with
two decimals, at least 0; a past or future date is a date bounded by ``today``) or a pattern
kept in ``Field.pattern`` (postcode, NIR). The raw regular expression stays as an advanced option.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.models import Field, FieldKind

POSTCODE_PATTERN = r"\d{5}"
# Sex, year, month (or 20-99 for unknown), department (2A/2B for Corsica), commune, order, key.
NIR_PATTERN = r"[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}"

FORMATS: dict[str, dict[str, Any]] = {
    "postcode": {"kind": FieldKind.TEXT, "pattern": POSTCODE_PATTERN, "max_length": 5},
    "nir": {"kind": FieldKind.TEXT, "pattern": NIR_PATTERN, "max_length": 21},
    "phone": {"kind": FieldKind.PHONE, "pattern": ""},
    "amount": {"kind": FieldKind.NUMBER, "decimal_places": 2, "min_value": Decimal(0)},
    "past_date": {"kind": FieldKind.DATE, "max_date": "today", "min_date": ""},
    "future_date": {"kind": FieldKind.DATE, "min_date": "today", "max_date": ""},
}
FORMAT_CHOICES = (
    ("", _("Aucun format particulier")),
    ("postcode", _("Code postal (5 chiffres)")),
    ("nir", _("Numéro de sécurité sociale (NIR, 15 caractères)")),
    ("phone", _("Numéro de téléphone")),
    ("amount", _("Montant en euros (deux décimales, positif)")),
    ("past_date", _("Date passée (aujourd’hui au plus tard)")),
    ("future_date", _("Date à venir (aujourd’hui au plus tôt)")),
)


def format_values(code: str) -> dict[str, Any]:
    """The field values a named format sets (none for no format)."""
    return dict(FORMATS.get(code, {}))


def format_of(field_: Field) -> str:
    """The named format a field follows, if its values are exactly one's (else "")."""
    for code, values in FORMATS.items():
        if all(getattr(field_, name) == value for name, value in values.items()):
            return code
    return ""
