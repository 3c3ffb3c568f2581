"""One transaction per use case, and no savepoint inside it that nobody needs.

``use_case`` opens a use case's transaction (``civiquest.actions``): its own, or a savepoint
when the caller already holds one (a test, a bulk action, a management command).

``atomic`` wraps a domain write instead of ``transaction.atomic``. Called on its own, it is
exactly ``transaction.atomic``: its own transaction, or a savepoint inside the caller's,
who may catch its failure and go on. Called inside a use case, it joins the use case's
transaction without a savepoint: a savepoint costs two statements (``SAVEPOINT`` and
``RELEASE``), and a use case never catches a write's failure half-way — the failure fails
the whole use case. A use case that must go on after a failure (a bulk action, quest after
quest) opens a ``transaction.atomic()`` block around it, which stays a savepoint. So do the
writes that catch an ``IntegrityError`` themselves (an event key taken by a concurrent
writer): they keep ``transaction.atomic``.

A use case whose body caught such a failure and went on would be rolled back in silence by
Django when its block ends (the transaction is marked for rollback): ``use_case`` raises
``TransactionManagementError`` instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar, overload

from django.db import transaction
from django.db.transaction import TransactionManagementError

P = ParamSpec("P")
R = TypeVar("R")

_IN_USE_CASE: ContextVar[bool] = ContextVar("civiquest_in_use_case", default=False)


@contextmanager
def _use_case_block() -> Iterator[None]:
    with transaction.atomic():
        token = _IN_USE_CASE.set(True)
        try:
            yield
        finally:
            _IN_USE_CASE.reset(token)
        if transaction.get_connection().needs_rollback:
            raise TransactionManagementError(
                "A write failed inside this use case and the failure was caught: its transaction cannot commit."
            )


@contextmanager
def _write_block() -> Iterator[None]:
    joins = _IN_USE_CASE.get() and transaction.get_connection().in_atomic_block
    with transaction.atomic(savepoint=not joins):
        yield


def _decorate(block: Callable[[], AbstractContextManager[None]], func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with block():
            return func(*args, **kwargs)

    return run


@overload
def use_case(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def use_case(func: None = None, /) -> AbstractContextManager[None]: ...
def use_case(func: Callable[P, R] | None = None, /) -> Callable[P, R] | AbstractContextManager[None]:
    """The use case's transaction: as a decorator, or ``with use_case():``."""
    return _use_case_block() if func is None else _decorate(_use_case_block, func)


@overload
def atomic(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def atomic(func: None = None, /) -> AbstractContextManager[None]: ...
def atomic(func: Callable[P, R] | None = None, /) -> Callable[P, R] | AbstractContextManager[None]:
    """A domain write's transaction: as a decorator, or ``with atomic():`` (module docstring)."""
    return _write_block() if func is None else _decorate(_write_block, func)
