"""Forms of the procedure builder, services and audit log pages.

They turn what staff type (one line per link, choice or item; a condition picked from
earlier fields) into the JSON the procedure models hold, and back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import Service, ServiceKind
from civiquest.catalogue.builder import procedure_has_attestation_template
from civiquest.catalogue.models import (
    ISSUED_TITLES,
    REVISION_NEEDS,
    AppointmentNeed,
    Audience,
    Field,
    FieldKind,
    LifeEventCode,
    Procedure,
    ProcedureRevision,
    Step,
    StepKind,
    Theme,
)
from civiquest.core.forms import BaseForm
from civiquest.core.rich_text import rich_text_clean
from civiquest.documents.models import DocumentType

CONDITION_OPERATORS = (
    ("eq", _("est égal à")),
    ("in", _("est l’une des valeurs")),
    ("not_in", _("n’est aucune des valeurs")),
)
YES_WORDS = {"oui", "true", "1", "vrai"}
NO_WORDS = {"non", "false", "0", "faux"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- Procedure ------------------------------------------------------------------------------


class ProcedureForm(BaseForm):
    slug = forms.SlugField(
        label=_("Identifiant stable"),
        help_text=_("Lettres minuscules, chiffres et tirets ; il figure dans l’adresse de la démarche."),
        max_length=80,
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(label=_("Mots-clés"), max_length=500, required=False)
    theme = forms.ChoiceField(label=_("Thème"), choices=Theme.choices)
    life_events = forms.MultipleChoiceField(
        label=_("Événements de vie"),
        choices=LifeEventCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience = forms.ChoiceField(label=_("Public"), choices=Audience.choices)
    official_links = forms.CharField(
        label=_("Liens officiels"),
        help_text=_("Un lien par ligne, sous la forme : intitulé | https://adresse"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    instructing_service = forms.ModelChoiceField(
        label=_("Service instructeur"),
        help_text=_("Sans service, la démarche est guidée : elle se termine sur le site officiel."),
        queryset=Service.objects.order_by("name"),
        required=False,
        empty_label=_("Aucun (démarche guidée)"),
    )
    estimated_minutes = forms.IntegerField(
        label=_("Durée de remplissage (minutes)"), min_value=1, max_value=600, initial=10
    )
    cost_label = forms.CharField(label=_("Coût (texte affiché)"), max_length=200, required=False)
    cost_cents = forms.IntegerField(label=_("Coût (centimes d’euro)"), min_value=0, initial=0)
    legal_delay_days = forms.IntegerField(
        label=_("Délai légal d’instruction (jours)"), min_value=1, max_value=3650, required=False
    )
    attestation_template = forms.CharField(
        label=_("Modèle d’attestation"),
        help_text=_("Texte de l’attestation délivrée à l’acceptation ; les champs entre accolades sont remplacés."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    def __init__(self, *args: Any, instance: Procedure | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = procedure_initial(instance)
        super().__init__(*args, **kwargs)
        if not procedure_has_attestation_template():
            del self.fields["attestation_template"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        others = Procedure.objects.filter(slug=slug)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("Une autre démarche a déjà l’identifiant « %(slug)s ».") % {"slug": slug})
        return slug

    def clean_official_links(self) -> list[dict[str, str]]:
        links = []
        for number, line in enumerate(_lines(self.cleaned_data["official_links"]), start=1):
            label, separator, url = line.rpartition("|")
            if not separator or not label.strip() or not url.strip():
                raise ValidationError(
                    _("Ligne %(number)s : écrivez « intitulé | https://adresse ».") % {"number": number}
                )
            links.append({"label": label.strip(), "url": url.strip()})
        return links

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("life_events")
        if data.get("legal_delay_days") is None:
            data["legal_delay_days"] = None
        data["keywords"] = data.get("keywords") or ""
        return data


def procedure_initial(procedure: Procedure) -> dict[str, Any]:
    initial = {
        name: getattr(procedure, name)
        for name in (
            "slug",
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
    }
    initial["instructing_service"] = procedure.instructing_service_id
    initial["life_events"] = [event.code for event in procedure.life_events.all()]
    initial["official_links"] = "\n".join(
        f"{link.get('label', '')} | {link.get('url', '')}"
        for link in procedure.official_links
        if isinstance(link, dict)
    )
    if procedure_has_attestation_template():
        initial["attestation_template"] = getattr(procedure, "attestation_template", "")
    return initial


class MotivationForm(BaseForm):
    motivation = forms.CharField(
        label=_("Motivation"),
        help_text=_("Facultative. Elle est conservée dans le journal d’audit."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


# --- Conditions -----------------------------------------------------------------------------


class ConditionFormMixin(forms.Form):
    """A condition on one earlier field: shown when its answer is / is among / is none of values."""

    condition_field = forms.ChoiceField(
        label=_("Afficher seulement si le champ"),
        help_text=_("Choisissez un champ placé avant ; laissez vide pour toujours afficher."),
        required=False,
    )
    condition_op = forms.ChoiceField(label=_("Opérateur de la condition"), choices=CONDITION_OPERATORS, required=False)
    condition_values = forms.CharField(
        label=_("Valeurs de la condition"),
        help_text=_("Une valeur par ligne ; pour un champ oui/non, écrivez « oui » ou « non »."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    earlier: Sequence[Field] = ()

    def set_earlier(self, earlier: Sequence[Field]) -> None:
        self.earlier = earlier
        self.fields["condition_field"].choices = [  # type: ignore[attr-defined]
            ("", _("— toujours afficher —")),
            *[(field_.name, f"{field_.label} ({field_.name})") for field_ in earlier],
        ]

    def condition(self) -> Any:
        name = self.cleaned_data.get("condition_field")
        if not name:
            return None
        field_ = next(field_ for field_ in self.earlier if field_.name == name)
        operator = self.cleaned_data.get("condition_op") or "eq"
        raw = _lines(self.cleaned_data.get("condition_values") or "")
        values = [condition_value(field_, value) for value in raw]
        if operator == "eq":
            return {"field": name, "op": "eq", "value": values[0] if values else ""}
        return {"field": name, "op": operator, "value": values}

    def clean_condition(self) -> None:
        name = self.cleaned_data.get("condition_field")
        if not name:
            return
        field_ = next((field_ for field_ in self.earlier if field_.name == name), None)
        raw = _lines(self.cleaned_data.get("condition_values") or "")
        if not raw:
            self.add_error("condition_values", _("Indiquez au moins une valeur pour la condition."))
            return
        if (self.cleaned_data.get("condition_op") or "eq") == "eq" and len(raw) > 1:
            self.add_error("condition_values", _("« est égal à » attend une seule valeur."))
        if field_ is not None and field_.kind == FieldKind.YES_NO:
            if any(value.lower() not in YES_WORDS | NO_WORDS for value in raw):
                self.add_error("condition_values", _("Pour un champ oui/non, écrivez « oui » ou « non »."))


def condition_value(field_: Field, raw: str) -> Any:
    """The JSON value an answer of this field holds, from what staff typed."""
    if field_.kind == FieldKind.YES_NO:
        return raw.lower() in YES_WORDS
    if field_.kind == FieldKind.NUMBER and field_.decimal_places == 0 and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def condition_initial(condition: Any) -> dict[str, Any]:
    item = condition[0] if isinstance(condition, list) and condition else condition
    if not isinstance(item, dict):
        return {}
    raw_value = item.get("value")
    values: list[Any] = raw_value if isinstance(raw_value, list) else [raw_value]
    shown = ["oui" if value is True else "non" if value is False else str(value) for value in values]
    return {
        "condition_field": item.get("field", ""),
        "condition_op": item.get("op", "eq"),
        "condition_values": "\n".join(shown),
    }


def condition_text(condition: Any) -> str:
    """A condition as staff read it: « nom est égal à oui »."""
    operators = dict(CONDITION_OPERATORS)
    items = condition if isinstance(condition, list) else [condition] if condition else []
    parts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        raw_value = item.get("value")
        values: list[Any] = raw_value if isinstance(raw_value, list) else [raw_value]
        shown = ", ".join("oui" if value is True else "non" if value is False else str(value) for value in values)
        parts.append(f"{item.get('field')} {operators.get(str(item.get('op')), item.get('op'))} {shown}")
    return " ; ".join(parts)


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
        choices=DocumentType.choices,
        widget=forms.CheckboxSelectMultiple,
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
        "xp",
        "condition_field",
        "condition_op",
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
    pattern = forms.CharField(label=_("Format (expression régulière)"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Choix"),
        help_text=_("Pour un choix unique ou multiple : un choix par ligne, « valeur | libellé »."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    field_order = [
        "label",
        "name",
        "kind",
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
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
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
        "pattern": field_.pattern,
        "choices": "\n".join(
            f"{choice.get('value')} | {choice.get('label')}" for choice in field_.choices if isinstance(choice, dict)
        ),
        **condition_initial(field_.condition),
    }


# --- What the procedure needs ---------------------------------------------------------------


class NeedsForm(BaseForm):
    """The services around the procedure it relies on: features follow these, never its slug."""

    appointment_need = forms.ChoiceField(
        label=_("Rendez-vous en mairie"), choices=AppointmentNeed.choices, required=False
    )
    issued_title = forms.ChoiceField(
        label=_("Titre délivré"),
        choices=[("", _("Aucun titre")), *ISSUED_TITLES],
        required=False,
        help_text=_("Quand ce titre expire dans le porte-documents d’un citoyen, l’alerte renvoie à cette démarche."),
    )
    tax_calendar = forms.BooleanField(
        label=_("Suit le calendrier de la déclaration de revenus (DGFiP)"), required=False
    )
    address_dispatch = forms.BooleanField(
        label=_("Transmet la nouvelle adresse aux organismes choisis par le citoyen"), required=False
    )

    @classmethod
    def initial_of(cls, revision: ProcedureRevision) -> dict[str, Any]:
        return {name: getattr(revision, name) for name in REVISION_NEEDS}


# --- Rewards --------------------------------------------------------------------------------


class RewardsForm(BaseForm):
    xp_per_step = forms.IntegerField(label=_("XP par étape"), min_value=0, max_value=1000)
    completion_xp = forms.IntegerField(label=_("XP à l’aboutissement"), min_value=0, max_value=10000)
    badge_codes = forms.CharField(
        label=_("Badges"),
        help_text=_("Codes des badges gagnés à l’aboutissement, un par ligne."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean_badge_codes(self) -> list[str]:
        codes = _lines(self.cleaned_data.get("badge_codes") or "")
        for code in codes:
            if not re.fullmatch(r"[a-z0-9_-]{1,64}", code):
                raise ValidationError(
                    _("« %(code)s » n’est pas un code de badge (minuscules, chiffres, « _ » et « - »).")
                    % {"code": code}
                )
        if len(set(codes)) != len(codes):
            raise ValidationError(_("Un même badge est écrit deux fois."))
        return codes


# --- Services -------------------------------------------------------------------------------


class ServiceForm(BaseForm):
    name = forms.CharField(label=_("Nom du service"), max_length=200)
    kind = forms.ChoiceField(label=_("Type d’administration"), choices=ServiceKind.choices)
    commune_code = forms.RegexField(
        label=_("Code commune (INSEE)"),
        help_text=_("Cinq caractères, par exemple 75056 ou 2A004."),
        regex=r"^(?:\d{5}|2[AB]\d{3})$",
        required=False,
    )
    siret = forms.RegexField(label=_("SIRET"), help_text=_("Quatorze chiffres."), regex=r"^\d{14}$", required=False)


# --- Audit log ------------------------------------------------------------------------------


class AuditSearchForm(BaseForm):
    q = forms.CharField(
        label=_("Rechercher"),
        help_text=_("Dans la cible, la motivation et l’auteur."),
        required=False,
        max_length=200,
    )
    actor = forms.CharField(label=_("Auteur (adresse ou identifiant)"), required=False, max_length=254)
    action = forms.CharField(label=_("Action (code, par exemple procedure.publish)"), required=False, max_length=64)
    target = forms.CharField(
        label=_("Type de cible (par exemple procedures.procedure)"), required=False, max_length=64
    )
    since = forms.DateField(
        label=_("Depuis le"),
        help_text=_("Format : AAAA-MM-JJ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Jusqu’au"),
        help_text=_("Format : AAAA-MM-JJ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", _("La date de fin précède la date de début."))
        return cleaned
