"""Document intake: what an upload must be before it enters the wallet (type, size, pixels, pages, viruses).

Decisions:

- Accepted: PDF, JPEG, PNG, up to ``settings.CIVIQUEST_UPLOAD_MAX_BYTES``. The type is
  sniffed from the first bytes and must match the file name's extension; what the browser
  claims (``content_type``) is ignored.
- Images are decoded and re-encoded from their pixels alone: EXIF (GPS position, camera,
  date), XMP, ICC profiles and comments are gone; a JPEG keeps only its EXIF orientation
  (so the picture still looks right), a PNG's is applied. Before anything is decoded, the
  header's size is checked against a pixel limit and a decoding cost (``MAX_IMAGE_PIXELS``,
  ``MAX_IMAGE_DECODING_BYTES``) so that no accepted picture costs a worker 64 MiB.
- PDFs are stored as given, once their declared page count is within
  ``settings.CIVIQUEST_UPLOAD_MAX_PDF_PAGES`` (read by pypdf with capped decompression; a
  file pypdf cannot read at all is still accepted, as before). No archive type (ZIP, ODT,
  DOCX) is accepted.
- With ``CIVIQUEST_CLAMD_SOCKET`` (a Unix socket path) or ``CIVIQUEST_CLAMD_HOST`` and
  ``CIVIQUEST_CLAMD_PORT`` set, the bytes as received are sent to ClamAV's daemon
  (``INSTREAM``) before anything is stored. An infected file is refused; so is any file
  while the configured daemon cannot be reached (fail closed).
"""

from __future__ import annotations

import io
import socket
import struct
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import pypdf
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError
from pypdf.errors import LimitReachedError

from civiquest.core.errors import ProcedureError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
CONTENT_TYPE_OF_EXTENSION = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
EXTENSION_OF_CONTENT_TYPE = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
ACCEPTED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
# Pictures are refused from their header, before decoding, when they have more pixels than
# this or would cost more than MAX_IMAGE_DECODING_BYTES to decode: with the upload itself
# (at most CIVIQUEST_UPLOAD_MAX_BYTES) and the re-encoded copy, no accepted picture costs a
# worker more than 64 MiB (measured: benchmarks/upload_memory.py, docs/benchmarks.md). 12.5
# million pixels still take a 12 Mpx phone photo (4032 × 3024) and an A4 page scanned at
# 300 dpi (2480 × 3508).
MAX_IMAGE_PIXELS = 12_500_000
BYTES_PER_DECODED_PIXEL = 4
MAX_IMAGE_DECODING_BYTES = MAX_IMAGE_PIXELS * BYTES_PER_DECODED_PIXEL
EXIF_ORIENTATION = 0x0112
# What pypdf may decompress of a single stream to count a PDF's pages.
PDF_MAX_DECODED_STREAM_BYTES = 8 * 1024 * 1024
# Pillow refuses a bigger picture itself, from its header, wherever it opens one; within
# twice that it only warns: the intake turns the warning into a refusal.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# Text chunks of a PNG (thrown away here) are decompressed at open: a bomb of them is refused.
PngImagePlugin.MAX_TEXT_MEMORY = 4 * 1024 * 1024
CLAMD_CHUNK_BYTES = 64 * 1024


class DocumentRejected(ProcedureError):
    """An upload that is refused: wrong type, too big, empty, unreadable or infected."""


class DocumentInUse(ProcedureError):
    """A document given with a quest that was submitted cannot be deleted."""


class AntivirusUnavailable(DocumentRejected):
    """ClamAV is configured but could not scan the file."""


# --- Sniffing and cleaning --------------------------------------------------------------------


def sniff_content_type(head: bytes) -> str | None:
    """The real type of a file from its first bytes: PDF, JPEG, PNG, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def max_upload_bytes() -> int:
    return int(settings.CIVIQUEST_UPLOAD_MAX_BYTES)


def size_label(size: int) -> str:
    """``10 Mo``, ``350 ko``: sizes as the French interface writes them."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return _("%(size)s Mo") % {"size": f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")}
    return _("%(size)s ko") % {"size": max(1, round(size / 1024))}


def _read_limited(file: IO[bytes] | Any, limit: int) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    chunks = []
    total = 0
    chunk_iter = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(CLAMD_CHUNK_BYTES), b"")
    for chunk in chunk_iter:
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            break
    return b"".join(chunks)


