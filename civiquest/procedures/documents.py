"""The document wallet (“dites-le-nous une fois”): upload, attach to quests, delete, list.

Decisions:

- Accepted: PDF, JPEG, PNG, up to ``settings.CIVIQUEST_UPLOAD_MAX_BYTES``. The type is
  sniffed from the first bytes and must match the file name's extension; what the browser
  claims (``content_type``) is ignored.
- Images are decoded and re-encoded from their pixels alone: EXIF (GPS position, camera,
  date), XMP, ICC profiles and comments are gone; the EXIF orientation is applied first so
  the picture still looks right. PDFs are stored as given.
- With ``CIVIQUEST_CLAMD_SOCKET`` (a Unix socket path) or ``CIVIQUEST_CLAMD_HOST`` and
  ``CIVIQUEST_CLAMD_PORT`` set, the bytes as received are sent to ClamAV's daemon
  (``INSTREAM``) before anything is stored. An infected file is refused; so is any file
  while the configured daemon cannot be reached (fail closed).
- The file is stored under a random name; the row refers to it. A file written for a row
  that is then not saved, or whose row is deleted, is removed after the transaction.
- A document attached to a quest that left the draft state (submitted, in review, changes
  requested, decided) cannot be deleted: the service has it in the file it instructs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import struct
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civiquest.accounts.models import User
from civiquest.procedures import workflow
from civiquest.procedures.errors import ProcedureError, QuestNotEditable, StepUnavailable
from civiquest.procedures.models import Answer, Document, DocumentType, Quest, QuestDocument, QuestState, Step
from civiquest.procedures.services import steps_recheck
from civiquest.progress import services as progress_services

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
CONTENT_TYPE_OF_EXTENSION = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
EXTENSION_OF_CONTENT_TYPE = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
ACCEPTED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
# Pictures larger than this are refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
EXPIRY_WARNING_DAYS = 90
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
    return int(getattr(settings, "CIVIQUEST_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


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


def strip_image(data: bytes, content_type: str) -> bytes:
    """The picture re-encoded from its pixels only, in the same format, without any metadata."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit: refuse those pictures too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            expected = "JPEG" if content_type == JPEG else "PNG"
            if image.format != expected:
                raise DocumentRejected(_("Le contenu du fichier ne correspond pas à son extension."))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise DocumentRejected(_("Cette image est trop grande (nombre de pixels) pour être acceptée."))
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DocumentRejected(_("Cette image est trop grande (nombre de pixels) pour être acceptée.")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DocumentRejected(_("Cette image est illisible ou endommagée.")) from error
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    if content_type == JPEG:
        mode = upright.mode if upright.mode in ("L", "RGB") else "RGB"
    else:
        mode = upright.mode if upright.mode in ("L", "LA", "RGB", "RGBA") else ("RGBA" if has_alpha else "RGB")
    converted = upright if upright.mode == mode else upright.convert(mode)
    # A new image from the raw pixels carries nothing of the original's ``info``.
    bare = Image.frombytes(mode, converted.size, converted.tobytes())
    output = io.BytesIO()
    if content_type == JPEG:
        bare.save(output, format="JPEG", quality=90, optimize=True)
    else:
        bare.save(output, format="PNG", optimize=True)
    return output.getvalue()


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


# --- Services -----------------------------------------------------------------------------------


def _check_upload(file: Any) -> tuple[bytes, str, str]:
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
    if declared in (JPEG, PNG):
        data = strip_image(data, declared)
    return data, declared, original


def _delete_file_on_commit(name: str) -> None:
    storage = Document._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


def document_upload(
    *,
    owner: User,
    file: Any,
    type: DocumentType | str,  # noqa: A002 - the model field's name
    title: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> Document:
    """Check, clean, store and record a document in the owner's wallet; ``DocumentRejected`` otherwise."""
    if not owner.is_citizen:
        raise DocumentRejected(_("Seuls les usagers ont un porte-documents."))
    if type not in DocumentType.values:
        raise DocumentRejected(_("Choisissez le type de document."))
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        raise DocumentRejected(_("La date d’expiration ne peut pas précéder la date de délivrance."))
    data, content_type, original = _check_upload(file)
    name = f"documents/{owner.pk}/{uuid.uuid4().hex}{EXTENSION_OF_CONTENT_TYPE[content_type]}"
    document = Document(
        owner=owner,
        type=type,
        title=(title.strip() or str(DocumentType(type).label))[:200],
        original_filename=original,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    document.file.save(name, ContentFile(data), save=False)
    stored = document.file.name
    try:
        with transaction.atomic():
            document.save()
            progress_services.document_added(document=document)
    except BaseException:
        document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document) -> None:
    """Delete the document and its file, unless a quest it was given with was submitted."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    # Lock the quests it is attached to: a submission waits for us, or we see it.
    states = set(Quest.objects.select_for_update().filter(documents__document=locked).values_list("state", flat=True))
    if states - {QuestState.DRAFT}:
        raise DocumentInUse(
            _(
                "Ce document est joint à un dossier déjà déposé : il ne peut pas être supprimé tant que "
                "le dossier le contient."
            )
        )
    attachments = list(QuestDocument.objects.filter(document=locked).exclude(input_name=""))
    QuestDocument.objects.filter(document=locked).delete()
    _answers_forget(attachments)
    name = locked.file.name
    locked.delete()
    if name:
        _delete_file_on_commit(name)


def _answers_forget(attachments: list[QuestDocument]) -> None:
    """The draft answers that named a deleted document are cleared, and the steps they completed reopened."""
    quests = {attachment.quest_id for attachment in attachments}
    for quest in Quest.objects.filter(pk__in=quests):
        names = [attachment.input_name for attachment in attachments if attachment.quest_id == quest.pk]
        Answer.objects.filter(quest=quest, field_name__in=names).delete()
        steps_recheck(quest=quest)


def _lock_quest(quest: Quest) -> Quest:
    return Quest.objects.select_for_update(of=("self",)).get(pk=quest.pk)


@transaction.atomic
def document_attach(*, quest: Quest, document: Document, step_slug: str) -> QuestDocument:
    """Give a document of the wallet for a step of the quest (idempotent), while the quest is editable.

    Locks the document, then the quest: the order ``document_delete`` takes them in.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    locked = _lock_quest(quest)
    if document.owner_id != locked.citizen_id:
        raise StepUnavailable(_("Ce document n’est pas dans votre porte-documents."))
    if locked.state not in workflow.EDITABLE_STATES:
        raise QuestNotEditable(_("Ce dossier ne peut plus être modifié : il est en cours de traitement ou terminé."))
    if not Step.objects.filter(revision_id=locked.revision_id, slug=step_slug).exists():
        raise StepUnavailable(_("Cette étape ne fait pas partie de ce dossier."))
    attachment, _created = QuestDocument.objects.get_or_create(quest=locked, document=document, step_slug=step_slug)
    return attachment


@transaction.atomic
def document_detach(*, quest: Quest, document: Document, step_slug: str) -> None:
    """Take a document back from a step of the quest, while the quest is editable."""
    locked = _lock_quest(quest)
    if locked.state not in workflow.EDITABLE_STATES:
        raise QuestNotEditable(_("Ce dossier ne peut plus être modifié : il est en cours de traitement ou terminé."))
    QuestDocument.objects.filter(quest=locked, document=document, step_slug=step_slug).delete()


# --- Selectors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WalletDocument:
    """A document as the wallet shows it, with its expiry flags and where it is used."""

    document: Document
    is_expired: bool
    expires_soon: bool
    quest_count: int
    in_submitted_quest: bool

    @property
    def deletable(self) -> bool:
        return not self.in_submitted_quest


def documents_of(*, owner: User, today: dt.date | None = None) -> list[WalletDocument]:
    """The owner's documents, latest first, with expiry flags (expired, expiring within 90 days), in one query."""
    today = today or timezone.localdate()
    submitted = QuestDocument.objects.filter(document=OuterRef("pk")).exclude(quest__state=QuestState.DRAFT)
    documents = (
        Document.objects.filter(owner=owner)
        .annotate(
            quest_count=Count("attachments__quest", distinct=True),
            in_submitted_quest=Exists(submitted),
        )
        .order_by("-created_at", "-pk")
    )
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    return [
        WalletDocument(
            document=document,
            is_expired=document.expires_on is not None and document.expires_on < today,
            expires_soon=document.expires_on is not None and today <= document.expires_on <= soon,
            quest_count=document.quest_count,
            in_submitted_quest=document.in_submitted_quest,
        )
        for document in documents
    ]


def wallet_documents(*, owner: User) -> list[Document]:
    """The owner's documents, latest first, to choose from in a quest step."""
    return list(Document.objects.filter(owner=owner).order_by("-created_at", "-pk"))


def document_of(*, owner: User, document_id: Any) -> Document | None:
    """The owner's document by id; None for anybody else's or a missing one (a 404)."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        return None
    return Document.objects.filter(pk=pk, owner=owner).first()


def expiring_documents(*, within_days: int = EXPIRY_WARNING_DAYS, today: dt.date | None = None) -> QuerySet[Document]:
    """Documents expiring within the given days (or already expired), for reminders."""
    today = today or timezone.localdate()
    return Document.objects.filter(expires_on__lte=today + dt.timedelta(days=within_days)).select_related("owner")
