"""Celery for real: a worker and beat run as subprocesses, on a Redis server of their own,
against the test database (the other tests run tasks inline).

What production relies on: beat sends the scheduled jobs and the worker runs them; a task a
request enqueues after commit runs in the worker; a task that keeps failing is retried with
backoff, then recorded as a ``TaskFailure`` (never only a log line).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.models import FieldKind, StepKind
from civiquest.core.dates import paris_today
from civiquest.core.models import TaskFailure
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.quests.services import answers_save, quest_start, step_complete
from civiquest.recommendations.models import LifeEvent
from config.celery import app
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import ServiceFactory, published
from tests.core.celery_test_tasks import ALWAYS_FAILS, RETRIES

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 40.0
EFFECT_TIMEOUT = 20.0

pytestmark = [
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the process and its children (its own process group), for sure."""
        if self.popen.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.popen.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


@dataclass
class CeleryRun:
    broker_url: str
    worker: Process
    beat: Process

    def logs(self) -> str:
        return "\n".join(f"----- {p.name} -----\n{p.output()[-6000:]}" for p in (self.worker, self.beat))

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = EFFECT_TIMEOUT) -> float:
        """Poll ``condition`` until true; fail with the processes' output otherwise. Returns the time waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if condition():
                return time.monotonic() - start
            for process in (self.worker, self.beat):
                if process.popen.poll() is not None:
                    pytest.fail(f"celery {process.name} exited ({process.popen.returncode})\n{self.logs()}")
            time.sleep(0.2)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{self.logs()}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start(name: str, command: list[str], env: dict[str, str], directory: Path) -> Process:
    log = directory / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name, popen, log)


def database_env() -> dict[str, str]:
    """Point a subprocess at the test database pytest-django created (NAME is the test database now)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        # The embedded configuration, on the test file: same options (IMMEDIATE, 20 s timeout).
        return {"CIVIQUEST_SQLITE_PATH": str(Path(db["NAME"]).resolve())}
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip(f"no worker test for the {db['ENGINE']} engine")
    quote = urllib.parse.quote
    credentials = quote(db.get("USER") or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return {"DATABASE_URL": f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'])}"}


@pytest.fixture(scope="module")
def celery_run(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryRun]:
    """A private Redis, a worker (with the test-only task) and beat (a real job every second)."""
    directory = tmp_path_factory.mktemp("celery")
    port = free_port()
    redis = start(
        "redis",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        dict(os.environ),
        directory,
    )
    processes = [redis]
    try:
        deadline = time.monotonic() + 10
        while not redis_answers(port):
            if time.monotonic() > deadline or redis.popen.poll() is not None:
                pytest.fail(f"redis-server did not start\n{redis.output()}")
            time.sleep(0.1)
        broker_url = f"redis://127.0.0.1:{port}/0"
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CIVIQUEST_ENV")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            REDIS_URL=broker_url,
            # As in the Procfile: Celery opens a connection per task and closes it after.
            CIVIQUEST_DB_POOL="0",
            CIVIQUEST_VAR_DIR=str(directory / "var"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **database_env(),
        )
        celery = [sys.executable, "-m", "celery"]
        worker = start(
            "worker",
            [
                *celery,
                *("-A", "config", "worker", "--include", "tests.core.celery_test_tasks"),
                *("--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                *("--hostname", f"civiquest-test-{os.getpid()}@%h"),
            ],
            env,
            directory,
        )
        processes.append(worker)
        beat = start(
            "beat",
            [
                *celery,
                *("-A", "tests.core.celery_beat_app", "beat", "--loglevel", "INFO"),
                *("--schedule", str(directory / "celerybeat-schedule")),
            ],
            env,
            directory,
        )
        processes.append(beat)
        run = CeleryRun(broker_url=broker_url, worker=worker, beat=beat)
        run.wait_for(lambda: " ready." in worker.output(), "the worker to be ready", timeout=START_TIMEOUT)
        yield run
    finally:
        for process in reversed(processes):
            process.stop()


@pytest.fixture
def celery(celery_run: CeleryRun, transactional_db: None) -> Iterator[CeleryRun]:
    """The running worker and beat, for one test; their output is printed (shown if the test fails)."""
    yield celery_run
    print(celery_run.logs())  # noqa: T201 - pytest shows it for a failed test


def _drop_broker_connections() -> None:
    # The app keeps its connection and producer pools for the broker it first used, and kombu
    # keeps them per broker URL: close and forget them all (what Celery does after a fork).
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@contextmanager
def tasks_sent_to(broker_url: str) -> Iterator[None]:
    """This process sends tasks to the broker instead of running them inline (tests/conftest.py)."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    _drop_broker_connections()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _drop_broker_connections()


def submitted_by_request(client: Any) -> Notification:
    """A citizen submits a quest through the site: the notification's email is enqueued after commit."""
    mairie = ServiceFactory()
    procedure, _revision = published(
        [
            {
                "slug": "identite",
                "title": "Votre identité",
                "kind": StepKind.FORM,
                "fields": [{"name": "nom", "label": "Nom", "kind": FieldKind.TEXT, "max_length": 100}],
            },
            {"slug": "instruction", "title": "Instruction en mairie", "kind": StepKind.AGENT_REVIEW},
        ],
        service=mairie,
        slug="carte-identite",
        title="Carte d’identité",
    )
    citizen = CitizenFactory(email="angela.dubois@example.fr", notify_by_email=True)
    quest = quest_start(citizen=citizen, procedure=procedure)
    form = quest.revision.steps.get(slug="identite")
    assert answers_save(quest=quest, step=form, data={"nom": "Dubois"}).errors == {}
    step_complete(quest=quest, step=form)
    client.force_login(citizen)
    response = client.post(reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk}))
    assert response.status_code == 302
    return Notification.objects.get(recipient=citizen, quest=quest)


def test_beat_runs_a_scheduled_job_and_the_worker_a_task_a_request_enqueued(celery: CeleryRun, client: Any) -> None:
    expired = Session.objects.create(
        session_key="expired-" + uuid.uuid4().hex, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    current = Session.objects.create(
        session_key="current-" + uuid.uuid4().hex, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )
    with tasks_sent_to(celery.broker_url):
        notification = submitted_by_request(client)

    # Not run inline: this process sent no email, the worker did (console backend) and stamped it.
    assert mail.outbox == []
    celery.wait_for(
        lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
        "the worker to email the notification",
    )
    assert "Task progress.notification_email_send[" in celery.worker.output()

    # Beat's every-second job, run by the worker: expired sessions go, current ones stay.
    celery.wait_for(lambda: not Session.objects.filter(pk=expired.pk).exists(), "beat's sessions_clear_expired")
    assert Session.objects.filter(pk=current.pk).exists()
    assert "Sending due task sessions-clear-expired (core.sessions_clear_expired)" in celery.beat.output()


def test_beat_sends_the_j7_reminder_of_a_recommendation_once(celery: CeleryRun) -> None:
    catalogue_load()
    citizen = CitizenFactory(birthdate=date(1990, 4, 2))
    # A birth yesterday: its declaration is due within 5 days, so the J-7 reminder is due today.
    LifeEvent.objects.create(citizen=citizen, code="naissance", occurred_on=paris_today() - timedelta(days=1))
    reminders = Notification.objects.filter(recipient=citizen, kind=NotificationKind.RECOMMENDATION)

    celery.wait_for(reminders.exists, "beat's recommendations_deadlines_notify")
    # Beat sends the job every second: let it run a few more times; one reminder stays.
    runs = celery.beat.output().count("(recommendations.deadlines_notify)")
    celery.wait_for(
        lambda: celery.beat.output().count("(recommendations.deadlines_notify)") >= runs + 3, "three more runs"
    )
    assert list(reminders.values_list("title", flat=True)) == [
        f"À faire avant le {date_format(paris_today() + timedelta(days=4), 'j F Y')} : Déclarer une naissance"
    ]


def test_a_failing_task_is_retried_with_backoff_then_recorded_as_failed(celery: CeleryRun) -> None:
    marker = uuid.uuid4().hex
    with tasks_sent_to(celery.broker_url):
        result = app.send_task(ALWAYS_FAILS, args=[marker], kwargs={"api_token": "s3cr3t"})

    waited = celery.wait_for(lambda: TaskFailure.objects.filter(task_id=result.id).exists(), "the failure record")
    failure = TaskFailure.objects.get(task_id=result.id)
    assert failure.task_name == ALWAYS_FAILS
    assert failure.retries == RETRIES
    assert failure.failure_count == 1
    assert failure.exception_type == "builtins.ConnectionRefusedError"
    assert marker in failure.exception_message
    assert "ConnectionRefusedError" in failure.traceback
    assert failure.args == [marker]
    assert failure.kwargs == {"api_token": "[masqué]"}  # never a secret in the record
    # Each attempt failed and was retried, waiting 1 s then 2 s (exponential backoff).
    retried = [line for line in celery.worker.output().splitlines() if result.id in line and " retry: " in line]
    assert len(retried) == RETRIES, celery.logs()
    assert "Retry in 1s" in retried[0] and "Retry in 2s" in retried[1]
    assert waited >= 3 - 0.5
