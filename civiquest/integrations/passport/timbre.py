"""The timbre fiscal a passport or identity-card application costs, from the holder's age and the reason.

Rules (service-public.fr F34752, see ``shared/reference/state-apis.md`` §2), kept as data:

- passport: €86 from 18, €42 at 15–17, €17 at 0–14; a renewal after loss or theft costs
  the same (it is not free);
- identity card: free, except a replacement after loss or theft, €25. **Unverified** in
  our reference (a single secondary source): check F1341 before relying on it.

Local variants (Guyane, Mayotte, abroad) are not handled: the quests are for mainland addresses.
The age is the one on the day the amount is computed (the day the stamp is bought).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# The titles, as a revision's ``issued_title`` names them (the wallet's document types).
PASSPORT = "passport"
IDENTITY_CARD = "identity_card"
LOSS_OR_THEFT = frozenset({"perte", "vol"})

# (minimum age, amount in cents), highest age first.
PASSPORT_BANDS: tuple[tuple[int, int], ...] = ((18, 8600), (15, 4200), (0, 1700))
# Unverified (see the module docstring): only a loss or theft replacement costs a stamp.
IDENTITY_CARD_LOSS_CENTS = 2500


@dataclass(frozen=True)
class Timbre:
    """The stamp to buy: ``cents`` (0 when free) and the age it was computed for (None if unknown)."""

    cents: int
    age: int | None
    title: str
    loss_or_theft: bool

    @property
    def euros(self) -> str:
        return f"{self.cents // 100}" if self.cents % 100 == 0 else f"{self.cents / 100:.2f}".replace(".", ",")

    @property
    def is_free(self) -> bool:
        return self.cents == 0


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (a person born on 29 February turns a year older on 1 March)."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def passport_cents(age: int) -> int:
    for minimum, cents in PASSPORT_BANDS:
        if age >= minimum:
            return cents
    return PASSPORT_BANDS[-1][1]


def timbre_for(*, title: str, birth_date: dt.date | None, motif: str, today: dt.date) -> Timbre | None:
    """The stamp for this application, or None when it cannot be told yet (passport without a birth date)."""
    loss = motif in LOSS_OR_THEFT
    age = age_on(birth_date, today) if birth_date is not None else None
    if title == IDENTITY_CARD:
        return Timbre(cents=IDENTITY_CARD_LOSS_CENTS if loss else 0, age=age, title=title, loss_or_theft=loss)
    if title == PASSPORT:
        if age is None:
            return None
        return Timbre(cents=passport_cents(age), age=age, title=title, loss_or_theft=loss)
    return None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def timbre_from_answers(*, title: str, answers: dict[str, Any], today: dt.date) -> Timbre | None:
    """From a quest's answers: ``date_naissance`` (``titulaire`` step of the passport, ``situation`` of the card)."""
    return timbre_for(
        title=title,
        birth_date=_date(answers.get("date_naissance")),
        motif=str(answers.get("motif") or ""),
        today=today,
    )
