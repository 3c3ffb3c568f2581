"""Uploads scanned by a real ClamAV daemon (Debian's clamd with the EICAR signature, `.ci/clamd.sh`).

These run when the environment names a clamd (``CIVIQUEST_CLAMD_HOST`` and
``CIVIQUEST_CLAMD_PORT``, or ``CIVIQUEST_CLAMD_SOCKET``), as `.ci/run`'s PostgreSQL run does;
the hand-written fake in test_documents.py stays for the faults a real daemon cannot be made
to commit (a garbage answer, a stream cut short).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civiquest.documents.intake import ClamdClient, DocumentRejected
from civiquest.documents.models import Document, DocumentType
from civiquest.instruction import services as instruction
from civiquest.instruction.models import QuestMessage
from tests.instruction.helpers import submitted_quest

CLAMD_HOST = os.environ.get("CIVIQUEST_CLAMD_HOST", "").strip()
CLAMD_SOCKET = os.environ.get("CIVIQUEST_CLAMD_SOCKET", "").strip()
CLAMD_PORT = int(os.environ.get("CIVIQUEST_CLAMD_PORT", "").strip() or 3310)
START_SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "clamd.sh"

pytestmark = pytest.mark.skipif(
    not (CLAMD_HOST or CLAMD_SOCKET),
    reason="no clamd in the environment: set CIVIQUEST_CLAMD_HOST/PORT (`.ci/clamd.sh start`), as .ci/run does",
)

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLEAN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Past the type sniffing (it starts as a PDF), with the test virus in its body.
INFECTED_PDF = CLEAN_PDF + EICAR + b"\n"
VIRUS_MESSAGE = "Ce fichier contient un virus ou un logiciel malveillant : il est refusé."
UNAVAILABLE_MESSAGE = "L’analyse antivirus est indisponible pour le moment : réessayez dans quelques minutes."


@pytest.fixture
def real_clamd(settings):
    """The clamd the environment names, for the whole request cycle (tests/conftest.py turns scanning off)."""
    settings.CIVIQUEST_CLAMD_SOCKET = CLAMD_SOCKET
    settings.CIVIQUEST_CLAMD_HOST = CLAMD_HOST
    settings.CIVIQUEST_CLAMD_PORT = CLAMD_PORT
    settings.CIVIQUEST_CLAMD_TIMEOUT = 10
    return settings


def post_upload(client, data: bytes, *, name: str = "facture.pdf", title: str = "Facture d’électricité"):
    return client.post(
        reverse("citizen:document-upload"),
        {
            "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
            "type": DocumentType.PROOF_OF_ADDRESS,
            "title": title,
        },
    )


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return int(port)


def test_the_real_clamd_finds_eicar_and_passes_a_clean_pdf(real_clamd):
    client = ClamdClient.from_settings()
    assert client is not None
    assert client.scan(CLEAN_PDF).clean
    found = client.scan(INFECTED_PDF)
    # "Eicar-Test-Signature.UNOFFICIAL" from .ci/clamd.sh's database, "Win.Test.EICAR_HDB-1" from freshclam's.
    assert not found.clean and "eicar" in found.signature.lower()


def test_the_settings_read_the_clamd_from_the_environment():
    from config import settings as configured

    assert (configured.CIVIQUEST_CLAMD_HOST, configured.CIVIQUEST_CLAMD_SOCKET) == (CLAMD_HOST, CLAMD_SOCKET)
    assert configured.CIVIQUEST_CLAMD_PORT == CLAMD_PORT


def test_the_real_clamd_finds_eicar_past_the_first_chunk(real_clamd):
    """The client's INSTREAM framing, checked by clamd itself: EICAR sits in the fourth 64 KiB chunk."""
    client = ClamdClient.from_settings()
    assert client is not None
    data = CLEAN_PDF + b"A" * 200_000 + EICAR
    assert not client.scan(data).clean


def test_an_eicar_upload_is_refused_with_a_clear_message_and_nothing_stored(client, citizen, real_clamd):
    client.force_login(citizen)
    response = post_upload(client, INFECTED_PDF)
    content = response.content.decode()
    assert response.status_code == 200
    assert VIRUS_MESSAGE in content
    assert "fr-upload-group--error" in content and 'aria-invalid="true"' in content
    assert 'value="Facture d’électricité"' in content  # what was typed is kept
    assert not Document.objects.exists()
    assert stored_files(real_clamd.CIVIQUEST_PRIVATE_ROOT) == []


def test_a_clean_pdf_is_scanned_accepted_and_stored(client, citizen, real_clamd):
    client.force_login(citizen)
    response = post_upload(client, CLEAN_PDF)
    assert response.status_code == 302
    document = Document.objects.get(owner=citizen)
    assert (real_clamd.CIVIQUEST_PRIVATE_ROOT / document.file.name).read_bytes() == CLEAN_PDF


def test_an_agent_message_with_an_eicar_attachment_is_refused_and_nothing_written(passport, instructor, real_clamd):
    """Message attachments go through the wallet's intake, scanning included."""
    quest = submitted_quest(passport)
    with pytest.raises(DocumentRejected, match="virus"):
        instruction.message_send(
            quest=quest,
            author=instructor,
            body="Voici le formulaire.",
            attachment=SimpleUploadedFile("formulaire.pdf", INFECTED_PDF, content_type="application/pdf"),
        )
    assert not QuestMessage.objects.exists()
    assert stored_files(real_clamd.CIVIQUEST_PRIVATE_ROOT / "messages") == []


@pytest.fixture
def own_clamd(tmp_path, settings):
    """A second clamd, started here from `.ci/clamd.sh` on a port of its own, so a test may stop it."""
    if shutil.which("clamd") is None:
        pytest.skip("Debian's clamav-daemon is not installed (apt-get install clamav-daemon)")
    port = free_port()
    directory = tmp_path / "clamd"
    subprocess.run(
        [str(START_SCRIPT), "start", str(directory), str(port)], check=True, capture_output=True, timeout=90
    )
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = "127.0.0.1"
    settings.CIVIQUEST_CLAMD_PORT = port
    settings.CIVIQUEST_CLAMD_TIMEOUT = 5

    def stop() -> None:
        subprocess.run([str(START_SCRIPT), "stop", str(directory)], check=True, capture_output=True, timeout=30)
        # clamd closes its socket before it exits: wait until nothing answers on the port.
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                return
            time.sleep(0.1)
        raise AssertionError(f"clamd still answers on port {port}")

    yield stop
    stop()


def test_a_scanner_that_is_down_refuses_the_upload_and_loses_nothing(client, citizen, settings, own_clamd):
    client.force_login(citizen)
    assert post_upload(client, CLEAN_PDF, title="Avant la panne").status_code == 302
    kept = Document.objects.get(owner=citizen)
    kept_path = settings.CIVIQUEST_PRIVATE_ROOT / kept.file.name

    own_clamd()  # the daemon goes down
    response = post_upload(client, CLEAN_PDF, title="Pendant la panne")
    content = response.content.decode()
    assert response.status_code == 200
    assert UNAVAILABLE_MESSAGE in content
    assert 'value="Pendant la panne"' in content
    # The refused file is not stored; the one saved before is untouched.
    assert list(Document.objects.filter(owner=citizen)) == [kept]
    assert kept_path.read_bytes() == CLEAN_PDF
    assert stored_files(settings.CIVIQUEST_PRIVATE_ROOT) == [kept_path]
