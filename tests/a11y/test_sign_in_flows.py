"""Sign-in journeys in chromium, through the sandbox providers; every page on the way passes axe-core."""

import pytest
from django.urls import reverse

from civiquest.accounts.models import Service, ServiceKind, ServiceRole, User
from civiquest.accounts.services import agent_invite
from civiquest.sandbox import faults
from civiquest.sandbox.faults import Fault
from tests.a11y.dsfr import open_disclosure
from tests.a11y.journeys import open_franceconnect_sign_in, press_provider_button
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.oidc.flow import point_providers_at

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _providers_on_live_server(settings, live_server):
    point_providers_at(settings, live_server.url)


def test_a_citizen_signs_in_with_franceconnect_accepts_the_terms_and_signs_out(browser_page_as, live_server):
    page = browser_page_as(None)
    open_franceconnect_sign_in(page, live_server)
    press_provider_button(page, "FranceConnect")

    page.get_by_role("button", name="Angela Claire Louise DUBOIS").click()

    page.wait_for_url(live_server.url + reverse("oidc:consent"))
    assert page.get_by_role("heading", level=1).inner_text() == "Bienvenue sur CiviQuest"
    assert_no_violations(page)
    page.get_by_role("button", name="J’accepte et je crée mon compte").click()
    # First, the choice of display: two equal options, neither checked.
    page.wait_for_url(live_server.url + reverse("citizen:display-choice"))
    assert page.get_by_role("heading", level=1).inner_text() == "Choisir l’affichage de votre espace"
    assert page.locator('input[name="mode"]:checked').count() == 0
    assert_no_violations(page)
    page.locator('label[for="display-mode-game"]').click()  # the DSFR draws the radio on its label
    page.get_by_role("button", name="Enregistrer mon choix").click()
    page.wait_for_url(live_server.url + reverse("citizen:dashboard"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mon espace"
    assert User.objects.get().family_name == "DUBOIS"
    # The header's switch, from the keyboard, back to the same page in "mode sobre".
    switch = page.locator(".fr-header__tools").get_by_role("button", name="Affichage sobre")
    switch.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("citizen:dashboard"))
    page.locator(".fr-header__tools").get_by_role("button", name="Afficher le jeu").wait_for()
    assert page.locator('[data-game="summary"]').count() == 0

    # Sign-out is in the account menu of the header tools.
    open_disclosure(page.locator(".fr-header__tools [aria-controls='account-menu']"))
    page.locator(".fr-header__tools").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + reverse("citizen:home"))
    assert page.get_by_text("Vous êtes déconnecté.").count() == 1


def test_a_refused_franceconnect_sign_in_shows_a_clear_page(browser_page_as, live_server):
    page = browser_page_as(None)
    open_franceconnect_sign_in(page, live_server)
    press_provider_button(page, "FranceConnect")

    page.get_by_role("button", name="Bernard BLOQUÉ").click()

    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion annulée"
    assert_no_violations(page)


def test_a_failed_verification_shows_a_clear_page(browser_page_as, live_server):
    faults.inject("franceconnect", Fault.ID_TOKEN_BAD_SIGNATURE)
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("oidc:franceconnect"))
    press_provider_button(page, "FranceConnect")

    page.get_by_role("button", name="Angela Claire Louise DUBOIS").click()

    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "La connexion n’a pas pu être vérifiée"
    assert_no_violations(page)


def invite(email: str) -> None:
    service = Service.objects.create(name="Mairie de Nouméa", kind=ServiceKind.MAIRIE, commune_code="98818")
    agent_invite(email=email, service=service, role=ServiceRole.INSTRUCTOR, invited_by=None)


def open_proconnect_sign_in(page, live_server) -> None:
    page.goto(live_server.url + reverse("oidc:proconnect"))
    assert_no_violations(page)
    press_provider_button(page, "ProConnect")


def test_an_invited_agent_signs_in_with_proconnect(browser_page_as, live_server):
    invite("karim.benali@mairie-exemple.fr")
    page = browser_page_as(None)
    open_proconnect_sign_in(page, live_server)

    page.get_by_role("button", name="Karim Benali").click()

    page.wait_for_url(live_server.url + reverse("agent:home"))
    assert User.objects.get().email == "karim.benali@mairie-exemple.fr"


def test_an_agent_nobody_invited_sees_the_refusal_page(browser_page_as, live_server):
    page = browser_page_as(None)
    open_proconnect_sign_in(page, live_server)

    page.get_by_role("button", name="Claire Dupuis").click()

    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Accès réservé aux agents invités"
    assert not User.objects.exists()
    assert_no_violations(page)
