"""Forms of the procedure builder's steps and fields, and of the conditions that show them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.field_sources import FieldSource, source_kind_problem
from civiquest.catalogue.inputs import document_requirement_choices
from civiquest.catalogue.models import Field, FieldKind, Step, StepKind
from civiquest.core.forms import BaseForm
from civiquest.core.rich_text import rich_text_clean
from civiquest.www.staff.builder_conditions import ConditionFormMixin, condition_initial
from civiquest.www.staff.builder_formats import FORMAT_CHOICES, format_of, format_values
from civiquest.www.staff.builder_forms import _lines

# What each type needs: a form field listed here is shown (and kept) only for those kinds;
# the others are always shown. ``builder-kinds.js`` hides the rest as the type changes.
STEP_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "external_url": (StepKind.OUTSIDE_SERVICE, StepKind.APPOINTMENT),
    "reference_label": (StepKind.OUTSIDE_SERVICE,),
    "reference_pattern": (StepKind.OUTSIDE_SERVICE,),
    "checklist_items": (StepKind.CHECKLIST,),
    "document_types": (StepKind.DOCUMENTS,),
}
_LENGTHS = (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.MULTIPLE_CHOICE)
FIELD_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "min_length": _LENGTHS,
    "max_length": _LENGTHS,
    "min_value": (FieldKind.NUMBER,),
    "max_value": (FieldKind.NUMBER,),
    "decimal_places": (FieldKind.NUMBER,),
    "min_date": (FieldKind.DATE,),
    "max_date": (FieldKind.DATE,),
    "pattern": (FieldKind.TEXT, FieldKind.LONG_TEXT),
    "choices": (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE),
}
_EMPTY: dict[str, Any] = {"document_types": [], "decimal_places": 0, "choices": []}


def kind_groups(kind_fields: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The JSON the page's script reads: form field name → the kinds that show it."""
    return {name: [str(kind) for kind in kinds] for name, kinds in kind_fields.items()}


def drop_irrelevant(cleaned: dict[str, Any], kind_fields: dict[str, tuple[str, ...]]) -> None:
    """Forget what was typed in fields the chosen kind does not use (the page without script shows them all)."""
    kind = cleaned.get("kind")
    for name, kinds in kind_fields.items():
        if kind not in kinds:
            cleaned[name] = _EMPTY.get(name, "" if name in ("pattern", "reference_pattern") else None)


# --- Steps ----------------------------------------------------------------------------------


