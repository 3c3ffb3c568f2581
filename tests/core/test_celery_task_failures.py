"""A task that fails for good is recorded (``core.TaskFailure``), whatever process runs it; recording never raises.

The same with a real worker and broker: test_celery_worker.py.
"""

import logging
from unittest import mock

import pytest
from django.db import OperationalError

from civiquest.core import task_failures
from civiquest.core.models import TaskFailure
from civiquest.core.task_policy import TRANSIENT_ERRORS
from config.celery import app
from tests.core.celery_test_tasks import ALWAYS_FAILS, RETRIES, always_fails


def test_every_project_task_retries_transient_errors_with_backoff():
    app.loader.import_default_modules()
    tasks = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert tasks
    for task in tasks:
        assert set(task.autoretry_for) & {OSError}, task.name
        assert task.retry_backoff and task.max_retries, task.name
    assert issubclass(ConnectionRefusedError, TRANSIENT_ERRORS)
    assert OperationalError in TRANSIENT_ERRORS


@pytest.fixture
def eager_errors_kept():
    """Inline tasks keep their errors in the result, as a worker does (tests/conftest.py propagates them)."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_errors_kept")
def test_a_task_failing_inline_is_retried_then_recorded():
    result = always_fails.delay("inline", api_token="s3cr3t")
    assert result.failed() and isinstance(result.result, ConnectionRefusedError)
    failure = TaskFailure.objects.get()
    assert failure.task_name == ALWAYS_FAILS
    assert failure.retries == RETRIES
    assert failure.args == ["inline"]
    assert failure.kwargs == {"api_token": "[masqué]"}
    assert failure.first_failed_at == failure.last_failed_at


@pytest.mark.django_db
def test_the_same_task_failing_again_updates_its_record():
    for message in ("first", "second"):
        task_failures.task_failure_record(
            task_name="core.sessions_clear_expired",
            task_id="abc",
            args=[],
            kwargs={},
            exception=OSError(message),
            traceback="Traceback…",
            retries=5,
        )
    failure = TaskFailure.objects.get()
    assert failure.failure_count == 2
    assert failure.exception_type == "builtins.OSError"
    assert failure.exception_message == "second"
    assert failure.last_failed_at > failure.first_failed_at


@pytest.mark.django_db
def test_the_failure_handler_never_raises(caplog):
    with (
        mock.patch.object(task_failures, "task_failure_record", side_effect=RuntimeError("database gone")),
        caplog.at_level(logging.ERROR, logger="civiquest.core.task_failures"),
    ):
        task_failures.on_task_failure(
            sender=always_fails, task_id="xyz", exception=OSError("down"), args=[], kwargs={}
        )
    assert "Could not record the failure of task tests.core.always_fails (xyz)" in caplog.text
    assert not TaskFailure.objects.exists()


def test_arguments_are_kept_small_and_without_secrets():
    class Connection:
        def __repr__(self) -> str:
            return "smtp://user:password@mail"

    safe = task_failures.json_safe(
        {"dispatch_id": 4, "password": "hunter2", "nested": {"Authorization": "Bearer x", "ok": [1, 2.5, None]}}
    )
    assert safe == {
        "dispatch_id": 4,
        "password": "[masqué]",
        "nested": {"Authorization": "[masqué]", "ok": [1, 2.5, None]},
    }
    assert task_failures.json_safe([Connection(), "x" * 1000]) == ["<Connection>", "x" * 200]
