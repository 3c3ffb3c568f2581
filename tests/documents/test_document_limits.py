"""Bounded uploads (issue 15, point 4): each crafted file gets a clear refusal, before it costs.

The memory each costs a real worker is measured by benchmarks/upload_memory.py; the 200 MiB
body is refused unread by the middleware (tests/core/test_request_size.py).
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from civiquest.documents import intake as documents
from civiquest.documents.intake import DocumentRejected
from civiquest.documents.models import Document, DocumentType
from civiquest.documents.services import document_upload
from tests.documents.crafted_files import (
    decompression_bomb_png,
    flate_bomb_pdf,
    huge_dimension_jpeg,
    many_pages_pdf,
)

TOO_LARGE = "Image trop grande : 12,5 millions de pixels au maximum."
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""
    return settings.CIVIQUEST_PRIVATE_ROOT


def upload(owner, name: str, data: bytes) -> Document:
    return document_upload(owner=owner, file=SimpleUploadedFile(name, data), type=DocumentType.OTHER)


def test_pillow_itself_refuses_what_the_intake_refuses():
    assert Image.MAX_IMAGE_PIXELS == documents.MAX_IMAGE_PIXELS == 12_500_000
    # 4 bytes a pixel: the decoded picture stays under 48 MiB, 64 MiB with the rest of the upload.
    assert documents.MAX_IMAGE_DECODING_BYTES <= 48 * 1024 * 1024


def test_a_decompression_bomb_png_is_refused_from_its_header(citizen):
    with pytest.raises(DocumentRejected, match=TOO_LARGE):
        upload(citizen, "bombe.png", decompression_bomb_png(5000, 5000))
    assert not Document.objects.exists()


def test_a_png_just_above_the_limit_is_refused_too(citizen):
    # Within twice Pillow's limit it only warns: the intake makes the warning a refusal.
    with pytest.raises(DocumentRejected, match=TOO_LARGE):
        upload(citizen, "grand.png", decompression_bomb_png(5000, 2600))


def test_a_jpeg_claiming_huge_dimensions_is_refused(citizen):
    with pytest.raises(DocumentRejected, match=TOO_LARGE):
        upload(citizen, "immense.jpg", huge_dimension_jpeg())


def test_the_upload_form_shows_the_refusal_and_keeps_the_input(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("citizen:document-upload"),
        {
            "type": DocumentType.OTHER,
            "title": "Mon scan",
            "file": SimpleUploadedFile("scan.png", decompression_bomb_png(5000, 5000)),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert TOO_LARGE in page and 'aria-invalid="true"' in page
    assert 'value="Mon scan"' in page
    assert not Document.objects.exists()


def test_a_progressive_jpeg_counts_what_libjpeg_holds(citizen, monkeypatch):
    output = io.BytesIO()
    Image.new("RGB", (100, 100), (10, 200, 30)).save(output, format="JPEG", progressive=True, subsampling=0)
    # Room for the pixels alone: the progressive decoder's coefficients (6 bytes a pixel) do not fit.
    monkeypatch.setattr(documents, "MAX_IMAGE_DECODING_BYTES", 100 * 100 * 4 + 1000)
    with pytest.raises(DocumentRejected, match="Image trop grande"):
        upload(citizen, "progressive.jpg", output.getvalue())
    baseline = io.BytesIO()
    Image.new("RGB", (100, 100), (10, 200, 30)).save(baseline, format="JPEG")
    assert upload(citizen, "baseline.jpg", baseline.getvalue()).content_type == "image/jpeg"


def test_a_jpeg_keeps_its_orientation_as_its_only_tag(citizen, private_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # turned: shown rotated by a quarter
    exif[0x010F] = "CameraMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0)})
    output = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(output, format="JPEG", exif=exif.tobytes())
    document = upload(citizen, "photo.jpg", output.getvalue())
    stored = (private_root / document.file.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 20)
        assert dict(image.getexif()) == {0x0112: 6}
    assert b"CameraMaker" not in stored


@pytest.mark.parametrize(
    ("orientation", "kept"),
    [(0, {}), (1, {}), (2, {0x0112: 2}), (8, {0x0112: 8}), (9, {})],
    ids=["0-invalid", "1-upright", "2-first-turn", "8-last-turn", "9-invalid"],
)
def test_only_the_orientations_two_to_eight_are_kept(citizen, private_root, orientation, kept):
    exif = Image.Exif()
    exif[0x0112] = orientation
    output = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(output, format="JPEG", exif=exif.tobytes())
    document = upload(citizen, "photo.jpg", output.getvalue())
    with Image.open(io.BytesIO((private_root / document.file.name).read_bytes())) as image:
        assert dict(image.getexif()) == kept


@pytest.mark.parametrize(
    ("name", "image_format", "mode", "stored_mode"),
    [
        ("scan.jpg", "JPEG", "CMYK", "RGB"),  # a printer's colours: written back as RGB
        ("scan.jpg", "JPEG", "L", "L"),
        ("photo.jpg", "JPEG", "RGB", "RGB"),
        ("logo.png", "PNG", "RGBA", "RGBA"),  # the transparency kept
        ("logo.png", "PNG", "P", "P"),
        ("logo.png", "PNG", "LA", "LA"),
    ],
)
def test_a_picture_keeps_its_mode_unless_jpeg_cannot_hold_it(
    citizen, private_root, name, image_format, mode, stored_mode
):
    output = io.BytesIO()
    Image.new(mode, (40, 20)).save(output, format=image_format)
    document = upload(citizen, name, output.getvalue())
    with Image.open(io.BytesIO((private_root / document.file.name).read_bytes())) as image:
        assert (image.format, image.mode) == (image_format, stored_mode)


def test_a_pdf_of_ten_thousand_pages_is_refused_with_its_count(citizen):
    with pytest.raises(DocumentRejected) as refused:
        upload(citizen, "pavé.pdf", many_pages_pdf(10_000))
    assert refused.value.message == (
        "Ce PDF a 10000 pages : 500 pages au maximum. Envoyez seulement les pages utiles."
    )
    assert not Document.objects.exists()


def test_the_page_limit_is_a_setting_and_is_inclusive(citizen, settings):
    settings.CIVIQUEST_UPLOAD_MAX_PDF_PAGES = 3
    assert upload(citizen, "deux.pdf", many_pages_pdf(2)).content_type == "application/pdf"
    assert upload(citizen, "trois.pdf", many_pages_pdf(3)).content_type == "application/pdf"
    with pytest.raises(DocumentRejected, match="4 pages : 3 pages au maximum"):
        upload(citizen, "quatre.pdf", many_pages_pdf(4))


def test_a_pdf_whose_structure_inflates_past_the_caps_is_refused(citizen):
    with pytest.raises(DocumentRejected, match="construit de façon anormale"):
        upload(citizen, "bombe.pdf", flate_bomb_pdf())


def test_a_damaged_pdf_pypdf_cannot_read_is_still_accepted(citizen):
    # As before: no page count to check; the agent's viewer says it cannot show it.
    assert documents.pdf_page_count(b"%PDF-1.4\n%%EOF\n") is None
    assert upload(citizen, "abime.pdf", b"%PDF-1.4\n%%EOF\n").content_type == "application/pdf"
