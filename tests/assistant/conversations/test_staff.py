"""Staff statistics: the most asked questions and the worst-rated answers per procedure, in bounded queries."""

import pytest
from django.urls import reverse

from civiquest.assistant.conversations.services import answer_record, feedback_give, question_ask
from civiquest.assistant.types import Reply
from tests.accounts.factories import CitizenFactory, login_verified

pytestmark = pytest.mark.django_db

REPLY = Reply(text="Réponse.", citations=(), confidence=0.7, provider="extractive")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 10_000


def ask(text, *, procedure="", vote=""):
    question = question_ask(citizen=CitizenFactory(), text=text, procedure_slug=procedure)
    answer = answer_record(question=question, reply=REPLY)
    if vote:
        feedback_give(message=answer, vote=vote, comment="Pas clair" if vote == "down" else "")
    return answer


def test_citizens_and_agents_may_not_see_the_statistics(client, citizen):
    login_verified(client, citizen)
    assert client.get(reverse("staff:assistant-stats")).status_code == 403


def test_most_asked_and_worst_rated_per_procedure(client, staff, knowledge):
    for _ in range(3):
        ask("Où faire mon passeport ?", procedure="passeport", vote="down")
    ask("où faire MON passeport", procedure="passeport", vote="up")  # the same question, differently typed
    ask("Quel prix pour le passeport ?", procedure="passeport")
    ask("Quel prix pour le passeport ?", procedure="passeport", vote="up")
    ask("Quels horaires à la mairie ?")
    login_verified(client, staff)
    response = client.get(reverse("staff:assistant-stats"))
    html = response.content.decode()
    assert response.status_code == 200
    procedures = response.context["procedures"]
    assert [stats.slug for stats in procedures] == ["passeport", ""]
    passport = procedures[0]
    assert passport.title == "Demander ou renouveler un passeport"
    assert [(row.asked) for row in passport.asked] == [4, 2]
    assert [(row.down, row.up) for row in passport.worst] == [(3, 1)]
    assert procedures[1].asked[0].asked == 1
    assert "Questions hors démarche" in html
    assert "Pas clair" in html


def test_the_statistics_page_is_bounded_in_queries(client, staff, knowledge, django_assert_max_num_queries):
    ask("Passeport ?", procedure="passeport", vote="down")
    login_verified(client, staff)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("staff:assistant-stats"))
    for number in range(15):
        for procedure in ("passeport", "carte-identite", ""):
            ask(f"Question {number} ?", procedure=procedure, vote="down" if number % 2 else "up")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("staff:assistant-stats"))
    assert all(len(stats.asked) <= 10 and len(stats.worst) <= 10 for stats in response.context["procedures"])
    assert len(response.context["procedures"]) == 3
