"""Staff and operators changing the catalogue: publishing a procedure, loading the catalogue's definitions.

The assistant answers from the catalogue: what publishes also schedules its refresh, once the
transaction commits (one refresh however many procedures were published).
"""

from __future__ import annotations

from collections.abc import Iterable

from civiquest.accounts.models import User
from civiquest.assistant.services import knowledge_refresh_later
from civiquest.catalogue import builder
from civiquest.catalogue.definitions import loader
from civiquest.catalogue.definitions.base import ProcedureDefinition
from civiquest.catalogue.models import Procedure, ProcedureRevision
from civiquest.core.transactions import use_case
from civiquest.recommendations.rules import rules_load


@use_case
def procedure_publish(*, actor: User, procedure: Procedure) -> ProcedureRevision:
    """Publish the procedure's draft (``RevisionInvalid`` with every problem otherwise), audited."""
    revision = builder.publish(actor=actor, procedure=procedure)
    knowledge_refresh_later()
    return revision


@use_case
def catalogue_load(definitions: Iterable[ProcedureDefinition] | None = None) -> list[loader.LoadResult]:
    """Load the catalogue's definitions (all of them by default); ``CatalogueInvalid`` loads nothing.

    The whole catalogue comes with the recommendation rules that point to its procedures
    (``recommendations.rules.rules_load``: staff-changed rules are kept).
    """
    results = loader.catalogue_load(definitions)
    if definitions is None:
        rules_load()
    knowledge_refresh_later()
    return results
