"""The address field of a real quest in the browser: suggestions, keyboard, free entry; then moving house."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.definitions.changement_adresse import CHANGEMENT_ADRESSE
from civiquest.catalogue.models import Procedure
from civiquest.core.circuit import reset_circuit
from civiquest.integrations.address.moving.models import DispatchStatus, MoveDispatch
from civiquest.quests.services import quest_start
from civiquest.sandbox import http_faults
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).parent.parent / "integrations" / "moving" / "data" / "noumea.ndjson"


@pytest.fixture
def quest_page(browser_page_as, live_server, settings):
    """A citizen's changement-adresse quest; the geocoder sandbox knows a few streets of Nouméa (real BAN lines)."""
    call_command("address_import", str(FIXTURE), stdout=io.StringIO())
    # The production HTTP client, over a socket, against the geocoder sandbox on the live server.
    settings.ADDRESS_BACKEND = "http"
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        "ban": {**settings.INTEGRATIONS["ban"], "BASE_URL": live_server.url + "/sandbox/ban/geocodage", "TIMEOUT": 2},
        "moving_recipients": {
            **settings.INTEGRATIONS["moving_recipients"],
            "BASE_URL": live_server.url + "/sandbox/demenagement",
            "TIMEOUT": 2,
        },
    }
    reset_circuit("ban")
    reset_circuit("moving_recipients")
    http_faults.clear("moving_recipients")
    catalogue_load([CHANGEMENT_ADRESSE])
    citizen = CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="changement-adresse"))
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:quest-step", args=[quest.pk, "nouvelle-adresse"]))
    return page, quest


def test_pick_an_address_with_the_keyboard_then_declare_the_move(quest_page, live_server):
    page, quest = quest_page
    page.get_by_label("Date du déménagement").fill("2026-11-02")
    combobox = page.get_by_role("combobox", name="Nouvelle adresse")
    combobox.press_sequentially("1 av marechal foch", delay=20)
    options = page.get_by_role("option")
    options.first.wait_for()
    assert combobox.get_attribute("aria-expanded") == "true"
    assert "proposée" in page.locator("#id_adresse-listbox-status").inner_text()
    assert_no_violations(page)
    # Arrows move the active option (the focus stays in the input), Escape closes, Enter picks.
    combobox.press("ArrowDown")
    first = options.first
    assert combobox.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    combobox.press("Escape")
    assert combobox.get_attribute("aria-expanded") == "false"
    assert combobox.get_attribute("aria-activedescendant") is None
    combobox.press("ArrowDown")
    assert combobox.get_attribute("aria-expanded") == "true"
    label = first.get_attribute("data-label")
    combobox.press("Enter")
    assert combobox.input_value() == label
    assert combobox.get_attribute("aria-expanded") == "false"
    page.locator("label", has_text="Impôts (DGFiP)").click()
    page.locator("label", has_text="Caisse d’allocations familiales").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/etapes/declaration/")
    stored = quest.answers.get(field_name="adresse").value
    assert stored["label"] == label and stored["ban_id"].startswith("98818_") and stored["citycode"] == "98818"

    # The declaration page: one reference per organisation chosen, then each one's status.
    page.goto(live_server.url + reverse("citizen:moving-quest", args=[quest.pk]))
    assert_no_violations(page)
    page.get_by_label("Numéro fiscal").fill("1234567890123")
    page.get_by_label("Numéro d’allocataire").fill("1230000")
    page.get_by_role("button", name="Déclarer mon déménagement").click()
    page.wait_for_load_state()
    page.get_by_text("Prise en compte").wait_for()
    assert page.get_by_text("Refusée").count() == 1
    assert_no_violations(page)
    assert dict(MoveDispatch.objects.values_list("organisation", "status")) == {
        "impots": DispatchStatus.PROCESSED,
        "caf": DispatchStatus.REJECTED,
    }


def test_with_the_geocoder_down_free_entry_still_saves(quest_page, settings):
    page, quest = quest_page
    settings.ADDRESS_BACKEND = "http"
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        "ban": {
            **settings.INTEGRATIONS["ban"],
            "BASE_URL": "http://127.0.0.1:9/geocodage",
            "TIMEOUT": 0.3,
            "RETRIES": 0,
        },
    }
    reset_circuit("ban")
    page.get_by_label("Date du déménagement").fill("2026-11-02")
    combobox = page.get_by_role("combobox", name="Nouvelle adresse")
    combobox.press_sequentially("Lot 12, tribu de Saint-Louis", delay=10)
    status = page.locator("#id_adresse-listbox-status")
    status.get_by_text("Nous n’arrivons pas à joindre", exact=False).wait_for()
    assert combobox.get_attribute("aria-expanded") == "false"
    assert_no_violations(page)
    page.locator("label", has_text="France Travail").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**/etapes/declaration/")
    assert quest.answers.get(field_name="adresse").value == {
        "label": "Lot 12, tribu de Saint-Louis",
        "free_entry": True,
    }


def test_the_moving_page_and_the_profile_with_an_address(browser_page_as, live_server):
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.definitions.changement_adresse import CHANGEMENT_ADRESSE
    from civiquest.integrations.address.moving.services import home_address_set
    from tests.integrations.moving.conftest import NOUMEA

    citizen = CitizenFactory()
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:moving"))
    assert page.get_by_text("n’est pas ouverte pour le moment").count() == 1  # no such procedure published
    assert_no_violations(page)
    catalogue_load([CHANGEMENT_ADRESSE])
    page.goto(live_server.url + reverse("citizen:moving"))
    assert page.get_by_role("link", name="Déclarer un changement d’adresse").count() == 1
    assert_no_violations(page)
    home_address_set(citizen=citizen, address=NOUMEA, since=None)
    page.goto(live_server.url + reverse("citizen:profile"))
    assert page.get_by_text(NOUMEA["label"]).count() == 1
    assert_no_violations(page)
