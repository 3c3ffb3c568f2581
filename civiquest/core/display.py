"""How dates, phone numbers, numbers and amounts are shown to people, the French way.

Answers are stored machine-readable (ISO dates, E.164 numbers, "1234.50"); exports keep
them so. Pages show them as a French reader expects them: "24 août 1962",
"06 12 34 56 78", "1 234,56 €" (groups of three digits separated by a narrow no-break
space, a decimal comma, the euro sign after a narrow no-break space). In English the
same values read "Aug. 24, 1962", "06 12 34 56 78" (a French number stays French) and
"€1,234.56". Each function returns its input unchanged (as text) when it cannot read it,
so a page never fails on an unexpected stored value.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language

NARROW_NBSP = "\u202f"
FRENCH_E164_RE = re.compile(r"^\+33([1-9]\d{8})$")


def _french() -> bool:
    return (get_language() or "fr").lower().startswith("fr")


def date_display(value: Any) -> str:
    """A date in words in the active language: "24 août 1962" (Django's DATE_FORMAT of the language)."""
    if isinstance(value, dt.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def phone_display(value: Any) -> str:
    """A French number in E.164 (+33612345678) read as dialled in France: "06 12 34 56 78"."""
    text = "" if value is None else str(value).strip()
    match = FRENCH_E164_RE.match(text)
    if match is None:
        return text
    digits = "0" + match[1]
    return " ".join(digits[index : index + 2] for index in range(0, 10, 2))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number_display(value: Any, decimal_places: int | None = None) -> str:
    """A number with its digits grouped by three: "1 234,5" in French, "1,234.5" in English.

    ``decimal_places`` forces that many decimals; without it, the value's own are kept.
    """
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if decimal_places is not None:
        number = number.quantize(Decimal(1).scaleb(-decimal_places))
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _dot, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if _french():
        grouped = NARROW_NBSP.join(groups)
        return sign + grouped + ("," + fraction if fraction else "")
    return sign + ",".join(groups) + ("." + fraction if fraction else "")


def amount_display(value: Any) -> str:
    """An amount in euros: "1 234,56 €", "86 €" (no cents shown for whole euros); "€1,234.56" in English."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    places = 0 if number == number.to_integral_value() else 2
    figures = number_display(number, places)
    if _french():
        return f"{figures}{NARROW_NBSP}€"
    if figures.startswith("-"):
        return f"-€{figures[1:]}"
    return f"€{figures}"
