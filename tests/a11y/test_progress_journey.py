"""Issue 8's journey: a citizen completes a quest in the browser, sees the XP and the badge it earned,
then turns "mode sobre" on and the game is gone — the service is the same."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.progress.models import XpEntry
from civiquest.quests.models import Quest, QuestState
from tests.a11y.dsfr import open_disclosure
from tests.a11y.journeys import continue_to
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import GUIDED_STEPS, published

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_a_completed_quest_shows_xp_and_badge_then_mode_sobre_hides_them(browser_page_as, live_server):
    published(GUIDED_STEPS, slug="changement-adresse", title="Changement d’adresse")
    citizen = CitizenFactory()
    page = browser_page_as(citizen)

    page.goto(live_server.url + reverse("citizen:progress"))
    expect(page.get_by_text("0 XP", exact=False)).to_have_count(3)
    assert page.locator("#badge-premiere-demarche").get_by_text("À obtenir").count() == 1

    page.goto(live_server.url + reverse("citizen:procedure", args=["changement-adresse"]))
    page.get_by_role("button", name="Commencer").click()
    page.wait_for_url("**/etapes/a-savoir/")
    quest = Quest.objects.get(citizen=citizen)
    step = f"/mes-demarches/{quest.pk}/etapes/"
    continue_to(page, step + "situation/")
    page.get_by_label("Nouvelle commune").fill("98818")
    continue_to(page, step + "teleservice/")
    page.get_by_label("Numéro de télédéclaration").fill("12345678")
    continue_to(page, f"/mes-demarches/{quest.pk}/")
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED

    earned = sum(XpEntry.objects.filter(citizen=citizen).values_list("amount", flat=True))
    assert earned > 0
    # "Ma progression" is in the account menu of the header tools.
    open_disclosure(page.locator(".fr-header__tools [aria-controls='account-menu']"))
    page.locator(".fr-header__tools").get_by_role("link", name="Ma progression").click()
    page.wait_for_url("**/mon-espace/progression/")
    expect(page.get_by_text(f"{earned} XP", exact=False)).to_have_count(1)
    assert page.locator("#badge-premiere-demarche").get_by_text("Obtenu").count() == 1
    assert_no_violations(page)

    # Mode sobre: from the profile, one switch.
    page.goto(live_server.url + reverse("citizen:profile"))
    page.locator("label[for='sober-mode']").click()
    page.get_by_role("button", name="Enregistrer le mode sobre").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Ma progression").count() == 0
    assert page.locator("[data-game]").count() == 0
    assert_no_violations(page)
    page.goto(live_server.url + reverse("citizen:progress"))
    assert page.locator("progress").count() == 0 and page.get_by_text(f"{earned} XP").count() == 0
    expect(page.get_by_text("vous avez activé le mode sobre", exact=False)).to_have_count(1)
    # The quest itself is unchanged.
    page.goto(live_server.url + reverse("citizen:quest", args=[quest.pk]))
    expect(page.get_by_text("Changement d’adresse")).to_have_count(3)
    assert page.locator("[data-game]").count() == 0
    assert_no_violations(page)
