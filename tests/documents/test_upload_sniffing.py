"""A file's type is read from its magic bytes at offset 0, and only there.

A file that starts with ``<html>`` and carries ``%PDF-`` a few bytes later is HTML to a
browser: stored as a PDF, it would be served as one.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civiquest.documents.intake import JPEG, PDF, PNG, DocumentRejected, sniff_content_type
from civiquest.documents.models import Document, DocumentType
from civiquest.documents.services import document_upload

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def picture(format: str) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(output, format=format)
    return output.getvalue()


JPEG_BYTES = picture("JPEG")
PNG_BYTES = picture("PNG")
# The same real files, each shifted by what a polyglot would put first.
SHIFTED = [
    pytest.param("page.pdf", b"<html>" + PDF_BYTES, id="html-then-pdf"),
    pytest.param("page.pdf", b"<html><script>alert(1)</script>" + PDF_BYTES, id="script-then-pdf"),
    pytest.param("page.pdf", b" " + PDF_BYTES, id="pdf-at-offset-1"),
    pytest.param("photo.jpg", b"<" + JPEG_BYTES, id="jpeg-at-offset-1"),
    pytest.param("image.png", b"<" + PNG_BYTES, id="png-at-offset-1"),
]


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""
    return settings.CIVIQUEST_PRIVATE_ROOT


def upload(owner, name: str, data: bytes) -> Document:
    return document_upload(owner=owner, file=SimpleUploadedFile(name, data), type=DocumentType.OTHER)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_BYTES[:16], PDF),
        (JPEG_BYTES[:16], JPEG),
        (PNG_BYTES[:16], PNG),
        (b"<html>%PDF-1.7\n", None),
        (b" %PDF-1.7\n", None),
        (b"<" + JPEG_BYTES[:15], None),
        (b"<" + PNG_BYTES[:15], None),
    ],
)
def test_only_magic_bytes_at_offset_zero_name_the_type(head, expected):
    assert sniff_content_type(head) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), SHIFTED)
def test_a_file_with_its_magic_bytes_further_in_is_refused(citizen, private_root, name, data):
    with pytest.raises(DocumentRejected) as refused:
        upload(citizen, name, data)

    assert str(refused.value.message) == "Le contenu du fichier ne correspond pas à son extension."
    assert Document.objects.count() == 0
    assert not private_root.exists() or not any(path.is_file() for path in private_root.rglob("*"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [("page.pdf", PDF_BYTES, PDF), ("photo.jpg", JPEG_BYTES, JPEG), ("image.png", PNG_BYTES, PNG)],
)
def test_the_same_files_unshifted_are_accepted(citizen, name, data, content_type):
    # The control: what the test above refuses differs from an accepted file by its first bytes only.
    document = upload(citizen, name, data)
    assert document.content_type == content_type
