"""Expert opinions in the browser: an instructor asks an agent of another service, who reads
the quest read-only and answers; the answer shows on the dossier. Axe on every page."""

import pytest
from django.urls import reverse

from civiquest.accounts.models import ServiceRole
from civiquest.instruction.models import OpinionRequest
from tests.a11y.test_agent_pages import page_for
from tests.a11y.test_axe import assert_no_violations
from tests.catalogue.factories import ServiceFactory, member_of
from tests.instruction.helpers import submitted_quest

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_ask_an_expert_of_another_service_who_answers_once(
    browser, browser_page_as, live_server, passport, instructor
):
    quest = submitted_quest(passport)
    expert = member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.INSTRUCTOR, first_name="Noé")
    page = browser_page_as(instructor)
    page.goto(live_server.url + reverse("agent:quest", args=[quest.pk]))
    section = page.get_by_role("region", name="Avis")
    section.locator("summary", has_text="Demander un avis").click()
    section.get_by_label("Adresse électronique de l’agent à consulter").fill(expert.email)
    section.get_by_label("Votre question").fill("La photo est-elle conforme ?")
    section.get_by_role("button", name="Demander l’avis").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#avis")
    assert page.get_by_text("En attente de l’avis").count() == 1
    assert_no_violations(page)
    opinion = OpinionRequest.objects.get()

    context = page_for(browser, live_server, expert)
    expert_page = context.new_page()
    expert_page.goto(live_server.url + reverse("agent:opinions"))
    assert_no_violations(expert_page)
    link = expert_page.get_by_role("link", name=quest.reference)
    link.focus()
    expert_page.keyboard.press("Enter")
    expert_page.wait_for_url(f"**/agent/avis/{opinion.pk}/")
    assert expert_page.get_by_text("La photo est-elle conforme ?").count() == 1
    assert expert_page.get_by_role("heading", name="Réponses de l’usager").count() == 1
    assert_no_violations(expert_page)
    expert_page.get_by_role("textbox", name="Votre avis").fill("Conforme aux normes.")
    expert_page.get_by_role("button", name="Rendre mon avis").click()
    expert_page.wait_for_load_state()
    assert expert_page.get_by_text("Conforme aux normes.").count() == 1
    assert expert_page.get_by_role("button", name="Rendre mon avis").count() == 0
    assert_no_violations(expert_page)
    context.close()

    page.reload()
    assert page.get_by_text("Conforme aux normes.").count() == 1
    opinion.refresh_from_db()
    assert opinion.answered_at is not None
