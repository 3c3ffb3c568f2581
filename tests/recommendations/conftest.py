import pytest

from civiquest.actions.catalogue import catalogue_load


@pytest.fixture
def rules(db):
    """The demo catalogue and, with it, the rules of rules.yaml, as ``make demo`` loads them."""
    catalogue_load()
