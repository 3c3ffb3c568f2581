"""The inbox in a browser: keyset pagination and bulk actions, DSFR markup, no axe violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.quests.models import QuestState
from tests.a11y.test_axe import assert_no_violations
from tests.instruction.test_inbox import many_quests

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

# Where a selection checkbox is drawn (its label's ::before) and its row, in the page.
BOX_IN_ROW = """(id) => {
    const label = document.querySelector(`label[for="${id}"]`);
    const box = getComputedStyle(label, "::before");
    const top = label.getBoundingClientRect().top + parseFloat(box.top) + parseFloat(box.marginTop);
    const row = label.closest("tr").getBoundingClientRect();
    return [top, top + parseFloat(box.height), row.top, row.bottom];
}"""


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


def test_archiving_two_quests_from_the_inbox_shows_the_summary(browser_page_as, live_server, passport, instructor):
    """Tick two decided quests, archive them: the summary takes the focus and names them; no axe violation."""
    first, second = many_quests(passport, 2, state=QuestState.ACCEPTED)
    page = browser_page_as(instructor)
    page.goto(live_server.url + reverse("agent:home") + "?etat=accepted")
    # The box (the label's ::before) sits inside its row, not clipped by the row's edge.
    top, bottom, row_top, row_bottom = page.evaluate(BOX_IN_ROW, f"select-{first.pk}")
    assert row_top <= top < bottom <= row_bottom, (top, bottom, row_top, row_bottom)
    for quest in (first, second):
        checkbox = page.get_by_label(f"Sélectionner le dossier {quest.reference}")
        checkbox.check()
        expect(checkbox).to_be_checked()
    page.get_by_label("Action", exact=True).select_option(label="Archiver (dossiers terminés)")
    page.get_by_role("button", name="Appliquer aux dossiers cochés").click()
    summary = page.locator("#bilan-action")
    expect(summary.get_by_role("heading", name="Bilan de l’action « Archiver (dossiers terminés) »")).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("status")).to_contain_text("2 dossiers traités")
    for quest in (first, second):
        expect(summary.get_by_role("link", name=quest.reference)).to_be_visible()
    expect(page.get_by_role("link", name="Archivés (2)")).to_be_visible()
    assert_no_violations(page)


def test_the_bulk_form_shows_the_field_of_the_chosen_action_only(browser_page_as, live_server, passport, instructor):
    """Each action shows what it needs (the agent, the label, the message); the others are hidden and not sent."""
    quest = many_quests(passport, 1)[0]
    page = browser_page_as(instructor)
    page.goto(live_server.url + reverse("agent:home"))
    action = page.get_by_label("Action", exact=True)
    agent = page.get_by_label("Agent (pour « Les attribuer à un agent du service »)")
    label = page.get_by_label("Étiquette (pour « Étiqueter »)")
    message = page.get_by_label("Message ou motivation")
    expected = {
        "Me les attribuer": (False, False, False),
        "Les attribuer à un agent du service": (True, False, False),
        "Étiqueter": (False, True, False),
        "Demander des corrections": (False, False, True),
        "Classer sans suite": (False, False, True),
    }
    for choice, shown in expected.items():
        action.select_option(label=choice)
        for field, visible in zip((agent, label, message), shown, strict=True):
            if visible:
                expect(field).to_be_visible()
                expect(field).to_be_enabled()
            else:
                expect(field).to_be_hidden()
                expect(field).to_be_disabled()
    assert_no_violations(page)
    # The message typed for a correction goes with it.
    page.get_by_label(f"Sélectionner le dossier {quest.reference}").check()
    action.select_option(label="Demander des corrections")
    message.fill("La photo est floue.")
    page.get_by_role("button", name="Appliquer aux dossiers cochés").click()
    expect(page.locator("#bilan-action").get_by_role("status")).to_contain_text("1 dossier traité")
    quest.refresh_from_db()
    assert quest.state == QuestState.CHANGES_REQUESTED
    assert quest.change_requests.get().message == "La photo est floue."
