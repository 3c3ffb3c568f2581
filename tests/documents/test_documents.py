"""The document wallet's services: upload checks, metadata stripping, antivirus, delete, attach, list."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civiquest.actions.documents import document_delete
from civiquest.actions.quests import quest_submit
from civiquest.documents.intake import AntivirusUnavailable, ClamdClient, DocumentInUse, DocumentRejected
from civiquest.documents.models import Document, DocumentType
from civiquest.documents.services import document_upload
from civiquest.quests.attachments import document_attach, document_detach, documents_of
from civiquest.quests.errors import QuestNotEditable, StepUnavailable
from civiquest.quests.models import QuestDocument
from tests.accounts.factories import CitizenFactory

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""
    return settings.CIVIQUEST_PRIVATE_ROOT


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)})
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def png_bytes(size: tuple[int, int] = (16, 16)) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 128)).save(output, format="PNG")
    return output.getvalue()


def upload(owner, name: str, data: bytes, **kwargs) -> Document:
    return document_upload(
        owner=owner, file=SimpleUploadedFile(name, data), type=kwargs.pop("type", DocumentType.OTHER), **kwargs
    )


def test_a_pdf_is_stored_as_given_in_private_storage(citizen, private_root):
    document = upload(
        citizen,
        "avis.PDF",
        PDF_BYTES,
        type=DocumentType.TAX_NOTICE,
        title="Avis 2025",
        issued_on=dt.date(2025, 8, 1),
    )
    document.refresh_from_db()
    assert document.content_type == "application/pdf"
    assert document.original_filename == "avis.PDF"
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.title == "Avis 2025"
    # A random name under the private root, not the citizen's file name, and no public URL.
    assert "avis" not in document.file.name
    path = private_root / document.file.name
    assert path.read_bytes() == PDF_BYTES
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def test_without_a_title_the_type_names_the_document(citizen):
    document = upload(citizen, "passeport.pdf", PDF_BYTES, type=DocumentType.PASSPORT)
    assert document.title == "Passeport"


@pytest.mark.parametrize("name", ["script.exe", "photo.gif", "sans-extension", "archive.pdf.zip"])
def test_a_wrong_extension_is_refused(citizen, name):
    with pytest.raises(DocumentRejected, match="PDF, JPEG ou PNG"):
        upload(citizen, name, PDF_BYTES)
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", PDF_BYTES),
        ("scan.pdf", png_bytes()),
        ("image.png", b"\xff\xd8\xff\xe0 not really a png"),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(citizen, name, data):
    with pytest.raises(DocumentRejected, match="ne correspond pas à son extension"):
        upload(citizen, name, data)
    assert Document.objects.count() == 0


def test_an_oversized_file_is_refused(citizen, settings):
    settings.CIVIQUEST_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(DocumentRejected, match="dépasse la taille maximale de 1 ko"):
        upload(citizen, "gros.pdf", PDF_BYTES + b"0" * 1024)
    assert Document.objects.count() == 0


def test_the_default_limit_is_ten_megabytes(settings):
    from django.conf import settings as django_settings

    assert django_settings.CIVIQUEST_UPLOAD_MAX_BYTES == 10 * 1024 * 1024


def test_an_empty_file_is_refused(citizen):
    with pytest.raises(DocumentRejected, match="vide"):
        upload(citizen, "vide.pdf", b"")


def test_a_broken_image_is_refused(citizen):
    with pytest.raises(DocumentRejected, match="illisible"):
        upload(citizen, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)


def test_exif_gps_data_is_gone_after_upload(citizen, private_root):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(GPS_IFD)  # the test image does carry a position
    document = upload(citizen, "photo.jpeg", original, type=DocumentType.ID_PHOTO)
    stored = (private_root / document.file.name).read_bytes()
    assert document.content_type == "image/jpeg"
    assert document.sha256 == hashlib.sha256(stored).hexdigest() and document.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (32, 24)
        assert not image.getexif().get_ifd(GPS_IFD)
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
    assert b"CameraMaker" not in stored and b"Phone 12" not in stored


def test_a_png_is_re_encoded_without_its_text_chunks(citizen, private_root):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Camille Martin, 12 rue des Lilas")
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(output, format="PNG", pnginfo=info)
    document = upload(citizen, "justificatif.png", output.getvalue())
    stored = (private_root / document.file.name).read_bytes()
    assert b"rue des Lilas" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.getpixel((0, 0)) == (1, 2, 3)


def test_expiry_before_issue_is_refused(citizen):
    with pytest.raises(DocumentRejected, match="précéder"):
        upload(citizen, "a.pdf", PDF_BYTES, issued_on=dt.date(2025, 1, 2), expires_on=dt.date(2025, 1, 1))


# --- Antivirus ---------------------------------------------------------------------------------


class FakeClamd:
    """A tiny clamd on a loopback socket: reads one INSTREAM, answers FOUND on the EICAR string."""

    def __init__(self, *, unix_path: str = "") -> None:
        if unix_path:
            self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.server.bind(unix_path)
        else:
            self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(10)
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.getsockname()[1]

    def _read_exactly(self, connection: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = connection.recv(count - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def serve(self) -> None:
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            with connection:
                command = b""
                while not command.endswith(b"\0"):
                    command += self._read_exactly(connection, 1)
                self.commands.append(command)
                body = b""
                while True:
                    (length,) = struct.unpack("!L", self._read_exactly(connection, 4))
                    if length == 0:
                        break
                    body += self._read_exactly(connection, length)
                self.received.append(body)
                verdict = (
                    b"stream: Eicar-Signature FOUND"
                    if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in body
                    else b"stream: OK"
                )
                connection.sendall(verdict + b"\0")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.CIVIQUEST_CLAMD_HOST = "127.0.0.1"
    settings.CIVIQUEST_CLAMD_PORT = server.port
    yield server
    server.close()


def test_clamd_refuses_an_infected_file(citizen, clamd):
    infected = PDF_BYTES + EICAR
    with pytest.raises(DocumentRejected, match="virus"):
        upload(citizen, "facture.pdf", infected)
    assert Document.objects.count() == 0
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.received == [infected]


def test_clamd_lets_a_clean_file_through(citizen, clamd):
    document = upload(citizen, "facture.pdf", PDF_BYTES)
    assert document.pk is not None
    assert clamd.received == [PDF_BYTES]


def test_the_clamd_client_streams_in_chunks_over_a_unix_socket(tmp_path):
    server = FakeClamd(unix_path=str(tmp_path / "clamd.sock"))
    try:
        data = b"A" * 200_000 + EICAR
        result = ClamdClient(unix_socket=str(tmp_path / "clamd.sock"), timeout=5).scan(data)
    finally:
        server.close()
    assert not result.clean and result.signature == "Eicar-Signature"
    assert server.received == [data]


def test_an_unreachable_clamd_refuses_the_upload(citizen, settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more
    settings.CIVIQUEST_CLAMD_HOST = "127.0.0.1"
    settings.CIVIQUEST_CLAMD_PORT = port
    settings.CIVIQUEST_CLAMD_TIMEOUT = 2
    with pytest.raises(AntivirusUnavailable):
        upload(citizen, "facture.pdf", PDF_BYTES)
    assert Document.objects.count() == 0


# --- Delete, attach --------------------------------------------------------------------------------


def test_delete_removes_the_row_and_the_file(citizen, private_root, django_capture_on_commit_callbacks):
    document = upload(citizen, "a.pdf", PDF_BYTES)
    path = private_root / document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document)
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not path.exists()


def test_a_document_attached_to_a_draft_quest_can_be_deleted(citizen, draft_quest):
    document = upload(citizen, "photo.png", png_bytes(), type=DocumentType.ID_PHOTO)
    document_attach(quest=draft_quest, document=document, step_slug="pieces")
    document_delete(document=document)
    assert not QuestDocument.objects.exists()


def test_delete_is_refused_when_attached_to_a_submitted_quest(citizen, ready_quest, private_root):
    document = upload(citizen, "photo.png", png_bytes(), type=DocumentType.ID_PHOTO)
    document_attach(quest=ready_quest, document=document, step_slug="pieces")
    quest_submit(quest=ready_quest, actor=citizen)
    with pytest.raises(DocumentInUse, match="dossier déjà déposé"):
        document_delete(document=document)
    assert Document.objects.filter(pk=document.pk).exists()
    assert (private_root / document.file.name).exists()
    assert QuestDocument.objects.filter(document=document).count() == 1


def test_attach_is_idempotent_and_only_for_the_owner_while_editable(citizen, ready_quest):
    document = upload(citizen, "photo.png", png_bytes())
    first = document_attach(quest=ready_quest, document=document, step_slug="pieces")
    again = document_attach(quest=ready_quest, document=document, step_slug="pieces")
    assert first.pk == again.pk
    other = upload(CitizenFactory(), "autre.pdf", PDF_BYTES)
    with pytest.raises(StepUnavailable):
        document_attach(quest=ready_quest, document=other, step_slug="pieces")
    with pytest.raises(StepUnavailable):
        document_attach(quest=ready_quest, document=document, step_slug="pas-une-etape")
    quest_submit(quest=ready_quest, actor=citizen)
    with pytest.raises(QuestNotEditable):
        document_attach(quest=ready_quest, document=document, step_slug="identite")
    with pytest.raises(QuestNotEditable):
        document_detach(quest=ready_quest, document=document, step_slug="pieces")


# --- Selector ------------------------------------------------------------------------------------


def test_documents_of_flags_expiry_and_use_in_one_query(citizen, draft_quest, django_assert_num_queries):
    today = dt.date(2026, 6, 1)
    expired = upload(citizen, "a.pdf", PDF_BYTES, expires_on=dt.date(2026, 5, 31))
    soon = upload(citizen, "b.pdf", PDF_BYTES, expires_on=dt.date(2026, 8, 30))
    later = upload(citizen, "c.pdf", PDF_BYTES, expires_on=dt.date(2026, 9, 1))
    never = upload(citizen, "d.pdf", PDF_BYTES)
    upload(CitizenFactory(), "e.pdf", PDF_BYTES)
    document_attach(quest=draft_quest, document=soon, step_slug="pieces")
    document_attach(quest=draft_quest, document=soon, step_slug="identite")
    with django_assert_num_queries(1):
        entries = {entry.document.pk: entry for entry in documents_of(owner=citizen, today=today)}
    assert set(entries) == {expired.pk, soon.pk, later.pk, never.pk}
    assert entries[expired.pk].is_expired and not entries[expired.pk].expires_soon
    assert entries[soon.pk].expires_soon and not entries[soon.pk].is_expired
    assert not entries[later.pk].expires_soon and not entries[later.pk].is_expired
    assert not entries[never.pk].expires_soon and not entries[never.pk].is_expired
    assert entries[soon.pk].quest_count == 1 and entries[soon.pk].deletable
    assert entries[never.pk].quest_count == 0


def test_a_picture_with_too_many_pixels_is_refused_before_decoding(citizen, monkeypatch):
    monkeypatch.setattr("civiquest.documents.intake.MAX_IMAGE_PIXELS", 100)
    with pytest.raises(DocumentRejected, match="trop grande"):
        upload(citizen, "immense.png", png_bytes((20, 20)))
    assert Document.objects.count() == 0


def test_the_default_private_root_is_outside_static_and_media(settings):
    from pathlib import Path

    from civiquest.documents.storage import PrivateFileSystemStorage

    del settings.CIVIQUEST_PRIVATE_ROOT
    root = Path(PrivateFileSystemStorage().location)
    assert root == Path(settings.VAR_DIR).resolve() / "private"
    for public in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        assert not root.is_relative_to(Path(public).resolve())
    assert Document._meta.get_field("file").storage.base_url is None
