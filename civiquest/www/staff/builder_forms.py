"""Forms of the procedure builder, services and audit log pages.

They turn what staff type (one line per link, choice or item; a condition picked from
earlier fields) into the JSON the procedure models hold, and back. The forms of steps,
fields and their conditions are ``builder_step_forms``'s.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import ServiceKind
from civiquest.accounts.selectors import services_by_name
from civiquest.catalogue.builder import procedure_has_attestation_template
from civiquest.catalogue.models import (
    ISSUED_TITLES,
    REVISION_NEEDS,
    AppointmentNeed,
    Audience,
    LifeEventCode,
    Procedure,
    ProcedureRevision,
    Theme,
)
from civiquest.catalogue.selectors import slug_taken
from civiquest.core.forms import BaseForm
from civiquest.progress.badges import BADGES


def badge_choices() -> list[tuple[str, str]]:
    """The badges of the platform, by name (a revision lists their codes)."""
    return [(badge.code, str(badge.name)) for badge in BADGES]


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
        queryset=services_by_name(),
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
        if slug_taken(slug, other_than=self.instance.pk if self.instance is not None else None):
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
    badge_codes = forms.MultipleChoiceField(
        label=_("Badges"),
        help_text=_("Les badges gagnés à l’aboutissement, choisis dans la liste des badges de la plateforme."),
        choices=badge_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


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
