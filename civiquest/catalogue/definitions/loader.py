"""Load the catalogue into the database, idempotently, through the procedure services.

For each definition:

- the procedure is created, or its descriptive attributes (title, summary, theme, links,
  service, cost…) and life events are updated in place when they differ: they are not
  revision content, and a quest does not depend on them;
- when the published revision's content (steps, fields, rewards) differs from the
  definition, or nothing is published yet, the draft revision (``revision_draft_ensure``)
  gets the definition's content and is published (``revision_publish``). Open quests stay
  on the revision they started on. An administrator's pending draft is overwritten: the
  catalogue's code is the source of truth for these slugs;
- a closed procedure is left alone: closing it was a decision the loader does not undo.

A revision with problems (``revision_problems``) is never published: ``CatalogueInvalid``
names the procedure and every problem, and the whole load is rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from civiquest.accounts.models import Service, ServiceKind
from civiquest.catalogue import definitions as catalogue
from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.definitions.base import ProcedureDefinition, ServiceRef
from civiquest.catalogue.models import (
    REVISION_NEEDS,
    Field,
    LifeEventCode,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
)
from civiquest.catalogue.services import (
    procedure_life_events_set,
    revision_draft_ensure,
    revision_loaded,
    revision_publish,
)

# The demo services the catalogue's instructed procedures are attached to (looked up by
# name, made if absent), as ``accounts.services.DEMO_SERVICES`` names them.
SERVICES: dict[str, tuple[str, ServiceKind, str]] = {
    "mairie": ("Mairie de Nouméa", ServiceKind.MAIRIE, "98818"),
    "prefecture": ("Haut-commissariat de la République en Nouvelle-Calédonie", ServiceKind.PREFECTURE, "98818"),
}
PROCEDURE_ATTRIBUTES = (
    "title",
    "summary",
    "keywords",
    "theme",
    "audience",
    "estimated_minutes",
    "cost_label",
    "cost_cents",
    "legal_delay_days",
)
STEP_ATTRIBUTES = (
    "slug",
    "title",
    "kind",
    "body",
    "required",
    "external_url",
    "reference_label",
    "reference_pattern",
    "checklist_items",
    "document_types",
    "condition",
    "xp",
    "stage",
)
FIELD_ATTRIBUTES = (
    "name",
    "label",
    "help_text",
    "kind",
    "required",
    "min_length",
    "max_length",
    "min_value",
    "max_value",
    "decimal_places",
    "min_date",
    "max_date",
    "pattern",
    "choices",
    "condition",
    "source",
    "source_condition",
)


class CatalogueInvalid(Exception):
    """A definition that cannot be loaded; ``problems`` lists why."""

    def __init__(self, slug: str, problems: list[str]) -> None:
        self.slug = slug
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Procedure “{slug}” cannot be published:\n{listed}")


@dataclass(frozen=True)
class LoadResult:
    slug: str
    # "created", "republished", "updated" (descriptive attributes only), "unchanged", "closed"
    action: str
    revision_number: int | None


# --- Canonical content, to compare a definition with a stored revision ----------------------


def _plain(value: Any) -> Any:
    """A JSON-comparable value: numbers as normalized decimal text, choices enums as their value."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Decimal | float | int):
        return format(Decimal(str(value)).normalize(), "f")
    return json.loads(json.dumps(value))


def _step_content(step: Step, fields: Iterable[Field]) -> dict[str, Any]:
    content = {name: _plain(getattr(step, name)) for name in STEP_ATTRIBUTES}
    content["fields"] = [{name: _plain(getattr(field_, name)) for name in FIELD_ATTRIBUTES} for field_ in fields]
    return content


def revision_content(revision: ProcedureRevision) -> dict[str, Any]:
    """What a revision holds, as plain data (``revision`` loaded by ``revision_loaded``)."""
    return {
        "xp_per_step": revision.xp_per_step,
        "completion_xp": revision.completion_xp,
        "badge_codes": _plain(revision.badge_codes),
        **{name: getattr(revision, name) for name in REVISION_NEEDS},
        "steps": [_step_content(step, step.fields.all()) for step in revision.steps.all()],
    }


