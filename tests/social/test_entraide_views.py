"""Entraide pages: the pseudonym, a procedure's questions, asking from a quest step, answering, voting, accepting."""

import pytest
from django.urls import reverse

from civiquest.actions.quests import quest_start
from civiquest.progress.models import XpEntry
from civiquest.social.entraide.models import Answer, PostStatus, Question, Vote
from civiquest.social.selectors import pseudonym_of
from tests.accounts.factories import CitizenFactory
from tests.social.conftest import published_answer, published_question, trusted

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def question_url(question):
    return reverse("citizen:entraide-question", kwargs={"question_id": question.pk})


def test_posting_asks_for_a_pseudonym_first_and_explains_it(client, passport):
    newcomer = CitizenFactory(first_name="Camille", last_name="Durand")
    ask = reverse("citizen:entraide-ask", kwargs={"slug": passport.slug})
    response = _as(client, newcomer).get(ask)
    assert response.status_code == 302 and reverse("citizen:entraide-pseudonym") in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "ne pourra plus être changé" in page and "jamais votre nom" in page
    refused = client.post(reverse("citizen:entraide-pseudonym"), {"pseudonym": "Camille-D", "next": ask})
    assert refused.status_code == 400 and "votre nom" in refused.content.decode()
    chosen = client.post(reverse("citizen:entraide-pseudonym"), {"pseudonym": "Hirondelle", "next": ask})
    assert chosen.status_code == 302 and chosen["Location"] == ask
    assert pseudonym_of(newcomer) == "Hirondelle"
    assert client.get(ask).status_code == 200


def test_a_step_page_shows_the_steps_questions_and_a_prefilled_link(client, passport, asker, helper):
    question = published_question(asker, passport, step_slug="identite", title="Quel nom d’usage indiquer ?")
    actions_answer = published_answer(helper, question)
    Answer.objects.filter(pk=actions_answer.pk).update(accepted_at=question.created_at)
    published_question(asker, passport, step_slug="perte", title="Question d’une autre étape")
    citizen = CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=passport)
    page = _as(client, citizen).get(
        reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": "identite"})
    )
    content = page.content.decode()
    assert "Quel nom d’usage indiquer ?" in content and "Question d’une autre étape" not in content
    assert "réponse acceptée" in content
    assert f"{reverse('citizen:entraide-ask', kwargs={'slug': passport.slug})}?etape=identite" in content


def test_a_question_asked_from_a_step_keeps_the_step_and_a_newcomers_waits_for_moderation(client, passport):
    newcomer = trusted()
    Question.objects.filter(author=newcomer).delete()  # no published post any more: a newcomer
    ask = reverse("citizen:entraide-ask", kwargs={"slug": passport.slug})
    form = _as(client, newcomer).get(f"{ask}?etape=identite").content.decode()
    assert 'value="identite" selected' in form
    response = client.post(ask, {"step_slug": "identite", "title": "Faut-il une photo récente ?", "body": ""})
    question = Question.objects.get(procedure=passport)
    assert response.status_code == 302 and (question.step_slug, question.status) == ("identite", PostStatus.PENDING)
    page = client.get(reverse("citizen:entraide-procedure", kwargs={"slug": passport.slug})).content.decode()
    assert "en attente de modération" in page
    # Others do not see it, not even by its address.
    assert _as(client, CitizenFactory()).get(question_url(question)).status_code == 404


def test_a_post_with_a_phone_is_blocked_and_the_text_kept(client, passport, asker):
    ask = reverse("citizen:entraide-ask", kwargs={"slug": passport.slug})
    body = "Rappelez-moi au 06 12 34 56 78 svp"
    response = _as(client, asker).post(ask, {"title": "Mon dossier", "body": body, "step_slug": ""})
    content = response.content.decode()
    assert response.status_code == 400 and "numéro de téléphone" in content and body in content
    assert not Question.objects.filter(procedure=passport).exists()


