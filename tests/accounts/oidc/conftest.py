import httpx
import pytest

from tests.accounts.oidc.flow import Visitor, point_providers_at


@pytest.fixture
def providers_on_live_server(settings, live_server, transactional_db):
    """The relying party talks to the sandbox providers on the live server, over loopback HTTP."""
    point_providers_at(settings, live_server.url)
    return live_server


@pytest.fixture
def http():
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        yield client


@pytest.fixture
def visitor(providers_on_live_server, client, http):
    """A person's browser: CiviQuest through Django's test client, the provider over HTTP."""
    return Visitor(client=client, http=http)
