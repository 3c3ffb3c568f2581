"""Revision integrity: ``revision_problems(revision)`` lists what keeps a draft from being published
(bad conditions, patterns, choices, bounds…)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from civiquest.catalogue.field_sources import source_kind_problem
from civiquest.catalogue.inputs import CONDITION_OPERATORS, InputSpec, document_requirement_choices, field_spec
from civiquest.catalogue.models import (
    DATE_BOUND_RE,
    FIELD_NAME_RE,
    FieldKind,
    ProcedureRevision,
    Step,
    StepKind,
)
from civiquest.catalogue.stages import split_stage_problems


def _pattern_problem(pattern: str, where: str) -> list[str]:
    if not pattern:
        return []
    try:
        re.compile(pattern)
    except re.error:
        return [_("%(where)s : le format (expression régulière) est invalide.") % {"where": where}]
    return []


def _condition_problems(condition: Any, known: Mapping[str, InputSpec], where: str) -> list[str]:
    if condition is None or condition == {} or condition == []:
        return []
    items = condition if isinstance(condition, list) else [condition]
    problems = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"field", "op", "value"}:
            problems.append(
                _("%(where)s : la condition doit avoir « field », « op » et « value ».") % {"where": where}
            )
            continue
        if item["op"] not in CONDITION_OPERATORS:
            problems.append(_("%(where)s : l’opérateur de la condition est inconnu.") % {"where": where})
        elif item["op"] != "eq" and not isinstance(item["value"], list):
            problems.append(_("%(where)s : « in » et « not_in » attendent une liste de valeurs.") % {"where": where})
        if item["field"] not in known:
            problems.append(
                _("%(where)s : la condition porte sur « %(field)s », qui n’est pas un champ placé avant.")
                % {"where": where, "field": item["field"]}
            )
    return problems


def _field_problems(spec: InputSpec, where: str) -> list[str]:
    problems = _pattern_problem(spec.pattern, where)
    if spec.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE):
        values = spec.choice_values
        if not values or len(set(values)) != len(values):
            problems.append(_("%(where)s : il faut des choix, aux valeurs distinctes.") % {"where": where})
    for low, high in ((spec.min_length, spec.max_length), (spec.min_value, spec.max_value)):
        if low is not None and high is not None and low > high:
            problems.append(_("%(where)s : le minimum dépasse le maximum.") % {"where": where})
    for bound in (spec.min_date, spec.max_date):
        if bound and not DATE_BOUND_RE.match(bound):
            problems.append(_("%(where)s : une borne de date est invalide.") % {"where": where})
    return problems


def _source_problems(spec: InputSpec, known: Mapping[str, InputSpec], where: str) -> list[str]:
    """A field mapped to a known attribute must be able to hold it; its mapping's condition is a condition."""
    problems = []
    if source_kind_problem(spec.source, spec.kind, spec.choice_values):
        problems.append(
            _("%(where)s : ce type de champ ne peut pas recevoir cette donnée déjà connue.") % {"where": where}
        )
    if spec.source_condition and not spec.source:
        problems.append(_("%(where)s : une condition de donnée connue demande une donnée.") % {"where": where})
    problems += _condition_problems(spec.source_condition, known, where)
    return problems


def revision_problems(revision: ProcedureRevision) -> list[str]:
    """Everything that keeps this revision from being published; empty when it can be."""
    steps: Sequence[Step] = list(revision.steps.all())
    if not steps:
        return [_("La révision n’a aucune étape.")]
    problems: list[str] = []
    known: dict[str, InputSpec] = {}
    document_types = {value for value, _label in document_requirement_choices()}
    for step in steps:
        where = _("Étape « %(title)s »") % {"title": step.title}
        problems += _condition_problems(step.condition, known, where)
        fields = list(step.fields.all())
        if step.kind == StepKind.FORM and not fields:
            problems.append(_("%(where)s : un formulaire doit avoir au moins un champ.") % {"where": where})
        if step.kind != StepKind.FORM and fields:
            problems.append(_("%(where)s : seuls les formulaires ont des champs.") % {"where": where})
        if step.kind == StepKind.OUTSIDE_SERVICE and not (step.external_url and step.reference_label):
            problems.append(
                _("%(where)s : indiquez l’adresse du site officiel et l’intitulé de la référence.") % {"where": where}
            )
        problems += _pattern_problem(step.reference_pattern, where)
        if step.kind == StepKind.CHECKLIST and not (
            isinstance(step.checklist_items, list)
            and step.checklist_items
            and all(isinstance(item, str) and item.strip() for item in step.checklist_items)
        ):
            problems.append(_("%(where)s : la liste de vérification est vide.") % {"where": where})
        if step.kind == StepKind.DOCUMENTS and not (
            isinstance(step.document_types, list)
            and step.document_types
            and set(step.document_types) <= document_types
            and len(set(step.document_types)) == len(step.document_types)
        ):
            problems.append(_("%(where)s : les pièces demandées sont invalides.") % {"where": where})
        if step.kind == StepKind.AGENT_REVIEW and revision.procedure.instructing_service_id is None:
            problems.append(
                _("%(where)s : une instruction par le service demande un service instructeur.") % {"where": where}
            )
        for field_ in fields:
            spec = field_spec(field_)
            field_where = _("Champ « %(label)s »") % {"label": field_.label}
            if not FIELD_NAME_RE.match(field_.name):
                problems.append(_("%(where)s : le nom technique est invalide.") % {"where": field_where})
            problems += _condition_problems(field_.condition, known, field_where)
            problems += _field_problems(spec, field_where)
            problems += _source_problems(spec, known, field_where)
            known[field_.name] = spec
    return problems + split_stage_problems(steps)
