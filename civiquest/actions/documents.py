"""A citizen's actions on their document wallet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from civiquest.accounts.models import User
from civiquest.core.transactions import use_case
from civiquest.documents import services as wallet
from civiquest.documents.models import Document, DocumentType
from civiquest.instruction import marks
from civiquest.instruction.models import QuestChangeKind
from civiquest.progress import services as progress_services
from civiquest.quests import attachments
from civiquest.quests.models import Quest, QuestDocument


def document_add(
    *,
    owner: User,
    file: Any,
    type: DocumentType | str,  # noqa: A002 - the model field's name
    title: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> Document:
    """Check, clean and store a document in the wallet, then what progress makes of it, in one transaction.

    The file is written before the row: if anything after fails, the file goes too.
    """
    document: Document | None = None
    try:
        with use_case():
            document = wallet.document_upload(
                owner=owner, file=file, type=type, title=title, issued_on=issued_on, expires_on=expires_on
            )
            progress_services.document_added(document=document)
    except BaseException:
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


@use_case
def document_delete(*, document: Document) -> None:
    """Delete a document unless a submitted quest holds it; the draft quests that had it let it go."""
    locked = wallet.document_lock(document=document)
    attachments.attachments_release(document=locked)
    wallet.document_delete(document=locked)


@use_case
def document_attach(*, quest: Quest, document: Document, step_slug: str) -> QuestDocument:
    link = attachments.document_attach(quest=quest, document=document, step_slug=step_slug)
    # A document added to a submitted quest (a correction): new for its agents.
    marks.quest_changed(quest=quest, kind=QuestChangeKind.DOCUMENT, actor=document.owner)
    return link


@use_case
def document_detach(*, quest: Quest, document: Document, step_slug: str) -> None:
    attachments.document_detach(quest=quest, document=document, step_slug=step_slug)
