"""Habits, avatar editor and the citizen home in a browser: every state passes axe, htmx included."""

import pytest
from django.urls import reverse

from civiquest.progress.habits import services
from civiquest.progress.habits.models import CheckIn, GamePreferences
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_habits_page_adopt_check_in_pause_pass_axe(browser_page_as, live_server):
    citizen = CitizenFactory()
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:habits"))
    assert_no_violations(page)  # no habit yet: the catalogue

    page.get_by_role("button", name="Suivre : Relever mon courrier administratif").click()
    page.get_by_text("Vous suivez l’habitude").wait_for()
    assert_no_violations(page)  # a habit with its calendar, after an htmx swap

    page.get_by_role("button", name="C’est fait pour cette période : Relever mon courrier administratif").click()
    page.get_by_text("est cochée pour cette période").wait_for()
    assert CheckIn.objects.filter(habit__citizen=citizen).count() == 1
    assert_no_violations(page)

    page.get_by_role("button", name="Mettre en pause").click()
    page.get_by_text("Vos habitudes sont en pause").first.wait_for()
    assert_no_violations(page)


def test_avatar_editor_and_home_pass_axe_with_and_without_mode_sobre(browser_page_as, live_server):
    citizen = CitizenFactory()
    services.habit_adopt(citizen=citizen, code="deadlines_review")
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:avatar"))
    assert_no_violations(page)
    page.locator("label[for=avatar-hair-curly]").click()  # the design system draws the radio on its label
    page.locator("#avatar-preview").get_by_text("cheveux bouclés").wait_for()  # htmx refreshed the preview
    assert_no_violations(page)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    assert GamePreferences.objects.get(citizen=citizen).avatar["hair"] == "curly"

    page.goto(live_server.url + reverse("citizen:dashboard"))
    assert_no_violations(page)

    page.goto(live_server.url + reverse("citizen:habits"))
    page.get_by_text("Masquer les éléments de jeu").click()
    page.get_by_role("button", name="Enregistrer le mode sobre").click()
    page.wait_for_load_state()
    assert GamePreferences.objects.get(citizen=citizen).sober_mode
    assert page.locator("[data-game]").count() == 0
    assert_no_violations(page)
    for name in ("citizen:dashboard", "citizen:avatar"):
        page.goto(live_server.url + reverse(name))
        assert page.locator("[data-game]").count() == 0
        assert_no_violations(page)
