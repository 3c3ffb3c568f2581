"""Writes of the staff procedure builder: a procedure's description and its draft revision.

Every function is keyword-only, atomic, and records what it did in the audit log
(``accounts.audit.audit_record``) within the same transaction. Steps and fields are only
ever changed in a draft revision (the models refuse anything else). Positions stay
``1..n`` without gaps: moving swaps two neighbours, deleting closes the gap.

``builder_problems`` wraps ``validation.revision_problems`` with checks that only the
builder's free editing can break (condition values that are not among a choice field's
choices, unknown badge codes format, duplicate step titles…).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import Service, User
from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.definitions.loader import FIELD_ATTRIBUTES, STEP_ATTRIBUTES
from civiquest.catalogue.errors import RevisionInvalid
from civiquest.catalogue.models import (
    REVISION_NEEDS,
    Field,
    FieldKind,
    LifeEventCode,
    Procedure,
    ProcedureRevision,
    RevisionStatus,
    Step,
)
from civiquest.catalogue.services import (
    procedure_close,
    procedure_life_events_set,
    revision_draft_ensure,
    revision_loaded,
    revision_publish,
)
from civiquest.core.errors import ProcedureError

# What the builder may set on each model; anything else in ``values`` is refused.
PROCEDURE_ATTRIBUTES = (
    "slug",
    "title",
    "summary",
    "keywords",
    "theme",
    "audience",
    "official_links",
    "instructing_service",
    "estimated_minutes",
    "cost_label",
    "cost_cents",
    "legal_delay_days",
    "attestation_template",
)
UP, DOWN = "up", "down"
# A position no real step or field reaches, used while swapping two neighbours.
SWAP_POSITION = 32_000
CHOICE_KINDS = frozenset({FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE})


def procedure_has_attestation_template() -> bool:
    """Whether the procedure model carries an attestation template (added by the instruction work)."""
    return any(field_.name == "attestation_template" for field_ in Procedure._meta.get_fields())


def _assign(instance: Any, values: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    """Set the allowed attributes; return what changed, as text, for the audit log."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ProcedureError(_("Réglages inconnus : %(names)s.") % {"names": ", ".join(sorted(unknown))})
    changed: dict[str, Any] = {}
    for name, value in values.items():
        if name == "attestation_template" and not procedure_has_attestation_template():
            continue
        if getattr(instance, name) != value:
            changed[name] = str(value) if not isinstance(value, (list, dict, int, bool, type(None))) else value
            setattr(instance, name, value)
    return changed


# --- Procedures -----------------------------------------------------------------------------


@transaction.atomic
def procedure_create(
    *, actor: User, values: Mapping[str, Any], life_events: Iterable[LifeEventCode | str] = ()
) -> Procedure:
    """A new procedure, a draft with an empty first revision."""
    procedure = Procedure()
    _assign(procedure, values, PROCEDURE_ATTRIBUTES)
    procedure.full_clean()
    procedure.save()
    codes = procedure_life_events_set(procedure=procedure, codes=life_events)
    revision_draft_ensure(procedure=procedure)
    audit_record(
        actor=actor,
        action="procedure.create",
        target=procedure,
        details={"slug": procedure.slug, "life_events": codes},
    )
    return procedure


@transaction.atomic
def procedure_update(
    *, actor: User, procedure: Procedure, values: Mapping[str, Any], life_events: Iterable[LifeEventCode | str]
) -> Procedure:
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    changed = _assign(locked, values, PROCEDURE_ATTRIBUTES)
    locked.full_clean()
    locked.save()
    before = set(locked.life_events.values_list("code", flat=True))
    codes = procedure_life_events_set(procedure=locked, codes=life_events)
    if set(codes) != before:
        changed["life_events"] = codes
    audit_record(actor=actor, action="procedure.update", target=locked, details={"changed": changed})
    return locked


@transaction.atomic
def draft_ensure(*, actor: User, procedure: Procedure) -> ProcedureRevision:
    """The draft revision to edit; making one (a copy of the latest revision) is audited."""
    existed = ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.DRAFT).exists()
    draft = revision_draft_ensure(procedure=procedure)
    if not existed:
        audit_record(actor=actor, action="revision.draft", target=procedure, details={"revision": draft.number})
    return draft


