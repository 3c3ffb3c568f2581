"""Issue 19's entraide journey: a citizen asks on a quest step, another answers, the first accepts:
XP to the helper, once. A post with a phone number is blocked, one with a name is warned. axe on each page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.actions import entraide as actions
from civiquest.actions.quests import quest_start
from civiquest.progress.models import XpEntry
from civiquest.social.entraide.models import Answer, Question
from tests.a11y.test_axe import assert_no_violations
from tests.catalogue.factories import GUIDED_STEPS, published
from tests.social.conftest import trusted

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_ask_on_a_step_answer_accept_and_the_helper_earns_once(browser_page_as, live_server):
    procedure, _revision = published(GUIDED_STEPS, slug="changement-adresse", title="Changement d’adresse")
    asker, helper = trusted("Mesange"), trusted("Rouge-gorge")
    quest = quest_start(citizen=asker, procedure=procedure)
    page = browser_page_as(asker)

    # From the quest step, the link to ask, prefilled with the step.
    page.goto(live_server.url + reverse("citizen:quest-step", args=[quest.pk, "a-savoir"]))
    page.get_by_role("link", name="Poser une question sur cette étape").click()
    page.wait_for_url("**/poser/?etape=a-savoir")
    assert_no_violations(page)
    page.get_by_label("Votre question").fill("Faut-il prévenir la CAF ?")
    page.get_by_label("Précisions").fill("Rappelez-moi au 06 12 34 56 78.")
    submit(page, "Publier ma question")
    expect(page.get_by_text("numéro de téléphone", exact=False)).to_have_count(1)
    assert page.get_by_label("Précisions").input_value() == "Rappelez-moi au 06 12 34 56 78."
    assert not Question.objects.filter(procedure=procedure).exists()
    assert_no_violations(page)

    page.get_by_label("Précisions").fill("Ma voisine Marie Martin dit que oui.")
    submit(page, "Publier ma question")
    expect(page.get_by_text("un nom de personne", exact=False)).to_have_count(1)
    assert not Question.objects.filter(procedure=procedure).exists()
    assert_no_violations(page)
    page.get_by_text("Je confirme", exact=False).click()
    submit(page, "Publier ma question")
    page.wait_for_url("**/entraide/questions/*/")
    question = Question.objects.get(procedure=procedure)
    assert question.step_slug == "a-savoir"
    assert_no_violations(page)

    # Another citizen answers, citing the official fiche.
    other = browser_page_as(helper)
    other.goto(live_server.url + reverse("citizen:entraide-procedure", args=[procedure.slug]))
    assert_no_violations(other)
    other.get_by_role("link", name="Faut-il prévenir la CAF ?").click()
    other.wait_for_load_state()
    other.get_by_label("Votre réponse").fill("Oui, la CAF doit connaître votre nouvelle adresse.")
    other.get_by_label("Fiche officielle citée").fill("https://www.service-public.fr/particuliers/vosdroits/F11193")
    submit(other, "Publier ma réponse")
    answer = Answer.objects.get(question=question)
    assert_no_violations(other)

    # The asker accepts it: XP to the helper, once (signed in again: one test client, one session at a time).
    page = browser_page_as(asker)
    page.goto(live_server.url + reverse("citizen:entraide-question", args=[question.pk]))
    page.get_by_role("button", name="Utile").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Accepter cette réponse").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Réponse acceptée")).to_have_count(1)
    assert page.get_by_role("button", name="Accepter cette réponse").count() == 0
    assert_no_violations(page)
    assert actions.answer_accept(asker=asker, answer=answer) is False
    entries = XpEntry.objects.filter(citizen=helper, reason="entraide.answer")
    assert list(entries.values_list("amount", flat=True)) == [15]