def _decoding_cost(image: Image.Image, *, transposed: bool, converted: bool) -> int:
    """Bytes the worker holds to re-encode this picture, from its header alone.

    Pillow keeps every pixel of a multi-band picture in 4 bytes (1 or 2 for grey ones: counted
    as 4 all the same); a progressive JPEG also makes libjpeg keep every DCT coefficient (2
    bytes per sample, per component and subsampling); a transposition or a change of mode
    holds a second copy of the pixels for a moment.
    """
    pixels = image.width * image.height
    cost = pixels * BYTES_PER_DECODED_PIXEL * (1 + int(transposed) + int(converted))
    if image.format == "JPEG" and image.info.get("progressive"):
        layers = getattr(image, "layer", [])
        h_max = max((h for _id, h, _v, _q in layers), default=1) or 1
        v_max = max((v for _id, _h, v, _q in layers), default=1) or 1
        samples = sum(h * v for _id, h, v, _q in layers) / (h_max * v_max) if layers else 4
        cost += int(pixels * samples * 2)
    return cost


def image_too_large_message() -> str:
    millions = f"{MAX_IMAGE_PIXELS / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return _(
        "Image trop grande : %(millions)s millions de pixels au maximum. Réduisez sa définition "
        "(par exemple 4000 × 3000 pixels) ou envoyez-la en PDF."
    ) % {"millions": millions}


def strip_image(data: bytes | IO[bytes], content_type: str) -> bytes:
    """The picture re-encoded from its pixels only, in the same format, without any metadata.

    The size is checked from the header (``Image.open`` reads nothing else) before anything
    is decoded, against what decoding will cost (``_decoding_cost``). A JPEG keeps its EXIF
    orientation as the only tag rather than being turned (which would hold a second copy of
    the pixels); browsers and viewers apply it.
    """
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit: refuse those pictures too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
        with image:
            expected = "JPEG" if content_type == JPEG else "PNG"
            if image.format != expected:
                raise DocumentRejected(_("Le contenu du fichier ne correspond pas à son extension."))
            orientation = _orientation(image) if content_type == JPEG else 1
            mode = _saved_mode(image.mode, content_type)
            transposed = content_type == PNG and "exif" in image.info
            cost = _decoding_cost(image, transposed=transposed, converted=mode != image.mode)
            if image.width * image.height > MAX_IMAGE_PIXELS or cost > MAX_IMAGE_DECODING_BYTES:
                raise DocumentRejected(image_too_large_message())
            image.load()
            if transposed:
                ImageOps.exif_transpose(image, in_place=True)
            return _reencoded(image, content_type, mode=mode, orientation=orientation)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DocumentRejected(image_too_large_message()) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise DocumentRejected(_("Cette image est illisible ou endommagée.")) from error


def _orientation(image: Image.Image) -> int:
    orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    return orientation if isinstance(orientation, int) and 2 <= orientation <= 8 else 1


def _saved_mode(mode: str, content_type: str) -> str:
    if content_type == JPEG:
        return mode if mode in ("L", "RGB") else "RGB"
    # PNG writes back every mode it decodes to (palette, grey, 16 bits, alpha...).
    return mode


def _reencoded(image: Image.Image, content_type: str, *, mode: str, orientation: int) -> bytes:
    """The decoded pixels written anew: nothing of the original file's chunks or segments."""
    pixels = image if image.mode == mode else image.convert(mode)
    # Only what shapes the pixels is kept: the palette's transparency; never text, EXIF,
    # XMP, ICC profile or comments (Pillow would copy some of them from ``info``).
    transparency = image.info.get("transparency") if content_type == PNG else None
    pixels.info = {}
    output = io.BytesIO()
    if content_type == JPEG:
        exif = Image.Exif()
        if orientation != 1:
            exif[EXIF_ORIENTATION] = orientation
        # Without ``optimize``: it makes libjpeg hold every coefficient of the picture.
        pixels.save(output, format="JPEG", quality=90, exif=exif.tobytes() if orientation != 1 else b"")
    elif transparency is not None:
        pixels.save(output, format="PNG", optimize=True, transparency=transparency)
    else:
        pixels.save(output, format="PNG", optimize=True)
    return output.getvalue()


def max_pdf_pages() -> int:
    return int(getattr(settings, "CIVIQUEST_UPLOAD_MAX_PDF_PAGES", 500))


def pdf_page_count(data: bytes) -> int | None:
    """The number of pages the PDF declares (its page tree's ``/Count``), without loading a page.

    None when pypdf cannot tell (a damaged file that was always accepted, to be read by
    download). What pypdf decompresses to find it (cross-reference and object streams) is
    capped well below the memory bound; a file past those caps is hostile and refused.
    """
    caps = pypdf.get_configuration().with_overwrites(
        maximum_declared_stream_length=max_upload_bytes(),
        zlib_maximum_output_length=PDF_MAX_DECODED_STREAM_BYTES,
        lzw_maximum_output_length=PDF_MAX_DECODED_STREAM_BYTES,
        run_length_maximum_output_length=PDF_MAX_DECODED_STREAM_BYTES,
        array_based_stream_maximum_output_length=PDF_MAX_DECODED_STREAM_BYTES,
        stream_decoding_work_maximum_length=4 * PDF_MAX_DECODED_STREAM_BYTES,
    )
    try:
        with pypdf.apply_configuration(caps):
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            pages = reader.root_object["/Pages"].get_object()
            count = pages["/Count"] if isinstance(pages, pypdf.generic.DictionaryObject) else None
    except LimitReachedError as error:
        raise DocumentRejected(_("Ce PDF est construit de façon anormale : il est refusé.")) from error
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a damaged file: none is ours to handle
        return None
    return count if isinstance(count, int) and count >= 0 else None


