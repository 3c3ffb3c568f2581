"""Reference households: the tax computed by hand from the official barème agrees with the simulator.

Barème 2025 on 2024 income (loi de finances pour 2025, +1.8 % indexation; checked against
OpenFisca-France's parameters ``impot_revenu/...`` and public sources):
  bands of income per part:   0 % up to 11 497 | 11 % to 29 315 | 30 % to 83 823 | 41 % to 180 294 | 45 % above
  10 % deduction on salaries: per person, at least 504 €, at most 14 426 €
  10 % deduction on pensions: at least 450 € per pensioner, at most 4 399 € per tax household
  quotient familial cap:      1 791 € per half-part above 1 (single) or 2 (couple) parts;
                              4 224 € for the first child's whole part of a single parent (case T)
  décote:                     889 − 45.25 % × tax (single), 1 470 − 45.25 % × tax (couple),
                              when positive; rounded to the euro, then the tax too.
(The 495/14 171 and 442/4 321 deduction limits sometimes quoted are those of 2023 income.)

Each test shows the steps; ``by_hand`` re-does them from the table above, so the comments,
the hand computation and the simulator must all agree to the euro.
"""

from __future__ import annotations

import datetime as dt

from civiquest.integrations.taxes.simulator import Declarant, Dependant, Household, MaritalStatus, simulate

BANDS = ((11_497, 0.0), (29_315, 0.11), (83_823, 0.30), (180_294, 0.41), (float("inf"), 0.45))
QF_CAP_PER_HALF_PART = 1_791
SINGLE_PARENT_FIRST_CHILD_CAP = 4_224
DECOTE = {"single": 889, "couple": 1_470}
DECOTE_RATE = 0.4525


def barème(income_per_part: float) -> float:
    tax, lower = 0.0, 0.0
    for upper, rate in BANDS:
        if income_per_part > lower:
            tax += (min(income_per_part, upper) - lower) * rate
        lower = upper
    return tax


def salary_deduction(salary: int) -> int:
    return 0 if not salary else round(min(max(salary * 0.10, 504), 14_426, salary))


def by_hand(net_taxable_income: float, parts: float, base_parts: float, *, couple: bool, qf_cap: float) -> int:
    """Barème on the quotient, quotient familial cap, décote, rounding: the tax to pay in euros."""
    with_quotient = barème(net_taxable_income / parts) * parts
    without_children = barème(net_taxable_income / base_parts) * base_parts
    tax = max(with_quotient, without_children - qf_cap)
    ceiling = DECOTE["couple" if couple else "single"]
    decote = round(max(0.0, ceiling - DECOTE_RATE * tax)) if tax < ceiling / DECOTE_RATE else 0
    return max(0, round(tax - min(decote, tax)))


def household(status: MaritalStatus, *declarants: Declarant, children: tuple[Dependant, ...] = (), **kw) -> Household:
    return Household(income_year=2024, marital_status=status, declarants=declarants, dependants=children, **kw)


def child(year: int) -> Dependant:
    return Dependant(birth_date=dt.date(year, 1, 1))


def test_single_no_child():
    # Salary 30 000 → 10 % deduction 3 000 (between 504 and 14 426) → net taxable income 27 000; 1 part.
    # Barème: (27 000 − 11 497) × 11 % = 15 503 × 0.11 = 1 705.33.
    # Décote (1 705.33 < 889 / 0.4525 = 1 964.64): 889 − 0.4525 × 1 705.33 = 889 − 771.66 = 117.34 → 117.
    # Tax: 1 705.33 − 117 = 1 588.33 → 1 588 €.
    assert salary_deduction(30_000) == 3_000
    assert by_hand(27_000, 1, 1, couple=False, qf_cap=0) == 1_588
    estimate = simulate(household(MaritalStatus.SINGLE, Declarant(salaries=30_000)))
    assert (estimate.tax, estimate.parts, estimate.reference_tax_income) == (1_588, 1.0, 27_000)
    assert estimate.decote == 117


def test_single_low_income_with_decote():
    # Salary 22 000 → deduction 2 200 → 19 800; 1 part.
    # Barème: (19 800 − 11 497) × 11 % = 8 303 × 0.11 = 913.33.
    # Décote: 889 − 0.4525 × 913.33 = 889 − 413.28 = 475.72 → 476.
    # Tax: 913.33 − 476 = 437.33 → 437 €.
    assert by_hand(19_800, 1, 1, couple=False, qf_cap=0) == 437
    estimate = simulate(household(MaritalStatus.SINGLE, Declarant(salaries=22_000)))
    assert (estimate.tax, estimate.decote, estimate.tax_before_decote) == (437, 476, 913)


