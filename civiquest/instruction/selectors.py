"""Reads of the instruction: a dossier's history, thread, notes, labels and files, for the two portals."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from civiquest.accounts.models import User
from civiquest.documents.models import Document
from civiquest.instruction.models import Label, QuestLabel, QuestMessage, QuestNote
from civiquest.quests.models import Quest, QuestDocument, QuestState, QuestTransition


def labels_of_services(*, service_ids: Iterable[int]) -> list[Label]:
    return list(Label.objects.filter(service_id__in=list(service_ids)).order_by("name"))


def label_of_services(*, label_id: int, service_ids: Iterable[int]) -> Label | None:
    return Label.objects.filter(pk=label_id, service_id__in=list(service_ids)).first()


def quest_history(*, quest: Quest) -> QuerySet[QuestTransition]:
    return QuestTransition.objects.filter(quest=quest).select_related("actor").order_by("at", "pk")


def quest_thread(*, quest: Quest) -> QuerySet[QuestMessage]:
    return QuestMessage.objects.filter(quest=quest).select_related("author").order_by("created_at", "pk")


def quest_notes(*, quest: Quest) -> QuerySet[QuestNote]:
    return QuestNote.objects.filter(quest=quest).select_related("author").order_by("created_at", "pk")


def quest_labels(*, quest: Quest) -> QuerySet[QuestLabel]:
    return QuestLabel.objects.filter(quest=quest).select_related("label").order_by("label__name")


def attached_documents(*, quest: Quest) -> dict[tuple[str, str], Document]:
    """The wallet documents given with the quest, by (step slug, input name) (one query)."""
    return {
        (link.step_slug, link.input_name): link.document
        for link in QuestDocument.objects.filter(quest=quest).select_related("document")
    }


def attached_document(*, quest: Quest, document_id: int) -> Document | None:
    return Document.objects.filter(pk=document_id, attachments__quest=quest).first()


def message_with_attachment(*, quest: Quest, message_id: int) -> QuestMessage | None:
    return QuestMessage.objects.filter(pk=message_id, quest=quest).exclude(attachment="").first()


def submitted_quest_of(*, citizen: User, quest_id: int) -> Quest | None:
    """The citizen's quest once given to a service (never a draft, never a guided quest)."""
    found = (
        Quest.objects.select_related("procedure", "procedure__instructing_service")
        .filter(pk=quest_id, citizen=citizen)
        .exclude(state=QuestState.DRAFT)
        .first()
    )
    if found is None or found.procedure.instructing_service_id is None:
        return None
    return found
