"""A clamd that misbehaves: the faults a real daemon cannot be made to commit, injected by a fake.

The verdicts themselves (EICAR found, a clean PDF passed, a daemon that is down) are checked
against Debian's clamd in test_clamav_real.py.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civiquest.documents.intake import AntivirusUnavailable, antivirus_check
from civiquest.documents.models import Document, DocumentType

CLEAN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
UNAVAILABLE_MESSAGE = "L’analyse antivirus est indisponible pour le moment : réessayez dans quelques minutes."


class FaultyClamd:
    """Reads one INSTREAM like clamd, then answers ``reply`` (None: holds the line, never answers)."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.getsockname()[1])

    def serve(self) -> None:
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            # The file object holds the socket open too: both closed, or the client never sees
            # the hang-up (only its timeout).
            with connection, connection.makefile("rb") as stream:
                while not stream.read(1) == b"\0":  # the command, e.g. zINSTREAM\0
                    pass
                while (length := struct.unpack("!L", stream.read(4))[0]) != 0:
                    stream.read(length)
                if self.reply is None:
                    self.stop.wait(30)
                else:
                    connection.sendall(self.reply)

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.fixture
def faulty_clamd(settings):
    servers: list[FaultyClamd] = []

    def start(reply: bytes | None) -> FaultyClamd:
        server = FaultyClamd(reply)
        servers.append(server)
        settings.CIVIQUEST_CLAMD_HOST = "127.0.0.1"
        settings.CIVIQUEST_CLAMD_PORT = server.port
        settings.CIVIQUEST_CLAMD_TIMEOUT = 1
        return server

    yield start
    for server in servers:
        server.close()


def post_upload(client):
    return client.post(
        reverse("citizen:document-upload"),
        {
            "file": SimpleUploadedFile("facture.pdf", CLEAN_PDF, content_type="application/pdf"),
            "type": DocumentType.PROOF_OF_ADDRESS,
            "title": "Facture d’eau",
        },
    )


def assert_refused_and_nothing_stored(response, private_root: Path) -> None:
    content = response.content.decode()
    assert response.status_code == 200
    assert UNAVAILABLE_MESSAGE in content
    assert 'value="Facture d’eau"' in content
    assert not Document.objects.exists()
    assert not private_root.exists() or not [path for path in private_root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(b"stream: bizarre\0", id="garbage"),
        pytest.param(b"INSTREAM size limit exceeded. ERROR\0", id="error"),
        pytest.param(b"stream: O", id="cut-short"),
        pytest.param(b"", id="hang-up"),
    ],
)
def test_an_answer_that_is_not_a_verdict_refuses_the_upload(client, citizen, settings, faulty_clamd, reply):
    faulty_clamd(reply)
    client.force_login(citizen)
    assert_refused_and_nothing_stored(post_upload(client), settings.CIVIQUEST_PRIVATE_ROOT)


def test_a_clamd_that_never_answers_refuses_the_upload_after_its_timeout(client, citizen, settings, faulty_clamd):
    faulty_clamd(None)
    client.force_login(citizen)
    started = time.monotonic()
    response = post_upload(client)
    assert time.monotonic() - started < 5  # the 1 s timeout, not the 30 s hold
    assert_refused_and_nothing_stored(response, settings.CIVIQUEST_PRIVATE_ROOT)


@pytest.mark.parametrize("reply", [b"stream: O", b""], ids=["cut-short", "hang-up"])
def test_a_clamd_that_hangs_up_is_noticed_at_once_not_at_the_timeout(settings, faulty_clamd, reply):
    faulty_clamd(reply)
    settings.CIVIQUEST_CLAMD_TIMEOUT = 60
    refusals: list[str] = []

    def scan() -> None:
        try:
            antivirus_check(CLEAN_PDF)
        except AntivirusUnavailable as error:
            refusals.append(error.message)

    # In a thread: a client that kept reading a closed connection would never return.
    thread = threading.Thread(target=scan, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "still reading after clamd hung up"
    assert refusals == [UNAVAILABLE_MESSAGE]
