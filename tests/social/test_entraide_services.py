"""Entraide's domain and use cases: posting, moderation of first posts, votes, acceptance, personal data."""

import datetime as dt

import pytest
from django.utils import timezone

from civiquest.actions import entraide as actions
from civiquest.core.ratelimit import RateLimited
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.social.entraide import selectors, services
from civiquest.social.entraide.models import Answer, PostStatus, Question, Vote
from civiquest.social.moderation.models import DecisionAction, ModerationDecision, PostingSuspension
from tests.accounts.factories import CitizenFactory
from tests.social.conftest import published_answer, published_question, trusted

pytestmark = pytest.mark.django_db


def test_a_new_authors_posts_wait_for_moderation_until_one_is_published(passport):
    newcomer = CitizenFactory()
    first = actions.question_ask(
        author=newcomer, procedure=passport, step_slug="", title="Combien de temps ?", body=""
    )
    second = actions.question_ask(author=newcomer, procedure=passport, step_slug="", title="Et le prix ?", body="")
    assert (first.status, second.status) == (PostStatus.PENDING, PostStatus.PENDING)
    assert first.published_at is None
    # Pending posts are shown to their author only.
    assert [row.question for row in selectors.questions_of_procedure(passport, viewer=newcomer)] == [second, first]
    assert selectors.questions_of_procedure(passport, viewer=CitizenFactory()) == []
    # A moderator approves one: the author's next posts are published at once.
    Question.objects.filter(pk=first.pk).update(status=PostStatus.PUBLISHED, published_at=timezone.now())
    third = actions.question_ask(author=newcomer, procedure=passport, step_slug="", title="Et en urgence ?", body="")
    assert third.status == PostStatus.PUBLISHED and third.published_at is not None


def test_a_suspended_citizen_cannot_post_and_is_told_until_when(passport, asker):
    decision = ModerationDecision.objects.create(author=asker, action=DecisionAction.SUSPEND, explanation="Propos")
    PostingSuspension.objects.create(user=asker, until=timezone.now() + dt.timedelta(days=3), decision=decision)
    with pytest.raises(services.EntraideRefused, match="jusqu’au"):
        actions.question_ask(author=asker, procedure=passport, step_slug="", title="Question ?", body="")
    assert not Question.objects.filter(procedure=passport).exists()


def test_an_expired_suspension_no_longer_prevents_posting(passport, asker):
    decision = ModerationDecision.objects.create(author=asker, action=DecisionAction.SUSPEND, explanation="Propos")
    PostingSuspension.objects.create(user=asker, until=timezone.now() - dt.timedelta(minutes=1), decision=decision)
    actions.question_ask(author=asker, procedure=passport, step_slug="", title="Question ?", body="")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.service-public.fr/particuliers/vosdroits/F21089", True),
        ("https://entreprendre.service-public.fr/vosdroits/F23961", True),
        ("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006419292", True),
        ("http://www.service-public.fr/particuliers/vosdroits/F21089", False),
        ("https://service-public.fr.arnaque.com/F21089", False),
        ("https://www.example.org/", False),
    ],
)
def test_an_answer_cites_only_an_official_fiche(passport, asker, helper, url, ok):
    question = published_question(asker, passport)
    if ok:
        answer = actions.answer_post(author=helper, question=question, body="Voir la fiche.", fiche_url=url)
        assert answer.fiche_url == url
    else:
        with pytest.raises(services.EntraideRefused, match="service-public.fr"):
            actions.answer_post(author=helper, question=question, body="Voir la fiche.", fiche_url=url)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Appelez-moi au 06 12 34 56 78", "numéro de téléphone"),
        ("Mon numéro de sécu est 1 85 05 78 006 084 36", "sécurité sociale"),
        ("Écrivez à camille.durand@example.org", "adresse électronique"),
        ("Mon IBAN FR76 3000 6000 0112 3456 7890 189", "IBAN"),
    ],
)
def test_a_post_with_a_phone_nir_iban_or_email_is_blocked_and_nothing_is_written(passport, asker, text, found):
    with pytest.raises(actions.PersonalDataBlocked, match=found):
        actions.question_ask(
            author=asker, procedure=passport, step_slug="", title="Question", body=text, confirm_personal_data=True
        )
    assert not Question.objects.filter(procedure=passport).exists()


def test_a_post_with_a_name_is_warned_and_published_once_confirmed(passport, asker):
    body = "Je suis né le 12/03/1985 et j’habite 12 rue de la Paix."
    with pytest.raises(actions.PersonalDataWarning, match="date de naissance") as warned:
        actions.question_ask(author=asker, procedure=passport, step_slug="", title="Question", body=body)
    assert {item.kind for item in warned.value.items} >= {"birth_date", "address"}
    assert not Question.objects.filter(procedure=passport).exists()
    question = actions.question_ask(
        author=asker, procedure=passport, step_slug="", title="Question", body=body, confirm_personal_data=True
    )
    assert question.body == body


