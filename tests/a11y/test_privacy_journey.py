"""The citizen's RGPD rights in chromium: from the profile page, through the FranceConnect
re-authentication at the sandbox, to an erased account; every page passes axe-core."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.accounts.models import ExternalIdentity, User
from tests.a11y.dsfr import open_disclosure
from tests.a11y.journeys import IDENTITY, sign_up_with_franceconnect
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.oidc.flow import point_providers_at

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _providers_on_live_server(settings, live_server):
    point_providers_at(settings, live_server.url)


def test_a_citizen_confirms_their_identity_then_erases_their_account_from_the_profile(browser_page_as, live_server):
    page = browser_page_as(None)
    citizen = sign_up_with_franceconnect(page, live_server)

    # "Mon profil" is in the account menu of the header tools.
    open_disclosure(page.locator(".fr-header__tools [aria-controls='account-menu']"))
    page.locator(".fr-header__tools").get_by_role("link", name="Mon profil").click()
    page.wait_for_url(live_server.url + reverse("citizen:profile"))
    page.get_by_role("link", name="Supprimer mon compte").click()
    page.wait_for_url(live_server.url + reverse("citizen:privacy-erase"))
    assert page.get_by_role("heading", level=1).inner_text() == "Supprimer mon compte"
    # Nothing can be erased before FranceConnect has confirmed who is at the keyboard.
    assert page.get_by_role("button", name="Supprimer définitivement mon compte").count() == 0
    assert_no_violations(page)

    page.get_by_role("button", name="Confirmer mon identité avec FranceConnect").click()
    page.wait_for_url(re.compile(r".*/sandbox/franceconnect/api/v2/authorize\?.*prompt=login.*"))
    page.get_by_role("button", name=IDENTITY).click()
    page.wait_for_url(live_server.url + reverse("citizen:privacy-erase"))

    # Submitting without ticking the box keeps the account and says why.
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Cochez la case pour confirmer la suppression de votre compte.")).to_have_count(1)
    assert User.objects.filter(pk=citizen.pk).exists()
    assert_no_violations(page)

    page.get_by_text("J’ai compris que la suppression de mon compte est définitive").click()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    page.wait_for_url(live_server.url + reverse("citizen:privacy-erased"))
    assert page.get_by_role("heading", level=1).inner_text() == "Votre compte a été supprimé"
    assert_no_violations(page)
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert not ExternalIdentity.objects.exists()

    # Signed out: the personal space sends to the sign-in page.
    page.goto(live_server.url + reverse("citizen:dashboard"))
    assert page.url.startswith(live_server.url + reverse("oidc:franceconnect"))


def test_a_citizen_confirms_their_identity_then_asks_for_the_export_of_their_data(browser_page_as, live_server):
    page = browser_page_as(None)
    citizen = sign_up_with_franceconnect(page, live_server)

    page.goto(live_server.url + reverse("citizen:profile"))
    page.get_by_role("link", name="Télécharger mes données").click()
    page.wait_for_url(live_server.url + reverse("citizen:privacy-export"))
    assert_no_violations(page)
    page.get_by_role("button", name="Confirmer mon identité avec FranceConnect").click()
    page.wait_for_url(re.compile(r".*/sandbox/franceconnect/api/v2/authorize\?.*"))
    page.get_by_role("button", name=IDENTITY).click()
    page.wait_for_url(live_server.url + reverse("citizen:privacy-export"))

    page.get_by_role("button", name="Préparer l’export de mes données").click()
    page.wait_for_load_state()
    assert citizen.data_exports.count() == 1
    assert_no_violations(page)
