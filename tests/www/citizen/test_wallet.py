"""The wallet pages: list, upload, delete, download, and who may see what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from civiquest.accounts.access import view_access
from civiquest.accounts.models import Role
from civiquest.documents.models import Document, DocumentType
from civiquest.documents.services import document_upload
from civiquest.quests.attachments import document_attach
from civiquest.quests.models import QuestState
from civiquest.quests.services import quest_start
from civiquest.www.citizen import wallet_views
from tests.accounts.factories import AgentFactory, CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""
    return settings.CIVIQUEST_PRIVATE_ROOT


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 200)).save(output, format="PNG")
    return output.getvalue()


def stored(owner, name="avis.pdf", data=PDF_BYTES, **kwargs) -> Document:
    return document_upload(
        owner=owner, file=SimpleUploadedFile(name, data), type=kwargs.pop("type", DocumentType.TAX_NOTICE), **kwargs
    )


@pytest.mark.parametrize("view", ["documents", "document_upload", "document_delete", "document_download"])
def test_every_wallet_view_is_for_citizens(view):
    assert view_access(getattr(wallet_views, view)) == frozenset({Role.CITIZEN})


def test_the_nav_links_to_the_wallet(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("citizen:documents"))
    assert response.status_code == 200
    assert f'href="{reverse("citizen:documents")}" aria-current="page"' in response.content.decode()


def test_the_empty_wallet_says_so(client, citizen):
    client.force_login(citizen)
    content = client.get(reverse("citizen:documents")).content.decode()
    assert "Vous n’avez encore ajouté aucun document." in content
    assert reverse("citizen:document-upload") in content


def test_upload_form_hints_types_and_size(client, citizen):
    client.force_login(citizen)
    content = client.get(reverse("citizen:document-upload")).content.decode()
    assert 'class="fr-upload"' in content and 'enctype="multipart/form-data"' in content
    assert "Taille maximale : 10 Mo. Formats acceptés : PDF, JPEG, PNG." in content
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in content


def test_a_plain_post_uploads_a_document_and_lists_it(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("citizen:document-upload"),
        {
            "file": SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
            "type": DocumentType.ID_PHOTO,
            "title": "Photo d’identité 2026",
            "issued_on": "2026-01-15",
            "expires_on": "",
        },
        follow=True,
    )
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("citizen:documents")
    assert "Le document « Photo d’identité 2026 » est ajouté à vos documents." in content
    assert "photo.png" in content
    document = Document.objects.get(owner=citizen)
    assert document.content_type == "image/png" and str(document.issued_on) == "2026-01-15"


def test_a_refused_upload_names_the_problem_and_keeps_what_was_typed(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("citizen:document-upload"),
        {
            "file": SimpleUploadedFile("photo.jpg", PDF_BYTES, content_type="image/jpeg"),
            "type": DocumentType.ID_PHOTO,
            "title": "Ma photo",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Le contenu du fichier ne correspond pas à son extension." in content
    assert "fr-upload-group--error" in content and 'aria-invalid="true"' in content
    assert 'value="Ma photo"' in content
    assert not Document.objects.exists()


def test_an_upload_without_a_file_or_type_is_refused(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("citizen:document-upload"), {"title": "x"})
    assert response.status_code == 200
    assert not Document.objects.exists()
    # Both the file and the type are named as missing.
    assert response.content.decode().count("Ce champ est obligatoire.") == 2


def test_download_streams_the_file_as_an_attachment_to_its_owner(client, citizen):
    document = stored(citizen, name="Avis d'impôt 2025.pdf")
    client.force_login(citizen)
    response = client.get(reverse("citizen:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_another_citizen_gets_404_on_download_and_delete(client, citizen):
    document = stored(citizen)
    client.force_login(CitizenFactory())
    assert client.get(reverse("citizen:document-download", args=[document.pk])).status_code == 404
    assert client.post(reverse("citizen:document-delete", args=[document.pk])).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, citizen):
    document = stored(citizen)
    for url in (
        reverse("citizen:documents"),
        reverse("citizen:document-upload"),
        reverse("citizen:document-download", args=[document.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("oidc:franceconnect"))
    assert client.post(reverse("citizen:document-delete", args=[document.pk])).status_code == 302
    assert Document.objects.filter(pk=document.pk).exists()


def test_an_agent_gets_403(client, citizen):
    document = stored(citizen)
    client.force_login(AgentFactory())
    assert client.get(reverse("citizen:document-download", args=[document.pk])).status_code == 403


def test_delete_is_post_only_and_deletes(client, citizen):
    document = stored(citizen, title="Mon avis")
    client.force_login(citizen)
    assert client.get(reverse("citizen:document-delete", args=[document.pk])).status_code == 405
    response = client.post(reverse("citizen:document-delete", args=[document.pk]), follow=True)
    assert "Le document « Mon avis » est supprimé." in response.content.decode()
    assert not Document.objects.filter(pk=document.pk).exists()


@pytest.fixture
def passport_quest(citizen):
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="passeport", title="Passeport")
    return quest_start(citizen=citizen, procedure=procedure)


def test_delete_of_a_document_in_a_passport_quest_is_refused_with_a_message(client, citizen, passport_quest):
    document = stored(citizen, title="Mon avis")
    document_attach(quest=passport_quest, document=document, step_slug="pieces")
    # Submitted by the service's side of things: only the state matters here.
    type(passport_quest).objects.filter(pk=passport_quest.pk).update(state=QuestState.SUBMITTED)
    client.force_login(citizen)
    listing = client.get(reverse("citizen:documents")).content.decode()
    assert "Joint à un dossier déposé : ne peut pas être supprimé." in listing
    response = client.post(reverse("citizen:document-delete", args=[document.pk]), follow=True)
    assert "il ne peut pas être supprimé" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_wallet_page_runs_a_bounded_number_of_queries(client, citizen, django_assert_max_num_queries):
    client.force_login(citizen)
    stored(citizen)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("citizen:documents"))
    for index in range(15):
        stored(citizen, name=f"doc{index}.pdf")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("citizen:documents"))
    assert response.content.decode().count("doc14.pdf") == 1
