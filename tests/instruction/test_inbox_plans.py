"""The inbox's query plans on PostgreSQL: no query reads the quests table sequentially.

Thousands of quests over two procedures of the agent's service and another service's, most
of them decided (as in a service that has run for years), analysed; then every query each
inbox view runs (tab listings, counts, searches by name and reference, the next page) is
explained as PostgreSQL plans it, with sequential scans allowed.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civiquest.accounts.models import Role, User
from civiquest.instruction import inbox
from civiquest.instruction.models import QuestChangeKind, QuestMark
from civiquest.quests.models import DECIDED_STATES, Quest, QuestState
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import ServiceFactory, published

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL")

S = QuestState
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
# Decided quests outnumber the open ones, as they pile up.
STATES = (S.ACCEPTED,) * 5 + (S.REJECTED, S.CLOSED, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED)


def _seed(procedure, count, citizens, prefix):
    revision = procedure.revisions.get(status="published")
    Quest.objects.bulk_create(
        (
            Quest(
                citizen=citizens[index % len(citizens)],
                procedure=procedure,
                revision=revision,
                state=STATES[index % len(STATES)],
                reference=f"CQ-{prefix}-{index:06d}",
                submitted_at=NOW - dt.timedelta(days=index % 90),
                deadline_at=None if index % 17 == 0 else NOW + dt.timedelta(hours=index % 400),
                # A third of the decided quests archived (issue 21 point 6): their own tab.
                archived_at=NOW if index % 3 == 0 and STATES[index % len(STATES)] in DECIDED_STATES else None,
            )
            for index in range(count)
        ),
        batch_size=2000,
    )


def _explain(sql, *, seqscan=True):
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


def test_no_inbox_query_scans_the_quests_table(passport, instructor, mairie):
    second, _revision = published([{"slug": "b", "title": "B", "kind": "info"}], service=mairie)
    elsewhere, _revision = published([{"slug": "c", "title": "C", "kind": "info"}], service=ServiceFactory())
    wea = CitizenFactory(last_name="Wéa")
    # Written directly (``save`` is what folds names): enough citizens for their index to count.
    citizens = [wea] + User.objects.bulk_create(
        User(username=f"plan-{index}", role=Role.CITIZEN, search_name=f"prenom{index} nom{index}")
        for index in range(3000)
    )
    _seed(passport, 4000, citizens, "PA")
    _seed(second, 1500, citizens, "SB")
    _seed(elsewhere, 3000, citizens, "EL")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procedures_quest")
        cursor.execute("ANALYZE accounts_user")
    QuestMark.objects.bulk_create(
        QuestMark(agent=instructor, quest=quest, kind=QuestChangeKind.MESSAGE)
        for quest in Quest.objects.filter(procedure=passport).order_by("pk")[:40]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE instruction_questmark")
    first = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW)
    assert first.next_token
    views = {
        "open tab": inbox.InboxFilters(),
        "next page": inbox.InboxFilters(after=first.next_token),
        "previous page": inbox.InboxFilters(before=first.next_token),
        "accepted tab": inbox.InboxFilters(state=S.ACCEPTED),
        "rejected tab": inbox.InboxFilters(state=S.REJECTED),
        "archived tab": inbox.InboxFilters(state=inbox.ARCHIVED),
        "archived, next page": inbox.InboxFilters(state=inbox.ARCHIVED, after=first.next_token),
        "all tab": inbox.InboxFilters(state="all"),
        "one procedure": inbox.InboxFilters(procedure_id=second.pk),
        "search by name": inbox.InboxFilters(search="wea"),
        "search by reference": inbox.InboxFilters(search="cq-pa-0012"),
        "mine": inbox.InboxFilters(mine=True),
        # The quests changed since the agent opened them (their marks' index, issue 21 point 2).
        "new tab": inbox.InboxFilters(state="all", new=True),
    }
    checked = 0
    plans: list[str] = []
    for name, filters in views.items():
        with CaptureQueriesContext(connection) as captured:
            inbox.inbox(agent=instructor, filters=filters, now=NOW)
        for query in captured.captured_queries:
            sql = query["sql"]
            if "procedures_quest" not in sql and "accounts_user" not in sql:
                continue
            plan = _explain(sql)
            assert "Seq Scan on procedures_quest " not in plan, f"{name}:\n{sql}\n{plan}"
            assert "Seq Scan on procedures_quest\n" not in plan + "\n", f"{name}:\n{sql}\n{plan}"
            if name.startswith("search"):
                plans.append(plan)
            if 'FROM "accounts_user"' in sql:
                # A few thousand citizens are read faster in full: check the index can serve it.
                assert "accounts_user_search_name_trgm" in _explain(sql, seqscan=False), sql
            checked += 1
    assert checked >= 30
    print("\n\n".join(plans))  # noqa: T201 - shown with -s
