"""Export: everything held, in one ZIP with the files, built by the Celery task, for its owner, 24 hours."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from civiquest.notifications.models import Notification, NotificationKind
from civiquest.privacy import selectors, services
from civiquest.privacy.models import DataExport, ExportStatus
from tests.accounts.factories import CitizenFactory
from tests.privacy.conftest import reauthenticate

SECTIONS = {
    "identity",
    "franceconnect_accounts",
    "contact",
    "game_preferences",
    "home_address",
    "moves",
    "quests",
    "documents",
    "appointments",
    "notifications",
    "xp",
    "badges",
    "habits",
    "habit_pauses",
    "assistant_conversations",
    "shares",
    "audit_events",
    "data_exports",
}


def _download(client, data_export: DataExport) -> zipfile.ZipFile:
    response = client.get(reverse("citizen:privacy-export-download", args=[data_export.public_id]))
    assert response.status_code == 200, response.content[:300]
    # An attachment, never rendered (documents.responses serves what it does not know as octet-stream).
    assert response["Content-Disposition"].startswith("attachment") and ".zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_the_export_holds_every_section_and_every_file(client, rich_citizen, django_capture_on_commit_callbacks):
    user = rich_citizen.user
    client.force_login(user)
    reauthenticate(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("citizen:privacy-export"))
    assert response.status_code == 302 and response["Location"] == reverse("citizen:privacy")
    # Built by the Celery task (run inline in the tests), then the citizen is told.
    data_export = DataExport.objects.get(citizen=user)
    assert data_export.status == ExportStatus.READY
    assert data_export.expires_at == data_export.created_at + dt.timedelta(hours=24)
    assert Notification.objects.filter(recipient=user, kind=NotificationKind.DATA_EXPORT).exists()

    archive = _download(client, data_export)
    data = json.loads(archive.read("donnees.json"))
    assert SECTIONS <= set(data)
    assert data["identity"]["family_name"] == "Zorglubien" and data["contact"]["email"] == "zorglub@example.fr"
    assert data["franceconnect_accounts"][0]["sub"] == "sub-zorglub-42"
    assert "Rue des Zorglubs" in data["home_address"]["label"]
    assert len(data["quests"]) == 3
    accepted = next(quest for quest in data["quests"] if quest["reference"] == rich_citizen.accepted.reference)
    assert accepted["answers"] and accepted["history"] and accepted["attestation"]
    assert [message["body"] for message in accepted["messages"]][0] == "Bonjour, ici Zorglubien."
    rejected = next(quest for quest in data["quests"] if quest["reference"] == rich_citizen.rejected.reference)
    assert rejected["history"][-1]["motivation"] == "Pièce d’identité illisible."
    assert data["assistant_conversations"][0]["messages"][1]["feedback"]["comment"] == "Merci, Zorglubien"
    assert data["appointments"][0]["application_ids"] == ["AB12CD34EF"]
    assert "management_token" not in data["appointments"][0]
    assert data["badges"] and data["habits"] and data["habit_pauses"] and data["notifications"]
    assert any(event["action"] == "citizen.view" for event in data["audit_events"])
    assert data["missing_files"] == []
    # The files: every wallet document, the message attachment, the attestation.
    names = archive.namelist()
    documents = [name for name in names if name.startswith("documents/")]
    assert len(documents) == user.documents.count() >= 2
    assert any("passeport-zorglubien.pdf" in name for name in documents)
    assert any(name.startswith("messages/") for name in names)
    assert any(name.startswith("attestations/") for name in names)
    assert archive.read(documents[0]).startswith(b"%PDF")


@pytest.mark.django_db
def test_the_export_needs_a_recent_reauthentication(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("citizen:privacy-export")).content.decode()
    assert "Confirmer mon identité avec FranceConnect" in page
    response = client.get("/api/v1/me/export")
    assert response.status_code == 403
    assert response.json()["reauthenticate_url"].endswith(reverse("citizen:privacy-export"))
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_another_citizen_cannot_download_it(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data_export = services.data_export_request(citizen=citizen)
    client.force_login(CitizenFactory())
    response = client.get(reverse("citizen:privacy-export-download", args=[data_export.public_id]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_after_24_hours_it_is_gone_then_purged(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data_export = services.data_export_request(citizen=citizen)
    data_export.refresh_from_db()
    storage, name = data_export.file.storage, data_export.file.name
    assert storage.exists(name)
    past = timezone.now() - dt.timedelta(hours=24, seconds=1)
    DataExport.objects.filter(pk=data_export.pk).update(created_at=past, expires_at=past + dt.timedelta(hours=24))
    client.force_login(citizen)
    response = client.get(reverse("citizen:privacy-export-download", args=[data_export.public_id]))
    assert response.status_code == 410
    assert "Cet export n’est plus disponible" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("privacy_exports_purge")
    assert not DataExport.objects.exists() and not storage.exists(name)


@pytest.mark.django_db
def test_asking_twice_while_it_is_prepared_makes_one_export(citizen):
    first = services.data_export_request(citizen=citizen)
    assert services.data_export_request(citizen=citizen) == first
    assert services.data_export_build(export_id=first.pk) is True
    assert services.data_export_build(export_id=first.pk) is True
    assert DataExport.objects.count() == 1


@pytest.mark.django_db
def test_get_me_export_gives_the_json_and_the_archive(client, rich_citizen, django_capture_on_commit_callbacks):
    user = rich_citizen.user
    client.force_login(user)
    reauthenticate(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/api/v1/me/export")
    assert asked.status_code == 202
    response = client.get("/api/v1/me/export")
    assert response.status_code == 200
    body = response.json()
    assert SECTIONS <= set(body["data"])
    assert body["data"]["identity"]["family_name"] == "Zorglubien"
    assert body["archive"]["status"] == "ready"
    assert body["archive"]["download_url"].startswith("/mon-espace/mes-donnees/export/")


@pytest.mark.django_db
def test_the_selector_covers_the_shares_even_empty(citizen):
    assert selectors.citizen_data(citizen)["shares"] == []
