import os
import re

import pytest

from tests.accounts.factories import (
    AgentFactory,
    CitizenFactory,
    StaffFactory,
    SuperuserFactory,
)
from tests.accounts.factories import login_verified as _login_verified
from tests.quests.fixtures import (  # noqa: F401 - the quest fixtures every app's tests share
    draft_quest,
    instructor,
    mairie,
    manager,
    moving,
    passport,
    ready_quest,
)


def _redis_database_per_worker() -> None:
    """Under pytest-xdist, each worker process takes its own Redis database (15, 14, …).

    Every test begins by emptying the cache, and the circuit breakers, rate limits and
    sandbox faults live in it: workers sharing one database would undo each other's state.
    Django is set up by now but has opened no cache and Celery has read no setting yet.
    """
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    match = re.fullmatch(r"(.+)/(\d+)", settings.REDIS_URL or "")
    if not worker or match is None:
        return
    database = int(match.group(2)) - int(worker.removeprefix("gw"))
    if database < 0:
        raise pytest.UsageError("Too many pytest-xdist workers for one Redis database each (use -n 8 or fewer).")
    url = f"{match.group(1)}/{database}"
    os.environ["REDIS_URL"] = url
    settings.REDIS_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CELERY_BROKER_URL = url
    settings.CELERY_RESULT_BACKEND = url


_redis_database_per_worker()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply: PBKDF2's deliberate cost (~0.5 s a user) only slows the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Uploaded documents (and the assistant's index) go to a per-test folder, never to var/; no antivirus."""
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    # The assistant's index too: a publication rebuilds it after commit.
    settings.ASSISTANT_INDEX_DIR = tmp_path / "assistant-index"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_inline():
    """Tasks run inline in tests, with or without REDIS_URL: no worker consumes the broker here."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _french_first():
    """Each test starts in French: a request in English (the language switcher) leaves it active in the thread."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (and page chrome), so no test sees another's entries."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["fragments"].clear()


@pytest.fixture
def citizen(db):
    return CitizenFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def staff(db):
    """Platform staff with a confirmed TOTP device (sign them in with ``login_verified``)."""
    return StaffFactory()


@pytest.fixture
def superuser(db):
    """A superuser (staff role) with a confirmed TOTP device."""
    return SuperuserFactory()


@pytest.fixture
def user_for_role(db):
    """Build a user for a role name used in parametrized tests (staff ones have a TOTP device)."""
    factories = {
        "citizen": CitizenFactory,
        "agent": AgentFactory,
        "staff": StaffFactory,
        "superuser": SuperuserFactory,
    }

    def build(role: str):
        return factories[role]()

    return build


@pytest.fixture
def login_verified():
    """``login_verified(client, user)``: force-login, and for staff mark the session OTP-verified."""
    return _login_verified
