"""Figures of one procedure for staff: quests by state, median time to decision, drop-out per step.

Every figure is a fixed number of queries, whatever the number of quests (the median
reads at most two rows, ordered by the database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet
from django.utils.translation import gettext as _

from civiquest.catalogue.models import Procedure, ProcedureRevision, ProcedureStatus, RevisionStatus
from civiquest.quests.models import Quest, QuestState

DECIDED_STATES = (QuestState.ACCEPTED, QuestState.REJECTED, QuestState.CLOSED)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int  # of the largest count, for the chart's width


@dataclass(frozen=True)
class Overview:
    total: int
    by_state: list[Bar]
    median_decision: dt.timedelta | None
    decided: int
    drop_out: list[Bar]
    never_submitted: int


def _bars(rows: list[tuple[str, int]]) -> list[Bar]:
    top = max((count for _label, count in rows), default=0)
    return [Bar(label=label, count=count, percent=round(100 * count / top) if top else 0) for label, count in rows]


def median_time_to_decision(quests: QuerySet[Quest]) -> tuple[dt.timedelta | None, int]:
    """The median of ``decided_at - submitted_at`` over decided quests, and how many there are."""
    decided = quests.filter(state__in=DECIDED_STATES, submitted_at__isnull=False, decided_at__isnull=False)
    count = decided.count()
    if not count:
        return None, 0
    durations = list(
        decided.annotate(duration=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
        .order_by("duration", "pk")
        .values_list("duration", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(durations, dt.timedelta()) / len(durations), count


def procedure_overview(procedure: Procedure) -> Overview:
    quests = Quest.objects.filter(procedure=procedure)
    counts = dict(quests.values_list("state").annotate(total=Count("pk")).order_by())
    by_state = [(str(label), counts.get(value, 0)) for value, label in QuestState.choices]
    median, decided = median_time_to_decision(quests)
    # The step a never-submitted quest got to: the one it was on when the citizen left.
    stuck = (
        quests.filter(submitted_at__isnull=True, state=QuestState.DRAFT)
        .values("current_step__position", "current_step__title")
        .annotate(total=Count("pk"))
        .order_by("current_step__position", "current_step__title")
    )
    drop_rows: dict[str, int] = {}
    for row in stuck:
        title = row["current_step__title"] or _("Toutes les étapes faites, non déposé")
        drop_rows[title] = drop_rows.get(title, 0) + row["total"]
    return Overview(
        total=sum(counts.values()),
        by_state=_bars(by_state),
        median_decision=median,
        decided=decided,
        drop_out=_bars(list(drop_rows.items())),
        never_submitted=sum(drop_rows.values()),
    )


@dataclass(frozen=True)
class ProcedureRow:
    procedure: Procedure
    published_number: int | None
    draft_number: int | None
    open_quests: int


OPEN_STATES = (QuestState.DRAFT, QuestState.SUBMITTED, QuestState.IN_REVIEW, QuestState.CHANGES_REQUESTED)


def procedures_for_staff(*, status: str = "") -> list[ProcedureRow]:
    """Every procedure with its published and draft revision numbers and open quests: three queries."""
    procedures = Procedure.objects.select_related("instructing_service").order_by("title")
    if status in ProcedureStatus.values:
        procedures = procedures.filter(status=status)
    found = list(procedures)
    ids = [procedure.pk for procedure in found]
    numbers: dict[tuple[int, str], int] = {
        (procedure_id, revision_status): number
        for procedure_id, revision_status, number in ProcedureRevision.objects.filter(
            procedure_id__in=ids, status__in=(RevisionStatus.PUBLISHED, RevisionStatus.DRAFT)
        ).values_list("procedure_id", "status", "number")
    }
    open_counts = dict(
        Quest.objects.filter(procedure_id__in=ids, state__in=OPEN_STATES)
        .values_list("procedure_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return [
        ProcedureRow(
            procedure=procedure,
            published_number=numbers.get((procedure.pk, RevisionStatus.PUBLISHED)),
            draft_number=numbers.get((procedure.pk, RevisionStatus.DRAFT)),
            open_quests=open_counts.get(procedure.pk, 0),
        )
        for procedure in found
    ]
