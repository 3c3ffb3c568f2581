"""The private storage on an S3-compatible bucket (``CIVIQUEST_S3_*``), against a local S3 server (moto).

Files go to the bucket, never to the local disk, are streamed back through the views that
check who asks, have no URL, are deleted once the transaction commits, and are seen alike by
two storages (two machines).
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from asgiref.sync import async_to_sync
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient
from django.urls import reverse
from moto.server import ThreadedMotoServer

from civiquest.documents.models import Document, DocumentType
from civiquest.documents.responses import PrivateFileResponse
from civiquest.documents.services import document_upload
from civiquest.documents.storage import CHUNK_BYTES, private_storage
from civiquest.documents.storage_s3 import PrivateS3Storage
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation
from civiquest.quests.models import QuestDocument
from config.settings import s3_private_storage, s3_storage_problems
from tests.accounts.factories import CitizenFactory
from tests.instruction.helpers import submitted_quest

# A name of this run's own: moto keeps its buckets process-wide, whatever server serves them.
BUCKET = f"civiquest-{uuid.uuid4().hex[:12]}"
REGION = "fr-par"
KEYS = {"CIVIQUEST_S3_ACCESS_KEY_ID": "civiquest-key", "CIVIQUEST_S3_SECRET_ACCESS_KEY": "civiquest-secret"}
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    client: Any
    prefix: str
    environ: dict[str, str]

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def holds(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=BUCKET, Key=self.key(name))
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def read(self, name: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=BUCKET, Key=self.key(name))["Body"].read()
        return body


@pytest.fixture(scope="session")
def s3_server() -> Iterator[tuple[str, Any]]:
    """A local server speaking S3, with a bucket that blocks every public access (once: pytest-django
    runs the transactional test apart from the others)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["CIVIQUEST_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["CIVIQUEST_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    yield endpoint, client
    server.stop()


@pytest.fixture
def bucket(settings, s3_server) -> Bucket:
    """The private storage switched to the bucket through the settings, under a prefix of the test's own."""
    endpoint, client = s3_server
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    environ = {
        "CIVIQUEST_S3_BUCKET": BUCKET,
        "CIVIQUEST_S3_ENDPOINT_URL": endpoint,
        "CIVIQUEST_S3_REGION": REGION,
        "CIVIQUEST_S3_PREFIX": f"/{prefix}/",
        **KEYS,
    }
    assert s3_storage_problems(environ, production=False) == []
    settings.STORAGES = {**settings.STORAGES, "private": s3_private_storage(environ)}
    return Bucket(endpoint=endpoint, client=client, prefix=prefix, environ=environ)


def local_files(settings) -> list[Path]:
    root = Path(settings.CIVIQUEST_PRIVATE_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def public_grants(client: Any, key: str) -> list[dict[str, Any]]:
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return [grant for grant in grants if grant["Grantee"].get("URI") in PUBLIC_GROUPS]


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local test server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def stored(owner, data: bytes = PDF_BYTES, name: str = "avis.pdf") -> Document:
    return document_upload(owner=owner, file=SimpleUploadedFile(name, data), type=DocumentType.TAX_NOTICE)


# --- Settings --------------------------------------------------------------------------------------------------


def test_without_a_bucket_the_documents_stay_on_the_local_disk():
    assert s3_storage_problems({}, production=True) == []
    assert s3_private_storage({}) is None


def test_half_done_s3_settings_are_refused_with_what_is_missing():
    assert s3_storage_problems({"CIVIQUEST_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud"}, production=False) == [
        "CIVIQUEST_S3_BUCKET is not set, but CIVIQUEST_S3_ENDPOINT_URL is"
    ]
    assert s3_storage_problems({"CIVIQUEST_S3_BUCKET": BUCKET}, production=False) == [
        "CIVIQUEST_S3_ACCESS_KEY_ID is not set (required with CIVIQUEST_S3_BUCKET)",
        "CIVIQUEST_S3_SECRET_ACCESS_KEY is not set (required with CIVIQUEST_S3_BUCKET)",
    ]
    odd = {
        "CIVIQUEST_S3_BUCKET": BUCKET,
        "CIVIQUEST_S3_ADDRESSING_STYLE": "sideways",
        "CIVIQUEST_S3_SERVER_SIDE_ENCRYPTION": "rot13",
        **KEYS,
    }
    assert s3_storage_problems(odd, production=False) == [
        "CIVIQUEST_S3_ADDRESSING_STYLE must be one of auto, path, virtual",
        "CIVIQUEST_S3_SERVER_SIDE_ENCRYPTION must be AES256 or aws:kms (or unset)",
    ]


def test_production_needs_an_https_endpoint():
    plain = {"CIVIQUEST_S3_BUCKET": BUCKET, "CIVIQUEST_S3_ENDPOINT_URL": "http://minio:9000", **KEYS}
    assert s3_storage_problems(plain, production=False) == []
    assert s3_storage_problems(plain, production=True) == ["CIVIQUEST_S3_ENDPOINT_URL must be an https:// URL"]
    secure = plain | {"CIVIQUEST_S3_ENDPOINT_URL": "https://s3.gra.io.cloud.ovh.net"}
    assert s3_storage_problems(secure, production=True) == []


def test_a_half_configured_bucket_stops_the_start_with_a_message():
    environ = {key: value for key, value in os.environ.items() if not key.startswith("CIVIQUEST_S3_")}
    environ["CIVIQUEST_S3_BUCKET"] = BUCKET
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(manage), "check"], env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "the S3 storage of documents is incomplete" in result.stderr
    assert "CIVIQUEST_S3_ACCESS_KEY_ID is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_storage_is_private_never_overwrites_and_gives_up_quickly(bucket):
    storage = private_storage()
    assert isinstance(storage, PrivateS3Storage)
    assert storage is Document._meta.get_field("file").storage  # the same proxy: the field follows the settings
    assert storage.bucket_name == BUCKET and storage.location == bucket.prefix
    assert storage.default_acl is None and storage.file_overwrite is False
    config = storage.client_config
    assert (config.connect_timeout, config.read_timeout) == (5, 30)
    assert config.retries == {"max_attempts": 3, "mode": "standard"}


def test_server_side_encryption_is_asked_when_configured(settings, bucket):
    environ = bucket.environ | {"CIVIQUEST_S3_SERVER_SIDE_ENCRYPTION": "AES256"}
    settings.STORAGES = {**settings.STORAGES, "private": s3_private_storage(environ)}
    name = private_storage().save("sse/check.pdf", ContentFile(PDF_BYTES))
    assert bucket.client.head_object(Bucket=BUCKET, Key=bucket.key(name))["ServerSideEncryption"] == "AES256"


# --- The wallet on the bucket ------------------------------------------------------------------------------------


def test_an_upload_through_the_page_lands_in_the_bucket_not_on_the_disk(client, citizen, settings, bucket):
    client.force_login(citizen)
    response = client.post(
        reverse("citizen:document-upload"),
        {"file": SimpleUploadedFile("avis.pdf", PDF_BYTES, content_type="application/pdf"), "type": "tax_notice"},
    )
    assert response.status_code == 302, response.content.decode()
    document = Document.objects.get(owner=citizen)
    assert document.file.name.startswith(f"documents/{citizen.pk}/")
    assert bucket.read(document.file.name) == PDF_BYTES
    assert local_files(settings) == []
    assert public_grants(bucket.client, bucket.key(document.file.name)) == []


def test_the_owner_downloads_it_streamed_and_nobody_else_does(client, citizen, bucket):
    document = stored(citizen, name="Avis d'impôt 2025.pdf")
    client.force_login(citizen)
    response = client.get(reverse("citizen:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert isinstance(response, PrivateFileResponse) and response.streaming
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    client.force_login(CitizenFactory())
    assert client.get(reverse("citizen:document-download", args=[document.pk])).status_code == 404


def test_a_large_file_is_read_chunk_by_chunk_never_downloaded_whole(client, citizen, bucket, monkeypatch):
    data = b"%PDF-1.7\n" + os.urandom(3 * CHUNK_BYTES + 123)
    document = stored(citizen, data=data)

    def whole_download(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("S3File downloads the whole object before its first byte")

    monkeypatch.setattr(PrivateS3Storage, "_open", whole_download)
    client.force_login(citizen)
    response = client.get(reverse("citizen:document-download", args=[document.pk]))
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == data
    assert len(chunks) >= 4 and max(len(chunk) for chunk in chunks) <= CHUNK_BYTES
    assert response["Content-Length"] == str(len(data))


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_file_is_an_async_stream(bucket):
    citizen = CitizenFactory()
    data = b"%PDF-1.7\n" + os.urandom(2 * CHUNK_BYTES)
    document = stored(citizen, data=data)
    client = AsyncClient()
    client.force_login(citizen)

    async def download() -> tuple[Any, list[bytes]]:
        response = await client.get(reverse("citizen:document-download", args=[document.pk]))
        assert response.is_async
        return response, [chunk async for chunk in response.streaming_content]

    response, chunks = async_to_sync(download)()
    assert response.status_code == 200
    assert b"".join(chunks) == data and len(chunks) >= 3


def test_a_file_missing_from_the_bucket_is_a_404(client, citizen, bucket):
    document = stored(citizen)
    bucket.client.delete_object(Bucket=BUCKET, Key=bucket.key(document.file.name))
    client.force_login(citizen)
    assert client.get(reverse("citizen:document-download", args=[document.pk])).status_code == 404


def test_deleting_a_document_removes_the_object_once_committed(
    client, citizen, bucket, django_capture_on_commit_callbacks
):
    document = stored(citizen)
    name = document.file.name
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("citizen:document-delete", args=[document.pk])).status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert bucket.holds(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not bucket.holds(name)


def test_the_storage_gives_no_url_and_the_bucket_refuses_anonymous_reads(citizen, bucket):
    document = stored(citizen)
    with pytest.raises(ValueError, match="no URL"):
        _ = document.file.url
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(document.file.name)
    key = bucket.key(document.file.name)
    assert anonymous_get(f"{bucket.endpoint}/{BUCKET}/{key}") == 403
    assert public_grants(bucket.client, key) == []
    # The server does tell a public object from a private one: the refusal above is the ACL's.
    bucket.client.put_object(Bucket=BUCKET, Key=bucket.key("public.txt"), Body=b"x", ACL="public-read")
    assert anonymous_get(f"{bucket.endpoint}/{BUCKET}/{bucket.key('public.txt')}") == 200


def test_two_machines_share_the_files(bucket):
    config = s3_private_storage(bucket.environ)
    first, second = storages.create_storage(config), storages.create_storage(config)
    assert first is not second and first.connection is not second.connection
    name = first.save("shared/avis.pdf", ContentFile(PDF_BYTES))
    assert second.exists(name) and second.size(name) == len(PDF_BYTES)
    stream = second.open_stream(name)
    assert b"".join(stream.chunks()) == PDF_BYTES
    # Never overwritten: the same name from the other machine gets a name of its own.
    other = second.save("shared/avis.pdf", ContentFile(b"%PDF-1.4\nother"))
    assert other != name and first.open_stream(name).read() == PDF_BYTES
    second.delete(name)
    assert not first.exists(name)


# --- Instruction: the agent's viewer, attachments, attestations --------------------------------------------------


@pytest.fixture
def agent_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


def test_the_agent_views_a_quest_document_from_the_bucket(agent_client, passport, bucket):
    quest = submitted_quest(passport)
    document = QuestDocument.objects.filter(quest=quest).first().document
    assert bucket.holds(document.file.name)
    url = reverse("agent:quest-document", args=[quest.pk, document.pk])
    response = agent_client.get(url)
    assert response.status_code == 200
    # An attachment even for the viewer (pdf.js fetches it), sandboxed: see documents/responses.py.
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == bucket.read(document.file.name)
    assert agent_client.get(url, {"telecharger": "1"})["Content-Disposition"].startswith("attachment")


def test_an_agent_of_another_service_gets_404(client, passport, bucket, login_verified):
    from civiquest.accounts.models import ServiceRole
    from tests.catalogue.factories import ServiceFactory, member_of

    quest = submitted_quest(passport)
    document = QuestDocument.objects.filter(quest=quest).first().document
    login_verified(client, member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.MANAGER))
    assert client.get(reverse("agent:quest-document", args=[quest.pk, document.pk])).status_code == 404


def test_attachments_and_attestations_live_in_the_bucket(agent_client, client, passport, instructor, settings, bucket):
    quest = submitted_quest(passport)
    message = instruction.message_send(
        quest=quest,
        author=quest.citizen,
        body="Voici le justificatif",
        attachment=SimpleUploadedFile("j.pdf", PDF_BYTES),
    )
    assert bucket.read(message.attachment.name) == PDF_BYTES
    response = agent_client.get(reverse("agent:message-attachment", args=[quest.pk, message.pk]))
    assert b"".join(response.streaming_content) == PDF_BYTES

    instruction.quest_accept(quest=quest, actor=instructor)
    issued = Attestation.objects.get(quest=quest)
    assert bucket.read(issued.file.name).startswith(b"%PDF")
    client.force_login(quest.citizen)
    response = client.get(reverse("citizen:quest-attestation", args=[quest.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bucket.read(issued.file.name)
    assert local_files(settings) == []
