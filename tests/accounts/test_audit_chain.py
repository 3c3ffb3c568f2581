"""The audit log's hash chain: appended under a lock, verified by ``audit_verify``, kept by erasure."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from civiquest.accounts.audit import (
    audit_forget_person,
    audit_pseudonym,
    audit_record,
    audit_verify,
    chained_values,
    event_hash,
)
from civiquest.accounts.models import AUDIT_CHAIN_GENESIS, AuditEvent, AuditIsAppendOnly
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory


def record_many(count: int, actor=None) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action=f"test.action{index}",
            target=("test.thing", str(index), f"Chose {index}"),
            motivation="pourquoi « ça »",
            details={"index": index, "on": dt.date(2026, 1, 2), "ids": [1, 2], "ratio": 0.25},
        )
        for index in range(1, count + 1)
    ]


def verify() -> tuple[str, str, int]:
    """Run the command; return (stdout, stderr, exit status)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", "--batch-size", "2", stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        return out.getvalue(), err.getvalue(), error.returncode
    return out.getvalue(), err.getvalue(), 0


@pytest.mark.django_db
def test_events_are_chained_in_order():
    first, second, third = record_many(3)
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert first.previous_hash == AUDIT_CHAIN_GENESIS
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    stored = AuditEvent.objects.get(pk=second.pk)
    # The hash covers what the database gives back, not only what Python held.
    assert event_hash(chained_values(stored)) == stored.hash
    assert re.fullmatch(r"[0-9a-f]{64}", stored.hash)


@pytest.mark.django_db
def test_a_clean_chain_passes_and_prints_the_count():
    events = record_many(5)
    out, err, status = verify()
    assert status == 0, err
    assert "5 event(s)" in out and events[-1].hash in out


@pytest.mark.django_db
def test_an_empty_log_passes():
    out, _err, status = verify()
    assert status == 0 and "0 event(s)" in out


