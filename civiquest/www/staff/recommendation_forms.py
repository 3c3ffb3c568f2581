"""The form staff edit a recommendation rule with: offsets as a number, a unit and a direction, never JSON.

An offset the form cannot write (the tax calendar's deadline, a fixed day of the year, months
and days together) is shown in words and kept as it is. The rules' own checks
(``recommendations.rules.rule_problems``, in English) come back as French form errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm
from civiquest.documents.models import DocumentType
from civiquest.recommendations.models import Rule
from civiquest.recommendations.rules import ELIGIBILITY_KEYS, TITLES
from civiquest.www.staff.recommendation_words import deadline_words, due_words, until_words

OFFSETS = ("due_from", "deadline", "until")
OFFSET_PARTS = ("amount", "unit", "direction", "month_end")
OFFSET_LEGENDS = {
    "due_from": _("À faire à partir de"),
    "deadline": _("Date limite"),
    "until": _("Proposée jusqu’à"),
}
OFFSET_HELP = {
    "due_from": _("Laissez le nombre vide pour proposer la démarche dès le jour de l’événement."),
    "deadline": _("Laissez le nombre vide s’il n’y a pas de date limite."),
    "until": _("Le dernier jour où la démarche est proposée, surtout quand elle n’a pas de date limite."),
}
WRITABLE_KEYS = frozenset({"days", "months", "month_end"})
TITLE_CHOICES = [("", _("Aucune condition"))] + [
    (value, label) for value, label in DocumentType.choices if value in TITLES
]
# The rules' checks (in English, prefixed by the rule's code) → (field, French message).
PROBLEMS = (
    ("relevance must be", "relevance", _("La pertinence doit être comprise entre 0 et 1.")),
    ("the source must be an https address", "source_url", _("L’adresse de la source doit commencer par https://.")),
    ("a note and a source are required", None, _("Le pourquoi et la source sont obligatoires.")),
    (
        "without a deadline",
        "until_amount",
        _("Sans date limite, indiquez jusqu’à quand la démarche est proposée."),
    ),
    (
        "a calendar deadline is only",
        "deadline_amount",
        _("Une date limite du calendrier fiscal n’est possible que pour la déclaration de revenus."),
    ),
    ("holds_title must be", "holds_title", _("Choisissez un titre de la liste.")),
    ("lacks_valid_title must be", "lacks_valid_title", _("Choisissez un titre de la liste.")),
    ("unknown trigger", None, _("Le déclencheur de la règle est inconnu.")),
    ("unknown condition", None, _("La règle contient une condition inconnue.")),
    ("due_from:", "due_from_amount", _("Cette date est mal écrite.")),
    ("deadline:", "deadline_amount", _("Cette date est mal écrite.")),
    ("until:", "until_amount", _("Cette date est mal écrite.")),
)


def writable(offset: Mapping[str, Any]) -> bool:
    """Whether the form's number, unit, direction and month end say all of ``offset``."""
    return set(offset) <= WRITABLE_KEYS and not ("days" in offset and "months" in offset)


def offset_words(name: str, offset: Mapping[str, Any]) -> str:
    return {"due_from": due_words, "deadline": deadline_words, "until": until_words}[name](offset)


def _offset_initial(offset: Mapping[str, Any]) -> dict[str, Any]:
    unit = "days" if "days" in offset else "months"
    amount = offset.get(unit)
    return {
        "amount": abs(int(amount)) if amount is not None else None,
        "unit": unit,
        "direction": "before" if amount is not None and int(amount) < 0 else "after",
        "month_end": bool(offset.get("month_end")),
    }


