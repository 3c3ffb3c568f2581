"""The real assistant over the real catalogue: the 18 procedures loaded and indexed in a temporary directory."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from civiquest.actions.catalogue import catalogue_load
from civiquest.assistant.services import feed_import, knowledge_refresh_now


@pytest.fixture(autouse=True)
def _index_in_tmp(settings, tmp_path):
    """Each test indexes into its own directory (never the project's var/)."""
    settings.ASSISTANT_INDEX_DIR = tmp_path / "assistant-index"
    settings.ASSISTANT_PROVIDER = "extractive"


@pytest.fixture
def knowledge(db):
    """As the demo: the catalogue of procedures and the sample fiches, indexed for retrieval."""
    catalogue_load()
    feed_import(path=Path(settings.BASE_DIR) / "data" / "service-public", delete_missing=False)
    knowledge_refresh_now()


def sse_events(content: bytes) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events = []
    for block in content.decode().split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        events.append((name, json.loads("\n".join(data))))
    return events