@transaction.atomic
def publish(*, actor: User, procedure: Procedure) -> ProcedureRevision:
    """Publish the draft; refused with ``RevisionInvalid`` listing every problem."""
    draft = ProcedureRevision.objects.filter(procedure=procedure, status=RevisionStatus.DRAFT).first()
    if draft is None:
        raise ProcedureError(_("Cette démarche n’a pas de révision en brouillon à publier."))
    problems = builder_problems(revision_loaded(draft.pk))
    if problems:
        raise RevisionInvalid(_("Cette révision ne peut pas être publiée."), problems)
    revision = revision_publish(procedure=procedure)
    audit_record(actor=actor, action="procedure.publish", target=procedure, details={"revision": revision.number})
    return revision


@transaction.atomic
def close(*, actor: User, procedure: Procedure, motivation: str = "") -> Procedure:
    procedure_close(procedure=procedure)
    audit_record(actor=actor, action="procedure.close", target=procedure, motivation=motivation)
    return procedure


# --- Validation -----------------------------------------------------------------------------


def _condition_items(condition: Any) -> list[dict[str, Any]]:
    if not condition:
        return []
    items = condition if isinstance(condition, list) else [condition]
    return [item for item in items if isinstance(item, dict)]


def builder_problems(revision: ProcedureRevision) -> list[str]:
    """``revision_problems`` and the builder's own checks; uses the prefetched steps and fields."""
    problems = revision_problems(revision)
    fields_by_name: dict[str, Field] = {}
    titles: dict[str, int] = {}
    for step in revision.steps.all():
        titles[step.title.strip().lower()] = titles.get(step.title.strip().lower(), 0) + 1
        where = _("Étape « %(title)s »") % {"title": step.title}
        problems += _condition_value_problems(step.condition, fields_by_name, where)
        for field_ in step.fields.all():
            field_where = _("Champ « %(label)s »") % {"label": field_.label}
            problems += _condition_value_problems(field_.condition, fields_by_name, field_where)
            fields_by_name[field_.name] = field_
    for title, count in titles.items():
        if count > 1:
            problems.append(_("Deux étapes portent le même titre « %(title)s ».") % {"title": title})
    badges = revision.badge_codes
    if not isinstance(badges, list) or not all(isinstance(code, str) and code.strip() for code in badges):
        problems.append(_("Les badges doivent être une liste de codes."))
    elif len(set(badges)) != len(badges):
        problems.append(_("Un même badge est donné deux fois."))
    return problems


def _condition_value_problems(condition: Any, fields_by_name: Mapping[str, Field], where: str) -> list[str]:
    problems = []
    for item in _condition_items(condition):
        field_ = fields_by_name.get(str(item.get("field")))
        if field_ is None:
            continue  # revision_problems names the missing field.
        raw_value = item.get("value")
        values: list[Any] = raw_value if isinstance(raw_value, list) else [raw_value]
        if field_.kind in CHOICE_KINDS:
            allowed = {str(choice.get("value")) for choice in field_.choices if isinstance(choice, dict)}
            wrong = [str(value) for value in values if str(value) not in allowed]
            if wrong:
                problems.append(
                    _("%(where)s : la condition attend « %(values)s », qui n’est pas un choix de « %(field)s ».")
                    % {"where": where, "values": ", ".join(wrong), "field": field_.label}
                )
        if field_.kind == FieldKind.YES_NO and not all(isinstance(value, bool) for value in values):
            problems.append(
                _("%(where)s : la condition sur « %(field)s » attend oui ou non.")
                % {"where": where, "field": field_.label}
            )
    return problems


# --- Rewards --------------------------------------------------------------------------------


@transaction.atomic
def rewards_update(
    *, actor: User, revision: ProcedureRevision, xp_per_step: int, completion_xp: int, badge_codes: list[str]
) -> ProcedureRevision:
    locked = ProcedureRevision.objects.select_for_update().get(pk=revision.pk)
    changed = _assign(
        locked,
        {"xp_per_step": xp_per_step, "completion_xp": completion_xp, "badge_codes": badge_codes},
        ("xp_per_step", "completion_xp", "badge_codes"),
    )
    locked.save()
    audit_record(
        actor=actor,
        action="revision.rewards",
        target=locked.procedure,
        details={"revision": locked.number, "changed": changed},
    )
    return locked


# --- Steps ----------------------------------------------------------------------------------


def _step_label(step: Step) -> tuple[str, str, str]:
    return ("procedures.step", str(step.pk), step.title)


