import pytest

from tests.accounts.factories import (
    AgentFactory,
    CitizenFactory,
    StaffFactory,
    SuperuserFactory,
)
from tests.accounts.factories import login_verified as _login_verified


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
    """Each test starts with an empty cache, so no test sees another's entries."""
    from django.core.cache import cache

    cache.clear()


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
