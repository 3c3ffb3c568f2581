"""The API Impôt particulier client pointed at its sandbox on the live server (a real socket)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civiquest.integrations.taxes.impot_particulier import SERVICE
from tests.integrations.sandboxes import sandbox_session


@pytest.fixture
def dgfip_api(live_server, settings) -> Iterator[str]:
    """The sandbox's base URL; the client talks to it over the live server's socket."""
    yield from sandbox_session(settings, SERVICE, live_server.url + "/sandbox/dgfip")
