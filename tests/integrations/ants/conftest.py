"""The ANTS coordination client pointed at its sandbox on the live server (a real socket)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from civiquest.integrations.passport.coordination import SERVICE
from tests.integrations.sandboxes import sandbox_session


@pytest.fixture
def ants_api(live_server, settings) -> Iterator[str]:
    """The sandbox's base URL; the client talks to it over the live server's socket."""
    yield from sandbox_session(
        settings, SERVICE, live_server.url + "/sandbox/ants/api", TOKEN="sandbox-ants-token-for-tests"
    )


@pytest.fixture
def catalogue(db) -> None:
    call_command("catalogue_load", stdout=io.StringIO())