class RuleForm(BaseForm):
    relevance = forms.FloatField(
        label=_("Pertinence"),
        help_text=_("Entre 0 et 1, par exemple 0,8 : elle ordonne les démarches qui n’ont pas de date limite."),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    min_age = forms.IntegerField(label=_("Âge minimum (ans)"), min_value=0, max_value=120, required=False)
    max_age = forms.IntegerField(label=_("Âge maximum (ans)"), min_value=0, max_value=120, required=False)
    holds_title = forms.ChoiceField(
        label=_("Titre détenu"),
        help_text=_("Proposée seulement à qui a déjà ce titre."),
        choices=TITLE_CHOICES,
        required=False,
    )
    lacks_valid_title = forms.ChoiceField(
        label=_("Titre valide manquant"),
        help_text=_("Proposée seulement à qui n’a pas ce titre valide à la date de l’événement."),
        choices=TITLE_CHOICES,
        required=False,
    )
    only_by_rule = forms.BooleanField(
        label=_("Proposée seulement par cette règle"),
        help_text=_("Jamais suggérée comme démarche d’usagers semblables ni comme démarche populaire."),
        required=False,
    )
    note = forms.CharField(
        label=_("Pourquoi"),
        help_text=_("Une phrase que l’usager lit sous la démarche proposée."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=300,
    )
    source_label = forms.CharField(label=_("Source (intitulé)"), max_length=200)
    source_url = forms.URLField(
        assume_scheme="https",
        label=_("Adresse de la source"),
        help_text=_("La fiche service-public.fr ou le texte légal. Format : https://…"),
        max_length=300,
    )
    active = forms.BooleanField(label=_("Règle active"), required=False)
    comment = forms.CharField(
        label=_("Motif de la modification"),
        help_text=_("Obligatoire. Il est conservé avec la révision et dans le journal d’audit."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=300,
    )

    def __init__(self, *args: Any, rule: Rule, **kwargs: Any) -> None:
        self.rule = rule
        # The offsets the form cannot write, in words: kept as they are.
        self.fixed = {
            name: offset_words(name, getattr(rule, name)) for name in OFFSETS if not writable(getattr(rule, name))
        }
        eligibility = rule.eligibility
        initial = {
            "relevance": rule.relevance,
            "min_age": eligibility.get("min_age"),
            "max_age": eligibility.get("max_age"),
            "holds_title": eligibility.get("holds_title", ""),
            "lacks_valid_title": eligibility.get("lacks_valid_title", ""),
            "only_by_rule": rule.only_by_rule,
            "note": rule.note,
            "source_label": rule.source_label,
            "source_url": rule.source_url,
            "active": rule.active,
        }
        for name in OFFSETS:
            if name not in self.fixed:
                initial |= {f"{name}_{key}": value for key, value in _offset_initial(getattr(rule, name)).items()}
        super().__init__(*args, initial=initial, **kwargs)
        for name in OFFSETS:
            if name not in self.fixed:
                self._add_offset_fields(name)

    def _add_offset_fields(self, name: str) -> None:
        fields: dict[str, forms.Field] = {
            f"{name}_amount": forms.IntegerField(label=_("Nombre"), min_value=0, max_value=3650, required=False),
            f"{name}_unit": forms.ChoiceField(label=_("Unité"), choices=[("days", _("jours")), ("months", _("mois"))]),
            f"{name}_direction": forms.ChoiceField(
                label=_("Avant ou après l’événement"),
                choices=[("before", _("avant l’événement")), ("after", _("après l’événement"))],
            ),
            f"{name}_month_end": forms.BooleanField(
                label=_("Jusqu’à la fin du mois"),
                help_text=_("La date va au dernier jour de son mois."),
                required=False,
            ),
        }
        self.fields.update(fields)

    def offset_groups(self) -> list[dict[str, Any]]:
        """Per offset, its legend and either its four fields or its words (kept as they are)."""
        return [
            {
                "name": name,
                "legend": OFFSET_LEGENDS[name],
                "help": OFFSET_HELP[name],
                "fixed": self.fixed.get(name),
                "fields": [] if name in self.fixed else [self[f"{name}_{part}"] for part in OFFSET_PARTS],
            }
            for name in OFFSETS
        ]

    def names_in_page_order(self) -> list[str]:
        """The fields as the rule page shows them: the offsets, the conditions, then the rest."""
        offsets = [f"{name}_{part}" for name in OFFSETS for part in OFFSET_PARTS if f"{name}_{part}" in self.fields]
        conditions = ["min_age", "max_age", "holds_title", "lacks_valid_title"]
        return offsets + conditions + [name for name in self.fields if name not in offsets + conditions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("L’âge maximum est inférieur à l’âge minimum."))
        return data

    def _offset(self, name: str) -> dict[str, Any]:
        data = self.cleaned_data
        amount, month_end = data.get(f"{name}_amount"), data.get(f"{name}_month_end")
        offset: dict[str, Any] = {}
        if amount is not None:
            offset[data[f"{name}_unit"]] = -amount if data[f"{name}_direction"] == "before" else amount
        if month_end:
            offset["month_end"] = True
        return offset

    def values(self) -> dict[str, Any]:
        """The rule's content as the form says it (the offsets it cannot write left out)."""
        data = self.cleaned_data
        eligibility = {key: value for key, value in self.rule.eligibility.items() if key not in ELIGIBILITY_KEYS}
        for key in ("min_age", "max_age", "holds_title", "lacks_valid_title"):
            if data.get(key) not in (None, ""):
                eligibility[key] = data[key]
        values: dict[str, Any] = {
            "relevance": data["relevance"],
            "eligibility": eligibility,
            "only_by_rule": data["only_by_rule"],
            "note": data["note"],
            "source_label": data["source_label"],
            "source_url": data["source_url"],
            "active": data["active"],
        }
        return values | {name: self._offset(name) for name in OFFSETS if name not in self.fixed}

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.values().items() if getattr(self.rule, name) != value}

    def add_problems(self, problems: list[str]) -> None:
        """The rules' problems as French errors on the fields they are about."""
        for problem in problems:
            for marker, field, message in PROBLEMS:
                if marker in problem:
                    self.add_error(field if field in self.fields else None, message)
                    break
            else:
                self.add_error(None, _("La règle n’est pas valide : %(problem)s") % {"problem": problem})
