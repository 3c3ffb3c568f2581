import datetime as dt
from dataclasses import replace

import pytest
from django.db import connection
from django.db.models import Count, Q

from civiquest.accounts.models import ServiceRole
from civiquest.instruction import inbox
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Label, QuestLabel
from civiquest.quests.models import Quest, QuestState, QuestStateCount
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest

S = QuestState
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def many_quests(procedure, count, *, state=S.SUBMITTED, start=0, **fields):
    """Quests written directly (the services are tested elsewhere): fast enough for thousands."""
    citizens = CitizenFactory.create_batch(min(count, 20))
    revision = procedure.revisions.get(status="published")
    return Quest.objects.bulk_create(
        Quest(
            citizen=citizens[index % len(citizens)],
            procedure=procedure,
            revision=revision,
            state=state,
            reference=f"CQ-T-{procedure.pk}-{start + index:06d}",
            submitted_at=NOW - dt.timedelta(days=5),
            deadline_at=NOW + dt.timedelta(days=index - count // 2),
            **fields,
        )
        for index in range(count)
    )


def test_the_inbox_shows_only_the_agents_services_and_never_drafts(passport, instructor, draft_quest):
    mine = submitted_quest(passport)
    other_procedure, _revision = published([{"slug": "a", "title": "A", "kind": "info"}], service=ServiceFactory())
    many_quests(other_procedure, 3)
    found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(state="all"))
    assert [row.pk for row in found.rows] == [mine.pk]
    assert found.counts[S.SUBMITTED] == 1
    assert found.total == 1
    assert [procedure.pk for procedure in found.procedures] == [passport.pk]


def test_filters_search_and_sort_by_deadline(passport, instructor, mairie):
    quests = many_quests(passport, 6)
    citizen = quests[0].citizen
    citizen.last_name = "Wéa"
    citizen.first_name = "Kanak"
    citizen.save()
    Quest.objects.filter(pk=quests[1].pk).update(state=S.CHANGES_REQUESTED)
    Quest.objects.filter(pk=quests[2].pk).update(state=S.ACCEPTED)
    Quest.objects.filter(pk=quests[4].pk).update(assignee=instructor)
    label = Label.objects.create(service=mairie, name="Urgent")
    QuestLabel.objects.create(quest=quests[5], label=label)

    def pks(**filters):
        return [row.pk for row in inbox.inbox(agent=instructor, filters=inbox.InboxFilters(**filters), now=NOW).rows]

    # Open ones by default, the nearest deadline first.
    assert pks() == [quest.pk for quest in quests if quest.pk != quests[2].pk]
    assert pks(state=S.ACCEPTED) == [quests[2].pk]
    assert pks(mine=True) == [quests[4].pk]
    assert pks(label_id=label.pk) == [quests[5].pk]
    assert pks(overdue=True) == [quests[0].pk]
    assert pks(search="wéa") == [quests[0].pk]
    assert pks(search="KANAK") == [quests[0].pk]
    # Accents and case do not matter, and every word typed must match.
    assert pks(search="wea") == [quests[0].pk]
    assert pks(search="Kânak WEA") == [quests[0].pk]
    assert pks(search="kanak dupont") == []
    assert pks(search=quests[3].reference) == [quests[3].pk]
    counts = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW).counts
    assert counts[S.SUBMITTED] == 4 and counts[S.CHANGES_REQUESTED] == 1 and counts[S.ACCEPTED] == 1


def test_overdue_rows_are_flagged(passport, instructor):
    late, on_time = many_quests(passport, 2)
    Quest.objects.filter(pk=late.pk).update(deadline_at=NOW - dt.timedelta(days=1))
    rows = {row.pk: row for row in inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW).rows}
    assert rows[late.pk].overdue and not rows[on_time.pk].overdue


