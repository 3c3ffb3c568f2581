"""The size limit at its boundary, declared and streamed, and what intake keeps of a file's name.

Written against the survivors of ``make mutate`` on ``upload_sniffing`` (docs/testing.md):
no test reached the limit exactly, nor a file whose declared size understates its content.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civiquest.documents.intake import CLAMD_CHUNK_BYTES, DocumentRejected, upload_check

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


class Stream:
    """A PDF upload read with ``read()`` only, of unknown size (no ``size``, no ``chunks()``)."""

    name = "stream.pdf"

    def __init__(self, length: int | None) -> None:
        self.length = length  # None: it never ends
        self.position = 0
        self.reads = 0

    def seek(self, position: int) -> None:
        self.position = position

    def read(self, size: int) -> bytes:
        self.reads += 1
        assert self.reads <= 100, "read far past the limit"
        if self.length is not None:
            size = max(0, min(size, self.length - self.position))
        head = b"%PDF-1.4\n" if self.position == 0 else b""
        data = (head + b"%" * size)[:size]
        self.position += len(data)
        return data


def test_a_stream_one_byte_past_a_limit_that_falls_on_a_chunk_boundary_is_refused(settings):
    settings.CIVIQUEST_UPLOAD_MAX_BYTES = CLAMD_CHUNK_BYTES
    with pytest.raises(DocumentRejected) as refused:
        upload_check(Stream(CLAMD_CHUNK_BYTES + 1))
    assert refused.value.message == "Ce fichier dépasse la taille maximale de 64 ko."


def test_an_endless_stream_is_read_no_further_than_the_chunk_that_passes_the_limit(settings):
    settings.CIVIQUEST_UPLOAD_MAX_BYTES = CLAMD_CHUNK_BYTES - 1
    endless = Stream(None)
    with pytest.raises(DocumentRejected) as refused:
        upload_check(endless)
    assert refused.value.message == "Ce fichier dépasse la taille maximale de 64 ko."
    assert endless.reads == 1


class OneWayPicture:
    """A PNG upload that can only be read forwards (a pipe): no ``seek``, no ``size``."""

    name = "pipe.png"

    def __init__(self, content: bytes) -> None:
        self.stream = io.BytesIO(content)

    def read(self, size: int) -> bytes:
        return self.stream.read(size)


def test_a_picture_that_cannot_be_read_again_is_re_encoded_from_the_bytes_read():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    data, content_type, name = upload_check(OneWayPicture(buffer.getvalue()))
    with Image.open(io.BytesIO(data)) as stored:
        assert (stored.size, content_type, name) == ((40, 30), "image/png", "pipe.png")


def test_a_file_of_several_chunks_under_the_limit_is_kept_whole(settings):
    settings.CIVIQUEST_UPLOAD_MAX_BYTES = 4 * CLAMD_CHUNK_BYTES
    content = pdf_of(3 * CLAMD_CHUNK_BYTES + 5)
    upload = SimpleUploadedFile("big.pdf", content)  # read with chunks(), 64 KiB each
    data, _type, _name = upload_check(upload)
    assert data == content
    raw = io.BytesIO(content)  # read with read(), 64 KiB each
    raw.name = "big.pdf"
    data, _type, _name = upload_check(raw)
    assert data == content
