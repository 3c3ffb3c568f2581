"""Exports of an agent's quests as CSV or XLSX, with the columns they choose.

Only the quests of the agent's services (``instruction.agent_quests``), streamed by chunks:
a constant number of queries whatever their number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import User
from civiquest.instruction import deadlines
from civiquest.instruction.models import QuestLabel
from civiquest.instruction.services import agent_quests
from civiquest.quests.models import Quest


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


def export_queryset(*, agent: User) -> QuerySet[Quest]:
    return (
        agent_quests(agent)
        .select_related("procedure", "citizen", "assignee")
        .prefetch_related(Prefetch("quest_labels", queryset=QuestLabel.objects.select_related("label")))
        .order_by("pk")
    )


def export_rows(*, agent: User, columns: Sequence[str]) -> Iterator[list[Any]]:
    chosen = [COLUMNS[key] for key in columns if key in COLUMNS]
    yield [str(column.label) for column in chosen]
    for quest in export_queryset(agent=agent).iterator(chunk_size=CHUNK):
        yield [column.value(quest) for column in chosen]


def _safe_cell(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(*, agent: User, columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in export_rows(agent=agent, columns=columns):
        writer.writerow([_safe_cell(value) for value in row])
    # With a BOM, so that spreadsheet software reads UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(*, agent: User, columns: Sequence[str]) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl costs about 0.4 s and 15 MB to import: loaded only for an XLSX export

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Dossiers")))
    for row in export_rows(agent=agent, columns=columns):
        sheet.append([_safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
