"""Accepts and votes stay exactly-once under concurrent requests (PostgreSQL, real threads).

Each thread is a request with its own connection and transaction; a barrier starts them
together. SQLite serialises every writer, so the race can only be shown on PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from civiquest.actions import entraide as actions
from civiquest.progress.models import XpEntry
from civiquest.social.entraide.models import Answer, HelpReward, Vote
from civiquest.social.entraide.services import EntraideRefused
from tests.catalogue.factories import ProcedureFactory
from tests.social.conftest import published_answer, published_question, trusted

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


@pytest.fixture(autouse=True)
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so no race can happen")


def _race(work) -> list[object]:
    barrier = threading.Barrier(THREADS)

    def run(index: int) -> object:
        try:
            barrier.wait(timeout=10)
            return work(index)
        except EntraideRefused as refused:
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_concurrent_votes_count_once():
    asker, helper = trusted(), trusted()
    answer = published_answer(helper, published_question(asker, ProcedureFactory()))
    results = _race(lambda _index: actions.answer_vote(voter=asker, answer=Answer.objects.get(pk=answer.pk)))
    assert sorted(results, key=str) == [False] * (THREADS - 1) + [True]
    answer.refresh_from_db()
    assert (answer.helpful_count, Vote.objects.filter(answer=answer).count()) == (1, 1)


def test_concurrent_accepts_accept_one_answer_and_reward_once():
    asker = trusted()
    question = published_question(asker, ProcedureFactory())
    answers = [published_answer(trusted(), question) for _index in range(2)]
    # Half the threads accept the first answer, half the second: one acceptance in all.
    results = _race(
        lambda index: actions.answer_accept(asker=asker, answer=Answer.objects.get(pk=answers[index % 2].pk))
    )
    assert [result for result in results if result is True] == [True]
    accepted = Answer.objects.filter(question=question, accepted_at__isnull=False)
    assert accepted.count() == 1
    assert HelpReward.objects.filter(answer__question=question).count() == 1
    assert XpEntry.objects.filter(reason="entraide.answer").count() == 1