def test_married_two_children():
    # Salaries 42 000 + 31 000 → deductions 4 200 + 3 100 → 37 800 + 27 900 = 65 700; 2 + 0.5 + 0.5 = 3 parts.
    # With the children: 65 700 / 3 = 21 900 → (21 900 − 11 497) × 11 % = 1 144.33 × 3 = 3 432.99.
    # Without them: 65 700 / 2 = 32 850 → 1 959.98 + (32 850 − 29 315) × 30 % = 3 020.48 × 2 = 6 040.96.
    # Advantage 6 040.96 − 3 432.99 = 2 607.97 < cap 2 × 1 791 = 3 582: not capped.
    # Décote: 3 432.99 ≥ 1 470 / 0.4525 = 3 248.62: none. Tax 3 432.99 → 3 433 €.
    assert by_hand(65_700, 3, 2, couple=True, qf_cap=2 * QF_CAP_PER_HALF_PART) == 3_433
    estimate = simulate(
        household(
            MaritalStatus.MARRIED,
            Declarant(salaries=42_000),
            Declarant(salaries=31_000),
            children=(child(2015), child(2017)),
        )
    )
    assert (estimate.tax, estimate.parts, estimate.reference_tax_income) == (3_433, 3.0, 65_700)
    assert estimate.quotient_familial_capped is False
    assert estimate.decote == 0


def test_married_three_children_quotient_familial_cap_binds():
    # Salaries 60 000 + 50 000 → 54 000 + 45 000 = 99 000; 2 + 0.5 + 0.5 + 1 (third child) = 4 parts.
    # With the children: 99 000 / 4 = 24 750 → (24 750 − 11 497) × 11 % = 1 457.83 × 4 = 5 831.32.
    # Without them: 99 000 / 2 = 49 500 → 1 959.98 + (49 500 − 29 315) × 30 % = 8 015.48 × 2 = 16 030.96.
    # Advantage 10 199.64 > cap 4 half-parts × 1 791 = 7 164 → tax 16 030.96 − 7 164 = 8 866.96 → 8 867 €.
    assert by_hand(99_000, 4, 2, couple=True, qf_cap=4 * QF_CAP_PER_HALF_PART) == 8_867
    estimate = simulate(
        household(
            MaritalStatus.MARRIED,
            Declarant(salaries=60_000),
            Declarant(salaries=50_000),
            children=(child(2012), child(2014), child(2018)),
        )
    )
    assert (estimate.tax, estimate.parts) == (8_867, 4.0)
    assert estimate.quotient_familial_capped is True
    assert estimate.quotient_familial_advantage == 7_164


def test_single_parent_case_t():
    # Divorced, lives alone with one child (case T): 1 + 0.5 (child) + 0.5 (case T) = 2 parts.
    # Salary 35 000 → 31 500. With the quotient: 31 500 / 2 = 15 750 → (15 750 − 11 497) × 11 % = 467.83 × 2 = 935.66.
    # Without: barème(31 500) = 1 959.98 + 2 185 × 30 % = 2 615.48; advantage 1 679.82 < cap 4 224: not capped.
    # Décote (single): 889 − 0.4525 × 935.66 = 889 − 423.39 = 465.61 → 466. Tax 935.66 − 466 = 469.66 → 470 €.
    assert by_hand(31_500, 2, 1, couple=False, qf_cap=SINGLE_PARENT_FIRST_CHILD_CAP) == 470
    estimate = simulate(
        household(MaritalStatus.DIVORCED, Declarant(salaries=35_000), children=(child(2016),), single_parent=True)
    )
    assert (estimate.tax, estimate.parts, estimate.decote) == (470, 2.0, 466)
    # Without case T the same household has 1.5 parts and pays more.
    without_t = simulate(household(MaritalStatus.DIVORCED, Declarant(salaries=35_000), children=(child(2016),)))
    assert without_t.parts == 1.5 and without_t.tax > estimate.tax


def test_retired_couple_with_pensions():
    # Pensions 28 000 + 18 000 = 46 000; 10 % = 4 600 > 4 399 (per household cap) → deduction 4 399 → 41 601.
    # Both born in 1950, but 41 601 is above the elderly special allowance's ceiling: no allowance. 2 parts.
    # Barème: 41 601 / 2 = 20 800.5 → (20 800.5 − 11 497) × 11 % = 1 023.385 × 2 = 2 046.77.
    # Décote (couple): 1 470 − 0.4525 × 2 046.77 = 1 470 − 926.16 = 543.84 → 544. Tax 1 502.77 → 1 503 €.
    assert by_hand(41_601, 2, 2, couple=True, qf_cap=0) == 1_503
    estimate = simulate(
        household(
            MaritalStatus.MARRIED,
            Declarant(pensions=28_000, birth_year=1950),
            Declarant(pensions=18_000, birth_year=1950),
        )
    )
    assert (estimate.tax, estimate.parts, estimate.reference_tax_income, estimate.decote) == (1_503, 2.0, 41_601, 544)


def test_household_paying_no_tax():
    # Salaries 18 000 + 9 000 → 16 200 + 8 100 = 24 300; married, one child: 2.5 parts.
    # 24 300 / 2.5 = 9 720 < 11 497: the barème gives 0 € → no tax.
    assert by_hand(24_300, 2.5, 2, couple=True, qf_cap=QF_CAP_PER_HALF_PART) == 0
    estimate = simulate(
        household(
            MaritalStatus.MARRIED, Declarant(salaries=18_000), Declarant(salaries=9_000), children=(child(2019),)
        )
    )
    assert (estimate.tax, estimate.parts, estimate.reference_tax_income) == (0, 2.5, 24_300)
