"""Exports of an agent's quests with their answers: the rows (``export_files`` writes them as CSV, XLSX or ODS).

Only the quests of the agent's services, with the inbox filters applied (``inbox.inbox_queryset``).
An export of one procedure has one column per input of its revisions (the union, in the order of
the newest revision, then what only older ones asked), each answer written as the agent's page
shows it (dates in words, choices by their labels, documents as links to the agent's private
document address). An export across procedures has the quest's details only.

Streamed by chunks: a constant number of queries whatever the number of quests (the agent's
services, the revisions of the procedure, then per chunk of ``CHUNK`` quests: the quests, their
labels, answers and documents).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import User
from civiquest.catalogue.display import answer_text as answer_words
from civiquest.catalogue.inputs import InputSpec, step_inputs
from civiquest.catalogue.models import FieldKind, Procedure, ProcedureRevision, RevisionStatus
from civiquest.catalogue.services import revision_content
from civiquest.instruction import deadlines
from civiquest.instruction.inbox import ARCHIVED, OPEN_STATES, InboxFilters, inbox_queryset
from civiquest.instruction.models import QuestLabel
from civiquest.instruction.services import agent_service_ids
from civiquest.quests.models import Answer, Quest, QuestDocument


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Quest], Any]


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _citizen(quest: Quest) -> str:
    citizen = quest.citizen
    family = citizen.usage_name or citizen.family_name or citizen.last_name
    given = citizen.given_names or citizen.first_name
    return " ".join(part for part in (given, family) if part)


COLUMNS: dict[str, Column] = {
    "reference": Column(_("Numéro de dossier"), lambda quest: quest.reference),
    "procedure": Column(_("Démarche"), lambda quest: quest.procedure.title),
    "state": Column(_("État"), lambda quest: str(quest.get_state_display())),
    "citizen": Column(_("Usager"), _citizen),
    "email": Column(_("Adresse électronique de l’usager"), lambda quest: quest.citizen.email),
    "submitted_at": Column(_("Déposé le"), lambda quest: _date(quest.submitted_at)),
    "decided_at": Column(_("Décidé le"), lambda quest: _date(quest.decided_at)),
    "deadline": Column(_("Date limite"), lambda quest: _date(deadlines.effective_deadline(quest))),
    "overdue": Column(_("En retard"), lambda quest: "oui" if deadlines.is_overdue(quest) else "non"),
    "assignee": Column(
        _("Agent en charge"),
        lambda quest: quest.assignee.get_full_name() or quest.assignee.email if quest.assignee else "",
    ),
    "labels": Column(
        _("Étiquettes"), lambda quest: ", ".join(sorted(link.label.name for link in quest.quest_labels.all()))
    ),
}
DEFAULT_COLUMNS = ("reference", "procedure", "state", "citizen", "submitted_at", "deadline")
CHUNK = 500


# --- What is exported -------------------------------------------------------------------------


def export_procedures(*, service_ids: Sequence[int]) -> list[Procedure]:
    """The procedures an agent of these services may export, by title."""
    return list(Procedure.objects.filter(instructing_service_id__in=list(service_ids)).order_by("title", "pk"))


def export_queryset(*, agent: User, filters: InboxFilters, now: dt.datetime | None = None) -> QuerySet[Quest]:
    """The quests the inbox shows with these filters (all pages), never outside the agent's services."""
    quests = inbox_queryset(agent=agent, filters=filters, now=now)
    if filters.state in ("all", ARCHIVED):
        pass  # every state (archived quests only in their own tab: ``inbox_queryset``)
    elif filters.state:
        quests = quests.filter(state=filters.state)
    else:
        quests = quests.filter(state__in=OPEN_STATES)
    return quests


def export_count(*, agent: User, filters: InboxFilters) -> int:
    return export_queryset(agent=agent, filters=filters).count()


# --- Answer columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerColumn:
    """One input of the procedure's revisions: its header, and how its answer is written."""

    header: str
    spec: InputSpec


