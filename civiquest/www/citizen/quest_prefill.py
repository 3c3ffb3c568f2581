""" "Dites-le-nous une fois" on a step page: what is certified (locked) and what is offered again.

- Certified: a field mapped to the FranceConnect identity takes the quest's citizen's certified
  value (``actions.prefill``), shown locked; the save puts it over anything posted.
- Offered: the home address (for a field mapped to it) and the citizen's answers in their other
  quests, each with the date it was given and where; applied only when the citizen accepts
  (a submit button named ``reuse``, no JavaScript needed). An input already answered is not
  offered anything. Under a mandate nothing outside the quest is offered to the helper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest
from civiquest.actions.prefill import certified_answers
from civiquest.catalogue.cleaning import address_display
from civiquest.catalogue.field_sources import FieldSource, is_identity_source
from civiquest.catalogue.inputs import InputSpec
from civiquest.catalogue.models import FieldKind
from civiquest.integrations.address.moving.selectors import home_address_of
from civiquest.quests.models import Quest
from civiquest.quests.reuse import earlier_answers
from civiquest.www.citizen.mandate_access import request_mandate

REUSE_FIELD = "reuse"
# Inputs whose answers belong to one quest (a document of its wallet): never offered again.
NOT_OFFERED = frozenset({FieldKind.DOCUMENT})


@dataclass(frozen=True)
class Offer:
    """A value the citizen gave before, offered for one input."""

    value: Any
    shown: str
    given_on: dt.date
    # The procedure the answer was given in; empty for the profile.
    procedure_title: str = ""

    @property
    def given_on_text(self) -> str:
        return date_format(self.given_on, "DATE_FORMAT")


@dataclass
class StepPrefill:
    locked: dict[str, Any] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)


def shown_value(spec: InputSpec, value: Any) -> str:
    """An offered value as the citizen reads it (French dates, names of communes, labels of choices)."""
    if spec.kind == FieldKind.ADDRESS:
        return address_display(value)
    if spec.kind == FieldKind.COMMUNE and isinstance(value, Mapping):
        return str(value.get("name") or value.get("code") or "")
    if spec.kind == FieldKind.YES_NO:
        return _("Oui") if value is True else _("Non")
    if spec.kind == FieldKind.DATE:
        try:
            return date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    labels = dict(spec.choices)
    if isinstance(value, list):
        return ", ".join(str(labels.get(str(item), item)) for item in value)
    return str(labels.get(str(value), value))


def _fits(spec: InputSpec, value: Any) -> bool:
    """Whether an answer given elsewhere under the same name can be an answer here."""
    if spec.kind in (FieldKind.SINGLE_CHOICE,):
        return str(value) in spec.choice_values
    if spec.kind == FieldKind.MULTIPLE_CHOICE:
        return isinstance(value, list) and all(str(item) in spec.choice_values for item in value)
    if spec.kind == FieldKind.YES_NO:
        return isinstance(value, bool)
    if spec.kind in (FieldKind.ADDRESS, FieldKind.COMMUNE):
        return isinstance(value, Mapping | str)
    return isinstance(value, str | int) and not isinstance(value, bool)


def _unanswered(answers: Mapping[str, Any], name: str) -> bool:
    return answers.get(name) in (None, "", [])


def step_prefill(
    request: AuthenticatedHttpRequest,
    quest: Quest,
    specs: Sequence[InputSpec],
    answers: Mapping[str, Any],
    *,
    with_offers: bool = True,
) -> StepPrefill:
    """What the step's inputs take from what the platform knows: at most two queries (home address, answers)."""
    mandate = request_mandate(request)
    if mandate is not None:
        # The quest's citizen (read only for a step asking their identity), never the helper;
        # nothing outside the quest is offered to the helper.
        if not any(spec.source and is_identity_source(spec.source) for spec in specs):
            return StepPrefill()
        return StepPrefill(locked=certified_answers(quest.citizen, specs, answers))
    citizen = request.user
    prefill = StepPrefill(locked=certified_answers(citizen, specs, answers))
    if not with_offers:
        return prefill
    candidates = [
        spec
        for spec in specs
        if spec.field_id is not None
        and spec.kind not in NOT_OFFERED
        and spec.name not in prefill.locked
        and _unanswered(answers, spec.name)
    ]
    wants_home = [spec for spec in candidates if spec.source == FieldSource.HOME_ADDRESS]
    home = home_address_of(citizen) if wants_home else None
    if home is not None:
        for spec in wants_home:
            given_on = timezone.localdate(home.updated_at)
            prefill.offers[spec.name] = Offer(
                value=home.address, shown=address_display(home.address), given_on=given_on
            )
    asked = {spec.name: spec for spec in candidates if spec.name not in prefill.offers}
    found = earlier_answers(citizen_id=citizen.pk, exclude_quest_id=quest.pk, names=list(asked))
    for name, earlier in found.items():
        spec = asked[name]
        if _fits(spec, earlier.value):
            prefill.offers[name] = Offer(
                value=earlier.value,
                shown=shown_value(spec, earlier.value),
                given_on=earlier.given_on,
                procedure_title=earlier.procedure_title,
            )
    return prefill
