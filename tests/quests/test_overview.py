"""Figures of a procedure on a small known dataset, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civiquest.catalogue.models import StepKind
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.overview import procedure_overview, procedures_for_staff
from civiquest.quests.services import quest_start
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure_with_quests():
    procedure, revision = published(
        [
            {"slug": "un", "title": "Un", "kind": StepKind.INFO},
            {"slug": "deux", "title": "Deux", "kind": StepKind.INFO},
        ]
    )
    steps = list(revision.steps.all())
    now = timezone.now()
    quests = [quest_start(citizen=CitizenFactory(), procedure=procedure) for _ in range(6)]
    # Three decided after 2, 4 and 10 days; one submitted, not decided; two drafts stuck at "Deux" and "Un".
    for quest, days, state in zip(
        quests[:3], (2, 4, 10), (QuestState.ACCEPTED, QuestState.REJECTED, QuestState.CLOSED), strict=True
    ):
        Quest.objects.filter(pk=quest.pk).update(
            state=state, submitted_at=now - dt.timedelta(days=20), decided_at=now - dt.timedelta(days=20 - days)
        )
    Quest.objects.filter(pk=quests[3].pk).update(state=QuestState.SUBMITTED, submitted_at=now)
    Quest.objects.filter(pk=quests[4].pk).update(current_step=steps[1])
    Quest.objects.filter(pk=quests[5].pk).update(current_step=steps[0])
    return procedure


def test_figures_on_a_known_dataset(procedure_with_quests, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        figures = procedure_overview(procedure_with_quests)
    counts = {bar.label: bar.count for bar in figures.by_state}
    assert counts["Accepté"] == 1 and counts["Refusé"] == 1 and counts["Classé sans suite"] == 1
    assert counts["Déposé"] == 1 and counts["Brouillon"] == 2
    assert figures.total == 6
    assert figures.median_decision == dt.timedelta(days=4)
    assert figures.decided == 3
    assert [(bar.label, bar.count) for bar in figures.drop_out] == [("Un", 1), ("Deux", 1)]
    assert figures.never_submitted == 2


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(procedure_with_quests):
    now = timezone.now()
    extra = quest_start(citizen=CitizenFactory(), procedure=procedure_with_quests)
    Quest.objects.filter(pk=extra.pk).update(
        state=QuestState.ACCEPTED, submitted_at=now - dt.timedelta(days=8), decided_at=now
    )
    assert procedure_overview(procedure_with_quests).median_decision == dt.timedelta(days=6)


def test_no_decision_no_median(db):
    procedure, _revision = published([{"slug": "un", "title": "Un", "kind": StepKind.INFO}])
    figures = procedure_overview(procedure)
    assert figures.median_decision is None and figures.total == 0 and figures.drop_out == []


def test_staff_list_counts_open_quests(procedure_with_quests, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = procedures_for_staff()
    (row,) = rows
    assert (row.published_number, row.draft_number, row.open_quests) == (1, None, 3)
