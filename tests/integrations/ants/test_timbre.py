"""The timbre fiscal from the holder's age (boundary birthdays) and the reason."""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.integrations.passport.timbre import age_on, timbre_for, timbre_from_answers

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("birth", "cents", "age"),
    [
        (dt.date(2008, 11, 24), 8600, 18),  # 18 today
        (dt.date(2008, 11, 25), 4200, 17),  # 18 tomorrow
        (dt.date(2011, 11, 24), 4200, 15),  # 15 today
        (dt.date(2011, 11, 25), 1700, 14),  # 15 tomorrow
        (dt.date(2026, 11, 24), 1700, 0),  # born today
        (dt.date(1962, 8, 24), 8600, 64),
    ],
)
def test_passport_by_age_band(birth, cents, age):
    timbre = timbre_for(title="passport", birth_date=birth, motif="premiere", today=TODAY)
    assert timbre is not None and (timbre.cents, timbre.age) == (cents, age)


@pytest.mark.parametrize("motif", ["perte", "vol"])
def test_a_lost_or_stolen_passport_costs_the_same(motif):
    adult = timbre_for(title="passport", birth_date=dt.date(1990, 1, 1), motif=motif, today=TODAY)
    child = timbre_for(title="passport", birth_date=dt.date(2020, 1, 1), motif=motif, today=TODAY)
    assert adult is not None and adult.cents == 8600 and adult.loss_or_theft and adult.euros == "86"
    assert child is not None and child.cents == 1700


@pytest.mark.parametrize(("motif", "cents"), [("premiere", 0), ("renouvellement", 0), ("perte", 2500), ("vol", 2500)])
def test_identity_card_is_free_except_after_loss_or_theft(motif, cents):
    timbre = timbre_for(title="identity_card", birth_date=None, motif=motif, today=TODAY)
    assert timbre is not None and timbre.cents == cents and timbre.is_free == (cents == 0)


def test_leap_day_birthdays_and_unknown_birth_dates():
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18
    assert timbre_for(title="passport", birth_date=None, motif="premiere", today=TODAY) is None
    answers = {"date_naissance": "not a date", "motif": "premiere"}
    assert timbre_from_answers(title="passport", answers=answers, today=TODAY) is None
    answers = {"date_naissance": "2010-06-01", "motif": "premiere"}
    assert timbre_from_answers(title="passport", answers=answers, today=TODAY).cents == 4200
