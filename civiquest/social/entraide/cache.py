"""The entraide box of every quest step, cached: the same for every citizen on that step.

A step's best questions are kept under the entraide's version, which any write to a question,
an answer or a vote replaces, at once and when it commits (a reader between the two would
otherwise keep the old rows under the new version); writes that send no signal (an
``update``) call ``entraide_changed`` themselves. Entries also expire, as a bound on anything
missed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

VERSION_KEY = "entraide:version"
READ_SECONDS = 600
_MISSING = object()


def entraide_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version or uuid4().hex)  # the cache down: every read misses


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)


def entraide_changed(**_signal: Any) -> None:
    """A question, an answer or a vote changed (``EntraideConfig.ready`` connects it to their saves and deletes)."""
    _new_version()
    transaction.on_commit(_new_version)


def cached_entraide_read(name: str, compute: Callable[[], T]) -> T:
    key = f"entraide:{entraide_version()}:{name}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found  # what ``compute`` returned before
    value = compute()
    cache.set(key, value, READ_SECONDS)
    return value