def test_questions_are_rate_limited_per_citizen(passport, asker, settings):
    settings.ENTRAIDE_RATE_LIMIT_QUESTIONS = 2
    for index in range(2):
        actions.question_ask(author=asker, procedure=passport, step_slug="", title=f"Question {index}", body="")
    with pytest.raises(RateLimited):
        actions.question_ask(author=asker, procedure=passport, step_slug="", title="Encore", body="")
    # Another citizen is not held back.
    actions.question_ask(author=trusted(), procedure=passport, step_slug="", title="Autre", body="")


def test_an_answer_on_a_pending_question_is_refused(passport, asker, helper):
    question = Question.objects.create(author=asker, procedure=passport, title="En attente ?")
    with pytest.raises(services.EntraideRefused, match="pas ouverte"):
        actions.answer_post(author=helper, question=question, body="Réponse")


def test_the_asker_is_told_of_a_published_answer(passport, asker, helper):
    question = published_question(asker, passport)
    answer = actions.answer_post(author=helper, question=question, body="Voici comment faire.")
    assert answer.status == PostStatus.PUBLISHED
    note = Notification.objects.get(recipient=asker, kind=NotificationKind.ENTRAIDE)
    assert str(question.pk) in note.url


def test_a_pending_answer_notifies_nobody(passport, asker):
    question = published_question(asker, passport)
    actions.answer_post(author=CitizenFactory(), question=question, body="Voici comment faire.")
    assert not Notification.objects.filter(recipient=asker).exists()


def test_a_vote_counts_once_and_never_on_ones_own_answer(passport, asker, helper):
    answer = published_answer(helper, published_question(asker, passport))
    assert actions.answer_vote(voter=asker, answer=answer) is True
    assert actions.answer_vote(voter=asker, answer=answer) is False
    answer.refresh_from_db()
    assert answer.helpful_count == 1 and Vote.objects.count() == 1
    with pytest.raises(services.EntraideRefused, match="propre réponse"):
        actions.answer_vote(voter=helper, answer=answer)


def test_only_the_asker_accepts_one_answer_never_their_own(passport, asker, helper):
    question = published_question(asker, passport)
    answer = published_answer(helper, question)
    other = published_answer(trusted(), question)
    own = published_answer(asker, question)
    with pytest.raises(services.EntraideRefused, match="posé la question"):
        actions.answer_accept(asker=helper, answer=answer)
    with pytest.raises(services.EntraideRefused, match="propre réponse"):
        actions.answer_accept(asker=asker, answer=own)
    assert actions.answer_accept(asker=asker, answer=answer) is True
    # The same again changes nothing; another one is refused.
    assert actions.answer_accept(asker=asker, answer=answer) is False
    with pytest.raises(services.EntraideRefused, match="autre réponse"):
        actions.answer_accept(asker=asker, answer=other)
    assert list(Answer.objects.filter(accepted_at__isnull=False)) == [answer]
    assert Notification.objects.filter(recipient=helper, key=f"entraide-accepted:{answer.pk}").count() == 1


def test_the_question_page_lists_the_accepted_answer_first_then_by_votes(passport, asker, helper):
    question = published_question(asker, passport)
    first = published_answer(helper, question, "Première")
    voted = published_answer(trusted(), question, "Votée")
    accepted = published_answer(trusted(), question, "Acceptée")
    Answer.objects.filter(pk=voted.pk).update(helpful_count=3)
    actions.answer_accept(asker=asker, answer=accepted)
    page = selectors.question_page(question, asker)
    assert [row.answer.pk for row in page.answers] == [accepted.pk, voted.pk, first.pk]
    assert page.asker and page.has_accepted


def test_the_export_holds_the_citizens_questions_answers_and_votes(passport, asker, helper):
    question = published_question(asker, passport, title="Ma question exportée")
    answer = published_answer(helper, question, "Ma réponse exportée")
    actions.answer_vote(voter=asker, answer=answer)
    mine = selectors.entraide_export(asker)
    assert [q["title"] for q in mine["questions"]][-1] == "Ma question exportée"
    assert mine["votes"] == [{"answer": answer.pk, "created_at": mine["votes"][0]["created_at"]}]
    assert selectors.entraide_export(helper)["answers"][0]["body"] == "Ma réponse exportée"


def test_a_steps_cached_box_follows_every_change(passport, asker, helper):
    """``step_questions`` is cached under the entraide's version: a question, an answer accepted
    (an ``update``, no signal) or hidden by moderation show at once."""
    assert selectors.step_questions(passport.pk, "etape") == []
    first = published_question(asker, passport, step_slug="etape", title="Première")
    second = published_question(asker, passport, step_slug="etape", title="Seconde")
    assert [question.title for question in selectors.step_questions(passport.pk, "etape")] == ["Seconde", "Première"]
    answer = published_answer(helper, first)
    actions.answer_accept(asker=asker, answer=answer)
    assert [question.has_accepted for question in selectors.step_questions(passport.pk, "etape")] == [True, False]
    second.status = PostStatus.HIDDEN
    second.save(update_fields=["status"])
    assert [question.pk for question in selectors.step_questions(passport.pk, "etape")] == [first.pk]