@pytest.mark.django_db
def test_a_row_edited_behind_the_orms_back_is_named():
    events = record_many(5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET motivation = %s WHERE id = %s", ["autre chose", events[2].pk])
    _out, err, status = verify()
    assert status == 1
    assert "sequence 3: hash does not match" in err
    assert "sequence 4" not in err and "sequence 2" not in err


@pytest.mark.django_db
def test_edited_details_are_detected_too():
    events = record_many(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET details = %s WHERE id = %s", ['{"index": 99}', events[0].pk])
    _out, err, status = verify()
    assert status == 1 and "sequence 1: hash does not match" in err


@pytest.mark.django_db
def test_a_deleted_row_is_named_by_the_gap_it_leaves():
    events = record_many(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [events[2].pk])
    _out, err, status = verify()
    assert status == 1
    assert "sequence 4: sequence gap: expected 3, found 4" in err
    assert "sequence 4: previous_hash does not match" in err


@pytest.mark.django_db
def test_deleting_the_first_rows_is_detected():
    events = record_many(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [events[0].pk])
    _out, err, status = verify()
    assert status == 1 and "sequence 2: sequence gap: expected 1, found 2" in err


@pytest.mark.django_db
def test_an_inserted_row_is_detected():
    events = record_many(3)
    forged = AuditEvent(
        sequence=4,
        previous_hash="f" * 64,
        at=events[-1].at,
        action="procedure.publish",
        details={},
    )
    forged.hash = event_hash(chained_values(forged))
    forged.save(force_insert=True)
    _out, err, status = verify()
    assert status == 1 and "sequence 4: previous_hash does not match" in err


@pytest.mark.django_db
def test_the_report_keeps_every_break_when_batches_cut_the_chain():
    events = record_many(7)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET action = 'x' WHERE id IN (%s, %s)", [events[1].pk, events[5].pk]
        )
    report = audit_verify(batch_size=2)
    assert report.count == 7 and report.broken == 2
    assert [b.sequence for b in report.breaks] == [2, 6]


@pytest.mark.django_db
def test_forgetting_a_person_pseudonymises_them_and_keeps_the_chain():
    citizen = CitizenFactory(email="camille@example.fr", first_name="Camille")
    other = CitizenFactory(email="dominique@example.fr")
    agent = AgentFactory(email="agent@mairie.fr")
    staff = StaffFactory()
    audit_record(actor=citizen, action="citizen.something", target=("test.thing", "1", "Chose"))
    audit_record(actor=staff, action="agent.membership_revoke", target=citizen)
    audit_record(
        actor=agent,
        action="passport.appointment_cancel",
        target=("x", "1", "Camille 9h"),
        details={"citizen": citizen.pk},
    )
    audit_record(
        actor=staff, action="progress.xp_revoke", target=("y", "2", "Camille +30"), details={"citizen_id": citizen.pk}
    )
    untouched = audit_record(actor=agent, action="quest.accept", target=other, details={"citizen": other.pk})

    assert audit_forget_person(citizen) == 4
    pseudonym = audit_pseudonym(citizen)
    assert pseudonym.startswith("usager effacé n° ") and pseudonym == audit_pseudonym(citizen)
    assert pseudonym != audit_pseudonym(other)
    by_citizen = AuditEvent.objects.get(action="citizen.something")
    assert by_citizen.actor_id is None and by_citizen.actor_label == pseudonym
    for action in ("agent.membership_revoke", "passport.appointment_cancel", "progress.xp_revoke"):
        event = AuditEvent.objects.get(action=action)
        assert event.target_label == pseudonym and event.actor_id is not None  # the agent stays named
    labels = AuditEvent.objects.exclude(pk=untouched.pk).values_list("actor_label", "target_label")
    assert not [label for pair in labels for label in pair if "camille" in label.lower()]
    untouched.refresh_from_db()
    assert untouched.target_label == str(other) and untouched.actor_label == "agent@mairie.fr"
    assert audit_verify().ok
    # Idempotent: a retried erasure changes nothing more.
    assert audit_forget_person(citizen) == 0


@pytest.mark.django_db
def test_the_append_only_rule_allows_forgetting_and_nothing_else():
    event = audit_record(actor=StaffFactory(), action="system.test")
    events = AuditEvent.objects.filter(pk=event.pk)
    for change in ({"action": "autre"}, {"actor_label": "x", "details": {}}, {"actor": event.actor}, {}):
        with pytest.raises(AuditIsAppendOnly):
            events.update(**change)
    assert events.update(actor=None, actor_label="anonyme", target_label="anonyme") == 1
    assert audit_verify().ok


@pytest.fixture
def migrated_back_to_latest():
    """Going back to an old ``accounts`` migration also unapplies every app's migrations that
    follow it (columns dropped on SQLite): the whole project is migrated forward again after."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_events_recorded_before_it(migrated_back_to_latest):
    executor = MigrationExecutor(connection)
    before = [("accounts", "0004_audit_chain")]
    after = [("accounts", "0006_audit_chain_required")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldEvent = old_apps.get_model("accounts", "AuditEvent")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # Recorded out of id order: the chain follows the dates.
    for index, minutes in enumerate((30, 10, 20)):
        OldEvent.objects.create(at=start + dt.timedelta(minutes=minutes), action=f"old.{index}", details={"n": index})
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "old.1",
        "old.2",
        "old.0",
    ]
    new = audit_record(actor=None, action="new.event")
    assert new.sequence == 4
    report = audit_verify()
    assert report.ok and report.count == 4


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_leave_one_valid_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers (IMMEDIATE transactions): the race needs PostgreSQL")
    record_many(2)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def write(index: int) -> None:
        barrier.wait()
        try:
            audit_record(actor=None, action="test.concurrent", details={"writer": index})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 23))
    report = audit_verify()
    assert report.ok and report.count == 22, report.breaks


@pytest.mark.django_db
def test_the_csv_export_carries_each_events_sequence_and_hash(client, login_verified):
    staff = StaffFactory()
    login_verified(client, staff)
    events = record_many(2, actor=staff)
    response = client.get(reverse("staff:audit-export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-2:] == ["Numéro d’ordre", "Empreinte"]
    assert [row[-2:] for row in rows[1:]] == [[str(event.sequence), event.hash] for event in reversed(events)]


@pytest.mark.django_db
def test_the_nightly_task_logs_an_error_on_a_broken_chain(caplog, settings):
    from civiquest.accounts.tasks import audit_verify as nightly

    assert "accounts-audit-verify" in settings.CELERY_BEAT_SCHEDULE
    events = record_many(3)
    with caplog.at_level(logging.INFO, logger="civiquest.audit"):
        assert nightly.delay().get() is True
    assert f"head {events[-1].hash}" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [events[1].pk])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="civiquest.audit"):
        assert nightly.delay().get() is False
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and "sequence 3: sequence gap" in errors[0].getMessage()
