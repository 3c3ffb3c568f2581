"""Staff read the recommendation rules and change one in chromium: axe on the list, the rule page and its errors."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.actions.catalogue import catalogue_load
from civiquest.recommendations.models import Rule
from civiquest.recommendations.rules import rules_load
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import StaffFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def submit(page) -> None:
    page.get_by_role("button", name="Enregistrer la règle", exact=True).click()
    page.wait_for_load_state()


def test_staff_change_a_rule_errors_then_a_revision(browser_page_as, live_server):
    catalogue_load()
    rules_load()
    page = browser_page_as(StaffFactory())
    page.goto(live_server.url + reverse("staff:recommendation-rules"))
    assert page.get_by_role("heading", name="Expiration du passeport").count() == 1
    assert_no_violations(page)

    page.get_by_role("link", name="S’inscrire sur les listes électorales").first.click()
    page.wait_for_load_state()
    assert_no_violations(page)

    # A relevance above 1 and no reason: the errors name the fields, nothing is saved.
    page.get_by_label("Pertinence").fill("2")
    submit(page)
    assert page.get_by_role("link", name="Motif de la modification : Ce champ est obligatoire.").count() == 1
    assert_no_violations(page)
    page.get_by_label("Motif de la modification").fill("Essai")
    submit(page)
    expect(page.get_by_text("La pertinence doit être comprise entre 0 et 1.")).to_have_count(2)
    assert_no_violations(page)

    page.get_by_label("Pertinence").fill("0,5")
    page.get_by_label("Motif de la modification").fill("Moins prioritaire que le changement d’adresse.")
    submit(page)
    assert page.get_by_text("La règle est enregistrée").count() == 1
    assert page.get_by_text("Pertinence : 0,7 → 0,5").count() + page.get_by_text("Pertinence : 0,8 → 0,5").count() == 1
    assert_no_violations(page)
    assert Rule.objects.filter(relevance=0.5).count() == 1
