"""The page chrome cached as rendered, per process (the "fragments" cache of the settings).

The footer, the skip links, the navigation entries, the static assets of the head and the
landing's text depend on the code, the translations and the settings only: rendered once per
language and process, they cost a dictionary lookup afterwards. A change of settings (which only
tests make while a process runs: the static files storage, the site's name) empties them, as
Django itself resets the static files storage then.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

FRAGMENTS = "fragments"
_MISSING = object()


def fragments_clear(**_signal: Any) -> None:
    """Connected to ``setting_changed``: what was rendered under the old settings is dropped."""
    caches[FRAGMENTS].clear()


class ProcessFragmentsCache(LocMemCache):
    """``LocMemCache`` for rendered markup: strings are immutable, so they are kept as they are,
    not pickled (every page reads several fragments); keys are not checked for memcached (they
    are the cache tag's own). Anything else is stored as LocMemCache stores it."""

    def make_and_validate_key(self, key: str, version: int | None = None) -> str:
        return self.make_key(key, version=version)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        stored = self._cache.get(self.make_key(key, version=version), _MISSING)  # type: ignore[attr-defined]  # LocMemCache internals, untyped
        if isinstance(stored, str) and not self._expired(key, version):
            return stored
        return super().get(key, default, version) if stored is not _MISSING else default

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        if not isinstance(value, str):
            super().set(key, value, timeout, version)
            return
        made = self.make_key(key, version=version)
        with self._lock:  # type: ignore[attr-defined]
            self._set(made, value, timeout)  # type: ignore[attr-defined]

    def _expired(self, key: str, version: int | None) -> bool:
        expiry = self._expire_info.get(self.make_key(key, version=version))  # type: ignore[attr-defined]
        return expiry is not None and expiry <= time.time()
