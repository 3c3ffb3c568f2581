import datetime as dt

import pytest
from django.db import connection

from civiquest.accounts.models import ServiceRole
from civiquest.instruction import inbox
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Label, QuestLabel
from civiquest.quests.models import Quest, QuestState
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
    assert [row.quest.pk for row in found.rows] == [mine.pk]
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
        return [
            row.quest.pk for row in inbox.inbox(agent=instructor, filters=inbox.InboxFilters(**filters), now=NOW).rows
        ]

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
    rows = {row.quest.pk: row for row in inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW).rows}
    assert rows[late.pk].overdue and not rows[on_time.pk].overdue


def test_the_inbox_runs_a_bounded_number_of_queries_for_1000_quests(
    passport, instructor, mairie, django_assert_max_num_queries
):
    quests = many_quests(passport, 1000)
    label = Label.objects.create(service=mairie, name="Urgent")
    QuestLabel.objects.bulk_create(QuestLabel(quest=quest, label=label) for quest in quests[:300])
    instructor.refresh_from_db()
    with django_assert_max_num_queries(6):
        found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(search="CQ"), now=NOW)
        labels = [row.labels for row in found.rows]
        names = [row.quest.citizen.email + row.quest.procedure.title for row in found.rows]
    assert found.page.paginator.count == 1000
    assert len(labels) == len(names) == inbox.PAGE_SIZE


def test_the_inbox_filters_have_indexes():
    indexes = {tuple(index.fields): index.name for index in Quest._meta.indexes}
    assert ("procedure", "state", "deadline_at") in indexes
    assert ("state", "deadline_at") in indexes
    assert ("assignee", "state") in indexes
    assert ("label", "quest") in {tuple(index.fields) for index in QuestLabel._meta.indexes}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL")
def test_postgresql_uses_the_inbox_index(passport, instructor):
    many_quests(passport, 2000, state=S.ACCEPTED)
    many_quests(passport, 20, start=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procedures_quest")
        cursor.execute("SET enable_seqscan = off")
    label = Label.objects.create(service=instructor.memberships.get().service, name="Urgent")
    for filters in (
        inbox.InboxFilters(),
        inbox.InboxFilters(mine=True),
        inbox.InboxFilters(overdue=True),
        inbox.InboxFilters(label_id=label.pk),
    ):
        queryset = (
            inbox.inbox_queryset(agent=instructor, filters=filters, now=NOW)
            .filter(state__in=inbox.OPEN_STATES)
            .order_by("deadline_at")
        )
        plan = queryset.explain()
        # Every table of the inbox is reached through an index: no sequential scan of quests or labels.
        assert "Seq Scan on procedures_quest " not in plan, plan
        assert "Seq Scan on procedures_questlabel" not in plan, plan
        assert "procedures_quest_" in plan, plan


def test_an_agent_without_service_sees_nothing(passport, db):
    submitted_quest(passport)
    loner = member_of(ServiceFactory(), ServiceRole.INSTRUCTOR)
    assert inbox.inbox(agent=loner, filters=inbox.InboxFilters(state="all")).rows == []
    assert instruction.agent_quests(loner).count() == 0
