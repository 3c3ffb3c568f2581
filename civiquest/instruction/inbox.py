"""The agent inbox: the quests of the agent's services, filtered, searched, sorted, paginated.

It stays flat whatever the number of quests (issue 21, docs/benchmarks.md):

- the service's procedures are resolved first (one small query), and the quests filtered by
  ``procedure_id IN (…)``, so that each procedure's part of a tab is one range of the index
  sorted as the inbox sorts: ``procedures_quest_inbox_open`` (partial: the open states) for
  the default tab, ``procedures_quest_inbox_all`` (partial: every inbox state) for "all",
  ``procedures_quest_inbox`` (procedure, state, …) for one state;
- with several procedures, PostgreSQL reads each procedure's first rows in order and merges
  them (a ``UNION ALL`` of small ordered ``LIMIT`` queries, compiled once), instead of
  sorting every quest of the service;
- keyset pagination: a page starts after (or ends before) the (deadline, submission, id) of
  a row, never at an offset, and no page counts the whole listing;
- archived quests (decided ones the service put away, issue 21 point 6) leave every tab for
  their own, "Archivés": ``procedures_quest_inbox_all`` and ``procedures_quest_decided`` leave
  them out, ``procedures_quest_archived`` holds them;
- the tab counts come from ``QuestStateCount`` (kept by triggers, the archived quests apart) on
  PostgreSQL when only the tab and procedure filters apply; otherwise, and on SQLite, they are
  counted;
- the search matches references (upper case) and folded citizen names with a plain
  ``LIKE``, which the ``gin_trgm_ops`` indexes serve on PostgreSQL; the matching citizens are
  looked up first, so that the quests are found by index (reference or citizen) on both.

Queries: services, procedures, counts, the page's keys, its rows (citizen and assignee
joined, read as values: the page renders 50 rows), their labels; plus the matching citizens
when searching.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.catalogue.models import Procedure
from civiquest.core.text import search_key
from civiquest.instruction import deadlines, marks
from civiquest.instruction.models import QuestLabel
from civiquest.instruction.services import agent_service_ids
from civiquest.quests import models as quest_models
from civiquest.quests.models import Quest, QuestStateCount

PAGE_SIZE = 50
# The largest integer the databases store (a signed 64-bit column).
DATABASE_INT_MAX = 2**63 - 1
# What an inbox shows: everything but drafts (and guided quests, which no service instructs).
INBOX_STATES = quest_models.INBOX_STATES
# By default, the quests still waiting for a decision (the partial index's states).
OPEN_STATES = quest_models.INBOX_OPEN_STATES
# The archived quests' tab (``etat=archived``), and their count's key.
ARCHIVED = quest_models.ARCHIVED
# The inbox's order, the same on both databases (and as the indexes store it on PostgreSQL).
ORDER = (F("deadline_at").asc(nulls_last=True), F("submitted_at").asc(nulls_last=True), F("pk").asc())
ORDER_BACKWARDS = (F("deadline_at").desc(nulls_first=True), F("submitted_at").desc(nulls_first=True), F("pk").desc())

# A row's place in the inbox order: (deadline, submission, id).
Key = tuple[dt.datetime | None, dt.datetime | None, int]


def key_token(key: Key) -> str:
    """The key as it goes in a link (``apres=`` or ``avant=``)."""
    deadline, submitted, pk = key
    text = "~".join((deadline.isoformat() if deadline else "", submitted.isoformat() if submitted else "", str(pk)))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def token_key(token: str) -> Key | None:
    """The key of a link's token, or None for anything else (the first page then)."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        deadline, submitted, pk = text.split("~")
        key = (_utc(deadline), _utc(submitted), int(pk))
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        return None
    return key if 0 < key[2] <= DATABASE_INT_MAX else None


