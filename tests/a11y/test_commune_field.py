"""The commune field of the electoral roll quest in the browser: chosen by name in the combobox,
then a homonym chosen among the matching communes after submitting its name (axe on each state)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.definitions.listes_electorales import INSCRIPTION_LISTES_ELECTORALES
from civiquest.catalogue.models import Procedure
from civiquest.quests.services import quest_start
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

LABEL = "Commune où vous voulez voter"


@pytest.fixture
def commune_page(browser_page_as, live_server):
    catalogue_load([INSCRIPTION_LISTES_ELECTORALES])
    citizen = CitizenFactory()
    procedure = Procedure.objects.get(slug=INSCRIPTION_LISTES_ELECTORALES.slug)
    quest = quest_start(citizen=citizen, procedure=procedure)
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:quest-step", args=[quest.pk, "commune"]))
    return page, quest


def test_choose_a_commune_by_name_with_the_keyboard(commune_page):
    page, quest = commune_page
    assert_no_violations(page)
    combobox = page.get_by_role("combobox", name=LABEL)
    combobox.press_sequentially("st etienne", delay=20)
    options = page.get_by_role("option")
    options.first.wait_for()
    assert combobox.get_attribute("aria-expanded") == "true"
    assert "communes proposées" in page.locator("#id_commune-listbox-status").inner_text()
    assert_no_violations(page)
    combobox.press("ArrowDown")
    first = options.first
    assert combobox.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("data-label") == "Saint-Étienne (42218)"
    combobox.press("Enter")
    assert combobox.input_value() == "Saint-Étienne (42218)"
    assert combobox.get_attribute("aria-expanded") == "false"
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/etapes/pieces/")
    assert quest.answers.get(field_name="commune").value == {"code": "42218", "name": "Saint-Étienne"}


def test_a_homonym_is_chosen_among_the_matching_communes(commune_page):
    page, quest = commune_page
    page.get_by_role("combobox", name=LABEL).fill("Saint-Denis")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_text("choisissez votre commune dans la liste", exact=False).first.wait_for()
    assert_no_violations(page)
    page.locator("label", has_text="Saint-Denis (93066)").click()
    assert page.get_by_label("Saint-Denis (93066)").is_checked()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/etapes/pieces/")
    assert quest.answers.get(field_name="commune").value == {"code": "93066", "name": "Saint-Denis"}
