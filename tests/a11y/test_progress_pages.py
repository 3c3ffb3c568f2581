"""The progress pages in the browser: axe passes with a long history, a revoke form in error, in "mode sobre"."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.progress import xp
from civiquest.progress.badges import badges_evaluate
from civiquest.progress.models import XpEntry
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory, StaffFactory
from tests.catalogue.factories import DocumentFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def _citizen_with_history():
    citizen = CitizenFactory()
    for number in range(25):
        xp.xp_award(citizen=citizen, amount=3, reason=f"Essai {number}", key=f"a11y:{citizen.pk}:{number}")
    first = XpEntry.objects.filter(citizen=citizen).order_by("pk").first()
    xp.xp_reverse(entry=first, reason="quest.reopened", key=f"a11y:{citizen.pk}:undo")
    # Newest lines (page 1): a repeated action (reduced), the day's cap reached, a milestone in full.
    for number in range(2):
        xp.xp_award(citizen=citizen, amount=10, reason="quest.step", key=f"a11y:{citizen.pk}:rep{number}")
    xp.xp_award(citizen=citizen, amount=100, reason="share", key=f"a11y:{citizen.pk}:cap", kind=xp.XpKind.SHARE)
    xp.xp_award(
        citizen=citizen, amount=50, reason="quest.done", key=f"a11y:{citizen.pk}:done", kind=xp.XpKind.MILESTONE
    )
    DocumentFactory(owner=citizen)
    badges_evaluate(citizen=citizen)
    return citizen


def test_progress_page_passes_axe(browser_page_as, live_server):
    citizen = _citizen_with_history()
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:progress"))
    assert page.locator("progress#xp-barre").count() == 1
    ledger = page.locator("#historique-titre").locator("xpath=..")
    expect(ledger.get_by_text("limite du jour atteinte")).to_have_count(1)
    expect(ledger.get_by_text("action répétée aujourd’hui : gain réduit")).to_have_count(1)
    assert page.get_by_role("heading", name="Historique de vos XP").count() == 1
    assert_no_violations(page)
    page.goto(live_server.url + reverse("citizen:progress") + "?page=2")
    assert_no_violations(page)


def test_progress_page_in_sober_mode_passes_axe(browser_page_as, live_server):
    from civiquest.progress.habits.models import GamePreferences

    citizen = _citizen_with_history()
    GamePreferences.objects.update_or_create(citizen=citizen, defaults={"sober_mode": True})
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:progress"))
    assert page.locator("progress").count() == 0
    assert_no_violations(page)


def test_staff_ledger_and_revoke_error_pass_axe(browser_page_as, live_server):
    citizen = _citizen_with_history()
    page = browser_page_as(StaffFactory())
    page.goto(live_server.url + reverse("staff:citizen-ledger", args=[citizen.pk]))
    assert_no_violations(page)
    page.get_by_role("button", name="Annuler cette ligne").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Motivation de l’annulation :")).to_have_count(1)
    assert_no_violations(page)
    page.get_by_label("Motivation de l’annulation").first.fill("Doublon")
    page.get_by_role("button", name="Annuler cette ligne").first.click()
    page.wait_for_load_state()
    assert_no_violations(page)