def _utc(text: str) -> dt.datetime | None:
    """A link's date, in UTC (as the databases compare it); a naive or out of range one fails."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value.astimezone(dt.UTC)


def _after_q(key: Key) -> Q:
    """The rows after ``key`` in the inbox order (NULLs last)."""

    def after(name: str, value: dt.datetime | None, rest: Q) -> Q:
        if value is None:
            return Q(**{f"{name}__isnull": True}) & rest
        return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True}) | (Q(**{name: value}) & rest)

    return after("deadline_at", key[0], after("submitted_at", key[1], Q(pk__gt=key[2])))


def _before_q(key: Key) -> Q:
    """The rows before ``key`` in the inbox order (NULLs last)."""

    def before(name: str, value: dt.datetime | None, rest: Q) -> Q:
        if value is None:
            return Q(**{f"{name}__isnull": False}) | (Q(**{f"{name}__isnull": True}) & rest)
        return Q(**{f"{name}__lt": value}) | (Q(**{name: value}) & rest)

    return before("deadline_at", key[0], before("submitted_at", key[1], Q(pk__lt=key[2])))


@dataclass(frozen=True)
class InboxFilters:
    state: str = ""  # "" for the open ones, "all", ARCHIVED, or a state
    procedure_id: int | None = None
    mine: bool = False
    overdue: bool = False
    label_id: int | None = None
    search: str = ""
    new: bool = False  # only the quests changed since the agent last opened them ("nouveau")
    after: str = ""  # a page starting after this row's key (token), or
    before: str = ""  # a page ending before it

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
        if state not in (*INBOX_STATES, "all", ARCHIVED):
            state = ""
        return cls(
            state=state,
            procedure_id=as_int("demarche"),
            mine=query.get("moi") in ("1", "on"),
            overdue=query.get("retard") in ("1", "on"),
            label_id=as_int("etiquette"),
            search=str(query.get("q", ""))[:100].strip(),
            new=query.get("nouveaux") in ("1", "on"),
            after=str(query.get("apres", ""))[:200],
            before=str(query.get("avant", ""))[:200],
        )

    @property
    def counted_live(self) -> bool:
        """Filters the stored counts do not know: the tab counts are then counted."""
        return self.mine or self.overdue or self.new or self.label_id is not None or bool(self.search)


@dataclass
class InboxRow:
    """A row of the inbox as the page shows it: plain values read in one query (the page
    renders 50 of them, so nothing here is looked up through a relation afterwards)."""

    pk: int
    reference: str
    state: str
    deadline: dt.datetime | None
    overdue: bool
    paused: bool
    labels: list[str] = field(default_factory=list)
    new: bool = False  # changed since the agent last opened it
    state_label: str = ""
    citizen_name: str = ""
    assignee_name: str = ""
    procedure_title: str = ""


@dataclass
class Inbox:
    rows: list[InboxRow]
    counts: dict[str, int]
    total: int
    procedures: list[Procedure]
    service_ids: list[int]
    # The number of quests in the tab shown, and the keyset links' tokens ("" when none).
    shown: int = 0
    next_token: str = ""
    previous_token: str = ""


def _search_q(search: str) -> Q:
    """A quest number (``CQ-…``, or a part of it) or words of the citizen's name.

    Names are matched on the folded ``User.search_name``: case and accents do not matter
    ("wea" finds "Wéa", "Noel" finds "Noël"). References are upper case, so both are a plain
    ``LIKE``, which the trigram indexes serve on PostgreSQL; the citizens are looked up
    first (one query), so that the quests are then found by their citizen index."""
    text = search.strip()
    if not text:
        return Q()
    query = Q(reference__contains=text.upper())
    words = search_key(text).split()[:4]
    # Names hold no digits: a word with one (a reference's) cannot match a name.
    if words and not any(character.isdigit() for character in "".join(words)):
        citizens = User.objects.all()
        for word in words:
            citizens = citizens.filter(search_name__contains=word)
        citizen_ids = list(citizens.values_list("pk", flat=True))
        if citizen_ids:
            query |= Q(citizen_id__in=citizen_ids)
    return query


def _procedure_ids(service_ids: list[int], filters: InboxFilters) -> list[int]:
    """The procedures the services instruct (the filter's one, if it is among them)."""
    ids = list(
        Procedure.objects.filter(instructing_service_id__in=service_ids).order_by("pk").values_list("pk", flat=True)
    )
    if filters.procedure_id is not None:
        return [pk for pk in ids if pk == filters.procedure_id]
    return ids


def inbox_queryset(*, agent: User, filters: InboxFilters, now: dt.datetime | None = None) -> QuerySet[Quest]:
    """The filtered quests of the agent's services, before the state filter (archived only in
    their tab)."""
    procedure_ids = _procedure_ids(agent_service_ids(agent), filters)
    return _filtered(procedure_ids, agent, filters, now or timezone.now()).filter(_archived_q(filters))


def _archived_q(filters: InboxFilters) -> Q:
    """The archived quests in their tab, the others everywhere else."""
    return Q(archived_at__isnull=filters.state != ARCHIVED)


def _filtered(procedure_ids: list[int], agent: User, filters: InboxFilters, now: dt.datetime) -> QuerySet[Quest]:
    quests = Quest.objects.filter(procedure_id__in=procedure_ids, state__in=INBOX_STATES)
    if filters.mine:
        quests = quests.filter(assignee=agent)
    if filters.overdue:
        quests = quests.filter(deadlines.overdue_q(now=now))
    if filters.label_id is not None:
        quests = quests.filter(quest_labels__label_id=filters.label_id)
    if filters.search:
        quests = quests.filter(_search_q(filters.search))
    if filters.new:
        quests = quests.filter(marks.marked_q(agent))
    return quests


def _counts(procedure_ids: list[int], filters: InboxFilters, base: QuerySet[Quest]) -> dict[str, int]:
    """The quests per state (the archived ones apart, under ``ARCHIVED``)."""
    counts: dict[str, int] = {str(state): 0 for state in (*INBOX_STATES, ARCHIVED)}
    if not procedure_ids:
        return counts
    if connection.vendor == "postgresql" and not filters.counted_live:
        stored = QuestStateCount.objects.filter(procedure_id__in=procedure_ids, state__in=list(counts))
        rows: Iterable[dict[str, Any]] = stored.values("state").annotate(number=Sum("count"))
    else:
        bucket = Case(When(archived_at__isnull=False, then=Value(ARCHIVED)), default=F("state"))
        rows = base.order_by().values(bucket=bucket).annotate(number=Count("pk"))
    for row in rows:
        counts[row.get("bucket") or row["state"]] = int(row["number"] or 0)
    return counts


def _tab_states(filters: InboxFilters) -> tuple[str, ...]:
    if filters.state == "all":
        return tuple(str(state) for state in INBOX_STATES)
    if filters.state == ARCHIVED:
        return (ARCHIVED,)
    if filters.state:
        return (filters.state,)
    return tuple(str(state) for state in OPEN_STATES)


def _page_keys(
    shown: QuerySet[Quest], procedure_ids: list[int], filters: InboxFilters, size: int
) -> tuple[list[Key], bool]:
    """The keys of the page's rows in the inbox order, and whether more lie beyond it."""
    before = token_key(filters.before) if filters.before else None
    after = token_key(filters.after) if filters.after and before is None else None
    keyed = shown
    if before is not None:
        keyed = keyed.filter(_before_q(before))
    elif after is not None:
        keyed = keyed.filter(_after_q(after))
    ordered = keyed.order_by(*(ORDER_BACKWARDS if before else ORDER)).values_list("deadline_at", "submitted_at", "pk")
    if len(procedure_ids) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = _merged_keys(ordered, procedure_ids, size + 1, backwards=before is not None)
    else:
        rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if before is not None:
        rows.reverse()
    return rows, more


# A procedure id no quest has: where the procedure goes among a compiled part's parameters.
_PART_MARK = -(2**62) - 21


def _merged_keys(ordered: QuerySet[Quest, Any], procedure_ids: list[int], limit: int, *, backwards: bool) -> list[Key]:
    """Each procedure's first ``limit`` keys, one ordered range of an index each, merged and
    cut by the database (a ``UNION ALL`` of small ordered ``LIMIT`` queries). The part is
    compiled once and repeated for each procedure: compiling the union of as many querysets
    cost more than running it."""
    sql, params = ordered.filter(procedure_id=_PART_MARK)[:limit].query.sql_with_params()
    where = [index for index, value in enumerate(params) if value == _PART_MARK]
    if len(where) != 1:
        raise ValueError("The inbox's part query must hold the procedure once.")
    union_params: list[Any] = []
    for procedure_id in procedure_ids:
        union_params += [*params[: where[0]], procedure_id, *params[where[0] + 1 :]]
    union = " UNION ALL ".join([f"({sql})"] * len(procedure_ids))
    # The columns: deadline, submission, id; the order of ORDER (or ORDER_BACKWARDS).
    nulls = "DESC NULLS FIRST" if backwards else "ASC NULLS LAST"
    last = "DESC" if backwards else "ASC"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({union}) AS parts ORDER BY 1 {nulls}, 2 {nulls}, 3 {last} LIMIT %s",  # noqa: S608 - compiled by the ORM
            [*union_params, limit],
        )
        return [(deadline, submitted, pk) for deadline, submitted, pk in cursor.fetchall()]


