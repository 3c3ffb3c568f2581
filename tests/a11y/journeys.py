"""Steps the browser journeys share: the language switch, the FranceConnect sign-in at the sandbox,
"Enregistrer et continuer". Each takes the interface language the journey runs in ("fr" or "en")."""

from __future__ import annotations

import re

from django.urls import reverse

from civiquest.accounts.models import User
from tests.a11y.dsfr import wait_for_dsfr
from tests.a11y.test_axe import assert_no_violations

IDENTITY = "Angela Claire Louise DUBOIS"

# The interface's words these steps look for, in each language the site offers.
TEXTS = {
    "fr": {
        "sign_in": "Se connecter",
        "sign_in_with": "S’identifier avec {provider}",
        "sandbox_heading": "Connexion au bac à sable {provider}",
        "what_is_franceconnect": "Qu’est-ce que FranceConnect ?",
        "new_window": "nouvelle fenêtre",
        "accept_terms": "J’accepte et je crée mon compte",
        "decide_later": "Décider plus tard",
        "save_and_continue": "Enregistrer et continuer",
    },
    "en": {
        "sign_in": "Sign in",
        "sign_in_with": "Sign in with {provider}",
        "sandbox_heading": "Sign in to the {provider} sandbox",
        "what_is_franceconnect": "What is FranceConnect?",
        "new_window": "new window",
        "accept_terms": "I accept and create my account",
        "decide_later": "Decide later",
        "save_and_continue": "Save and continue",
    },
}


def switch_to_english(page) -> None:
    """The header's DSFR language selector, clicked (the design system copies the header tools
    into the mobile menu: the desktop ones are used); the page comes back in English."""
    selector = page.locator(".fr-header__tools .fr-translate__btn")
    wait_for_dsfr(selector)
    selector.click()
    with page.expect_navigation():
        page.locator("#translate-menu").get_by_role("button", name="EN - English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def continue_to(page, url_part: str, lang: str = "fr") -> None:
    """Press "Enregistrer et continuer" and wait for the next page (an htmx autosave may run meanwhile)."""
    page.get_by_role("button", name=TEXTS[lang]["save_and_continue"]).click()
    page.wait_for_url(f"**{url_part}")
    page.wait_for_load_state()


def open_franceconnect_sign_in(page, live_server, lang: str = "fr") -> None:
    """The header's "Se connecter", from the home page."""
    texts = TEXTS[lang]
    page.goto(live_server.url + reverse("citizen:home"))
    page.locator(".fr-header__tools").get_by_role("link", name=texts["sign_in"]).click()
    page.wait_for_url(live_server.url + reverse("oidc:franceconnect"))
    assert_no_violations(page)
    what_is = page.get_by_role("link", name=texts["what_is_franceconnect"])
    assert what_is.get_attribute("href") == "https://franceconnect.gouv.fr/"
    assert what_is.get_attribute("target") == "_blank"
    assert texts["new_window"] in what_is.get_attribute("title")


def press_provider_button(page, provider: str, lang: str = "fr") -> None:
    texts = TEXTS[lang]
    page.get_by_role("button", name=texts["sign_in_with"].format(provider=provider)).click()
    page.wait_for_url(re.compile(rf".*/sandbox/{provider.lower()}/api/v2/authorize\?.*"))
    assert page.get_by_role("heading", level=1).inner_text() == texts["sandbox_heading"].format(provider=provider)
    assert_no_violations(page)


def sign_up_with_franceconnect(page, live_server, lang: str = "fr") -> User:
    """The first sign-in of the sandbox's first identity: terms accepted, the display choice put off."""
    texts = TEXTS[lang]
    open_franceconnect_sign_in(page, live_server, lang)
    press_provider_button(page, "FranceConnect", lang)
    page.get_by_role("button", name=IDENTITY).click()
    page.wait_for_url(live_server.url + reverse("oidc:consent"))
    assert_no_violations(page)
    page.get_by_role("button", name=texts["accept_terms"]).click()
    # The display is chosen once, after the first sign-in: put off here (the sober display).
    page.wait_for_url(live_server.url + reverse("citizen:display-choice"))
    assert_no_violations(page)
    page.get_by_role("button", name=texts["decide_later"]).click()
    page.wait_for_url(live_server.url + reverse("citizen:dashboard"))
    return User.objects.get()
