"""Declare a move, see the deadlines and reasons, dismiss one: it stays dismissed (axe at each state)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from civiquest.actions.catalogue import catalogue_load
from civiquest.core.dates import paris_today
from civiquest.recommendations.models import Feedback, FeedbackKind, LifeEvent
from civiquest.recommendations.offsets import add_months
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_declare_a_move_see_the_deadlines_dismiss_one_it_stays_dismissed(browser_page_as, live_server):
    catalogue_load()
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:dashboard"))
    assert_no_violations(page)

    page.get_by_role("link", name="Déclarer ce qui m’arrive (déménagement, naissance, voyage…)").click()
    page.get_by_label("Ce qui vous arrive").select_option("demenagement")
    today = paris_today()
    page.get_by_label("Date (passée ou prévue)").fill(today.isoformat())
    assert_no_violations(page)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("est enregistré : voici ce qu’il y a à faire").wait_for()
    assert LifeEvent.objects.get(citizen=citizen).occurred_on == today
    assert_no_violations(page)

    page.goto(live_server.url + reverse("citizen:dashboard"))
    grey_card = page.locator('[data-recommendation="carte-grise-changement-adresse"]')
    grey_card.get_by_text("Parce que vous avez déclaré un déménagement le").wait_for()
    deadline = date_format(add_months(today, 1), "j F Y")
    assert grey_card.locator(".fr-badge").text_content().strip() == f"Avant le {deadline}"
    assert_no_violations(page)

    grey_card.get_by_role("button", name="Pas pour moi : Changer l’adresse de sa carte grise").click()
    page.get_by_text("ne vous sera plus proposée").wait_for()
    assert page.url == live_server.url + reverse("citizen:dashboard")
    assert Feedback.objects.get(citizen=citizen).kind == FeedbackKind.DISMISSED
    assert page.locator('[data-recommendation="carte-grise-changement-adresse"]').count() == 0
    assert_no_violations(page)

    page.reload()
    assert page.locator('[data-recommendation="carte-grise-changement-adresse"]').count() == 0
    page.goto(live_server.url + reverse("citizen:todo"))
    page.get_by_text("Propositions écartées").wait_for()
    assert page.locator('[data-recommendation="carte-grise-changement-adresse"]').count() == 0
    assert_no_violations(page)
