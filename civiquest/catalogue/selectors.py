"""Reads of the catalogue that other apps need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch

from civiquest.catalogue.models import (
    REVISION_NEEDS,
    Field,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
)


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


# --- The builder's reads --------------------------------------------------------------------


def procedure_for_builder(procedure_id: int) -> Procedure | None:
    return Procedure.objects.select_related("instructing_service").filter(pk=procedure_id).first()


def slug_taken(slug: str, *, other_than: int | None = None) -> bool:
    """Whether another procedure already has this slug."""
    others = Procedure.objects.filter(slug=slug)
    if other_than is not None:
        others = others.exclude(pk=other_than)
    return others.exists()


def revision_of(procedure: Procedure, *, status: str) -> ProcedureRevision | None:
    """The procedure's draft or published revision (at most one of each)."""
    return ProcedureRevision.objects.filter(procedure=procedure, status=status).first()


def revision_with_steps(procedure: Procedure, *, status: str) -> ProcedureRevision | None:
    """The same, with its procedure, steps and fields loaded (three queries)."""
    return (
        ProcedureRevision.objects.filter(procedure=procedure, status=status)
        .select_related("procedure")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.prefetch_related("fields")))
        .first()
    )


def draft_step(*, procedure_id: int, step_id: int) -> Step | None:
    return (
        Step.objects.select_related("revision__procedure")
        .filter(pk=step_id, revision__procedure_id=procedure_id, revision__status=RevisionStatus.DRAFT)
        .first()
    )


def draft_field(*, procedure_id: int, step_id: int, field_id: int) -> Field | None:
    return (
        Field.objects.select_related("step__revision__procedure")
        .filter(
            pk=field_id,
            step_id=step_id,
            step__revision__procedure_id=procedure_id,
            step__revision__status=RevisionStatus.DRAFT,
        )
        .first()
    )


def revision_fields(revision: ProcedureRevision) -> list[Field]:
    """Every field of the revision in the order a citizen meets them."""
    return list(Field.objects.filter(revision=revision).select_related("step").order_by("step__position", "position"))


def published_steps(procedure: Procedure) -> list[Step]:
    return list(
        Step.objects.filter(revision__procedure=procedure, revision__status=RevisionStatus.PUBLISHED).order_by(
            "position"
        )
    )


# --- The catalogue's search -----------------------------------------------------------------


def published_procedures_ranked(slugs: Sequence[str], *, theme: str = "", life_event: str = "") -> list[Procedure]:
    """The published procedures among ``slugs``, in their order, of the theme and life event if given (two queries).

    The order comes from the caller (the site's search ranks procedures with the assistant's
    retrieval, ``civiquest.assistant.selectors.catalogue_search``); unknown, draft or closed
    slugs are left out. Loads what the catalogue's cards show: the instructing service and
    the life events.
    """
    position = {slug: index for index, slug in enumerate(dict.fromkeys(slugs))}
    if not position:
        return []
    procedures = Procedure.objects.filter(status=ProcedureStatus.PUBLISHED, slug__in=list(position))
    if theme:
        procedures = procedures.filter(theme=theme)
    if life_event:
        procedures = procedures.filter(life_events__code=life_event)
    found = procedures.select_related("instructing_service").prefetch_related("life_events")
    return sorted(found, key=lambda procedure: position[procedure.slug])
