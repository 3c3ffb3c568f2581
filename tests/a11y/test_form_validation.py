"""Issue 20: a step is checked when a field is left or the form sent, never while the citizen types,
and the message is shown on the field, the DSFR way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.quests.models import Answer
from civiquest.quests.services import quest_start
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def leave(page, field_id: str) -> None:
    """Tab out of the field (chromium moves through a date input's day, month, year and calendar button first)."""
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != field_id:
            return
    raise AssertionError(f"the focus stays in #{field_id}")


def test_a_date_is_checked_when_left_and_its_error_is_shown_on_the_field(browser_page_as, live_server):
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="titre-test", title="Titre")
    citizen = CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=procedure)
    page = browser_page_as(citizen)
    url = live_server.url + reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": "identite"})
    page.goto(url)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    # Typing a birth date in the future: chromium fires "change" at each complete date (0002, 0029…).
    date = page.locator("#id_naissance")
    date.click()
    date.press_sequentially("01012999", delay=50)
    page.wait_for_timeout(500)
    assert posts == []  # nothing saved, nothing checked while the field has the focus
    assert page.locator("#id_naissance-desc-error").count() == 0

    # Leaving the field saves and checks it: the message is on the field.
    with page.expect_response(lambda response: response.request.method == "POST"):
        leave(page, "id_naissance")
    message = page.locator("#id_naissance-desc-error .fr-error-text")
    message.wait_for()
    assert "« Date de naissance » doit être le" in message.inner_text()
    assert date.get_attribute("aria-invalid") == "true"
    assert date.get_attribute("aria-describedby") == "id_naissance-desc-error"
    assert "fr-input-group--error" in date.locator("xpath=..").get_attribute("class")
    assert len(posts) == 1
    assert_no_violations(page)

    # Corrected and left: the message goes away and the answer is saved.
    date.fill("1962-08-24")
    with page.expect_response(lambda response: response.request.method == "POST"):
        leave(page, "id_naissance")
    page.locator("#id_naissance-desc-error").wait_for(state="detached")
    assert date.get_attribute("aria-invalid") is None
    assert "fr-input-group--error" not in date.locator("xpath=..").get_attribute("class")
    assert Answer.objects.get(quest=quest, field_name="naissance").value == "1962-08-24"
