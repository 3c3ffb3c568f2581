"""The quest step's autosave tells the truth, in a real browser against the production-like server.

A save that fails (the network drops the request, or the server refuses it because the session
is gone) is shown as failed with a "Réessayer" button, the typed value stays in the field and is
not in the database; retrying once the network is back saves it and says so. axe passes in
every state. The network is cut with Playwright's routing: the browser's own request fails.
"""

import re

import pytest
from django.urls import reverse

from civiquest.quests.models import Answer
from civiquest.quests.services import quest_start
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Brouillon enregistré à \d\d:\d\d\.")
FAILED = "Échec de l’enregistrement"


@pytest.fixture
def step_page(browser_page_as, live_server):
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="passeport", title="Passeport")
    citizen = CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=procedure)
    page = browser_page_as(citizen)
    url = live_server.url + reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": "identite"})
    page.goto(url)
    return page, quest, url


def stored(quest, name: str) -> str | None:
    answer = Answer.objects.filter(quest=quest, field_name=name).first()
    return None if answer is None else answer.value


def status(page):
    return page.locator("#save-status")


def test_a_failed_save_says_so_keeps_the_value_and_retries(step_page):
    page, quest, url = step_page
    retry = page.get_by_role("button", name="Réessayer")
    assert retry.is_hidden()
    # The network drops the autosave (the browser's request fails: htmx:sendError).
    page.route(url, lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.get_by_label("Nom").fill("Martin")
    page.get_by_label("Nom").press("Tab")  # leaving the field fires "change"

    status(page).get_by_text(FAILED).wait_for()
    assert not SAVED.search(status(page).inner_text())
    assert retry.is_visible()
    assert page.get_by_label("Nom").input_value() == "Martin"
    assert stored(quest, "nom") is None
    assert_no_violations(page)

    # Back online: the retry button (by keyboard) saves, and only then says "saved".
    page.unroute(url)
    retry.focus()
    page.keyboard.press("Enter")
    status(page).get_by_text(SAVED).wait_for()
    assert retry.is_hidden()
    assert stored(quest, "nom") == "Martin"
    assert page.get_by_label("Nom").input_value() == "Martin"
    assert_no_violations(page)


def test_a_server_error_is_a_failure_too(step_page):
    page, quest, url = step_page
    page.route(
        url,
        lambda route: (
            route.fulfill(status=502, body="Bad gateway") if route.request.method == "POST" else route.continue_()
        ),
    )
    page.get_by_label("Nom").fill("Martin")
    page.get_by_label("Nom").press("Tab")
    status(page).get_by_text(FAILED).wait_for()
    assert page.get_by_role("button", name="Réessayer").is_visible()
    assert page.get_by_label("Nom").input_value() == "Martin"
    assert stored(quest, "nom") is None


def test_a_lapsed_session_is_a_failure_not_saved(step_page):
    page, quest, _url = step_page
    # The server now sees no session: it redirects the save to the sign-in page.
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Nom").fill("Martin")
    page.get_by_label("Nom").press("Tab")

    status(page).get_by_text(FAILED).wait_for()
    assert "FranceConnect" not in status(page).inner_text()  # the sign-in page was not swapped in
    assert page.get_by_role("button", name="Réessayer").is_visible()
    assert page.get_by_label("Nom").input_value() == "Martin"
    assert stored(quest, "nom") is None
    assert_no_violations(page)


def test_a_successful_save_shows_the_time_and_leaving_is_then_free(step_page):
    page, quest, _url = step_page
    page.get_by_label("Nom").fill("Martin")
    # Typed but not saved yet: leaving would lose it, so the page asks first.
    assert page.evaluate(BEFOREUNLOAD_CANCELLED) is True
    page.get_by_label("Nom").press("Tab")
    status(page).get_by_text(SAVED).wait_for()
    assert stored(quest, "nom") == "Martin"
    assert page.evaluate(BEFOREUNLOAD_CANCELLED) is False
    assert_no_violations(page)


# Whether a beforeunload event would be cancelled (the browser's "leave the page?" prompt).
BEFOREUNLOAD_CANCELLED = """() => {
  const event = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""