def pdf_check(data: bytes) -> None:
    """Refuse a PDF with an absurd number of pages (the agent would have to read them)."""
    limit = max_pdf_pages()
    count = pdf_page_count(data)
    if count is not None and count > limit:
        raise DocumentRejected(
            _("Ce PDF a %(count)s pages : %(limit)s pages au maximum. Envoyez seulement les pages utiles.")
            % {"count": count, "limit": limit}
        )


# --- Antivirus (ClamAV daemon) ----------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


class ClamdClient:
    """A minimal clamd client: ``INSTREAM`` over a Unix or TCP socket."""

    def __init__(self, *, unix_socket: str = "", host: str = "", port: int = 3310, timeout: float = 30.0) -> None:
        self.unix_socket = unix_socket
        self.host = host
        self.port = port
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> ClamdClient | None:
        unix_socket = str(getattr(settings, "CIVIQUEST_CLAMD_SOCKET", "") or "")
        host = str(getattr(settings, "CIVIQUEST_CLAMD_HOST", "") or "")
        if not unix_socket and not host:
            return None
        return cls(
            unix_socket=unix_socket,
            host=host,
            port=int(getattr(settings, "CIVIQUEST_CLAMD_PORT", 3310) or 3310),
            timeout=float(getattr(settings, "CIVIQUEST_CLAMD_TIMEOUT", 30.0) or 30.0),
        )

    def _connect(self) -> socket.socket:
        if self.unix_socket:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(self.timeout)
            connection.connect(self.unix_socket)
            return connection
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, data: bytes) -> ScanResult:
        """Scan the bytes; ``OSError`` when clamd cannot be reached or answers an error."""
        with self._connect() as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CLAMD_CHUNK_BYTES):
                chunk = data[start : start + CLAMD_CHUNK_BYTES]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = connection.recv(4096)
                if not received:
                    break
                reply += received
        answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        if answer.endswith("FOUND"):
            signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
            return ScanResult(clean=False, signature=signature)
        if answer.endswith("OK"):
            return ScanResult(clean=True)
        raise OSError(f"clamd answered {answer!r}")


def antivirus_check(data: bytes) -> None:
    client = ClamdClient.from_settings()
    if client is None:
        return
    try:
        result = client.scan(data)
    except OSError as error:
        raise AntivirusUnavailable(
            _("L’analyse antivirus est indisponible pour le moment : réessayez dans quelques minutes.")
        ) from error
    if not result.clean:
        raise DocumentRejected(_("Ce fichier contient un virus ou un logiciel malveillant : il est refusé."))


def upload_check(file: Any) -> tuple[bytes, str, str]:
    """(bytes to store, content type, original file name), or ``DocumentRejected``."""
    original = PurePath(str(getattr(file, "name", "") or "")).name[:255]
    extension = PurePath(original.lower()).suffix
    declared = CONTENT_TYPE_OF_EXTENSION.get(extension)
    if declared is None:
        raise DocumentRejected(_("Ce type de fichier n’est pas accepté : choisissez un fichier PDF, JPEG ou PNG."))
    limit = max_upload_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise DocumentRejected(_("Ce fichier dépasse la taille maximale de %(size)s.") % {"size": size_label(limit)})
    data = _read_limited(file, limit)
    if len(data) > limit:
        raise DocumentRejected(_("Ce fichier dépasse la taille maximale de %(size)s.") % {"size": size_label(limit)})
    if not data:
        raise DocumentRejected(_("Ce fichier est vide."))
    if sniff_content_type(data[:16]) != declared:
        raise DocumentRejected(_("Le contenu du fichier ne correspond pas à son extension."))
    antivirus_check(data)
    if declared == PDF:
        pdf_check(data)
    elif hasattr(file, "seek") and hasattr(file, "read"):
        # Decoded from the upload itself (a temporary file past 2.5 MB): its bytes are not
        # held in memory next to the decoded pixels.
        del data
        file.seek(0)
        data = strip_image(file, declared)
    else:
        data = strip_image(data, declared)
    return data, declared, original