def answer_columns(*, procedure_id: int, service_ids: Sequence[int]) -> list[AnswerColumn]:
    """One column per input of the procedure's revisions that quests can be on (published or superseded).

    None for a procedure outside ``service_ids`` (the agent's services).

    The newest revision gives the order and the labels; an input only older revisions asked
    for follows, so that the answers of every quest have their column.
    """
    revisions = list(
        ProcedureRevision.objects.filter(procedure_id=procedure_id, procedure__instructing_service_id__in=service_ids)
        .exclude(status=RevisionStatus.DRAFT)
        .select_related("procedure")
        .order_by("-number")
    )
    specs: dict[str, InputSpec] = {}
    for revision in revisions:
        for step in revision_content(revision).steps.all():
            for spec in step_inputs(step):
                specs.setdefault(spec.name, spec)
    counts: dict[str, int] = {}
    for spec in specs.values():
        counts[spec.label] = counts.get(spec.label, 0) + 1
    # Two inputs with the same label (a "Nom" in two steps) are told apart by their technical name.
    return [
        AnswerColumn(header=spec.label if counts[spec.label] == 1 else f"{spec.label} ({spec.name})", spec=spec)
        for spec in specs.values()
    ]


def document_url(quest: Quest, document_id: int) -> str:
    """The agent's private address of a document given with a quest, absolute (a spreadsheet opens it)."""
    path = reverse("agent:quest-document", args=[quest.pk, document_id])
    return f"{settings.CIVIQUEST_PUBLIC_URL}{path}?telecharger=1"


def answer_text(spec: InputSpec, value: Any, *, links: Sequence[str] = ()) -> str:
    """An answer as the agent's page writes it; empty when not given; documents as their links."""
    if spec.kind == FieldKind.DOCUMENT:
        return "\n".join(links)
    return answer_words(spec, value)


def _answer_cells(quest: Quest, columns: Sequence[AnswerColumn]) -> list[str]:
    answers: Mapping[str, Any] = {answer.field_name: answer.value for answer in quest.answers.all()}
    links: dict[str, list[str]] = {}
    for link in quest.documents.all():
        links.setdefault(link.input_name, []).append(document_url(quest, link.document_id))
    return [
        answer_text(column.spec, answers.get(column.spec.name), links=links.get(column.spec.name, ()))
        for column in columns
    ]


# --- Rows -------------------------------------------------------------------------------------


def _rows_queryset(*, agent: User, filters: InboxFilters, with_answers: bool) -> QuerySet[Quest]:
    quests = (
        export_queryset(agent=agent, filters=filters)
        .select_related("procedure", "citizen", "assignee")
        .prefetch_related(Prefetch("quest_labels", queryset=QuestLabel.objects.select_related("label")))
        .order_by("pk")
    )
    if with_answers:
        quests = quests.prefetch_related(
            Prefetch("answers", queryset=Answer.objects.only("quest_id", "field_name", "value")),
            Prefetch(
                "documents",
                queryset=QuestDocument.objects.only("quest_id", "document_id", "input_name").order_by("pk"),
            ),
        )
    return quests


def export_rows(*, agent: User, filters: InboxFilters, columns: Sequence[str]) -> Iterator[list[Any]]:
    """The header, then one row per quest: the chosen details, then (one procedure) every answer."""
    chosen = [COLUMNS[key] for key in columns if key in COLUMNS]
    answers: list[AnswerColumn] = []
    if filters.procedure_id is not None:
        answers = answer_columns(procedure_id=filters.procedure_id, service_ids=agent_service_ids(agent))
    yield [str(column.label) for column in chosen] + [column.header for column in answers]
    quests = _rows_queryset(agent=agent, filters=filters, with_answers=bool(answers))
    for quest in quests.iterator(chunk_size=CHUNK):
        details = [column.value(quest) for column in chosen]
        yield details + (_answer_cells(quest, answers) if answers else [])
