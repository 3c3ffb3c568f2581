"""With a broker, estimates are computed by the real Celery worker of the ``taxes`` queue.

The web side runs in a fresh interpreter (so that "OpenFisca was never imported" means
something) on a throwaway SQLite database, with a private Redis as cache, broker and result
backend; the worker is the Procfile's ``taxes`` process, started for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.redis_server import private_redis  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[3]

WEB = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from civiquest.accounts.models import Role, User
    citizen = User.objects.create_user(username="c", email="c@example.fr", role=Role.CITIZEN)
    client = Client()
    client.force_login(citizen)
    started = time.monotonic()
    page = client.post(
        "/mon-espace/impots/simulateur/",
        {"action": "simulate", "income_year": "2024", "marital_status": "celibataire", "salaries_1": "30000"},
    )
    text = page.content.decode().replace("\\u202f", "").replace("\\xa0", "").replace(" ", "")
    print("status", page.status_code, "seconds", round(time.monotonic() - started, 2))
    print("estimate" if "1588" in text else "no-estimate")
    print("unavailable" if "Lesimulateurnepeutpascalculer" in text else "available")
    print("kept" if 'value="30000"' in page.content.decode() else "lost")
    print("openfisca-loaded" if "openfisca_france" in sys.modules else "openfisca-not-loaded")
    """
)


def environment(tmp_path: Path, redis_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CIVIQUEST_SQLITE_PATH": str(tmp_path / "web.sqlite3"),
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def run_web(env: dict[str, str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", WEB], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split("\n")


@pytest.fixture
def taxes_worker(tmp_path: Path, private_redis):  # noqa: F811
    """The Procfile's taxes worker, ready (OpenFisca built) before the test goes on."""
    log = tmp_path / "worker.log"
    env = environment(tmp_path, private_redis.url, CIVIQUEST_DB_POOL="0", CIVIQUEST_PRELOAD_OPENFISCA="1")
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "config", "worker", "--queues", "taxes", "--pool", "threads"]
            + ["--concurrency", "2", "--hostname", "taxes-test@%h", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat", "--loglevel", "INFO"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "ready." not in log.read_text():
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        yield log
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_the_worker_computes_the_estimate_and_the_web_never_loads_openfisca(tmp_path, private_redis, taxes_worker):  # noqa: F811
    lines = run_web(environment(tmp_path, private_redis.url))
    assert lines[0].startswith("status 200"), lines
    assert lines[1:5] == ["estimate", "available", "kept", "openfisca-not-loaded"], lines
    assert "taxes.estimate" in taxes_worker.read_text() and "succeeded" in taxes_worker.read_text()


def test_without_the_worker_the_page_says_so_in_time_and_keeps_the_input(tmp_path, private_redis):  # noqa: F811
    lines = run_web(environment(tmp_path, private_redis.url, TAXES_ESTIMATE_TIMEOUT_SECONDS="1"))
    status, seconds = lines[0].split()[1], float(lines[0].split()[3])
    # The page waits 1 s for a worker; without that timeout it would wait forever. The margin
    # is for a loaded CI machine (the page itself renders in well under a second).
    assert status == "200" and seconds < 8, lines
    assert lines[1:5] == ["no-estimate", "unavailable", "kept", "openfisca-not-loaded"], lines
