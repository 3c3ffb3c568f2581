"""The size limit at its boundary, declared and streamed, and what intake keeps of a file's name.

Written against the survivors of ``make mutate`` on ``upload_sniffing`` (docs/testing.md):
no test reached the limit exactly, nor a file whose declared size understates its content.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civiquest.documents.intake import DocumentRejected, upload_check

LIMIT = 4096
TOO_LARGE = "Ce fichier dépasse la taille maximale de 4 ko."


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.CIVIQUEST_UPLOAD_MAX_BYTES = LIMIT
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""


def pdf_of(size: int) -> bytes:
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    head += b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n"
    tail = b"\n%%EOF\n"
    return head + b"%" * (size - len(head) - len(tail)) + tail


def understated(name: str, content: bytes) -> SimpleUploadedFile:
    """An upload whose declared size is smaller than what it streams (a client that lies)."""
    upload = SimpleUploadedFile(name, content)
    upload.size = 10
    return upload


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_refused():
    data, content_type, _name = upload_check(SimpleUploadedFile("a.pdf", pdf_of(LIMIT)))
    assert (len(data), content_type) == (LIMIT, "application/pdf")
    with pytest.raises(DocumentRejected) as refused:
        upload_check(SimpleUploadedFile("a.pdf", pdf_of(LIMIT + 1)))
    assert refused.value.message == TOO_LARGE


@pytest.mark.parametrize("extra", [1, 100, 70_000])
def test_a_declared_size_that_understates_the_content_is_caught_while_reading(extra):
    with pytest.raises(DocumentRejected) as refused:
        upload_check(understated("a.pdf", pdf_of(LIMIT + extra)))
    assert refused.value.message == TOO_LARGE


def test_streamed_reading_stops_past_the_limit_and_accepts_the_limit_itself():
    accepted, _type, _name = upload_check(understated("a.pdf", pdf_of(LIMIT)))
    assert len(accepted) == LIMIT


def test_a_plain_file_object_is_read_from_its_start():
    raw = io.BytesIO(pdf_of(LIMIT))
    raw.name = "scan.pdf"
    raw.seek(LIMIT // 2)  # a caller that read part of it first
    data, _type, name = upload_check(raw)
    assert (len(data), name) == (LIMIT, "scan.pdf")


def test_the_original_name_keeps_its_first_255_characters():
    raw = io.BytesIO(pdf_of(1000))
    raw.name = "a" * 251 + ".pdf" + "x" * 45 + ".pdf"  # 304 characters, a PDF by its last suffix
    _data, _type, name = upload_check(raw)
    assert name == raw.name[:255]


def test_a_picture_given_as_a_file_object_is_re_encoded_from_its_first_byte(settings):
    settings.CIVIQUEST_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue())
    upload.seek(0, io.SEEK_END)
    data, content_type, _name = upload_check(upload)
    with Image.open(io.BytesIO(data)) as stored:
        assert (stored.size, content_type) == ((40, 30), "image/png")
