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


def test_saves_carry_the_page_token_and_a_growing_count_and_a_late_autosave_is_dropped(step_page, live_server):
    """The autosave of the last edit is held back by the network until after "Enregistrer et continuer"
    was served: the server drops it (fewer edits than the submit) and the step stays done as submitted."""
    page, quest, url = step_page
    sent: list[dict[str, str]] = []
    held: list = []

    def record(route, request):
        fields = dict(pair.split("=", 1) for pair in (request.post_data or "").split("&") if "=" in pair)
        sent.append(fields)
        if request.headers.get("hx-request") == "true" and fields.get("nom") == "Dupon":
            held.append(route)  # answered only once the submit is done
        else:
            route.continue_()

    page.route(url, record)
    page.get_by_label("Nom").fill("Martin")
    page.get_by_label("Nom").press("Tab")
    status(page).get_by_text(SAVED).wait_for()
    page.get_by_label("Date de naissance").fill("1990-05-17")
    page.get_by_label("Date de naissance").press("Tab")
    page.locator("label", has_text="Oui").first.click()
    page.get_by_label("Nom").fill("Dupon")
    page.get_by_label("Nom").press("Tab")
    # The held autosave has reached the network (the route), and is kept there.
    for _attempt in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    page.get_by_label("Nom").fill("Dupont")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r".*/etapes/(?!identite/).*"))
    # One page token for all; each autosave holds more edits than the one before; the submit more than any.
    tokens = {fields["edit_page"] for fields in sent}
    assert len(tokens) == 1 and re.fullmatch(r"[0-9a-f]{32}", tokens.pop())
    autosaves = [int(fields["edit_seq"]) for fields in sent if "action" not in fields]
    submits = [fields for fields in sent if fields.get("action") == "continue"]
    assert len(submits) == 1 and len(autosaves) >= 3
    assert autosaves == sorted(set(autosaves)) and int(submits[0]["edit_seq"]) > autosaves[-1]
    assert stored(quest, "nom") == "Dupont"
    # The held autosave now reaches the server, after the submit: dropped.
    late = next(fields for fields in sent if fields.get("nom") == "Dupon")
    response = page.request.post(
        url, form=late, headers={"HX-Request": "true", "X-CSRFToken": late["csrfmiddlewaretoken"]}
    )
    assert response.ok and response.headers["x-autosave"] == "saved"
    assert stored(quest, "nom") == "Dupont"
    quest.refresh_from_db()
    assert quest.progress.filter(step__slug="identite", done_at__isnull=False).exists()
