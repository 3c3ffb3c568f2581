""" "Dites-le-nous une fois": the certified identity a quest's fields take, and its enforcement.

A field mapped to the FranceConnect identité pivot (``Field.source`` "identity.…", see
``catalogue.field_sources``) takes the value FranceConnect certified for the quest's citizen,
when the mapping applies (``source_condition`` on the answers: the quest is about the
citizen). The step page shows it locked; ``certified_data`` puts it over whatever was posted,
so a tampered form cannot change it. The citizen is always ``quest.citizen``: a helper acting
under a mandate fills the citizen's quest with the citizen's identity, never their own.

A citizen who never signed in with FranceConnect (a demo account with a password) has no
certified identity: their fields stay ordinary, editable ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from civiquest.accounts.models import User
from civiquest.catalogue.conditions import condition_met
from civiquest.catalogue.field_sources import FieldSource, is_identity_source, sex_choice_value
from civiquest.catalogue.inputs import InputSpec, step_inputs
from civiquest.catalogue.models import FieldKind, Step, StepKind
from civiquest.integrations.address.communes import commune_get
from civiquest.quests.models import Quest


def has_certified_identity(citizen: User) -> bool:
    """Whether the citizen's identity fields hold what FranceConnect certified (set at each FC sign-in)."""
    return citizen.identity_refreshed_at is not None


def identity_applies(spec: InputSpec, answers: Mapping[str, Any]) -> bool:
    """Whether the field takes the certified identity for these answers (mapped, and about the citizen)."""
    return bool(spec.source) and is_identity_source(spec.source) and condition_met(spec.source_condition, answers)


def _identity_value(citizen: User, spec: InputSpec) -> Any:
    source = spec.source
    if source == FieldSource.GIVEN_NAMES:
        return citizen.given_names
    if source == FieldSource.FAMILY_NAME:
        return citizen.family_name
    if source == FieldSource.BIRTHDATE:
        return citizen.birthdate.isoformat() if citizen.birthdate else ""
    if source == FieldSource.SEX:
        return sex_choice_value(citizen.gender, spec.choice_values)
    if source == FieldSource.BIRTHPLACE:
        # Born abroad: FranceConnect sends no commune, and the field stays the citizen's to fill.
        commune = commune_get(citizen.birthplace) if citizen.birthplace else None
        if commune is None:
            return ""
        return commune.as_answer() if spec.kind == FieldKind.COMMUNE else commune.name
    return ""


def certified_answers(citizen: User, specs: Iterable[InputSpec], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The certified value of each input of ``specs`` that takes one, as an answer is stored."""
    mapped = [spec for spec in specs if identity_applies(spec, answers)]
    if not mapped or not has_certified_identity(citizen):
        return {}
    values = {spec.name: _identity_value(citizen, spec) for spec in mapped}
    return {name: value for name, value in values.items() if value not in ("", None)}


def certified_data(quest: Quest, step: Step, answers: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """What a step save writes: the posted data with the certified values over it (a posted one is ignored).

    Called by ``quests.services.step_save`` on the locked quest (its citizen loaded with it), the
    revision's cached step and the stored answers: no query of its own.
    """
    specs = step_inputs(step) if step.kind == StepKind.FORM else []
    if not any(spec.source and is_identity_source(spec.source) for spec in specs):
        return dict(data)
    return {**data, **certified_answers(quest.citizen, specs, {**answers, **data})}