def test_the_inbox_runs_a_fixed_number_of_queries_for_1000_quests(
    passport, instructor, mairie, django_assert_num_queries
):
    quests = many_quests(passport, 1000)
    label = Label.objects.create(service=mairie, name="Urgent")
    QuestLabel.objects.bulk_create(QuestLabel(quest=quest, label=label) for quest in quests[:300])
    instructor.refresh_from_db()
    # Services, procedures, counts, the page's keys, its rows, their labels; the matching citizens when searching.
    for filters, queries in ((inbox.InboxFilters(), 6), (inbox.InboxFilters(search="CQ"), 7)):
        with django_assert_num_queries(queries):
            found = inbox.inbox(agent=instructor, filters=filters, now=NOW)
            labels = [row.labels for row in found.rows]
            names = [row.citizen_name + row.procedure_title for row in found.rows]
        assert found.shown == 1000
        assert len(labels) == len(names) == inbox.PAGE_SIZE
    with django_assert_num_queries(6):
        following = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(after=found.next_token), now=NOW)
    assert [row.pk for row in following.rows] == [quest.pk for quest in quests[50:100]]


def test_the_inbox_filters_have_indexes():
    indexes = {index.name: index for index in Quest._meta.indexes}
    # Each sorted as the inbox sorts, per procedure: one state, the open states, every inbox state.
    assert indexes["procedures_quest_inbox"].fields == ["procedure", "state", "deadline_at", "submitted_at", "id"]
    assert indexes["procedures_quest_inbox"].condition is None
    # Archived quests (issue 21 point 6) have their own tab: out of "all" and the decided tabs.
    for name, condition in (
        ("procedures_quest_inbox_open", Q(state__in=inbox.OPEN_STATES)),
        ("procedures_quest_inbox_all", Q(state__in=inbox.INBOX_STATES, archived_at__isnull=True)),
        ("procedures_quest_archived", Q(archived_at__isnull=False)),
    ):
        assert indexes[name].fields == ["procedure", "deadline_at", "submitted_at", "id"]
        assert indexes[name].condition == condition
    assert indexes["procedures_quest_decided"].fields == ["procedure", "state", "deadline_at", "submitted_at", "id"]
    assert indexes["procedures_quest_decided"].condition == Q(
        state__in=(S.ACCEPTED, S.REJECTED, S.CLOSED), archived_at__isnull=True
    )
    indexes = {tuple(index.fields): index for index in Quest._meta.indexes}
    assert ("state", "deadline_at") in indexes
    assert ("assignee", "state") in indexes
    assert ("label", "quest") in {tuple(index.fields) for index in QuestLabel._meta.indexes}


def _walk(agent, filters, *, backwards_from=None):
    """Every page of a tab through its "next" links, then back through "previous" from the last."""
    pages, token = [], ""
    while True:
        found = inbox.inbox(agent=agent, filters=replace(filters, after=token), now=NOW, page_size=7)
        pages.append([row.pk for row in found.rows])
        if not found.next_token:
            break
        token = found.next_token
    back, token = [], found.previous_token
    while token:
        found = inbox.inbox(agent=agent, filters=replace(filters, before=token), now=NOW, page_size=7)
        back.insert(0, [row.pk for row in found.rows])
        token = found.previous_token
    return pages, back


def test_keyset_pages_follow_the_inbox_order_forwards_and_backwards(passport, instructor, mairie):
    other, _revision = published([{"slug": "b", "title": "B", "kind": "info"}], service=mairie)
    quests = many_quests(passport, 12) + many_quests(other, 9, start=100)
    # Ties on the deadline, missing deadlines (last) and a closed quest beyond the open tab.
    Quest.objects.filter(pk__in=[quest.pk for quest in quests[:4]]).update(deadline_at=NOW)
    Quest.objects.filter(pk__in=[quest.pk for quest in quests[14:17]]).update(deadline_at=None)
    Quest.objects.filter(pk=quests[5].pk).update(state=S.ACCEPTED)
    Quest.objects.filter(pk=quests[6].pk).update(state=S.IN_REVIEW, submitted_at=NOW - dt.timedelta(days=9))
    expected = list(
        Quest.objects.filter(state__in=inbox.OPEN_STATES).order_by(*inbox.ORDER).values_list("pk", flat=True)
    )
    assert len(expected) == 20
    pages, back = _walk(instructor, inbox.InboxFilters())
    assert [len(page) for page in pages] == [7, 7, 6]
    assert [pk for page in pages for pk in page] == expected
    assert back == pages[:-1]
    # The "all" tab merges each procedure and state; a filter keeps its pages.
    every, _back = _walk(instructor, inbox.InboxFilters(state="all"))
    assert [pk for page in every for pk in page] == list(
        Quest.objects.order_by(*inbox.ORDER).values_list("pk", flat=True)
    )
    only_other, _back = _walk(instructor, inbox.InboxFilters(procedure_id=other.pk))
    assert [pk for page in only_other for pk in page] == [pk for pk in expected if pk in {q.pk for q in quests[12:]}]