@transaction.atomic
def step_add(*, actor: User, revision: ProcedureRevision, values: Mapping[str, Any]) -> Step:
    locked = ProcedureRevision.objects.select_for_update().get(pk=revision.pk)
    last = Step.objects.filter(revision=locked).aggregate(last=Max("position"))["last"] or 0
    step = Step(revision=locked, position=last + 1)
    _assign(step, values, STEP_ATTRIBUTES)
    step.full_clean()
    step.save()
    audit_record(
        actor=actor,
        action="step.add",
        target=_step_label(step),
        details={"procedure": locked.procedure_id, "revision": locked.number, "kind": step.kind, "slug": step.slug},
    )
    return step


@transaction.atomic
def step_update(*, actor: User, step: Step, values: Mapping[str, Any]) -> Step:
    locked = Step.objects.select_for_update().get(pk=step.pk)
    changed = _assign(locked, values, STEP_ATTRIBUTES)
    locked.full_clean()
    locked.save()
    audit_record(actor=actor, action="step.update", target=_step_label(locked), details={"changed": changed})
    return locked


def _swap(model: type[Step] | type[Field], first: Any, second: Any) -> None:
    first_position, second_position = first.position, second.position
    first.position = SWAP_POSITION
    first.save(update_fields=["position"])
    second.position = first_position
    second.save(update_fields=["position"])
    first.position = second_position
    first.save(update_fields=["position"])


def _neighbour(siblings: QuerySet[Any], position: int, direction: str) -> Any:
    """The sibling just above (``up``) or just below a position, or None at an end."""
    if direction == UP:
        return siblings.filter(position__lt=position).order_by("-position").first()
    return siblings.filter(position__gt=position).order_by("position").first()


def _move_to(model: type[Step] | type[Field], siblings: QuerySet[Any], locked: Any, position: int) -> bool:
    """Move ``locked`` to ``position`` among its siblings, one swap at a time; whether it moved."""
    start = locked.position
    direction = UP if position < start else DOWN
    while (locked.position > position) if direction == UP else (locked.position < position):
        neighbour = _neighbour(siblings, locked.position, direction)
        if neighbour is None:
            break
        _swap(model, locked, neighbour)
    return bool(locked.position != start)


def _close_gap(siblings: QuerySet[Any], position: int) -> None:
    """After a deletion at ``position``, move every later sibling up by one (in order: positions stay unique)."""
    for later in siblings.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])


@transaction.atomic
def step_move(*, actor: User, step: Step, direction: str) -> Step:
    """Swap the step with its neighbour above (``up``) or below (``down``); at an end, nothing moves."""
    ProcedureRevision.objects.select_for_update().get(pk=step.revision_id)
    locked = Step.objects.get(pk=step.pk)
    neighbour = _neighbour(Step.objects.filter(revision_id=locked.revision_id), locked.position, direction)
    if neighbour is not None:
        _swap(Step, locked, neighbour)
        audit_record(
            actor=actor, action="step.move", target=_step_label(locked), details={"position": locked.position}
        )
    return locked


@transaction.atomic
def step_move_to(*, actor: User, step: Step, position: int) -> Step:
    """Move the step to a position (1 is first), the others following; one audit event."""
    ProcedureRevision.objects.select_for_update().get(pk=step.revision_id)
    locked = Step.objects.get(pk=step.pk)
    if _move_to(Step, Step.objects.filter(revision_id=locked.revision_id), locked, position):
        audit_record(
            actor=actor, action="step.move", target=_step_label(locked), details={"position": locked.position}
        )
    return locked


@transaction.atomic
def step_delete(*, actor: User, step: Step) -> None:
    ProcedureRevision.objects.select_for_update().get(pk=step.revision_id)
    locked = Step.objects.get(pk=step.pk)
    label = _step_label(locked)
    revision_id, position = locked.revision_id, locked.position
    for field_ in Field.objects.filter(step=locked):
        field_.delete()
    locked.delete()
    _close_gap(Step.objects.filter(revision_id=revision_id), position)
    audit_record(actor=actor, action="step.delete", target=label)


# --- Fields ---------------------------------------------------------------------------------


def _field_label(field_: Field) -> tuple[str, str, str]:
    return ("procedures.field", str(field_.pk), f"{field_.label} ({field_.name})")


