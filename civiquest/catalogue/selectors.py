"""Reads of the catalogue that other apps need."""

from __future__ import annotations

from typing import Any

from civiquest.catalogue.models import REVISION_NEEDS, Procedure, ProcedureStatus, RevisionStatus


def procedure_slug_needing(**need: Any) -> str | None:
    """The slug of the published procedure whose published revision declares ``need`` (one query).

    ``need`` names fields of ``REVISION_NEEDS``, e.g. ``tax_calendar=True`` or
    ``issued_title="passport"``: features follow what staff set in the builder, not a slug.
    """
    unknown = set(need) - set(REVISION_NEEDS)
    if unknown:
        raise ValueError(f"not a revision need: {sorted(unknown)}")
    wanted = {f"revisions__{name}": value for name, value in need.items()}
    return (
        Procedure.objects.filter(
            status=ProcedureStatus.PUBLISHED, revisions__status=RevisionStatus.PUBLISHED, **wanted
        )
        .order_by("pk")
        .values_list("slug", flat=True)
        .first()
    )