def test_a_broken_or_foreign_page_token_shows_the_first_page(passport, instructor):
    quests = many_quests(passport, 3)
    first = [quest.pk for quest in quests]
    for token in ("%%%", "bm9uc2Vuc2U", inbox.key_token((None, None, 0)), "MjAyNi0wMS0wMX5-MQ"):
        found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(after=token), now=NOW)
        assert [row.pk for row in found.rows] == first, token


def test_the_stored_counts_follow_every_write(passport, instructor, citizen, db):
    """The triggers keep the counts through the use cases, bulk writes, updates and deletions."""
    if connection.vendor != "postgresql":
        assert not QuestStateCount.objects.exists()
        pytest.skip("the counts are stored by PostgreSQL triggers; SQLite counts the quests")
    quest = submitted_quest(passport)
    many_quests(passport, 5, state=S.IN_REVIEW, start=10)
    Quest.objects.filter(pk=quest.pk).update(state=S.ACCEPTED)
    Quest.objects.filter(state=S.IN_REVIEW).order_by("pk")[:1].get().delete()
    stored = dict(QuestStateCount.objects.filter(procedure=passport).values_list("state", "count"))
    counted = {
        row["state"]: row["n"]
        for row in Quest.objects.filter(procedure=passport).values("state").annotate(n=Count("pk"))
    }
    assert {state: number for state, number in stored.items() if number} == counted
    assert counted[S.ACCEPTED] == 1 and counted[S.IN_REVIEW] == 4
    found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW)
    assert found.counts[S.ACCEPTED] == 1 and found.counts[S.IN_REVIEW] == 4 and found.shown == 4


def test_an_agent_without_service_sees_nothing(passport, db):
    submitted_quest(passport)
    loner = member_of(ServiceFactory(), ServiceRole.INSTRUCTOR)
    assert inbox.inbox(agent=loner, filters=inbox.InboxFilters(state="all")).rows == []
    assert instruction.agent_quests(loner).count() == 0


def test_the_inbox_queryset_keeps_its_meaning(passport, instructor, mairie):
    """Every inbox state of the agent's services, filtered: what the exports build on."""
    other, _revision = published([{"slug": "b", "title": "B", "kind": "info"}], service=mairie)
    elsewhere, _revision = published([{"slug": "c", "title": "C", "kind": "info"}], service=ServiceFactory())
    quests = many_quests(passport, 4) + many_quests(other, 2, start=10) + many_quests(elsewhere, 2, start=20)
    Quest.objects.filter(pk=quests[1].pk).update(state=S.ACCEPTED)
    Quest.objects.filter(pk=quests[2].pk).update(state=S.DRAFT)
    citizen = quests[4].citizen
    citizen.last_name = "Wéa"
    citizen.save()

    def pks(**filters):
        found = inbox.inbox_queryset(agent=instructor, filters=inbox.InboxFilters(**filters), now=NOW)
        return sorted(found.values_list("pk", flat=True))

    assert pks() == sorted(quest.pk for quest in quests[:6] if quest.pk != quests[2].pk)
    assert pks(procedure_id=other.pk) == sorted([quests[4].pk, quests[5].pk])
    assert pks(procedure_id=elsewhere.pk) == []
    assert pks(search="WEA") == sorted(quest.pk for quest in quests[:6] if quest.citizen_id == citizen.pk)
    assert pks(search=quests[1].reference.lower()) == [quests[1].pk]
