"""The agent inbox: the quests of the agent's services, filtered, searched, sorted, paginated.

A bounded number of queries whatever the number of quests: the agent's services (1), the
counts per state (1, grouped), the page (count + rows with procedure, citizen and
assignee joined) and its labels (1, prefetched). The filters use the indexes
``procedures_quest_inbox`` (procedure, state, deadline_at), ``procedures_quest_state_due``,
``procedures_quest_assignee`` and ``procedures_quest_label_label``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.catalogue.models import Procedure
from civiquest.core.text import search_key
from civiquest.instruction import deadlines
from civiquest.instruction.models import QuestLabel
from civiquest.instruction.services import agent_service_ids
from civiquest.quests.models import Quest, QuestState

PAGE_SIZE = 50
# The largest integer the databases store (a signed 64-bit column).
DATABASE_INT_MAX = 2**63 - 1
# What an inbox shows: everything but drafts (and guided quests, which no service instructs).
INBOX_STATES = (
    QuestState.SUBMITTED,
    QuestState.IN_REVIEW,
    QuestState.CHANGES_REQUESTED,
    QuestState.ACCEPTED,
    QuestState.REJECTED,
    QuestState.CLOSED,
)
# By default, the quests still waiting for a decision.
OPEN_STATES = (QuestState.SUBMITTED, QuestState.IN_REVIEW, QuestState.CHANGES_REQUESTED)


@dataclass(frozen=True)
class InboxFilters:
    state: str = ""  # "" for the open ones, "all", or a state
    procedure_id: int | None = None
    mine: bool = False
    overdue: bool = False
    label_id: int | None = None
    search: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: Any) -> InboxFilters:
        def as_int(name: str) -> int | None:
            try:
                number = int(query.get(name, ""))
            except (TypeError, ValueError):
                return None
            # An id the database cannot hold would fail the query: ignored like any bad value.
            return number if abs(number) <= DATABASE_INT_MAX else None

        state = str(query.get("etat", ""))
        if state not in (*INBOX_STATES, "all"):
            state = ""
        return cls(
            state=state,
            procedure_id=as_int("demarche"),
            mine=query.get("moi") in ("1", "on"),
            overdue=query.get("retard") in ("1", "on"),
            label_id=as_int("etiquette"),
            search=str(query.get("q", ""))[:100].strip(),
            page=max(as_int("page") or 1, 1),
        )


@dataclass
class InboxRow:
    quest: Quest
    deadline: dt.datetime | None
    overdue: bool
    paused: bool
    labels: list[str] = field(default_factory=list)


@dataclass
class Inbox:
    rows: list[InboxRow]
    page: Page[Quest]
    counts: dict[str, int]
    total: int
    procedures: list[Procedure]
    service_ids: list[int]


def _search_q(search: str) -> Q:
    """A quest number (``CQ-…``, or a part of it) or words of the citizen's name.

    Names are matched on the folded ``User.search_name``: case and accents do not matter
    ("wea" finds "Wéa", "Noel" finds "Noël")."""
    text = search.strip()
    if not text:
        return Q()
    query = Q(reference__icontains=text)
    words = search_key(text).split()[:4]
    if words:
        name = Q()
        for word in words:
            name &= Q(citizen__search_name__contains=word)
        query |= name
    return query


def inbox_queryset(*, agent: User, filters: InboxFilters, now: dt.datetime | None = None) -> QuerySet[Quest]:
    """The filtered quests of the agent's services, before the state filter."""
    return _filtered(agent_service_ids(agent), agent, filters, now or timezone.now())


def _filtered(service_ids: list[int], agent: User, filters: InboxFilters, now: dt.datetime) -> QuerySet[Quest]:
    quests = Quest.objects.filter(procedure__instructing_service_id__in=service_ids, state__in=INBOX_STATES)
    if filters.procedure_id is not None:
        quests = quests.filter(procedure_id=filters.procedure_id)
    if filters.mine:
        quests = quests.filter(assignee=agent)
    if filters.overdue:
        quests = quests.filter(deadlines.overdue_q(now=now))
    if filters.label_id is not None:
        quests = quests.filter(quest_labels__label_id=filters.label_id)
    if filters.search:
        quests = quests.filter(_search_q(filters.search))
    return quests


def inbox(*, agent: User, filters: InboxFilters, now: dt.datetime | None = None, page_size: int = PAGE_SIZE) -> Inbox:
    now = now or timezone.now()
    service_ids = agent_service_ids(agent)
    base = _filtered(service_ids, agent, filters, now)
    counts: dict[str, int] = {str(state): 0 for state in INBOX_STATES}
    for row in base.order_by().values("state").annotate(number=Count("pk")):
        counts[row["state"]] = row["number"]
    if filters.state == "all":
        shown = base
    elif filters.state:
        shown = base.filter(state=filters.state)
    else:
        shown = base.filter(state__in=OPEN_STATES)
    shown = (
        shown.select_related("procedure", "citizen", "assignee")
        .prefetch_related(Prefetch("quest_labels", queryset=QuestLabel.objects.select_related("label")))
        .order_by(F("deadline_at").asc(nulls_last=True), "submitted_at", "pk")
    )
    paginator = Paginator(shown, page_size)
    page = paginator.get_page(filters.page)
    rows = [
        InboxRow(
            quest=quest,
            deadline=deadlines.effective_deadline(quest, now=now),
            overdue=deadlines.is_overdue(quest, now=now),
            paused=quest.deadline_paused_since is not None,
            labels=sorted(link.label.name for link in quest.quest_labels.all()),
        )
        for quest in page.object_list
    ]
    procedures = list(
        Procedure.objects.filter(instructing_service_id__in=service_ids).order_by("title").only("pk", "title")
    )
    return Inbox(
        rows=rows,
        page=page,
        counts=counts,
        total=sum(counts.values()),
        procedures=procedures,
        service_ids=service_ids,
    )
