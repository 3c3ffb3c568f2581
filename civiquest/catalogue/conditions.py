"""What a citizen is shown: conditions, visibility, a step's errors and a quest's completeness.

- **Inputs.** Every value a quest holds is validated against an ``InputSpec``: a form field,
  or one of the inputs a step asks for without fields (the reference an outside service
  gave, the ticks of a checklist, one document per required type). ``step_inputs(step)``
  lists them; ``clean_value(spec, raw)`` returns the canonical JSON value or raises
  ``InputInvalid`` with a French message naming the label. Cleaning is idempotent: a
  stored value cleans to itself, so answers are re-checked at submission.
- **Conditions.** ``{"field": name, "op": "eq" | "in" | "not_in", "value": ...}`` (or a list
  of them, all of which must hold) shows a step or a field when an *earlier* answer
  matches. An unanswered or hidden field matches nothing, whatever the operator. For a
  multiple-choice answer, ``eq`` means "contains" and ``in``/``not_in`` test whether any
  chosen value is in the list.
- **Visibility** is computed in step and field order, so a field hidden by a condition
  hides in turn what depends on it. Hidden inputs are neither required nor kept at
  submission.
- **Revision integrity.** ``revision_problems(revision)`` lists what keeps a draft from
  being published (bad conditions, patterns, choices, bounds…).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from civiquest.catalogue.cleaning import clean_value, is_empty, required_message
from civiquest.catalogue.inputs import InputInvalid, InputSpec, step_inputs
from civiquest.catalogue.models import (
    Field,
    ProcedureRevision,
    Step,
    StepKind,
)

# --- Conditions and visibility ---------------------------------------------------------------


def _same(left: Any, right: Any) -> bool:
    # True == 1 in Python; a yes/no answer must not match the number 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def _one_condition_met(condition: Any, answers: Mapping[str, Any]) -> bool:
    if not isinstance(condition, dict):
        return False
    name = condition.get("field")
    if not isinstance(name, str) or name not in answers:
        return False
    actual = answers[name]
    expected = condition.get("value")
    actual_values = actual if isinstance(actual, list) else [actual]
    operator = condition.get("op")
    if operator == "eq":
        return any(_same(value, expected) for value in actual_values)
    if operator in ("in", "not_in"):
        options = expected if isinstance(expected, list) else [expected]
        hit = any(_same(value, option) for value in actual_values for option in options)
        return hit if operator == "in" else not hit
    return False


def condition_met(condition: Any, answers: Mapping[str, Any]) -> bool:
    """Whether a step or field with this condition is shown, given the visible answers."""
    if condition is None or condition == {} or condition == []:
        return True
    if isinstance(condition, list):
        return all(_one_condition_met(item, answers) for item in condition)
    return _one_condition_met(condition, answers)


@dataclass
class Visibility:
    """What a revision shows for some answers: the steps, their inputs, and the answers that count."""

    steps: list[Step] = field(default_factory=list)
    inputs: dict[int, list[InputSpec]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)

    def is_visible(self, step: Step) -> bool:
        return step.pk in self.inputs

    def inputs_of(self, step: Step) -> list[InputSpec]:
        return self.inputs.get(step.pk, [])

    @property
    def input_names(self) -> set[str]:
        return {spec.name for specs in self.inputs.values() for spec in specs}


def visibility(revision: ProcedureRevision, answers: Mapping[str, Any]) -> Visibility:
    """Walk the revision in order; uses ``revision.steps`` and their ``fields`` as prefetched."""
    result = Visibility()
    for step in revision.steps.all():
        if not condition_met(step.condition, result.answers):
            continue
        result.steps.append(step)
        shown = []
        for spec in step_inputs(step):
            if not condition_met(spec.condition, result.answers):
                continue
            shown.append(spec)
            if spec.name in answers:
                result.answers[spec.name] = answers[spec.name]
        result.inputs[step.pk] = shown
    return result


def visible_steps(revision: ProcedureRevision, answers: Mapping[str, Any]) -> list[Step]:
    return visibility(revision, answers).steps


def visible_fields(step: Step, answers: Mapping[str, Any]) -> list[Field]:
    """The step's fields shown for these answers (none when the step itself is hidden)."""
    shown = {spec.field_id for spec in visibility(step.revision, answers).inputs_of(step)}
    return [field_ for field_ in step.fields.all() if field_.pk in shown]


# --- Completeness ---------------------------------------------------------------------------


def step_errors(step: Step, seen: Visibility, *, enforce_required: bool = True) -> dict[str, str]:
    """Each visible input of the step that is missing (when required) or no longer valid."""
    errors: dict[str, str] = {}
    for spec in seen.inputs_of(step):
        if spec.name not in seen.answers or is_empty(seen.answers[spec.name]):
            if spec.required and enforce_required:
                errors[spec.name] = required_message(spec)
            continue
        try:
            clean_value(spec, seen.answers[spec.name])
        except InputInvalid as error:
            errors[spec.name] = error.message
    return errors


@dataclass
class Completeness:
    steps: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def is_complete(self) -> bool:
        return not self.steps and not self.fields


def completeness(seen: Visibility, done_step_ids: Iterable[int]) -> Completeness:
    """Every required visible step done and every visible answer valid; the agent's steps aside.

    An optional step left undone asks nothing; once done, its required inputs count.
    """
    done = set(done_step_ids)
    result = Completeness()
    for step in seen.steps:
        if step.kind == StepKind.AGENT_REVIEW:
            continue
        is_done = step.pk in done
        if step.required and not is_done:
            result.steps[step.slug] = _("L’étape « %(title)s » n’est pas terminée.") % {"title": step.title}
        result.fields.update(step_errors(step, seen, enforce_required=step.required or is_done))
    return result


# --- Revision integrity ----------------------------------------------------------------------
