"""Reads of one citizen's data, cached until that data changes (the dashboard's selectors).

Each citizen has a *generation*, a random token in the shared cache; cached reads are keyed on
it, and any change to a row of the citizen's data draws a new one, so the next read misses and
recomputes (Zulip's flush-on-save, with a generation instead of a list of keys to delete). A
random token, not a counter: a generation lost to eviction is replaced by a new one, never by an
old one whose entries might still be there.

The domains declare which of their models hold a citizen's data
(``invalidate_citizen_on_change``, from their ``AppConfig.ready``): a save or a delete of such a row
draws a new generation at once (for the rest of the request) and again after commit (a read made
by another request before the commit would otherwise have cached the old rows under the new
generation). Writes that send no signal (``QuerySet.update``, ``bulk_create``) call
``citizen_data_changed`` themselves; ``tests/core/test_citizen_cache.py`` checks that every table a
cached read touches is declared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import translation

T = TypeVar("T")

# A generation outlives any cached read keyed on it; reads expire sooner, so that what only the
# passing of time changes within a day (none is known, but the day is in the key) is bounded.
GENERATION_SECONDS = 7 * 24 * 3600
READ_SECONDS = 3600
_MISSING = object()

# Models whose rows hold a citizen's data, with how to find the citizen of a row.
WATCHED: dict[type[Model], Callable[[Any], int | None]] = {}


def _generation_key(citizen_id: int) -> str:
    return f"citizen:{citizen_id}:generation"


def citizen_generation(citizen_id: int) -> str:
    """The citizen's current generation (created on first use)."""
    key = _generation_key(citizen_id)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, uuid.uuid4().hex, GENERATION_SECONDS)
        # The cache may be down (a miss, never an error): a fresh token then caches nothing usable twice.
        generation = cache.get(key) or uuid.uuid4().hex
    return str(generation)


def citizen_data_changed(citizen_id: int | None) -> None:
    """A row of the citizen's data changed: cached reads of theirs are stale from now on."""
    if citizen_id is None:
        return
    key = _generation_key(citizen_id)

    def renew() -> None:
        cache.set(key, uuid.uuid4().hex, GENERATION_SECONDS)

    renew()
    transaction.on_commit(renew)


def cached_citizen_read(name: str, citizen_id: int, compute: Callable[[], T], *, variant: str = "") -> T:
    """``compute()``'s value for this citizen, from the cache while their data is unchanged.

    ``variant`` holds whatever else the value depends on (the day, a catalogue version); the
    interface language is always part of the key, since values may hold translated text.
    """
    language = translation.get_language() or ""
    key = f"citizen:{citizen_id}:{citizen_generation(citizen_id)}:{name}:{language}:{variant}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found  # what ``compute`` returned before
    value = compute()
    cache.set(key, value, READ_SECONDS)
    return value


def invalidate_citizen_on_change(model: type[Model], citizen_of: Callable[[Any], int | None]) -> None:
    """Draw a new generation for the row's citizen whenever a row of ``model`` is saved or deleted."""
    WATCHED[model] = citizen_of

    def changed(sender: type[Model], instance: Model, **_kwargs: Any) -> None:
        citizen_data_changed(citizen_of(instance))

    uid = f"citizen-cache:{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")


def citizen_via(model: type[Model], parent: str, citizen_field: str = "citizen_id") -> Callable[[Any], int | None]:
    """How to find the citizen of a row through its parent (an answer's quest): from the parent
    already loaded with the row, else from one query on the parent's table."""
    descriptor = getattr(model, parent)
    parent_model = descriptor.field.related_model

    def citizen_of(instance: Any) -> int | None:
        if descriptor.is_cached(instance):
            loaded = getattr(instance, parent)
            return None if loaded is None else getattr(loaded, citizen_field)
        parent_id = getattr(instance, descriptor.field.attname)
        if parent_id is None:
            return None
        found = parent_model._default_manager.filter(pk=parent_id).values_list(citizen_field, flat=True).first()
        return None if found is None else int(found)

    return citizen_of
