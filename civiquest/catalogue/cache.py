"""The catalogue's rendered listing, cached: the most read page of the site, the same for everyone.

A rendered listing is kept under the catalogue's current version, which any change to what
the listing shows (a procedure, its life events, the name of its service) replaces, both at
once and when the change commits (so that a reader between the two cannot keep the old
listing under the new version). Entries also expire, as a bound on anything missed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from django.core.cache import cache, caches
from django.db import transaction

from civiquest.core.fragments import FRAGMENTS

VERSION_KEY = "procedures:catalogue:version"
LISTING_SECONDS = 600
# A run of white space across lines is one line break to a browser (the listing has no <pre> nor
# <textarea>): the templates' indentation is dropped from what is kept and sent on every request.
_INDENTATION = re.compile(r"\s*\n\s*")


def catalogue_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    # With the cache down every read misses: a fresh version each time renders each time.
    return str(version or uuid4().hex)


def new_catalogue_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)


def catalogue_changed(**_signal: Any) -> None:
    """Connected to the models the listing shows (``ProceduresConfig.ready``)."""
    new_catalogue_version()
    transaction.on_commit(new_catalogue_version)


def cached_listing(*, parts: tuple[str, ...], render: Callable[[], str]) -> str:
    """The listing for ``parts`` (language, filters, page), rendered once per catalogue version;
    also a visitor's whole page body (``parts`` then start with ``"body"``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    key = f"procedures:catalogue:{catalogue_version()}:{digest}"
    # The version is read from the shared cache on every request, so a copy kept in this process
    # under it is never stale; it saves unpickling the whole listing from the shared cache.
    near = caches[FRAGMENTS]
    html = near.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = _INDENTATION.sub("\n", render())
            cache.set(key, html, LISTING_SECONDS)
        near.set(key, str(html), LISTING_SECONDS)
    return str(html)
