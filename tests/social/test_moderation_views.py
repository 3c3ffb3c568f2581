"""The report page, the moderators' queue and post page, the author's decisions page and the charter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.actions.moderation import moderation_decide
from civiquest.social.entraide.models import PostStatus, Question
from civiquest.social.moderation.models import DecisionAction, ModerationDecision, PostingSuspension, Report
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, login_verified
from tests.social.moderation_factories import a_question, an_answer, with_pseudonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client(client):
    client.user = CitizenFactory()
    login_verified(client, client.user)
    return client


@pytest.fixture
def staff_client(client):
    client.user = StaffFactory()
    login_verified(client, client.user)
    return client


def test_a_citizen_reports_a_question_once_with_a_reason(citizen_client):
    question = a_question(CitizenFactory())
    url = reverse("citizen:report-question", kwargs={"post_id": question.pk})
    page = citizen_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Arnaque ou service payant déguisé" in html
    assert reverse("citizen:moderation-charter") in html

    sent = citizen_client.post(url, {"reason": "scam", "comment": "Demande 50 € pour un formulaire gratuit."})

    assert sent.status_code == 302 and sent["Location"] == url
    report = Report.objects.get()
    assert (report.reporter, report.question, report.reason) == (citizen_client.user, question, "scam")
    after = citizen_client.get(url).content.decode()
    assert "Merci, votre signalement est enregistré" in after
    assert "Vous avez signalé ce message" in after
    assert "Envoyer le signalement" not in after
    citizen_client.post(url, {"reason": "spam"})
    assert Report.objects.count() == 1


def test_the_report_form_needs_a_reason(citizen_client):
    answer = an_answer(CitizenFactory())
    url = reverse("citizen:report-answer", kwargs={"post_id": answer.pk})
    refused = citizen_client.post(url, {"reason": "", "comment": ""})
    assert refused.status_code == 400
    assert "Ce champ est obligatoire" in refused.content.decode()
    assert Report.objects.count() == 0


def test_one_cannot_report_ones_own_post(citizen_client):
    question = a_question(citizen_client.user)
    url = reverse("citizen:report-question", kwargs={"post_id": question.pk})
    assert "Ce message est le vôtre" in citizen_client.get(url).content.decode()
    assert citizen_client.post(url, {"reason": "abuse"}).status_code == 400
    assert Report.objects.count() == 0


def test_a_post_not_shown_cannot_be_reported(citizen_client):
    for status in (PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REMOVED):
        question = a_question(CitizenFactory(), status=status)
        assert (
            citizen_client.get(reverse("citizen:report-question", kwargs={"post_id": question.pk})).status_code == 404
        )
    assert citizen_client.get(reverse("citizen:report-answer", kwargs={"post_id": 999999})).status_code == 404


def test_the_report_page_is_for_citizens(client):
    question = a_question(CitizenFactory())
    url = reverse("citizen:report-question", kwargs={"post_id": question.pk})
    assert client.get(url).status_code == 302
    login_verified(client, AgentFactory())
    assert client.get(url).status_code == 403


def test_the_queue_lists_each_tab_with_its_counts(staff_client):
    author = with_pseudonym(CitizenFactory(), "Colibri")
    pending = a_question(author, status=PostStatus.PENDING, title="Nouvelle question en attente")
    hidden = an_answer(author, status=PostStatus.HIDDEN)
    reported = a_question(author, title="Question signalée")
    Report.objects.create(reporter=CitizenFactory(), question=reported, reason="spam")
    a_question(author, title="Question tranquille")

    first = staff_client.get(reverse("staff:moderation-queue")).content.decode()
    assert "Nouvelle question en attente" in first and "Colibri" in first
    assert "À valider (1)" in first and "Masqués après signalements (1)" in first and "Signalés (1)" in first
    assert reverse("staff:moderation-question", kwargs={"post_id": pending.pk}) in first
    masked = staff_client.get(reverse("staff:moderation-queue") + "?onglet=masques").content.decode()
    assert reverse("staff:moderation-answer", kwargs={"post_id": hidden.pk}) in masked
    flagged = staff_client.get(reverse("staff:moderation-queue") + "?onglet=signales").content.decode()
    assert "Question signalée" in flagged and "Question tranquille" not in flagged


def test_the_queue_pages_and_runs_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    for index in range(30):
        author = with_pseudonym(CitizenFactory(), f"Auteur{index}")
        if index % 2:
            a_question(author, status=PostStatus.PENDING, title=f"Question {index}")
        else:
            an_answer(author, status=PostStatus.PENDING)
    url = reverse("staff:moderation-queue")
    with django_assert_max_num_queries(20):
        first = staff_client.get(url)
    assert first.status_code == 200
    assert first.content.decode().count("<tr>") == 26  # the header and 25 rows
    assert "Page suivante" in first.content.decode()
    second = staff_client.get(url + "?onglet=a-valider&page=2").content.decode()
    assert second.count("<tr>") == 6 and "Page précédente" in second


def test_the_queue_is_for_staff(client):
    url = reverse("staff:moderation-queue")
    login_verified(client, CitizenFactory())
    assert client.get(url).status_code == 403


def test_the_post_page_shows_reports_history_and_records_a_decision(staff_client):
    author = with_pseudonym(CitizenFactory(), "Mésange")
    question = a_question(author, status=PostStatus.HIDDEN)
    Report.objects.create(reporter=CitizenFactory(), question=question, reason="personal_data", comment="Un numéro")
    earlier = a_question(author)
    ModerationDecision.objects.create(
        moderator=staff_client.user, author=author, question=earlier, action=DecisionAction.WARN, explanation="Poli."
    )
    url = reverse("staff:moderation-question", kwargs={"post_id": question.pk})
    page = staff_client.get(url).content.decode()
    assert "Mésange" in page and "Un numéro" in page and "Contient des données personnelles" in page
    assert "Avertir l’auteur" in page and "Poli." in page
    assert "Rétablir" in page and "Publier (premier message)" not in page

    missing = staff_client.post(url, {"action": "suspend", "explanation": "Arnaque répétée."})
    assert missing.status_code == 400
    assert "Choisissez la durée de la suspension." in missing.content.decode()

    done = staff_client.post(url, {"action": "remove", "explanation": "Numéro de téléphone publié."})
    assert done.status_code == 302
    assert Question.objects.get(pk=question.pk).status == PostStatus.REMOVED
    suspended = staff_client.post(url, {"action": "suspend", "days": "30", "explanation": "Récidive."})
    assert suspended.status_code == 302
    assert PostingSuspension.objects.get(user=author).decision.action == DecisionAction.SUSPEND


def test_a_decision_the_state_does_not_allow_is_refused(staff_client):
    question = a_question(CitizenFactory())
    url = reverse("staff:moderation-question", kwargs={"post_id": question.pk})
    refused = staff_client.post(url, {"action": "approve", "explanation": "x"})
    assert refused.status_code == 400
    assert ModerationDecision.objects.count() == 0
    assert staff_client.get(reverse("staff:moderation-answer", kwargs={"post_id": 999999})).status_code == 404


def test_the_author_reads_the_decisions_and_the_suspension(client):
    author = CitizenFactory()
    question = a_question(author, title="Ma question sur la carte grise")
    moderation_decide(
        moderator=StaffFactory(), post=question, action=DecisionAction.SUSPEND, explanation="Lien payant.", days=1
    )
    login_verified(client, author)
    page = client.get(reverse("citizen:moderation-decisions")).content.decode()
    assert "Lien payant." in page and "Ma question sur la carte grise" in page
    assert "Vous ne pouvez pas publier dans l’entraide pour le moment" in page
    other = CitizenFactory()
    login_verified(client, other)
    assert "Lien payant." not in client.get(reverse("citizen:moderation-decisions")).content.decode()


def test_the_decisions_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    author = CitizenFactory()
    moderator = StaffFactory()
    for index in range(10):
        ModerationDecision.objects.create(
            moderator=moderator,
            author=author,
            answer=an_answer(author),
            action=DecisionAction.WARN,
            explanation=f"Avertissement {index}",
        )
    login_verified(client, author)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("citizen:moderation-decisions")).status_code == 200


def test_the_charter_is_public_and_states_the_threshold(client, settings):
    settings.ENTRAIDE_REPORTS_TO_HIDE = 4
    page = client.get(reverse("citizen:moderation-charter"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "signalé par 4 personnes différentes" in html
    assert settings.ENTRAIDE_MODERATION_EMAIL in html
    assert "données personnelles" in html


def test_the_staff_portal_links_to_the_queue(staff_client):
    assert reverse("staff:moderation-queue") in staff_client.get(reverse("staff:home")).content.decode()


def test_the_post_page_runs_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    author = with_pseudonym(CitizenFactory(), "Pinson")
    question = a_question(author, status=PostStatus.HIDDEN)
    for _ in range(10):
        Report.objects.create(reporter=CitizenFactory(), question=question, reason="abuse")
        ModerationDecision.objects.create(
            moderator=staff_client.user, author=author, answer=an_answer(author), action="warn", explanation="Non."
        )
    with django_assert_max_num_queries(15):
        page = staff_client.get(reverse("staff:moderation-question", kwargs={"post_id": question.pk}))
    assert page.status_code == 200
    assert page.content.decode().count("Non.") == 10
