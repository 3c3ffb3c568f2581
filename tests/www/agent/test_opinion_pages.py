"""The expert opinion pages: asking from the dossier, the expert's list and read-only quest."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.accounts.models import ServiceRole
from civiquest.actions import opinions as actions
from civiquest.instruction import services as instruction
from civiquest.instruction.models import OpinionRequest
from civiquest.quests.models import QuestDocument
from tests.catalogue.factories import ServiceFactory, member_of
from tests.instruction.helpers import submitted_quest


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def expert(db):
    return member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.INSTRUCTOR)


def ask(quest, instructor, expert, question="La photo est-elle conforme ?"):
    return actions.opinion_request(quest=quest, actor=instructor, expert_email=expert.email, question=question)


def test_an_agent_asks_from_the_dossier_and_reads_the_answer_there(client, login_verified, quest, instructor, expert):
    login_verified(client, instructor)
    url = reverse("agent:quest-opinion", args=[quest.pk])
    response = client.post(url, {"expert_email": expert.email, "question": "La photo est-elle conforme ?"})
    assert response.status_code == 302 and response["Location"].endswith("#avis")
    opinion = OpinionRequest.objects.get()
    page = client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    assert "La photo est-elle conforme ?" in page and "En attente de l’avis" in page
    actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer="Conforme aux normes.")
    page = client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    assert "Conforme aux normes." in page and "Avis rendu le" in page


def test_a_bad_request_is_shown_on_the_dossier(client, login_verified, quest, instructor):
    login_verified(client, instructor)
    response = client.post(
        reverse("agent:quest-opinion", args=[quest.pk]), {"expert_email": instructor.email, "question": "?"}
    )
    assert response.status_code == 400
    assert "pas le vôtre" in response.content.decode()
    assert not OpinionRequest.objects.exists()


def test_an_agent_of_another_service_cannot_ask(client, login_verified, quest, instructor, expert):
    login_verified(client, expert)
    response = client.post(
        reverse("agent:quest-opinion", args=[quest.pk]), {"expert_email": instructor.email, "question": "?"}
    )
    assert response.status_code == 404
    assert not OpinionRequest.objects.exists()


def test_the_expert_sees_that_quest_only_read_only_and_answers_once(
    client, login_verified, passport, quest, instructor, expert
):
    other = submitted_quest(passport)
    instruction.note_add(quest=quest, actor=instructor, body="Note secrète du service")
    instruction.message_send(quest=quest, author=instructor, body="Message à l’usager")
    opinion = ask(quest, instructor, expert)
    login_verified(client, expert)
    listing = client.get(reverse("agent:opinions")).content.decode()
    assert quest.reference in listing and other.reference not in listing and "À rendre" in listing
    url = reverse("agent:opinion", args=[opinion.pk])
    page = client.get(url).content.decode()
    document = QuestDocument.objects.filter(quest=quest).first().document
    assert "La photo est-elle conforme ?" in page and "Martin" in page
    assert reverse("agent:quest-document", args=[quest.pk, document.pk]) in page
    for private in ("Note secrète du service", "Message à l’usager", "agent:quest-action", "Étiquettes", "Accepter"):
        assert private not in page
    # Its documents are reachable; the dossier pages and every other quest are not.
    assert client.get(reverse("agent:quest-document", args=[quest.pk, document.pk])).status_code == 200
    other_document = QuestDocument.objects.filter(quest=other).first().document
    assert client.get(reverse("agent:quest-document", args=[other.pk, other_document.pk])).status_code == 404
    assert client.get(reverse("agent:quest-document", args=[quest.pk, other_document.pk])).status_code == 404
    assert client.get(reverse("agent:quest", args=[quest.pk])).status_code == 404
    assert client.get(reverse("agent:quest", args=[other.pk])).status_code == 404
    assert client.get(reverse("agent:home")).content.decode().count(quest.reference) == 0
    # The answer, once.
    response = client.post(url, {"answer": "Conforme."})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Conforme." in page and "Rendre mon avis" not in page
    response = client.post(url, {"answer": "Pas conforme."})
    assert response.status_code == 400 and "déjà rendu votre avis" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.answer == "Conforme."


def test_other_agents_cannot_open_the_request(client, login_verified, quest, instructor, expert):
    opinion = ask(quest, instructor, expert)
    for someone in (instructor, member_of(ServiceFactory(name="Autre"), ServiceRole.MANAGER)):
        login_verified(client, someone)
        assert client.get(reverse("agent:opinion", args=[opinion.pk])).status_code == 404
        assert client.post(reverse("agent:opinion", args=[opinion.pk]), {"answer": "Oui"}).status_code == 404
    opinion.refresh_from_db()
    assert opinion.answered_at is None


def test_the_citizen_never_sees_the_avis(client, login_verified, quest, instructor, expert):
    opinion = ask(quest, instructor, expert, question="Question confidentielle")
    actions.opinion_answer(opinion_id=opinion.pk, expert=expert, answer="Avis confidentiel")
    login_verified(client, quest.citizen)
    page = client.get(reverse("citizen:quest", args=[quest.pk])).content.decode()
    assert "Question confidentielle" not in page and "Avis confidentiel" not in page
    assert client.get(reverse("agent:opinion", args=[opinion.pk])).status_code == 403
    notifications = client.get(reverse("citizen:notifications")).content.decode()
    assert "Avis rendu" not in notifications and "Votre avis est demandé" not in notifications


def test_the_experts_list_is_bounded(
    client, login_verified, passport, instructor, expert, django_assert_max_num_queries
):
    for _index in range(3):
        ask(submitted_quest(passport), instructor, expert)
    login_verified(client, expert)
    client.get(reverse("agent:opinions"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("agent:opinions")).status_code == 200
    for _index in range(5):
        ask(submitted_quest(passport), instructor, expert)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("agent:opinions")).content.decode()
    assert page.count("À rendre") == 8
