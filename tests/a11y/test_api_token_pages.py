"""The agent's API token pages in the browser: a mairie instructor makes a token (after leaving a
field empty), copies its secret from the page shown once, finds it in the list, sees a call in
its log and revokes it.
Axe on every page, with and without errors."""

import pytest
from django.urls import reverse

from civiquest.accounts.models import ServiceApiToken
from tests.a11y.dsfr import open_disclosure
from tests.a11y.test_axe import assert_no_violations
from tests.catalogue.factories import ServiceFactory, member_of

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_make_copy_and_revoke_a_token(browser_page_as, live_server):
    mairie = ServiceFactory(name="Mairie de Nouméa")
    agent = member_of(mairie, first_name="Léa", last_name="Instructrice")
    page = browser_page_as(agent)

    page.goto(live_server.url + reverse("agent:home"))
    # In the "Données" menu of the navigation, beside the exports.
    open_disclosure(page.get_by_role("button", name="Données"))
    page.get_by_role("link", name="Jetons d’API").click()
    page.wait_for_url("**/agent/api/")
    assert_no_violations(page)

    page.get_by_role("link", name="Créer un jeton").click()
    page.wait_for_url("**/agent/api/nouveau/")
    assert_no_violations(page)
    page.get_by_label("Nom du jeton").fill("Logiciel état civil")
    page.get_by_role("button", name="Créer le jeton").click()  # no service ticked
    page.wait_for_load_state()
    assert page.title().startswith("Erreur : ")
    assert page.get_by_text("Cochez au moins un de vos services.").first.is_visible()
    assert_no_violations(page)

    page.get_by_label("Mairie de Nouméa").check(force=True)
    page.get_by_label("Lecture et écriture").check(force=True)
    page.get_by_role("button", name="Créer le jeton").click()
    page.wait_for_load_state()
    secret = page.locator("#api-token-secret").input_value()
    token = ServiceApiToken.objects.get()
    assert secret.startswith(token.prefix) and len(secret) == 47
    assert_no_violations(page)

    page.get_by_role("link", name="J’ai copié le jeton").click()
    page.wait_for_url("**/agent/api/")
    assert secret not in page.content()
    assert_no_violations(page)
    # A call made with the token shows in its log.
    called = page.request.get(
        f"{live_server.url}/api/v1/services/{mairie.pk}/quests", headers={"Authorization": f"Bearer {secret}"}
    )
    assert called.status == 200
    page.get_by_role("link", name="Logiciel état civil").click()
    page.wait_for_url(f"**/agent/api/{token.pk}/")
    assert page.get_by_text(f"GET /api/v1/services/{mairie.pk}/quests").is_visible()
    assert_no_violations(page)
    page.get_by_role("link", name="Retour aux jetons").click()
    page.wait_for_url("**/agent/api/")
    page.get_by_role("button", name="Révoquer Logiciel état civil").click()
    page.wait_for_url("**/agent/api/")
    assert page.get_by_text("Révoqué", exact=True).is_visible()
    assert_no_violations(page)
