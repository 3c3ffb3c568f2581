"""The assistant in the browser: a citizen on a quest asks a question, the answer streams in with its sources.

The chat pages (empty, with a conversation) and the staff statistics pass axe.
"""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.actions.catalogue import catalogue_load
from civiquest.assistant.conversations.models import Message, MessageRole
from civiquest.assistant.services import feed_import, knowledge_refresh_now
from civiquest.quests.models import Quest
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory, StaffFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def knowledge(settings, tmp_path):
    settings.ASSISTANT_INDEX_DIR = tmp_path / "assistant-index"
    settings.ASSISTANT_PROVIDER = "extractive"
    catalogue_load()
    # As the demo: the sample service-public.fr fiches are the answers' sources.
    feed_import(path=Path(django_settings.BASE_DIR) / "data" / "service-public", delete_missing=False)
    knowledge_refresh_now()


def test_a_citizen_asks_on_a_quest_and_sees_a_streamed_answer_with_sources(browser_page_as, live_server, knowledge):
    citizen = CitizenFactory()
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:procedure", kwargs={"slug": "passeport"}))
    page.get_by_role("button", name="Commencer").click()
    page.wait_for_load_state()
    quest = Quest.objects.get(citizen=citizen)
    assert quest.current_step is not None

    if page.locator("#assistant-panel-question").count() == 0:
        # Until the quest templates include the panel: the chat page with the same context.
        context = f"?procedure=passeport&step={quest.current_step.slug}"
        page.goto(live_server.url + reverse("citizen:assistant") + context)
        assert page.get_by_text("À propos de la démarche « Demander ou renouveler un passeport »").count() == 1
    asked_on = page.url
    page.get_by_label("Votre question").fill("Quels documents faut-il pour renouveler mon passeport ?")
    page.get_by_role("button", name="Poser la question").click()

    answer = page.locator(".cq-assistant-answer[aria-busy='false']")
    answer.wait_for()
    assert page.url == asked_on  # streamed in place: no page load
    expect(answer.get_by_role("link", name="Demander ou renouveler un passeport")).to_have_count(1)
    expect(answer.get_by_text("Démarche CiviQuest")).to_have_count(1)
    assert "Confiance" in answer.inner_text()
    saved = Message.objects.get(role=MessageRole.ASSISTANT)
    assert saved.conversation.procedure_slug == "passeport"
    assert saved.conversation.step_slug == quest.current_step.slug
    assert_no_violations(page)

    # Thumbs down with htmx, in place.
    answer.get_by_label("Commentaire (facultatif)").fill("Il manque le prix.")
    answer.get_by_role("button", name="Pas utile").click()
    page.get_by_text("Merci pour votre avis").first.wait_for()
    assert saved.__class__.objects.get(pk=saved.pk).feedback.vote == "down"

    # The conversation in the history, and the chat page without JavaScript's help.
    page.goto(live_server.url + reverse("citizen:assistant"))
    assert_no_violations(page)
    page.get_by_role("link", name=saved.conversation.title).click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Demander ou renouveler un passeport")).to_have_count(1)
    assert_no_violations(page)


def test_the_chat_form_works_without_javascript(browser, live_server, knowledge, client):
    from tests.accounts.factories import login_verified

    citizen = CitizenFactory()
    login_verified(client, citizen)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + reverse("citizen:assistant"))
        page.get_by_label("Votre question").fill("Combien coûte une carte d’identité ?")
        page.get_by_role("button", name="Poser la question").click()
        page.wait_for_load_state()
        assert "/mon-espace/assistant/" in page.url and "#message-" in page.url
        expect(page.get_by_role("link", name="Demander ou renouveler une carte d’identité")).to_have_count(1)
        # (axe needs JavaScript: the same page is scanned with it in the test above.)
    finally:
        context.close()


def test_the_staff_statistics_pass_axe(browser_page_as, live_server, knowledge):
    from civiquest.assistant.conversations.services import answer_record, feedback_give, question_ask
    from civiquest.assistant.types import Reply

    question = question_ask(citizen=CitizenFactory(), text="Où faire mon passeport ?", procedure_slug="passeport")
    answer = answer_record(question=question, reply=Reply(text="Réponse.", citations=(), confidence=0.5, provider="x"))
    feedback_give(message=answer, vote="down", comment="Pas clair")
    page = browser_page_as(StaffFactory())
    page.goto(live_server.url + reverse("staff:assistant-stats"))
    expect(page.get_by_text("Où faire mon passeport ?")).to_have_count(3)
    assert_no_violations(page)


