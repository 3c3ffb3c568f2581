"""One transaction per use case: domain writes join it without savepoints, and fail it whole."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from civiquest.accounts.models import Service, ServiceKind
from civiquest.core.transactions import atomic, use_case

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


@atomic
def write(name: str) -> None:
    Service.objects.create(name=name, kind=ServiceKind.MAIRIE)


@atomic
def refused_write(name: str) -> None:
    write(name)
    raise Refused(name)


def names() -> list[str]:
    return list(Service.objects.order_by("pk").values_list("name", flat=True))


def savepoints(captured: CaptureQueriesContext) -> int:
    return sum(query["sql"].startswith("SAVEPOINT") for query in captured.captured_queries)


def test_a_write_on_its_own_is_atomic_as_django_makes_it():
    # Inside the test's transaction: a savepoint, so the caller may catch its failure and go on.
    with CaptureQueriesContext(connection) as captured:
        write("alone")
    assert savepoints(captured) == 1
    with pytest.raises(Refused):
        refused_write("rolled back")
    assert names() == ["alone"]


def test_inside_a_use_case_writes_join_its_transaction_without_savepoints():
    @use_case
    def two_writes() -> None:
        write("first")
        write("second")

    with CaptureQueriesContext(connection) as captured:
        two_writes()
    assert savepoints(captured) == 1  # the use case's own (its BEGIN in production)
    assert len(names()) == 2


def test_a_failed_write_fails_the_whole_use_case():
    @use_case
    def then_refused() -> None:
        write("kept?")
        refused_write("refused")

    with pytest.raises(Refused):
        then_refused()
    assert names() == []


def test_a_use_case_that_swallows_a_failed_write_raises_instead_of_rolling_back_in_silence():
    @use_case
    def swallowing() -> None:
        write("lost")
        try:
            refused_write("refused")
        except Refused:
            pass

    with pytest.raises(TransactionManagementError):
        swallowing()
    assert names() == []


def test_a_use_case_goes_on_after_a_failure_inside_its_own_savepoint():
    with use_case():
        write("kept")
        try:
            with transaction.atomic():
                refused_write("refused")
        except Refused:
            pass
        write("after")
    assert names() == ["kept", "after"]