def earlier_fields(step: Step, *, before: Field | None = None) -> list[Field]:
    """The fields placed before this step (and before ``before`` in it): what a condition may test."""
    earlier = Field.objects.filter(revision_id=step.revision_id, step__position__lt=step.position)
    same_step = Field.objects.filter(step=step)
    if before is not None:
        same_step = same_step.filter(position__lt=before.position)
    else:
        same_step = same_step.none()
    return list((earlier | same_step).select_related("step").order_by("step__position", "position"))


@transaction.atomic
def field_add(*, actor: User, step: Step, values: Mapping[str, Any]) -> Field:
    ProcedureRevision.objects.select_for_update().get(pk=step.revision_id)
    last = Field.objects.filter(step=step).aggregate(last=Max("position"))["last"] or 0
    field_ = Field(step=step, revision_id=step.revision_id, position=last + 1)
    _assign(field_, values, FIELD_ATTRIBUTES)
    field_.full_clean()
    field_.save()
    audit_record(
        actor=actor,
        action="field.add",
        target=_field_label(field_),
        details={"step": step.slug, "kind": field_.kind},
    )
    return field_


@transaction.atomic
def field_update(*, actor: User, field_: Field, values: Mapping[str, Any]) -> Field:
    locked = Field.objects.select_for_update().get(pk=field_.pk)
    changed = _assign(locked, values, FIELD_ATTRIBUTES)
    locked.full_clean()
    locked.save()
    audit_record(actor=actor, action="field.update", target=_field_label(locked), details={"changed": changed})
    return locked


@transaction.atomic
def field_move(*, actor: User, field_: Field, direction: str) -> Field:
    ProcedureRevision.objects.select_for_update().get(pk=field_.revision_id)
    locked = Field.objects.get(pk=field_.pk)
    neighbour = _neighbour(Field.objects.filter(step_id=locked.step_id), locked.position, direction)
    if neighbour is not None:
        _swap(Field, locked, neighbour)
        audit_record(
            actor=actor, action="field.move", target=_field_label(locked), details={"position": locked.position}
        )
    return locked


@transaction.atomic
def field_move_to(*, actor: User, field_: Field, position: int) -> Field:
    """Move the field to a position in its step (1 is first), the others following; one audit event."""
    ProcedureRevision.objects.select_for_update().get(pk=field_.revision_id)
    locked = Field.objects.get(pk=field_.pk)
    if _move_to(Field, Field.objects.filter(step_id=locked.step_id), locked, position):
        audit_record(
            actor=actor, action="field.move", target=_field_label(locked), details={"position": locked.position}
        )
    return locked


@transaction.atomic
def field_delete(*, actor: User, field_: Field) -> None:
    ProcedureRevision.objects.select_for_update().get(pk=field_.revision_id)
    locked = Field.objects.get(pk=field_.pk)
    label = _field_label(locked)
    step_id, position = locked.step_id, locked.position
    locked.delete()
    _close_gap(Field.objects.filter(step_id=step_id), position)
    audit_record(actor=actor, action="field.delete", target=label)


# --- Services (instructing administrations) -------------------------------------------------

SERVICE_ATTRIBUTES = ("name", "kind", "commune_code", "siret")


@transaction.atomic
def service_create(*, actor: User, values: Mapping[str, Any]) -> Service:
    service = Service()
    _assign(service, values, SERVICE_ATTRIBUTES)
    service.full_clean()
    service.save()
    audit_record(actor=actor, action="service.create", target=service, details={"kind": service.kind})
    return service


@transaction.atomic
def service_update(*, actor: User, service: Service, values: Mapping[str, Any]) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    changed = _assign(locked, values, SERVICE_ATTRIBUTES)
    locked.full_clean()
    locked.save()
    audit_record(actor=actor, action="service.update", target=locked, details={"changed": changed})
    return locked


# --- What the procedure needs ---------------------------------------------------------------


@transaction.atomic
def needs_update(*, actor: User, revision: ProcedureRevision, needs: Mapping[str, Any]) -> ProcedureRevision:
    """Set what the draft revision needs from the services around it (appointment, title, taxes, address)."""
    locked = ProcedureRevision.objects.select_for_update().get(pk=revision.pk)
    changed = _assign(locked, dict(needs), REVISION_NEEDS)
    locked.full_clean(exclude=["procedure"], validate_unique=False, validate_constraints=False)
    locked.save()
    audit_record(
        actor=actor,
        action="revision.needs",
        target=locked.procedure,
        details={"revision": locked.number, "changed": changed},
    )
    return locked
