"""The condition of a builder step or field, chosen from earlier fields and their labelled values.

Staff pick a field placed before (by its label) and, for a yes/no or choice field, tick the
values by their labels; for another field they type the values. The form stores the same
condition the catalogue evaluates (``catalogue.conditions``): ``{"field", "op", "value"}``,
yes/no answers as booleans, choices by their value. Conditions are shown by label too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.models import Field, FieldKind

CONDITION_OPERATORS = (
    ("eq", _("est égal à")),
    ("in", _("est l’une des valeurs")),
    ("not_in", _("n’est aucune des valeurs")),
)
YES_WORDS = {"oui", "true", "1", "vrai"}
NO_WORDS = {"non", "false", "0", "faux"}
# A ticked value is "<field name>:<value>"; a field name never holds ":".
SEPARATOR = ":"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def labelled_values(field_: Field) -> list[tuple[str, str]]:
    """The (value as ticked, label) a yes/no or choice field offers; none for another field."""
    if field_.kind == FieldKind.YES_NO:
        return [("oui", gettext("Oui")), ("non", gettext("Non"))]
    if field_.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE):
        return [
            (str(choice.get("value")), str(choice.get("label") or choice.get("value")))
            for choice in field_.choices
            if isinstance(choice, dict)
        ]
    return []


def _shown(value: Any) -> str:
    return "oui" if value is True else "non" if value is False else str(value)


def _values_of(item: dict[str, Any]) -> list[Any]:
    raw_value = item.get("value")
    return raw_value if isinstance(raw_value, list) else [raw_value]


class ConditionFormMixin(forms.Form):
    """A condition on one earlier field: shown when its answer is / is among / is none of values."""

    condition_field = forms.ChoiceField(
        label=_("Afficher seulement si le champ"),
        help_text=_("Choisissez un champ placé avant ; laissez vide pour toujours afficher."),
        required=False,
    )
    condition_op = forms.ChoiceField(label=_("Opérateur de la condition"), choices=CONDITION_OPERATORS, required=False)
    condition_choices = forms.MultipleChoiceField(
        label=_("Valeurs de la condition"),
        help_text=_("Pour un champ oui/non ou à choix : cochez les réponses du champ choisi."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    condition_values = forms.CharField(
        label=_("Valeurs saisies de la condition"),
        help_text=_("Pour un autre type de champ (texte, nombre…) : une valeur par ligne."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    earlier: Sequence[Field] = ()

    def set_earlier(self, earlier: Sequence[Field]) -> None:
        self.earlier = earlier
        self.fields["condition_field"].choices = [  # type: ignore[attr-defined]
            ("", _("— toujours afficher —")),
            *[(field_.name, field_.label) for field_ in earlier],
        ]
        # Each answer names its field: « Majeur : Oui » (the script shows only the chosen field's).
        self.fields["condition_choices"].choices = [  # type: ignore[attr-defined]
            (f"{field_.name}{SEPARATOR}{value}", f"{field_.label} : {label}")
            for field_ in earlier
            for value, label in labelled_values(field_)
        ]
        chosen = self._earlier_field(self.initial.get("condition_field"))
        if chosen is not None and labelled_values(chosen):
            self.initial["condition_values"] = ""
        else:
            self.initial["condition_choices"] = []

    def _earlier_field(self, name: Any) -> Field | None:
        return next((field_ for field_ in self.earlier if field_.name == name), None)

    def _raw_values(self, field_: Field) -> list[str]:
        if labelled_values(field_):
            prefix = field_.name + SEPARATOR
            ticked = self.cleaned_data.get("condition_choices") or []
            return [value.removeprefix(prefix) for value in ticked if value.startswith(prefix)]
        return _lines(self.cleaned_data.get("condition_values") or "")

    def condition(self) -> Any:
        field_ = self._earlier_field(self.cleaned_data.get("condition_field"))
        if field_ is None:
            return None
        operator = self.cleaned_data.get("condition_op") or "eq"
        values = [condition_value(field_, value) for value in self._raw_values(field_)]
        if operator == "eq":
            return {"field": field_.name, "op": "eq", "value": values[0] if values else ""}
        return {"field": field_.name, "op": operator, "value": values}

    def clean_condition(self) -> None:
        field_ = self._earlier_field(self.cleaned_data.get("condition_field"))
        if field_ is None:
            return
        where = "condition_choices" if labelled_values(field_) else "condition_values"
        raw = self._raw_values(field_)
        if not raw and where == "condition_choices":
            self.add_error(where, _("Cochez au moins une réponse de « %(label)s ».") % {"label": field_.label})
            return
        if not raw:
            self.add_error(where, _("Indiquez au moins une valeur pour la condition."))
            return
        if (self.cleaned_data.get("condition_op") or "eq") == "eq" and len(raw) > 1:
            self.add_error(where, _("« est égal à » attend une seule valeur."))


def condition_value(field_: Field, raw: str) -> Any:
    """The JSON value an answer of this field holds, from what staff ticked or typed."""
    if field_.kind == FieldKind.YES_NO:
        return raw.lower() in YES_WORDS
    if field_.kind == FieldKind.NUMBER and field_.decimal_places == 0 and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def condition_initial(condition: Any) -> dict[str, Any]:
    item = condition[0] if isinstance(condition, list) and condition else condition
    if not isinstance(item, dict):
        return {}
    name = item.get("field", "")
    shown = [_shown(value) for value in _values_of(item)]
    return {
        "condition_field": name,
        "condition_op": item.get("op", "eq"),
        "condition_choices": [f"{name}{SEPARATOR}{value}" for value in shown],
        "condition_values": "\n".join(shown),
    }


def condition_text(condition: Any, fields: Iterable[Field] = ()) -> str:
    """A condition as staff read it, by labels: « Majeur est égal à Oui »."""
    operators = dict(CONDITION_OPERATORS)
    by_name = {field_.name: field_ for field_ in fields}
    items = condition if isinstance(condition, list) else [condition] if condition else []
    parts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        field_ = by_name.get(str(item.get("field")))
        labels = dict(labelled_values(field_)) if field_ is not None else {}
        shown = ", ".join(labels.get(_shown(value), _shown(value)) for value in _values_of(item))
        name = field_.label if field_ is not None else item.get("field")
        parts.append(f"{name} {operators.get(str(item.get('op')), item.get('op'))} {shown}")
    return " ; ".join(parts)
