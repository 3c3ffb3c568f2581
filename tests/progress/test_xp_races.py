"""The XP ledger loses an insert race gracefully: the other worker's line stands, ours is dropped.

Awards for one citizen are serialised by their ``LevelState`` lock, so the races left are
on the creation of that row (a citizen's first two awards at once) and on the event key
(or on the entry a reversal cancels) between two workers that hold different locks. Here
the other worker is a real second connection whose insert is still uncommitted when we
check: our insert then waits on the unique index, and fails once the other commits.
PostgreSQL only: SQLite lets one writer at a time into the whole database, so the window
cannot open there (a writer that read before the other committed gets "database is
locked", never a unique violation).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from civiquest.progress import xp
from civiquest.progress.models import LevelState, XpEntry
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 10


@pytest.fixture(autouse=True)
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so no insert race can happen")


class OtherWorker(threading.Thread):
    """Another worker's transaction: it does ``work``, then holds its commit until released."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.done_uncommitted = threading.Event()
        self.release = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.result = self.work()
                self.done_uncommitted.set()
                self.release.wait(WAIT_SECONDS)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            self.done_uncommitted.set()
            connections.close_all()


class LockWatcher(threading.Thread):
    """Releases the other worker once some session waits on a row or index lock (``pg_locks``)."""

    def __init__(self, worker: OtherWorker) -> None:
        super().__init__(daemon=True)
        self.worker = worker
        self.saw_a_waiter = False

    def run(self) -> None:
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            with connection.cursor() as cursor:
                while time.monotonic() < deadline and not self.worker.release.is_set():
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
                    if cursor.fetchone()[0]:
                        self.saw_a_waiter = True
                        break
                    time.sleep(0.02)
        finally:
            self.worker.release.set()
            connections.close_all()


def race(work: Callable[[], object], ours: Callable[[], object]) -> tuple[OtherWorker, LockWatcher, object]:
    """Run ``ours`` while another worker's ``work`` is done but not committed; commit it once we wait."""
    worker = OtherWorker(work)
    worker.start()
    assert worker.done_uncommitted.wait(WAIT_SECONDS)
    watcher = LockWatcher(worker)
    watcher.start()
    try:
        result = ours()
    finally:
        worker.release.set()
        worker.join(WAIT_SECONDS)
        watcher.join(WAIT_SECONDS)
    assert worker.error is None
    return worker, watcher, result


def test_an_award_that_loses_the_race_on_its_key_writes_nothing_and_raises_nothing():
    winner, loser = CitizenFactory(), CitizenFactory()
    key = f"shared-event:{winner.pk}"

    worker, watcher, result = race(
        lambda: xp.xp_award(citizen=winner, amount=20, reason="quest.done", key=key),
        lambda: xp.xp_award(citizen=loser, amount=30, reason="quest.done", key=key),
    )

    assert watcher.saw_a_waiter  # our insert really waited on the other's uncommitted line
    assert isinstance(worker.result, XpEntry) and worker.result.amount == 20
    assert result is None
    assert list(XpEntry.objects.filter(key=key).values_list("citizen_id", "amount")) == [(winner.pk, 20)]
    assert xp.balance_of(loser) == 0 and xp.balance_of(winner) == 20
    # The loser's ledger and lock are intact: their next event is awarded as usual.
    assert xp.xp_award(citizen=loser, amount=30, reason="quest.done", key=f"next:{loser.pk}").amount == 30
    assert xp.level_of(loser).xp == 30


def test_a_reversal_that_loses_the_race_writes_nothing_and_raises_nothing():
    citizen, staff = CitizenFactory(), CitizenFactory()
    entry = xp.xp_award(citizen=citizen, amount=40, reason="quest.done", key=f"award:{citizen.pk}")

    worker, watcher, result = race(
        lambda: xp.xp_reverse(entry=entry, reason="révoqué", key=f"revoke-a:{entry.pk}", actor=staff),
        lambda: xp.xp_reverse(entry=entry, reason="révoqué", key=f"revoke-b:{entry.pk}", actor=staff),
    )

    assert watcher.saw_a_waiter
    assert isinstance(worker.result, XpEntry) and worker.result.amount == -40
    assert result is None
    assert list(XpEntry.objects.filter(reverses=entry).values_list("key", flat=True)) == [f"revoke-a:{entry.pk}"]
    assert xp.balance_of(citizen) == 0


def test_two_first_awards_of_a_citizen_at_once_both_count():
    # Both workers find no level row and create it: the one that loses takes the winner's row and its lock.
    citizen = CitizenFactory()

    worker, watcher, result = race(
        lambda: xp.xp_award(citizen=citizen, amount=20, reason="quest.step", key=f"first:{citizen.pk}"),
        lambda: xp.xp_award(citizen=citizen, amount=30, reason="quest.done", key=f"second:{citizen.pk}"),
    )

    assert watcher.saw_a_waiter
    assert isinstance(worker.result, XpEntry) and worker.result.amount == 20
    assert isinstance(result, XpEntry) and result.amount == 30
    assert xp.balance_of(citizen) == 50
    assert LevelState.objects.filter(citizen=citizen).count() == 1
