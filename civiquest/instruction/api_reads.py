"""What the services' API reads: a service's quests page by page (keyset), with answers and documents.

Quests come in the order of their last change, oldest first, then by id: a back office that
keeps the cursor of its last page gets, next time, only what changed since. Every page is a
fixed number of queries whatever its size: the quests, their answers, their documents, and the
steps of each revision not in the cache yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from civiquest.accounts.models import User
from civiquest.catalogue.inputs import step_inputs
from civiquest.catalogue.models import ProcedureRevision
from civiquest.catalogue.services import revision_content
from civiquest.documents.models import Document
from civiquest.instruction.services import agent_quests
from civiquest.quests.models import Quest, QuestDocument

PAGE_MAX = 100


@dataclass(frozen=True)
class QuestFilters:
    states: tuple[str, ...] = ()
    procedure_id: int | None = None
    updated_since: dt.datetime | None = None


@dataclass(frozen=True)
class InputLabel:
    step: str
    label: str


def _quests(agent: User, service_id: int) -> QuerySet[Quest]:
    return (
        agent_quests(agent)
        .filter(procedure__instructing_service_id=service_id)
        .select_related("procedure", "revision", "revision__procedure", "citizen")
        .prefetch_related(
            "answers", Prefetch("documents", queryset=QuestDocument.objects.select_related("document").order_by("pk"))
        )
    )


def service_quests_page(
    *,
    agent: User,
    service_id: int,
    filters: QuestFilters,
    after: tuple[dt.datetime, int] | None,
    limit: int,
) -> tuple[list[Quest], bool]:
    """A page of the service's quests after ``after`` (the last ``(updated_at, id)`` seen); whether more follow."""
    quests = _quests(agent, service_id)
    if filters.states:
        quests = quests.filter(state__in=filters.states)
    if filters.procedure_id is not None:
        quests = quests.filter(procedure_id=filters.procedure_id)
    if filters.updated_since is not None:
        quests = quests.filter(updated_at__gte=filters.updated_since)
    if after is not None:
        quests = quests.filter(Q(updated_at__gt=after[0]) | Q(updated_at=after[0], pk__gt=after[1]))
    limit = max(1, min(limit, PAGE_MAX))
    found = list(quests.order_by("updated_at", "pk")[: limit + 1])
    return found[:limit], len(found) > limit


def service_quest(*, agent: User, service_id: int, reference: str) -> Quest | None:
    """One quest of the service by its reference, or ``None`` (absent, a draft, another service's)."""
    return _quests(agent, service_id).filter(reference=reference).first()


def input_labels(revisions: list[ProcedureRevision]) -> dict[int, dict[str, InputLabel]]:
    """Per revision id, each input's step and label (the revisions' steps are cached once published)."""
    labels: dict[int, dict[str, InputLabel]] = {}
    for revision in revisions:
        if revision.pk in labels:
            continue
        content = revision_content(revision)
        labels[revision.pk] = {
            spec.name: InputLabel(step.slug, str(spec.label))
            for step in content.steps.all()
            for spec in step_inputs(step)
        }
    return labels


def quest_document(*, quest: Quest, document_id: int) -> Document | None:
    """A document given with the quest (any step), or ``None``."""
    return Document.objects.filter(pk=document_id, attachments__quest=quest).first()
