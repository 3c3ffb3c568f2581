"""A live server whose BAN sandbox answers from a small real subset of the BAN extract."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings

from civiquest.integrations.address import importer
from civiquest.sandbox import http_faults

EXTRACT = Path(django_settings.BASE_DIR) / "data" / "ban" / "adresses-addok-nouvelle-caledonie.ndjson.gz"
# Nouméa and Dumbéa, with a handful of their streets (Rue de Sébastopol among them): enough
# for real answers, small enough to import in every test (the live server flushes the database).
CITYCODES = {"98818", "98805"}
STREETS_PER_COMMUNE = 15
SEBASTOPOL = "98818_5pnyp8"


def _subset() -> list[dict[str, Any]]:
    with gzip.open(EXTRACT, "rt", encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle]
    chosen: list[dict[str, Any]] = []
    streets: dict[str, int] = {}
    for document in documents:
        citycode = document["citycode"][0] if isinstance(document["citycode"], list) else document["citycode"]
        if citycode not in CITYCODES:
            continue
        if document["type"] == "municipality" or document["id"] == SEBASTOPOL:
            chosen.append(document)
        elif streets.get(citycode, 0) < STREETS_PER_COMMUNE and document.get("housenumbers"):
            streets[citycode] = streets.get(citycode, 0) + 1
            chosen.append(document)
    return chosen


@pytest.fixture(scope="session")
def ban_subset() -> list[dict[str, Any]]:
    return _subset()


@pytest.fixture
def ban_subset_file(ban_subset, tmp_path) -> Path:
    path = tmp_path / "subset.ndjson"
    path.write_text("".join(json.dumps(document) + "\n" for document in ban_subset), encoding="utf-8")
    return path


@pytest.fixture
def sebastopol(ban_subset) -> dict[str, Any]:
    return next(document for document in ban_subset if document["id"] == SEBASTOPOL)


@pytest.fixture
def ban_settings(settings, live_server):
    """The real client pointed at the live server's sandbox, with small, fast resilience settings."""
    settings.SANDBOXES_ENABLED = True
    settings.SANDBOX_HTTP_SLOW_SECONDS = 1.5
    settings.ADDRESS_BACKEND = "http"
    settings.ADDRESS_CACHE_SECONDS = 300
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        "ban": {
            **settings.INTEGRATIONS["ban"],
            "BASE_URL": live_server.url + "/sandbox/ban/geocodage",
            "TIMEOUT": 0.5,
            "RETRIES": 2,
            "BACKOFF": 0.01,
            "FAILURE_THRESHOLD": 3,
            "RECOVERY_SECONDS": 1.0,
            # Room for every attempt and a 1-second Retry-After, as production's longer timeouts leave.
            "DEADLINE": 3.0,
        },
    }
    return settings


@pytest.fixture
def ban_live(ban_settings, ban_subset_file):
    """The live sandbox, loaded with the subset, no fault pending and its request counter at zero."""
    importer.import_file(ban_subset_file)
    http_faults.clear("ban")
    # Warm up (URLconf import on the server thread, the engine's in-memory index): the
    # tests' 0.5 s timeout then measures the protocol, not the first request's start-up.
    httpx.get(ban_settings.INTEGRATIONS["ban"]["BASE_URL"] + "/search", params={"q": "noumea"}, timeout=30)
    http_faults.reset_requests_seen("ban")
    yield ban_settings
    http_faults.clear("ban")


def set_ban(settings, **values: Any) -> None:
    settings.INTEGRATIONS = {**settings.INTEGRATIONS, "ban": {**settings.INTEGRATIONS["ban"], **values}}
