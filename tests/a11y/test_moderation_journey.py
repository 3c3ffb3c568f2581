"""Reports by three citizens hide a post, a moderator restores it; another post is removed. Axe on every page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.accounts.models import AuditEvent
from civiquest.actions.moderation import post_report
from civiquest.notifications.models import Notification
from civiquest.social.entraide.models import Answer, PostStatus, Question
from civiquest.social.moderation import selectors
from civiquest.social.moderation.models import ModerationDecision
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory, StaffFactory
from tests.social.moderation_factories import a_question, an_answer, with_pseudonym

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def report_in_browser(browser_page_as, live_server, question, *, scan: bool = False) -> None:
    page = browser_page_as(CitizenFactory())
    page.goto(live_server.url + reverse("citizen:report-question", kwargs={"post_id": question.pk}))
    if scan:
        assert_no_violations(page)
        # The form's errors, next to the field.
        page.get_by_role("button", name="Envoyer le signalement").click()
        page.wait_for_load_state()
        expect(page.get_by_text("Ce champ est obligatoire.")).to_have_count(1)
        assert_no_violations(page)
    page.get_by_label("Propos injurieux, haineux ou discriminatoires").check(force=True)
    page.get_by_label("Précisez si vous le souhaitez").fill("Des insultes envers les agents.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_load_state()
    assert page.get_by_text("Merci, votre signalement est enregistré.").count() == 1
    if scan:
        assert_no_violations(page)


def decide_in_browser(page, live_server, *, tab: str, link: str, action: str, explanation: str) -> None:
    page.goto(live_server.url + reverse("staff:moderation-queue"))
    page.get_by_role("link", name=tab).click()
    page.wait_for_load_state()
    assert_no_violations(page)
    page.get_by_role("link", name=link).click()
    page.wait_for_load_state()
    assert_no_violations(page)
    page.get_by_label(action, exact=True).check(force=True)
    page.get_by_label("Explication donnée à l’auteur").fill(explanation)
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_load_state()
    assert page.get_by_text("Décision enregistrée").count() == 1
    assert_no_violations(page)


def test_reports_hide_a_post_a_moderator_restores_it_and_removes_another(browser_page_as, live_server, settings):
    settings.ENTRAIDE_REPORTS_TO_HIDE = 3
    author = with_pseudonym(CitizenFactory(), "Rouge-gorge")
    question = a_question(author, title="Où envoyer mon formulaire de carte grise ?")

    report_in_browser(browser_page_as, live_server, question, scan=True)
    report_in_browser(browser_page_as, live_server, question)
    assert selectors.is_public(question)
    report_in_browser(browser_page_as, live_server, question)

    # Hidden pending review: no longer shown to the reporters or anyone else.
    assert Question.objects.get(pk=question.pk).status == PostStatus.HIDDEN
    assert not selectors.is_public(question)
    assert Notification.objects.filter(recipient=author, title__contains="masqué en attendant").count() == 1

    moderator = browser_page_as(StaffFactory())
    decide_in_browser(
        moderator,
        live_server,
        tab="Masqués après signalements (1)",
        link="Où envoyer mon formulaire de carte grise ?",
        action="Rétablir",
        explanation="Le message respecte la charte : il est rétabli.",
    )
    assert selectors.is_public(question)
    assert selectors.open_reporters(question) == 0

    # Another post, reported three times, is removed.
    answer = an_answer(author, question=question)
    for _ in range(3):
        post_report(reporter=CitizenFactory(), post=answer, reason="scam")
    decide_in_browser(
        moderator,
        live_server,
        tab="Masqués après signalements (1)",
        link="Une attestation d’hébergement",
        action="Retirer",
        explanation="Ce message renvoie vers un service payant : il est retiré (charte, point 3).",
    )
    assert Answer.objects.get(pk=answer.pk).status == PostStatus.REMOVED
    assert [decision.action for decision in ModerationDecision.objects.order_by("pk")] == ["restore", "remove"]
    assert AuditEvent.objects.filter(action__in=["moderation.restore", "moderation.remove"]).count() == 2

    # The author reads both decisions and their explanations.
    own = browser_page_as(author)
    own.goto(live_server.url + reverse("citizen:moderation-decisions"))
    assert own.get_by_text("il est retiré (charte, point 3)").count() == 1
    assert own.get_by_text("il est rétabli").count() == 1
    assert_no_violations(own)

    visitor = browser_page_as(None)
    visitor.goto(live_server.url + reverse("citizen:moderation-charter"))
    assert visitor.get_by_role("heading", name="Contester une décision").count() == 1
    assert_no_violations(visitor)


def test_a_moderator_approves_a_first_post_and_suspends_an_author(browser_page_as, live_server):
    author = with_pseudonym(CitizenFactory(), "Hirondelle")
    a_question(author, status=PostStatus.PENDING, title="Première question en attente")
    page = browser_page_as(StaffFactory())
    decide_in_browser(
        page,
        live_server,
        tab="À valider (1)",
        link="Première question en attente",
        action="Publier (premier message)",
        explanation="Bienvenue dans l’entraide.",
    )
    page.get_by_label("Suspendre l’auteur de publication").check(force=True)
    page.get_by_label("Durée de la suspension").select_option("7")
    page.get_by_label("Explication donnée à l’auteur").fill("Essai de suspension.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_load_state()
    assert selectors.posting_suspended_until(author) is not None
    own = browser_page_as(author)
    own.goto(live_server.url + reverse("citizen:moderation-decisions"))
    assert own.get_by_text("Vous ne pouvez pas publier dans l’entraide pour le moment").count() == 1
    assert_no_violations(own)
