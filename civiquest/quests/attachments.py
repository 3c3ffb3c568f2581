"""Documents given with quests: attach, detach, and let a document go before the wallet deletes it.

A document given with a quest that left the draft state (submitted, in review, changes
requested, decided) cannot be deleted: the service has it in the file it instructs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.catalogue.models import Step
from civiquest.core.citizen_cache import citizen_data_changed
from civiquest.core.transactions import atomic
from civiquest.documents.intake import DocumentInUse
from civiquest.documents.models import Document
from civiquest.documents.selectors import EXPIRY_WARNING_DAYS
from civiquest.quests import workflow
from civiquest.quests.corrections import is_open, step_target
from civiquest.quests.errors import QuestNotEditable, StepUnavailable
from civiquest.quests.models import Answer, Quest, QuestDocument, QuestState
from civiquest.quests.services import steps_recheck


@atomic
def attachments_release(*, document: Document) -> None:
    """Detach a document about to be deleted from its draft quests; refuse if a submitted quest holds it.

    The caller holds the document's lock (``documents.services.document_lock``); the quests
    are locked after it, the order ``document_attach`` takes them in: a submission waits for
    us, or we see it.
    """
    states = set(
        Quest.objects.select_for_update().filter(documents__document=document).values_list("state", flat=True)
    )
    if states - {QuestState.DRAFT}:
        raise DocumentInUse(
            _(
                "Ce document est joint à un dossier déjà déposé : il ne peut pas être supprimé tant que "
                "le dossier le contient."
            )
        )
    attachments = list(QuestDocument.objects.filter(document=document).exclude(input_name=""))
    QuestDocument.objects.filter(document=document).delete()
    _answers_forget(attachments)


def _answers_forget(attachments: list[QuestDocument]) -> None:
    """The draft answers that named a deleted document are cleared, and the steps they completed reopened."""
    quests = {attachment.quest_id for attachment in attachments}
    for quest in Quest.objects.filter(pk__in=quests):
        names = [attachment.input_name for attachment in attachments if attachment.quest_id == quest.pk]
        Answer.objects.filter(quest=quest, field_name__in=names).delete()
        citizen_data_changed(quest.citizen_id)
        steps_recheck(quest=quest)


def _lock_quest(quest: Quest) -> Quest:
    locked = Quest.objects.select_for_update(of=("self",)).get(pk=quest.pk)
    citizen_data_changed(locked.citizen_id)  # its attachments change, which sends no quest signal
    return locked


@atomic
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
    _check_step_open(locked, step_slug)
    attachment, _created = QuestDocument.objects.get_or_create(quest=locked, document=document, step_slug=step_slug)
    return attachment


@atomic
def document_detach(*, quest: Quest, document: Document, step_slug: str) -> None:
    """Take a document back from a step of the quest, while the quest is editable."""
    locked = _lock_quest(quest)
    if locked.state not in workflow.EDITABLE_STATES:
        raise QuestNotEditable(_("Ce dossier ne peut plus être modifié : il est en cours de traitement ou terminé."))
    _check_step_open(locked, step_slug)
    QuestDocument.objects.filter(quest=locked, document=document, step_slug=step_slug).delete()


def _check_step_open(locked: Quest, step_slug: str) -> None:
    if not is_open(locked, step_target(step_slug)):
        raise QuestNotEditable(_("Le service n’a pas demandé de corriger les documents de cette étape."))


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
