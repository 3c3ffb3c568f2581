"""The document wallet's writes: a document enters it checked and cleaned (``intake``), and leaves it with its file.

- The file is stored under a random name; the row refers to it. A file written for a row
  that is then not saved, or whose row is deleted, is removed after the transaction.
- What quests a document was given with is the quests' business (``quests.attachments``):
  the use case asks them to let it go before the wallet deletes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.core.transactions import atomic
from civiquest.documents.intake import EXTENSION_OF_CONTENT_TYPE, DocumentRejected, upload_check
from civiquest.documents.models import Document, DocumentType


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
    data, content_type, original = upload_check(file)
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
        with atomic():
            document.save()
    except BaseException:
        document.file.storage.delete(stored)
        raise
    return document


def document_lock(*, document: Document) -> Document:
    """The document's row, locked for the rest of the transaction (taken before any quest's)."""
    return Document.objects.select_for_update().get(pk=document.pk)


@atomic
def document_delete(*, document: Document) -> None:
    """Delete the document and, once the transaction commits, its file (the quests let it go first)."""
    locked = document_lock(document=document)
    name = locked.file.name
    locked.delete()
    if name:
        _delete_file_on_commit(name)
