"""The staff sign-in in chromium: password, enrolment with a QR code or code step, lockout; axe on each page."""

import pytest
from django.urls import reverse

from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import DEFAULT_PASSWORD, StaffFactory, current_code, wrong_code

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    """A right code may follow a wrong one at once (django-otp otherwise waits a second)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def sign_in_with_password(page, live_server, user, password=DEFAULT_PASSWORD):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def enter_code(page, code: str, button: str) -> None:
    page.get_by_label("Code de validation").fill(code)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_first_sign_in_enrolment_page_and_its_errors(browser_page_as, live_server):
    user = StaffFactory(totp_device=False)
    page = browser_page_as(None)
    sign_in_with_password(page, live_server, user)
    page.wait_for_url(live_server.url + reverse("accounts:otp-enrol"))
    assert page.get_by_role("heading", level=1).inner_text() == "Activer la validation en deux étapes"
    assert page.get_by_role("img", name="QR code à scanner avec votre application d’authentification").count() == 1
    assert_no_violations(page)

    enter_code(page, wrong_code(user), "Activer et se connecter")
    assert page.get_by_text("Ce code n’est pas valide.").count() == 1
    assert_no_violations(page)

    enter_code(page, current_code(user), "Activer et se connecter")
    page.wait_for_url(live_server.url + reverse("staff:home"))


def test_code_page_and_its_errors(browser_page_as, live_server):
    user = StaffFactory()
    page = browser_page_as(None)
    sign_in_with_password(page, live_server, user)
    page.wait_for_url(live_server.url + reverse("accounts:otp-verify"))
    assert_no_violations(page)

    enter_code(page, "12ab", "Valider et se connecter")
    assert page.get_by_text("Saisissez les 6 chiffres du code").count() == 1
    assert_no_violations(page)

    enter_code(page, current_code(user), "Valider et se connecter")
    page.wait_for_url(live_server.url + reverse("staff:home"))


def test_lockout_page(browser_page_as, live_server):
    user = StaffFactory()
    page = browser_page_as(None)
    for attempt in range(5):
        sign_in_with_password(page, live_server, user, password=f"mauvais-{attempt}")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion temporairement bloquée"
    assert_no_violations(page)