# What a row reads of a quest and its people, in this order: the page's query loads nothing more.
_ROW_VALUES = (
    "pk",
    "reference",
    "state",
    "deadline_at",
    "deadline_paused_since",
    "procedure_id",
    "citizen__first_name",
    "citizen__last_name",
    "citizen__email",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "is_new",
)


def _person_name(first_name: str | None, last_name: str | None, email: str | None) -> str:
    """As ``User.get_full_name``, or the e-mail address; "" for nobody."""
    return f"{first_name or ''} {last_name or ''}".strip() or email or ""


def _rows(agent: User, quest_ids: list[int], titles: dict[int, str], now: dt.datetime) -> list[InboxRow]:
    """The page's rows in the order of ``quest_ids``: one query for the quests with their
    citizen and assignee, one for their labels' names."""
    if not quest_ids:
        return []
    values = (
        Quest.objects.filter(pk__in=quest_ids)
        # The "nouveau" mark: an Exists on the (agent, quest) index, in the same query.
        .annotate(is_new=marks.marked_q(agent))
        .values_list(*_ROW_VALUES)
    )
    by_pk = {row[0]: row for row in values}
    labels: dict[int, list[str]] = {}
    for quest_id, name in QuestLabel.objects.filter(quest_id__in=quest_ids).values_list("quest_id", "label__name"):
        labels.setdefault(quest_id, []).append(name)
    state_labels = {str(state): str(state.label) for state in quest_models.QuestState}
    rows = []
    for pk in quest_ids:
        if pk not in by_pk:
            continue
        _, reference, state, deadline_at, paused_since, procedure_id = by_pk[pk][:6]
        citizen, assignee, new = by_pk[pk][6:9], by_pk[pk][9:12], by_pk[pk][12]
        rows.append(
            InboxRow(
                pk=pk,
                reference=reference,
                state=state,
                deadline=deadlines.deadline_as_of(deadline_at, paused_since, now=now),
                overdue=deadlines.overdue_as_of(state, deadline_at, now=now),
                paused=paused_since is not None,
                labels=sorted(labels.get(pk, [])),
                new=bool(new),
                state_label=state_labels.get(state, state),
                citizen_name=_person_name(*citizen),
                assignee_name=_person_name(*assignee),
                procedure_title=titles.get(procedure_id, ""),
            )
        )
    return rows