# --- Issue 17: the site's one search, visitors asking, answers as DSFR text, the history paginated --------


def test_the_landing_search_finds_the_procedure_then_a_visitor_asks(browser_page_as, live_server, knowledge):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:home"))
    assert_no_violations(page)
    search = page.get_by_role("searchbox", name="Rechercher une démarche")
    search.fill("passport")
    search.press("Enter")
    page.wait_for_load_state()
    assert "/demarches/?q=passport" in page.url
    first_card = page.locator(".fr-card__title").first
    assert first_card.inner_text().strip() == "Demander ou renouveler un passeport"
    assert_no_violations(page)

    # The same words, asked to the assistant: a plain form, answered by the visitor's page.
    page.get_by_role("button", name="Demander « passport » à l’assistant").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + reverse("citizen:assistant-visitor")
    answer = page.locator(".cq-assistant-answer")
    assert answer.get_by_role("heading", name="Sources").count() == 1
    expect(answer.locator(".fr-card")).to_have_count(2)
    assert "Rien n’est enregistré" in page.locator("main").inner_text()
    assert Message.objects.count() == 0
    assert_no_violations(page)


def test_a_visitor_asks_and_the_answer_streams_in_as_dsfr_text(browser_page_as, live_server, knowledge):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:assistant-visitor"))
    conversation = page.locator("section[aria-labelledby='assistant-conversation-title']")
    assert conversation.is_hidden()
    # Keyboard: from the question, Tab reaches the button, which Enter presses.
    question = page.get_by_label("Votre question")
    question.fill("Quels documents faut-il pour renouveler mon passeport ?")
    question.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Poser la question"
    page.keyboard.press("Enter")

    answer = page.locator(".cq-assistant-answer[aria-busy='false']")
    answer.wait_for()
    assert page.url == live_server.url + reverse("citizen:assistant-visitor")  # streamed in place
    assert conversation.is_visible()
    # The done event's HTML: the text as paragraphs and a list, sources as cards, the procedure apart.
    expect(answer.locator(".cq-assistant-text ul li")).to_have_count(2)
    expect(answer.locator(".cq-assistant-sources .fr-card")).to_have_count(3)
    assert answer.get_by_role("heading", name="Faire la démarche").count() == 1
    assert " - " not in answer.locator(".cq-assistant-text").inner_text().splitlines()[0]
    assert answer.locator("form").count() == 0  # no feedback: nothing stored to attach it to
    # The button was disabled while the answer streamed: the focus is back on the question, not lost.
    assert page.evaluate("document.activeElement.id") == "id_question"
    assert Message.objects.count() == 0
    assert_no_violations(page)


def test_a_long_conversation_and_history_are_paginated_and_pass_axe(browser_page_as, live_server, knowledge, settings):
    from civiquest.assistant.answering import answer
    from civiquest.assistant.conversations.selectors import EXCHANGES_PAGE_SIZE, HISTORY_PAGE_SIZE
    from civiquest.assistant.conversations.services import answer_record, question_ask

    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 10_000
    citizen = CitizenFactory()
    for number in range(HISTORY_PAGE_SIZE):
        question_ask(citizen=citizen, text=f"Autre question {number} ?")
    reply = answer("Combien coûte un passeport ?")
    first = question_ask(citizen=citizen, text="Combien coûte un passeport ?")
    answer_record(question=first, reply=reply)
    for number in range(EXCHANGES_PAGE_SIZE):
        asked = question_ask(citizen=citizen, text=f"Et le délai, {number} ?", conversation=first.conversation)
        answer_record(question=asked, reply=reply)
    page = browser_page_as(citizen)
    url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": first.conversation_id})
    page.goto(live_server.url + url)
    thread_pages = page.get_by_role("navigation", name="Pages de la conversation")
    assert thread_pages.count() == 1
    assert page.get_by_role("navigation", name="Pages de mes conversations").count() == 1
    thread = page.locator(".cq-assistant-thread")
    assert thread.get_by_text("Combien coûte un passeport ?", exact=True).count() == 0  # on the first page
    assert_no_violations(page)
    thread_pages.get_by_role("link", name="1", exact=True).click()
    page.wait_for_load_state()
    assert thread.get_by_text("Combien coûte un passeport ?", exact=True).count() == 1
    expect(thread.locator(".cq-assistant-sources .fr-card")).to_have_count(20)
    assert_no_violations(page)