def _split(spec: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    attributes = dict(spec)
    fields = list(attributes.pop("fields", []))
    return attributes, fields


def step_specs(definition: ProcedureDefinition) -> list[dict[str, Any]]:
    """The definition's steps, each with its stage label (``ProcedureDefinition.stages``) unless it names one."""
    stage_of = {slug: label for label, slugs in definition.stages for slug in slugs}
    return [{"stage": stage_of.get(spec["slug"], ""), **spec} for spec in definition.steps]


def _stage_problems(definition: ProcedureDefinition) -> list[str]:
    named = [slug for _label, slugs in definition.stages for slug in slugs]
    unknown = sorted(set(named) - {spec["slug"] for spec in definition.steps})
    return [f"stages name unknown steps: {', '.join(unknown)}"] if unknown else []


def definition_content(definition: ProcedureDefinition) -> dict[str, Any]:
    """What the definition's revision would hold, with the models' defaults filled in."""
    steps = []
    for spec in step_specs(definition):
        attributes, fields = _split(spec)
        steps.append(_step_content(Step(**attributes), [Field(**field_spec) for field_spec in fields]))
    return {
        "xp_per_step": definition.xp_per_step,
        "completion_xp": definition.completion_xp,
        "badge_codes": list(definition.badge_codes),
        **{name: getattr(definition, name) for name in REVISION_NEEDS},
        "steps": steps,
    }


def _links(definition: ProcedureDefinition) -> list[dict[str, str]]:
    return [{"label": label, "url": url} for label, url in definition.official_links]


# --- Loading ----------------------------------------------------------------------------------


def service_for(ref: ServiceRef | None) -> Service | None:
    if ref is None:
        return None
    name, kind, commune_code = SERVICES[ref]
    service, _created = Service.objects.get_or_create(name=name, defaults={"kind": kind, "commune_code": commune_code})
    return service


def _check_unique(definitions: list[ProcedureDefinition]) -> None:
    slugs = [definition.slug for definition in definitions]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise CatalogueInvalid(duplicates[0], ["this slug is defined more than once"])


def _describe(procedure: Procedure, definition: ProcedureDefinition, service: Service | None) -> list[str]:
    """Set the descriptive attributes; the names of those that changed."""
    wanted: dict[str, Any] = {name: getattr(definition, name) for name in PROCEDURE_ATTRIBUTES}
    wanted["official_links"] = _links(definition)
    changed = []
    for name, value in wanted.items():
        if _plain(getattr(procedure, name)) != _plain(value):
            setattr(procedure, name, value)
            changed.append(name)
    if procedure.instructing_service_id != (service.pk if service else None):
        procedure.instructing_service = service
        changed.append("instructing_service")
    try:
        procedure.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise CatalogueInvalid(
            definition.slug, [f"{key}: {' '.join(msgs)}" for key, msgs in error.message_dict.items()]
        ) from error
    return changed


def _write_content(revision: ProcedureRevision, definition: ProcedureDefinition) -> None:
    """Replace the draft revision's steps, fields and rewards with the definition's."""
    for step in list(revision.steps.all()):
        step.delete()
    revision.xp_per_step = definition.xp_per_step
    revision.completion_xp = definition.completion_xp
    revision.badge_codes = list(definition.badge_codes)
    for name in REVISION_NEEDS:
        setattr(revision, name, getattr(definition, name))
    revision.save(update_fields=["xp_per_step", "completion_xp", "badge_codes", *REVISION_NEEDS])
    problems: list[str] = []
    for position, spec in enumerate(step_specs(definition), start=1):
        attributes, fields = _split(spec)
        step = Step(revision=revision, position=position, **attributes)
        problems += _model_problems(step, f"step {step.slug}", exclude=["revision"])
        step.save()
        for field_position, field_spec in enumerate(fields, start=1):
            field_ = Field(step=step, revision=revision, position=field_position, **field_spec)
            problems += _model_problems(field_, f"field {field_.name}", exclude=["step", "revision"])
            field_.save()
    if problems:
        raise CatalogueInvalid(definition.slug, problems)


def _model_problems(instance: Step | Field, where: str, exclude: list[str]) -> list[str]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [f"{where}: {key}: {' '.join(msgs)}" for key, msgs in error.message_dict.items()]
    return []


def _publish(procedure: Procedure, definition: ProcedureDefinition) -> ProcedureRevision:
    draft = revision_draft_ensure(procedure=procedure)
    _write_content(draft, definition)
    problems = revision_problems(revision_loaded(draft.pk)) + _stage_problems(definition)
    if problems:
        raise CatalogueInvalid(definition.slug, problems)
    return revision_publish(procedure=procedure)


def definition_load(definition: ProcedureDefinition) -> LoadResult:
    service = service_for(definition.instructing_service)
    procedure = Procedure.objects.filter(slug=definition.slug).first()
    created = procedure is None
    if procedure is not None and procedure.status == ProcedureStatus.CLOSED:
        number = (
            ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.PUBLISHED)
            .values_list("number", flat=True)
            .first()
        )
        return LoadResult(definition.slug, "closed", number)
    if procedure is None:
        procedure = Procedure(slug=definition.slug, status=ProcedureStatus.DRAFT)
    changed = _describe(procedure, definition, service)
    if created or changed:
        procedure.save()
    if {str(code) for code in definition.life_events} != set(procedure.life_events.values_list("code", flat=True)):
        procedure_life_events_set(procedure=procedure, codes=[LifeEventCode(code) for code in definition.life_events])
        changed.append("life_events")
    published_id = (
        ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.PUBLISHED)
        .values_list("pk", flat=True)
        .first()
    )
    published = revision_loaded(published_id) if published_id is not None else None
    if published is not None and revision_content(published) == definition_content(definition):
        return LoadResult(definition.slug, "updated" if changed else "unchanged", published.number)
    revision = _publish(procedure, definition)
    return LoadResult(definition.slug, "created" if created else "republished", revision.number)


@transaction.atomic
def catalogue_load(definitions: Iterable[ProcedureDefinition] | None = None) -> list[LoadResult]:
    """Load every definition (the whole catalogue by default); all or nothing."""
    if definitions is None:
        definitions = catalogue.CATALOGUE
    listed = list(definitions)
    _check_unique(listed)
    return [definition_load(definition) for definition in listed]
