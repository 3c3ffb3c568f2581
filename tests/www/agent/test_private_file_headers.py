"""Every private file response, citizen's or agent's, is inert in our origin (issue 15, point 3).

The same headers whoever asks and whatever the file: an attachment (even for the agent's
viewer: opened inline, chromium's PDF viewer runs a PDF's JavaScript), a sandboxing content
security policy that allows nothing, ``nosniff``, the type sniffed at intake, a same-origin
resource policy, never framed, never kept by a shared cache.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civiquest.documents.models import Document
from civiquest.instruction import services as instruction
from civiquest.instruction.models import QuestMessage
from civiquest.quests.models import QuestDocument
from tests.instruction.helpers import submitted_quest

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""


@pytest.fixture
def quest(passport, instructor):
    quest = submitted_quest(passport)
    instruction.message_send(
        quest=quest, author=quest.citizen, body="Voici", attachment=SimpleUploadedFile("piece.pdf", PDF_BYTES)
    )
    instruction.quest_accept(quest=quest, actor=instructor)
    return quest


def _file_urls(quest) -> dict[str, tuple[str, str]]:
    """Each private file URL of the quest: (who asks, expected disposition)."""
    document = QuestDocument.objects.filter(quest=quest).first().document
    message = QuestMessage.objects.get(quest=quest, from_agent=False)
    agent_document = reverse("agent:quest-document", args=[quest.pk, document.pk])
    return {
        "citizen wallet download": ("citizen", reverse("citizen:document-download", args=[document.pk]), "attachment"),
        "citizen message attachment": (
            "citizen",
            reverse("citizen:quest-message-attachment", args=[quest.pk, message.pk]),
            "attachment",
        ),
        "citizen attestation": ("citizen", reverse("citizen:quest-attestation", args=[quest.pk]), "attachment"),
        "agent viewer": ("agent", agent_document, "attachment"),
        "agent download": ("agent", agent_document + "?telecharger=1", "attachment"),
        "agent message attachment": (
            "agent",
            reverse("agent:message-attachment", args=[quest.pk, message.pk]),
            "attachment",
        ),
        "agent attestation": ("agent", reverse("agent:quest-attestation", args=[quest.pk]), "attachment"),
    }


@pytest.mark.parametrize(
    "path",
    [
        "citizen wallet download",
        "citizen message attachment",
        "citizen attestation",
        "agent viewer",
        "agent download",
        "agent message attachment",
        "agent attestation",
    ],
)
def test_every_private_file_is_served_inert(client, login_verified, quest, instructor, path):
    who, url, disposition = _file_urls(quest)[path]
    login_verified(client, quest.citizen if who == "citizen" else instructor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].split(";")[0] == disposition
    policy = [directive.strip() for directive in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_type_is_the_stored_one_never_the_file_names(client, login_verified, quest, instructor):
    document = QuestDocument.objects.filter(quest=quest).first().document
    Document.objects.filter(pk=document.pk).update(original_filename="page.html")
    login_verified(client, instructor)
    response = client.get(reverse("agent:quest-document", args=[quest.pk, document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="page.html"' in response["Content-Disposition"]


def test_a_stored_type_outside_the_accepted_ones_is_served_as_bytes(client, login_verified, quest, instructor):
    message = QuestMessage.objects.get(quest=quest, from_agent=False)
    QuestMessage.objects.filter(pk=message.pk).update(attachment_content_type="text/html")
    login_verified(client, instructor)
    response = client.get(reverse("agent:message-attachment", args=[quest.pk, message.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]
