"""In English, with the keyboard (issue 20, point 8): a visitor switches the language with the
header's selector, signs in with the FranceConnect sandbox, opens the catalogue, starts a quest
and fills a step. The interface is English on every page, the procedure's content is marked
French, and every page passes axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.quests.models import Quest
from tests.a11y.dsfr import wait_for_dsfr
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.oidc.flow import point_providers_at

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _providers_on_live_server(settings, live_server):
    point_providers_at(settings, live_server.url)


def in_english(page) -> None:
    assert page.locator("html").get_attribute("lang") == "en"
    assert_no_violations(page)


def test_an_english_speaking_citizen_signs_in_and_fills_a_step(browser_page_as, live_server, passport):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:home"))
    assert page.locator("html").get_attribute("lang") == "fr"

    # The language selector, with the keyboard alone.
    tools = page.locator(".fr-header__tools")
    selector = tools.locator(".fr-translate__btn")
    wait_for_dsfr(selector)
    selector.focus()
    page.keyboard.press("Enter")
    expect(selector).to_have_attribute("aria-expanded", "true")
    english = tools.get_by_role("button", name="EN - English")
    assert english.get_attribute("lang") == "en"
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    in_english(page)
    expect(page.get_by_text("Your administrative procedures, guided step by step")).to_have_count(2)
    assert tools.locator(".fr-translate__btn").inner_text().startswith("EN")

    # Signing in keeps the choice (Django's language cookie).
    tools.get_by_role("link", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("oidc:franceconnect"))
    in_english(page)
    page.get_by_role("button", name="Sign in with FranceConnect").click()
    page.wait_for_url("**/sandbox/franceconnect/api/v2/authorize?**")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to the FranceConnect sandbox"
    in_english(page)
    page.get_by_role("button", name="Angela Claire Louise DUBOIS").click()
    page.wait_for_url(live_server.url + reverse("oidc:consent"))
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to CiviQuest"
    in_english(page)
    page.get_by_role("button", name="I accept and create my account").click()
    # The display, chosen once after the first sign-in, asked in English too.
    page.wait_for_url(live_server.url + reverse("citizen:display-choice"))
    in_english(page)
    page.get_by_role("button", name="Decide later").click()
    page.wait_for_url(live_server.url + reverse("citizen:dashboard"))
    in_english(page)

    # The catalogue, the procedure, a quest: English around, French content marked.
    page.goto(live_server.url + reverse("citizen:catalogue"))
    in_english(page)
    card = page.locator(".fr-card__title", has_text="Passeport")
    assert card.get_attribute("lang") == "fr"
    card.get_by_role("link").click()
    page.wait_for_url(live_server.url + reverse("citizen:procedure", args=[passport.slug]))
    assert page.get_by_role("heading", level=1).get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="The steps").count() == 1
    in_english(page)
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url("**/etapes/avant-de-commencer/")
    in_english(page)
    quest = Quest.objects.get(procedure=passport)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/mes-demarches/{quest.pk}/etapes/identite/")
    in_english(page)
    assert page.locator("label", has_text="Date de naissance").locator("[lang=fr]").count() == 1
    page.locator("#id_nom").fill("Dubois")
    page.locator("#id_naissance").fill("1990-05-17")
    page.locator("fieldset", has_text="Première demande").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/mes-demarches/{quest.pk}/etapes/pre-demande/")
    in_english(page)
    assert "Dubois" in page.goto(live_server.url + reverse("citizen:quest-review", args=[quest.pk])).text()
