"""The inbox's keyset pagination in a browser: DSFR markup, by keyboard, no axe violation."""

import pytest
from django.urls import reverse

from tests.a11y.test_axe import assert_no_violations
from tests.instruction.test_inbox import many_quests

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_the_inbox_pages_forwards_and_back_by_keyboard(browser_page_as, live_server, passport, instructor):
    quests = many_quests(passport, 60)
    page = browser_page_as(instructor)
    page.goto(live_server.url + reverse("agent:home"))
    assert_no_violations(page)
    pagination = page.get_by_role("navigation", name="Pagination")
    assert pagination.get_by_role("link", name="Dossiers précédents").get_attribute("aria-disabled") == "true"
    following = pagination.get_by_role("link", name="Dossiers suivants")
    following.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**apres=**")
    assert page.get_by_role("link", name=quests[55].reference).count() == 1
    assert page.get_by_role("link", name=quests[5].reference).count() == 0
    assert pagination.get_by_role("link", name="Dossiers suivants").get_attribute("aria-disabled") == "true"
    assert_no_violations(page)
    previous = pagination.get_by_role("link", name="Dossiers précédents")
    previous.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**avant=**")
    assert page.get_by_role("link", name=quests[5].reference).count() == 1
    assert page.get_by_text("60 dossiers dans cet onglet.").count() == 1
