"""The real BAN extract, imported once for this package (about 5 s) and removed afterwards."""

from __future__ import annotations

import pytest

from civiquest.integrations.address import importer
from civiquest.integrations.address.models import HouseNumber, ImportState, Place
from tests.integrations.address_local.sample import EXTRACT


def _clear() -> None:
    HouseNumber.objects.all().delete()
    Place.objects.all().delete()
    ImportState.objects.all().delete()


@pytest.fixture(scope="package")
def imported_extract(django_db_setup, django_db_blocker):
    """The import report of the whole extract, committed outside the tests' transactions."""
    with django_db_blocker.unblock():
        _clear()
        report = importer.import_file(EXTRACT)
    yield report
    with django_db_blocker.unblock():
        _clear()


@pytest.fixture
def extract(imported_extract, db):
    """Every test using it sees the whole extract (each test's own writes are rolled back)."""
    assert Place.objects.count() == 1951, "the package's import was flushed by another test"
    return imported_extract