def inbox(*, agent: User, filters: InboxFilters, now: dt.datetime | None = None, page_size: int = PAGE_SIZE) -> Inbox:
    now = now or timezone.now()
    service_ids = agent_service_ids(agent)
    procedures = list(
        Procedure.objects.filter(instructing_service_id__in=service_ids).order_by("title").only("pk", "title")
    )
    procedure_ids = sorted(
        procedure.pk
        for procedure in procedures
        if filters.procedure_id is None or procedure.pk == filters.procedure_id
    )
    base = _filtered(procedure_ids, agent, filters, now)
    counts = _counts(procedure_ids, filters, base)
    states = _tab_states(filters)
    shown = base.filter(_archived_q(filters))
    if filters.state != ARCHIVED:
        shown = shown.filter(state__in=states)
    keys, more = _page_keys(shown, procedure_ids, filters, page_size) if procedure_ids else ([], False)
    rows = _rows(agent, [key[2] for key in keys], {procedure.pk: procedure.title for procedure in procedures}, now)
    backwards = bool(filters.before) and token_key(filters.before) is not None
    paged = bool(filters.after) and token_key(filters.after) is not None
    has_next = more if not backwards else True
    has_previous = more if backwards else paged
    return Inbox(
        rows=rows,
        counts=counts,
        total=sum(counts[str(state)] for state in INBOX_STATES),
        procedures=procedures,
        service_ids=service_ids,
        shown=sum(counts[state] for state in states),
        next_token=key_token(keys[-1]) if keys and has_next else "",
        previous_token=key_token(keys[0]) if keys and has_previous else "",
    )
