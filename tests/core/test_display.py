"""Dates, phone numbers, numbers and amounts shown the French way (issue 20), English in English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from civiquest.core.display import amount_display, date_display, number_display, phone_display

NNBSP = "\u202f"


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


AUGUST_24_IN_PARIS = dt.datetime(1962, 8, 23, 23, 30, tzinfo=dt.UTC)  # France was on UTC+1 all year in 1962


@pytest.mark.parametrize("value", ["1962-08-24", dt.date(1962, 8, 24), AUGUST_24_IN_PARIS])
def test_a_date_reads_in_words_with_the_french_month(french, value):
    # An aware time is read in France's time: 23:30 UTC on the 23rd is already the 24th in Paris.
    assert date_display(value) == "24 août 1962"


def test_a_date_reads_the_english_way_in_english(english):
    assert date_display("1962-08-24") == "Aug. 24, 1962"


def test_the_first_of_the_month_and_february(french):
    assert date_display("2024-02-01") == "1 février 2024"


@pytest.mark.parametrize("value", ["pas une date", "24/08/1962", ""])
def test_what_is_not_an_iso_date_is_shown_as_stored(french, value):
    assert date_display(value) == value


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+33612345678", "06 12 34 56 78"),
        ("+33144556677", "01 44 55 66 77"),
        ("+33987654321", "09 87 65 43 21"),
        # Numbers from abroad, or anything else, as stored.
        ("+442079460958", "+442079460958"),
        ("+3361234567", "+3361234567"),
        ("0612345678", "0612345678"),
    ],
)
def test_a_french_phone_number_reads_as_dialled_in_france(stored, shown):
    assert phone_display(stored) == shown


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (1234, None, f"1{NNBSP}234"),
        ("1234567.5", None, f"1{NNBSP}234{NNBSP}567,5"),
        ("12.50", None, "12,50"),
        (999, None, "999"),
        (-1234, None, f"-1{NNBSP}234"),
        (Decimal("1234.567"), 2, f"1{NNBSP}234,57"),
        (0, None, "0"),
    ],
)
def test_a_number_groups_its_digits_by_three_with_a_decimal_comma(french, value, places, shown):
    assert number_display(value, places) == shown


def test_a_number_reads_the_english_way_in_english(english):
    assert number_display("1234567.5") == "1,234,567.5"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1234.56", f"1{NNBSP}234,56{NNBSP}€"),
        (86, f"86{NNBSP}€"),
        ("1234.5", f"1{NNBSP}234,50{NNBSP}€"),
        (Decimal("42.00"), f"42{NNBSP}€"),
    ],
)
def test_an_amount_has_its_cents_and_the_euro_sign_after(french, value, shown):
    assert amount_display(value) == shown


def test_an_amount_reads_the_english_way_in_english(english):
    assert amount_display("1234.56") == "€1,234.56"
    assert amount_display(-5) == "-€5"


@pytest.mark.parametrize("value", ["n/a", None])
def test_an_unreadable_amount_is_shown_as_stored(french, value):
    assert amount_display(value) == ("" if value is None else value)


def test_the_template_filters(french):
    rendered = Template(
        "{% load display %}{{ d|date_fr }}|{{ p|phone_fr }}|{{ n|number_fr }}|{{ a|amount_fr }}"
    ).render(Context({"d": "1962-08-24", "p": "+33612345678", "n": 12345, "a": "1234.56"}))
    assert rendered == f"24 août 1962|06 12 34 56 78|12{NNBSP}345|1{NNBSP}234,56{NNBSP}€"