def test_a_post_with_a_name_is_warned_then_published_once_confirmed(client, passport, asker):
    ask = reverse("citizen:entraide-ask", kwargs={"slug": passport.slug})
    data = {"title": "Ma fille", "body": "Je suis née le 3 mai 1990, est-ce grave ?", "step_slug": ""}
    warned = _as(client, asker).post(ask, data)
    assert warned.status_code == 400 and "confirm_personal_data" in warned.content.decode()
    assert not Question.objects.filter(procedure=passport).exists()
    again = client.post(ask, {**data, "warned": "1"})
    assert again.status_code == 400
    published = client.post(ask, {**data, "warned": "1", "confirm_personal_data": "on"})
    assert published.status_code == 302 and Question.objects.filter(procedure=passport).count() == 1


def test_answer_with_a_fiche_outside_service_public_is_refused_next_to_the_field(client, passport, asker, helper):
    question = published_question(asker, passport)
    url = reverse("citizen:entraide-answer", kwargs={"question_id": question.pk})
    response = _as(client, helper).post(url, {"body": "Voir la fiche", "fiche_url": "https://exemple.org/fiche"})
    assert response.status_code == 400 and "service-public.fr" in response.content.decode()
    ok = client.post(
        url, {"body": "Voir la fiche", "fiche_url": "https://www.service-public.fr/particuliers/vosdroits/F21089"}
    )
    assert ok.status_code == 302 and Answer.objects.filter(question=question).count() == 1


def test_vote_and_accept_from_the_question_page(client, passport, asker, helper):
    question = published_question(asker, passport)
    answer = published_answer(helper, question)
    page = _as(client, asker).get(question_url(question)).content.decode()
    assert "Accepter cette réponse" in page and "Utile" in page
    # The helper sees neither button on their own answer.
    own = _as(client, helper).get(question_url(question)).content.decode()
    assert reverse("citizen:entraide-vote", kwargs={"answer_id": answer.pk}) not in own
    assert "Accepter cette réponse" not in own
    _as(client, asker)
    for _index in range(2):
        client.post(reverse("citizen:entraide-vote", kwargs={"answer_id": answer.pk}))
        client.post(reverse("citizen:entraide-accept", kwargs={"answer_id": answer.pk}))
    answer.refresh_from_db()
    assert answer.helpful_count == 1 and Vote.objects.count() == 1 and answer.accepted_at is not None
    assert XpEntry.objects.filter(citizen=helper, reason="entraide.answer").count() == 1
    assert "Accepter cette réponse" not in client.get(question_url(question)).content.decode()


def test_someone_elses_acceptance_is_refused(client, passport, asker, helper):
    answer = published_answer(helper, published_question(asker, passport))
    _as(client, trusted()).post(reverse("citizen:entraide-accept", kwargs={"answer_id": answer.pk}))
    answer.refresh_from_db()
    assert answer.accepted_at is None


@pytest.mark.parametrize("count", [1, 10])
def test_list_pages_run_a_bounded_number_of_queries(client, passport, asker, count, django_assert_max_num_queries):
    question = None
    for index in range(count):
        question = published_question(asker, passport, step_slug="identite", title=f"Question {index}")
        for _answer in range(2):
            published_answer(trusted(), question)
    viewer = trusted()
    _as(client, viewer)
    for url in (
        reverse("citizen:entraide-procedure", kwargs={"slug": passport.slug}),
        f"{reverse('citizen:entraide-procedure', kwargs={'slug': passport.slug})}?etape=identite",
        question_url(question),
    ):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_answering_without_a_pseudonym_comes_back_to_the_question(client, passport, asker):
    question = published_question(asker, passport)
    response = _as(client, CitizenFactory()).post(
        reverse("citizen:entraide-answer", kwargs={"question_id": question.pk}), {"body": "Réponse"}
    )
    assert response.status_code == 302 and "next=" in response["Location"]
    chosen = client.post(response["Location"], {"pseudonym": "Colibri", "next": question_url(question)})
    assert chosen["Location"] == question_url(question)
    assert not Answer.objects.filter(question=question).exists()