class StepForm(BaseForm, ConditionFormMixin):
    title = forms.CharField(label=_("Titre de l’étape"), max_length=200)
    slug = forms.SlugField(
        label=_("Identifiant de l’étape"),
        help_text=_("Lettres minuscules, chiffres et tirets, unique dans la démarche."),
        max_length=60,
    )
    kind = forms.ChoiceField(label=_("Type d’étape"), choices=StepKind.choices)
    body = forms.CharField(
        label=_("Texte affiché à l’usager"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    required = forms.BooleanField(label=_("Étape obligatoire"), required=False, initial=True)
    external_url = forms.URLField(
        assume_scheme="https",
        label=_("Adresse du site officiel"),
        help_text=_("Pour une démarche sur un site officiel ou un rendez-vous. Format : https://…"),
        max_length=500,
        required=False,
    )
    reference_label = forms.CharField(
        label=_("Intitulé de la référence obtenue"),
        help_text=_("Pour une démarche sur un site officiel, ce que l’usager rapporte (numéro de pré-demande…)."),
        max_length=200,
        required=False,
    )
    reference_pattern = forms.CharField(
        label=_("Format de la référence (expression régulière)"), max_length=300, required=False
    )
    checklist_items = forms.CharField(
        label=_("Éléments à cocher"),
        help_text=_("Pour une liste de vérification : un élément par ligne."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    document_types = forms.MultipleChoiceField(
        label=_("Pièces demandées"),
        help_text=_("Pour une étape de pièces justificatives."),
        choices=document_requirement_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    stage = forms.CharField(
        label=_("Étape du parcours"),
        help_text=_(
            "Pour regrouper des étapes qui se suivent sous un même titre dans l’indicateur d’étapes "
            "(8 au plus) ; laissez vide pour une étape à part entière."
        ),
        max_length=80,
        required=False,
    )
    xp = forms.IntegerField(
        label=_("XP de l’étape"),
        help_text=_("Laissez vide pour la valeur de la révision."),
        min_value=0,
        max_value=1000,
        required=False,
    )

    field_order = [
        "title",
        "slug",
        "kind",
        "body",
        "required",
        "external_url",
        "reference_label",
        "reference_pattern",
        "checklist_items",
        "document_types",
        "stage",
        "xp",
        "condition_field",
        "condition_op",
        "condition_choices",
        "condition_values",
    ]

    def __init__(self, *args: Any, earlier: Sequence[Field] = (), step: Step | None = None, **kwargs: Any) -> None:
        if step is not None and "initial" not in kwargs:
            kwargs["initial"] = step_initial(step)
        super().__init__(*args, **kwargs)
        self.set_earlier(earlier)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_condition()
        drop_irrelevant(cleaned, STEP_KIND_FIELDS)
        kind = cleaned.get("kind")
        if kind == StepKind.DOCUMENTS and not cleaned.get("document_types"):
            self.add_error(
                "document_types", _("Choisissez au moins une pièce pour une étape de pièces justificatives.")
            )
        if kind == StepKind.CHECKLIST and not _lines(cleaned.get("checklist_items") or ""):
            self.add_error("checklist_items", _("Écrivez au moins un élément à cocher."))
        if kind == StepKind.OUTSIDE_SERVICE:
            if not cleaned.get("external_url"):
                self.add_error("external_url", _("Indiquez l’adresse du site officiel."))
            if not cleaned.get("reference_label"):
                self.add_error("reference_label", _("Indiquez l’intitulé de la référence obtenue."))
        pattern = cleaned.get("reference_pattern")
        if pattern:
            try:
                re.compile(pattern)
            except re.error:
                self.add_error("reference_pattern", _("Cette expression régulière est invalide."))
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "slug": data["slug"],
            "kind": data["kind"],
            "body": data.get("body") or "",
            "required": bool(data.get("required")),
            "external_url": data.get("external_url") or "",
            "reference_label": data.get("reference_label") or "",
            "reference_pattern": data.get("reference_pattern") or "",
            "checklist_items": _lines(data.get("checklist_items") or ""),
            "document_types": list(data.get("document_types") or []),
            "stage": (data.get("stage") or "").strip(),
            "xp": data.get("xp"),
            "condition": self.condition(),
        }


def step_initial(step: Step) -> dict[str, Any]:
    return {
        "title": step.title,
        "slug": step.slug,
        "kind": step.kind,
        "body": step.body,
        "required": step.required,
        "external_url": step.external_url,
        "reference_label": step.reference_label,
        "reference_pattern": step.reference_pattern,
        "checklist_items": "\n".join(str(item) for item in step.checklist_items or []),
        "document_types": list(step.document_types or []),
        "stage": step.stage,
        "xp": step.xp,
        **condition_initial(step.condition),
    }


# --- Fields ---------------------------------------------------------------------------------


class FieldForm(BaseForm, ConditionFormMixin):
    label = forms.CharField(label=_("Libellé du champ"), max_length=200)
    name = forms.RegexField(
        label=_("Nom technique"),
        help_text=_("Lettres minuscules, chiffres et « _ », une lettre d’abord ; unique dans la démarche."),
        regex=r"^[a-z][a-z0-9_]{0,62}$",
        error_messages={"invalid": _("Lettres minuscules, chiffres et « _ », une lettre d’abord.")},
        max_length=63,
    )
    kind = forms.ChoiceField(label=_("Type de champ"), choices=FieldKind.choices)
    help_text = forms.CharField(label=_("Aide"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    required = forms.BooleanField(label=_("Champ obligatoire"), required=False, initial=True)
    min_length = forms.IntegerField(label=_("Longueur minimale"), min_value=0, required=False)
    max_length = forms.IntegerField(label=_("Longueur maximale"), min_value=1, required=False)
    min_value = forms.DecimalField(label=_("Valeur minimale"), max_digits=18, decimal_places=4, required=False)
    max_value = forms.DecimalField(label=_("Valeur maximale"), max_digits=18, decimal_places=4, required=False)
    decimal_places = forms.IntegerField(label=_("Décimales"), min_value=0, max_value=4, initial=0)
    min_date = forms.RegexField(
        label=_("Date minimale"),
        help_text=_("Une date AAAA-MM-JJ, ou « today » avec un décalage en jours (today-30)."),
        regex=r"^(?:\d{4}-\d{2}-\d{2}|today(?:[+-]\d{1,5})?)$",
        required=False,
    )
    max_date = forms.RegexField(
        label=_("Date maximale"),
        help_text=_("Une date AAAA-MM-JJ, ou « today » avec un décalage en jours (today+365)."),
        regex=r"^(?:\d{4}-\d{2}-\d{2}|today(?:[+-]\d{1,5})?)$",
        required=False,
    )
    format = forms.ChoiceField(
        label=_("Format attendu"),
        help_text=_("Un format courant, vérifié à la saisie ; il règle le type et les limites du champ."),
        choices=FORMAT_CHOICES,
        required=False,
    )
    pattern = forms.CharField(
        label=_("Format avancé (expression régulière)"),
        help_text=_("Seulement si aucun format attendu ne convient ; laissez vide sinon."),
        max_length=300,
        required=False,
    )
    choices = forms.CharField(
        label=_("Choix"),
        help_text=_("Pour un choix unique ou multiple : un choix par ligne, « valeur | libellé »."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Donnée déjà connue"),
        help_text=_(
            "« Dites-le-nous une fois » : l’identité FranceConnect est préremplie et non modifiable ; "
            "l’adresse du profil est proposée au citoyen, qui l’accepte ou non."
        ),
        choices=[("", _("Aucune : la réponse est demandée au citoyen")), *FieldSource.choices],
        required=False,
    )

    field_order = [
        "label",
        "name",
        "kind",
        "format",
        "source",
        "help_text",
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
        "condition_field",
        "condition_op",
        "condition_choices",
        "condition_values",
    ]

    def __init__(self, *args: Any, earlier: Sequence[Field] = (), field_: Field | None = None, **kwargs: Any) -> None:
        if field_ is not None and "initial" not in kwargs:
            kwargs["initial"] = field_initial(field_)
        super().__init__(*args, **kwargs)
        self.set_earlier(earlier)

    def clean_choices(self) -> list[dict[str, str]]:
        choices = []
        for line in _lines(self.cleaned_data.get("choices") or ""):
            value, _separator, label = line.partition("|")
            choices.append({"value": value.strip(), "label": (label or value).strip()})
        values = [choice["value"] for choice in choices]
        if len(set(values)) != len(values):
            raise ValidationError(_("Deux choix ont la même valeur."))
        return choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_condition()
        cleaned.update(format_values(cleaned.get("format") or ""))
        drop_irrelevant(cleaned, FIELD_KIND_FIELDS)
        kind = cleaned.get("kind")
        if kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE) and not cleaned.get("choices"):
            self.add_error("choices", _("Écrivez au moins un choix."))
        for low, high in (("min_length", "max_length"), ("min_value", "max_value")):
            if cleaned.get(low) is not None and cleaned.get(high) is not None and cleaned[low] > cleaned[high]:
                self.add_error(low, _("Le minimum dépasse le maximum."))
        pattern = cleaned.get("pattern")
        if pattern:
            try:
                re.compile(pattern)
            except re.error:
                self.add_error("pattern", _("Cette expression régulière est invalide."))
        source = cleaned.get("source") or ""
        values = [choice["value"] for choice in cleaned.get("choices") or []]
        if kind and source_kind_problem(source, kind, values):
            self.add_error("source", _("Cette donnée ne convient pas à ce type de champ (ou à ses choix)."))
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        # A mapping removed takes its condition with it; otherwise the condition stays as defined.
        unmapped = {} if data.get("source") else {"source_condition": None}
        return {
            **unmapped,
            "source": data.get("source") or "",
            "label": data["label"],
            "name": data["name"],
            "kind": data["kind"],
            "help_text": rich_text_clean(data.get("help_text") or ""),
            "required": bool(data.get("required")),
            "min_length": data.get("min_length"),
            "max_length": data.get("max_length"),
            "min_value": data.get("min_value"),
            "max_value": data.get("max_value"),
            "decimal_places": data.get("decimal_places") or 0,
            "min_date": data.get("min_date") or "",
            "max_date": data.get("max_date") or "",
            "pattern": data.get("pattern") or "",
            "choices": data.get("choices") or [],
            "condition": self.condition(),
        }


def field_initial(field_: Field) -> dict[str, Any]:
    def plain(value: Decimal | None) -> Any:
        return value.normalize() if isinstance(value, Decimal) else value

    return {
        "label": field_.label,
        "name": field_.name,
        "kind": field_.kind,
        "help_text": field_.help_text,
        "required": field_.required,
        "min_length": field_.min_length,
        "max_length": field_.max_length,
        "min_value": plain(field_.min_value),
        "max_value": plain(field_.max_value),
        "decimal_places": field_.decimal_places,
        "min_date": field_.min_date,
        "max_date": field_.max_date,
        # A named format's pattern is not shown as a regular expression.
        "pattern": "" if format_of(field_) else field_.pattern,
        "format": format_of(field_),
        "source": field_.source,
        "choices": "\n".join(
            f"{choice.get('value')} | {choice.get('label')}" for choice in field_.choices if isinstance(choice, dict)
        ),
        **condition_initial(field_.condition),
    }
