import pytest

from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, SuperuserFactory


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
    return StaffFactory()


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def user_for_role(db):
    """Build a signed-in user for a role name used in parametrized tests."""
    factories = {
        "citizen": CitizenFactory,
        "agent": AgentFactory,
        "staff": StaffFactory,
        "superuser": SuperuserFactory,
    }

    def build(role: str):
        return factories[role]()

    return build
