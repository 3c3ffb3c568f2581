"""Document answers: a wallet document a step names, and the attachments that follow the answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civiquest.catalogue.inputs import InputInvalid, InputSpec, document_alternatives, step_inputs
from civiquest.catalogue.models import FieldKind, Step
from civiquest.core.citizen_cache import citizen_data_changed
from civiquest.documents.models import Document, DocumentType
from civiquest.quests.models import Quest, QuestDocument


def wallet_document_check(quest: Quest, spec: InputSpec, document_id: int) -> None:
    """A document answer must name a document of the quest's citizen, of the type asked (or "other").

    Not locked: ``document_delete`` locks the document and then its quests, so locking it here,
    after the quest, could deadlock; a document deleted meanwhile fails the attachment's
    foreign key and the whole save rolls back.
    """
    document = Document.objects.filter(pk=document_id, owner_id=quest.citizen_id).only("type").first()
    if document is None:
        raise InputInvalid(
            _("« %(label)s » : choisissez un document de votre porte-documents.") % {"label": spec.label}
        )
    if spec.document_type and document.type not in (*document_alternatives(spec.document_type), DocumentType.OTHER):
        raise InputInvalid(
            _("« %(label)s » : ce document est d’un autre type. Choisissez un document de ce type.")
            % {"label": spec.label},
        )


def attachments_sync(quest: Quest, step: Step, answers: Mapping[str, Any]) -> None:
    """Attach to the quest exactly the wallet documents the step's document answers name."""
    wanted = {
        (spec.name, answers[spec.name])
        for spec in step_inputs(step)
        if spec.kind == FieldKind.DOCUMENT and isinstance(answers.get(spec.name), int)
    }
    attached = QuestDocument.objects.filter(quest=quest, step_slug=step.slug)
    have = {(row.input_name, row.document_id): row.pk for row in attached}
    stale = [pk for key, pk in have.items() if key not in wanted]
    if stale:
        QuestDocument.objects.filter(pk__in=stale).delete()
    created = QuestDocument.objects.bulk_create(
        [
            QuestDocument(quest=quest, document_id=document_id, step_slug=step.slug, input_name=name)
            for name, document_id in sorted(wanted)
            if (name, document_id) not in have
        ]
    )
    if stale or created:
        citizen_data_changed(quest.citizen_id)  # a bulk write sends no signal
