import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civiquest.accounts.models import ServiceRole
from civiquest.instruction import services as instruction
from civiquest.instruction.models import ChangeRequest, Label, QuestLabel, QuestMessage, QuestNote
from civiquest.quests.models import Quest, QuestDocument, QuestState
from tests.catalogue.factories import ServiceFactory, member_of
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_inbox import many_quests

S = QuestState


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def agent_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


@pytest.fixture
def outsider_client(db, client, login_verified):
    outsider = member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.MANAGER)
    login_verified(client, outsider)
    return client


def test_the_inbox_lists_the_services_quests_with_counts_and_overdue_in_words(agent_client, quest):
    Quest.objects.filter(pk=quest.pk).update(deadline_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = agent_client.get(reverse("agent:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert quest.reference in page
    assert "En retard" in page
    assert "Déposé (1)" in page


def test_the_inbox_page_is_bounded(agent_client, passport, mairie, django_assert_max_num_queries):
    quests = many_quests(passport, 300)
    label = Label.objects.create(service=mairie, name="Urgent")
    QuestLabel.objects.bulk_create(QuestLabel(quest=quest, label=label) for quest in quests[:100])
    first = agent_client.get(reverse("agent:home"), {"etat": "all"}).content.decode()
    following = re.search(r'href="\?(etat=all&amp;apres=[\w-]+)"', first)
    assert following is not None and 'rel="prev"' not in first
    with django_assert_max_num_queries(14):
        response = agent_client.get(reverse("agent:home") + "?" + following.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    page = response.content.decode()
    # The second page: the next 50 by deadline, with a link back and one further.
    assert quests[50].reference in page and quests[49].reference not in page and quests[100].reference not in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert "300 dossiers dans cet onglet." in page


def test_the_instruction_page_shows_answers_documents_history_and_private_parts(agent_client, quest, instructor):
    instruction.note_add(quest=quest, actor=instructor, body="Vérifier le justificatif")
    response = agent_client.get(reverse("agent:quest", args=[quest.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Martin" in page  # an answer
    document = QuestDocument.objects.filter(quest=quest).first().document
    assert reverse("agent:quest-document", args=[quest.pk, document.pk]) in page
    # PDFs are drawn by the pdf.js viewer from the sandboxed file, never framed.
    assert "<iframe" not in page and "data-pdf-viewer" in page and "document-viewer" in page
    assert "Vérifier le justificatif" in page
    assert "Historique" in page


def test_a_document_is_served_as_an_attachment_to_the_viewer_and_the_download_link(agent_client, quest):
    document = QuestDocument.objects.filter(quest=quest).first().document
    url = reverse("agent:quest-document", args=[quest.pk, document.pk])
    response = agent_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Frame-Options"] == "DENY"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    download = agent_client.get(url, {"telecharger": "1"})
    assert download["Content-Disposition"].startswith("attachment")


def test_request_changes_from_the_page(agent_client, quest):
    response = agent_client.post(
        reverse("agent:quest-action", args=[quest.pk]),
        {"action": "request_changes", "motivation": "Photo floue", "targets": ["pieces.id_photo"]},
    )
    assert response.status_code == 302
    quest.refresh_from_db()
    assert quest.state == S.CHANGES_REQUESTED
    assert ChangeRequest.objects.get(quest=quest).targets == ["pieces.id_photo"]


def test_rejecting_without_motivation_is_refused_and_says_why(agent_client, quest):
    response = agent_client.post(
        reverse("agent:quest-action", args=[quest.pk]), {"action": "reject", "motivation": "", "confirme": "1"}
    )
    assert response.status_code == 400
    assert "Motivez le refus" in response.content.decode()
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED


def test_only_a_manager_reopens_from_the_page(client, login_verified, quest, instructor, manager):
    instruction.quest_reject(quest=quest, actor=instructor, motivation="Non")
    login_verified(client, instructor)
    url = reverse("agent:quest-action", args=[quest.pk])
    assert client.post(url, {"action": "reopen", "motivation": "Erreur", "confirme": "1"}).status_code == 400
    quest.refresh_from_db()
    assert quest.state == S.REJECTED
    assert "Rouvrir le dossier" not in client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    login_verified(client, manager)
    assert client.post(url, {"action": "reopen", "motivation": "Erreur", "confirme": "1"}).status_code == 302
    quest.refresh_from_db()
    assert quest.state == S.IN_REVIEW


def test_messages_notes_and_labels_from_the_page(agent_client, quest):
    agent_client.post(reverse("agent:quest-message", args=[quest.pk]), {"body": "Bonjour"})
    agent_client.post(reverse("agent:quest-note", args=[quest.pk]), {"body": "Privé"})
    agent_client.post(reverse("agent:quest-labels", args=[quest.pk]), {"name": "À rappeler"})
    assert QuestMessage.objects.get(quest=quest).from_agent
    assert QuestNote.objects.get(quest=quest).body == "Privé"
    assert QuestLabel.objects.get(quest=quest).label.name == "À rappeler"
    # Unticking every label takes them off.
    agent_client.post(reverse("agent:quest-labels", args=[quest.pk]), {"name": ""})
    assert not QuestLabel.objects.filter(quest=quest).exists()
    # An empty message keeps the page, with the error next to the field.
    response = agent_client.post(reverse("agent:quest-message", args=[quest.pk]), {"body": ""})
    assert response.status_code == 400
    assert "Votre message" in response.content.decode()


def test_bulk_actions_from_the_inbox_report_per_quest(agent_client, passport, instructor):
    first, second = submitted_quest(passport), submitted_quest(passport)
    instruction.quest_reject(quest=second, actor=instructor, motivation="Non")
    response = agent_client.post(
        reverse("agent:bulk"), {"action": "accept", "quests": [first.pk, second.pk]}, follow=True
    )
    page = response.content.decode()
    assert first.reference in page and second.reference in page
    first.refresh_from_db()
    assert first.state == S.ACCEPTED
    response = agent_client.post(reverse("agent:bulk"), {"action": "close", "quests": [first.pk]}, follow=True)
    assert "Motivez le classement sans suite : l’usager en sera informé." in response.content.decode()
    first.refresh_from_db()
    assert first.state == S.ACCEPTED


def test_exports_have_the_chosen_columns_and_only_the_agents_services(agent_client, quest, passport):
    other_service = ServiceFactory()
    from tests.catalogue.factories import published

    other, _revision = published([{"slug": "a", "title": "A", "kind": "info"}], service=other_service)
    (foreign,) = many_quests(other, 1)
    response = agent_client.post(reverse("agent:export"), {"format": "csv", "columns": ["reference", "state"]})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Numéro de dossier", "État"], [quest.reference, "Déposé"]]
    response = agent_client.post(reverse("agent:export"), {"format": "xlsx", "columns": ["reference", "procedure"]})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["Numéro de dossier", "Démarche"], [quest.reference, passport.title]]
    assert foreign.reference not in response.content.decode("latin-1")
    assert agent_client.post(reverse("agent:export"), {"format": "csv"}).status_code == 400
    assert agent_client.get(reverse("agent:export")).status_code == 200


def test_an_agent_of_another_service_gets_404_everywhere(outsider_client, quest, instructor):
    message = instruction.message_send(quest=quest, author=instructor, body="Bonjour")
    QuestMessage.objects.filter(pk=message.pk).update(attachment="messages/x.pdf", attachment_name="x.pdf")
    instruction.quest_accept(quest=quest, actor=instructor)
    document = QuestDocument.objects.filter(quest=quest).first().document
    gets = [
        reverse("agent:quest", args=[quest.pk]),
        reverse("agent:quest-document", args=[quest.pk, document.pk]),
        reverse("agent:message-attachment", args=[quest.pk, message.pk]),
        reverse("agent:quest-attestation", args=[quest.pk]),
    ]
    for url in gets:
        assert outsider_client.get(url).status_code == 404, url
    posts = [
        (reverse("agent:quest-action", args=[quest.pk]), {"action": "take"}),
        (reverse("agent:quest-message", args=[quest.pk]), {"body": "x"}),
        (reverse("agent:quest-note", args=[quest.pk]), {"body": "x"}),
        (reverse("agent:quest-labels", args=[quest.pk]), {"name": "x"}),
    ]
    for url, data in posts:
        assert outsider_client.post(url, data).status_code == 404, url
    export = outsider_client.post(reverse("agent:export"), {"format": "csv", "columns": ["reference"], "etat": "all"})
    assert quest.reference not in export.content.decode("utf-8-sig")
    inbox_page = outsider_client.get(reverse("agent:home"), {"etat": "all"}).content.decode()
    assert quest.reference not in inbox_page
    bulk = outsider_client.post(reverse("agent:bulk"), {"action": "assign", "quests": [quest.pk]})
    assert bulk.status_code == 302
    quest.refresh_from_db()
    assert quest.assignee_id is None


def test_a_document_of_another_quest_is_404_even_for_the_service(agent_client, passport, quest):
    other = submitted_quest(passport)
    document = QuestDocument.objects.filter(quest=other).first().document
    assert agent_client.get(reverse("agent:quest-document", args=[quest.pk, document.pk])).status_code == 404


@pytest.mark.parametrize("who", ["citizen", "staff"])
def test_citizens_and_staff_do_not_enter(request, client, login_verified, quest, who):
    login_verified(client, request.getfixturevalue(who))
    response = client.get(reverse("agent:quest", args=[quest.pk]))
    # Signed in with another role: the design-system 403 page, never the quest.
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
