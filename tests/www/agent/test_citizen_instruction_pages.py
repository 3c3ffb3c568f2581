import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation, QuestMessage
from tests.accounts.factories import CitizenFactory
from tests.instruction.helpers import submitted_quest


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def citizen_client(client, quest, login_verified):
    login_verified(client, quest.citizen)
    return client


def test_the_citizen_sees_exactly_what_to_fix(citizen_client, quest, instructor):
    instruction.quest_request_changes(
        quest=quest, actor=instructor, message="Votre photo est floue.", targets=["pieces.id_photo", "nom"]
    )
    panel = Template("{% load instruction_tags %}{% quest_instruction_panel quest %}").render(
        Context({"quest": quest})
    )
    assert "Votre photo est floue." in panel
    assert "Photo d’identité" in panel
    assert "Nom" in panel
    assert reverse("citizen:quest-step", args=[quest.pk, "pieces"]) in panel
    pieces = quest.revision.steps.get(slug="pieces")
    fixes = Template("{% load instruction_tags %}{% step_fixes quest step %}").render(
        Context({"quest": quest, "step": pieces})
    )
    assert "Le service vous demande de corriger cette étape" in fixes
    other = quest.revision.steps.get(slug="preparer")
    assert "corriger" not in Template("{% load instruction_tags %}{% step_fixes quest step %}").render(
        Context({"quest": quest, "step": other})
    )


def test_the_thread_from_the_citizen_side_with_receipts_and_attachments(citizen_client, quest, instructor):
    sent = instruction.message_send(quest=quest, author=instructor, body="Une question ?")
    url = reverse("citizen:quest-messages", args=[quest.pk])
    page = citizen_client.get(url).content.decode()
    assert "Une question ?" in page
    sent.refresh_from_db()
    assert sent.read_by_citizen_at is not None
    response = citizen_client.post(
        url,
        {"body": "Voici le document", "attachment": SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%%EOF\n")},
    )
    assert response.status_code == 302
    reply = QuestMessage.objects.get(quest=quest, from_agent=False)
    attachment = citizen_client.get(reverse("citizen:quest-message-attachment", args=[quest.pk, reply.pk]))
    assert attachment.status_code == 200
    assert b"".join(attachment.streaming_content).startswith(b"%PDF")
    assert citizen_client.post(url, {"body": ""}).status_code == 400


def test_the_citizen_downloads_the_attestation_and_anyone_verifies_it(citizen_client, client, quest, instructor):
    url = reverse("citizen:quest-attestation", args=[quest.pk])
    assert citizen_client.get(url).status_code == 404
    instruction.quest_accept(quest=quest, actor=instructor)
    response = citizen_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    code = Attestation.objects.get(quest=quest).code
    client.logout()
    page = client.get(reverse("citizen:attestation-verify"), {"code": code.lower()}).content.decode()
    assert "authentique" in page and quest.procedure.title in page
    assert quest.citizen.email not in page
    assert "Aucune attestation" in client.get(reverse("citizen:attestation-verify"), {"code": "XXXX"}).content.decode()


def test_another_citizen_gets_404(client, quest, instructor, login_verified):
    instruction.quest_accept(quest=quest, actor=instructor)
    message = instruction.message_send(
        quest=quest,
        author=instructor,
        body="x",
        attachment=SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    login_verified(client, CitizenFactory())
    for url in (
        reverse("citizen:quest-messages", args=[quest.pk]),
        reverse("citizen:quest-attestation", args=[quest.pk]),
        reverse("citizen:quest-message-attachment", args=[quest.pk, message.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("citizen:quest-messages", args=[quest.pk]), {"body": "x"}).status_code == 404
