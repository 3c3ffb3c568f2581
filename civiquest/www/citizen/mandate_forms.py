"""Forms of the mandate pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.models import Theme
from civiquest.core.forms import BaseForm
from civiquest.social.mandates.models import DURATIONS_DAYS

DURATION_LABELS = {
    1: _("1 jour"),
    31: _("31 jours (un mois)"),
    182: _("182 jours (six mois)"),
    365: _("365 jours (un an)"),
}


class MandateGrantForm(BaseForm):
    helper_code = forms.CharField(
        label=_("Code de votre aidant"),
        help_text=_("Les 8 caractères que votre aidant vous montre sur sa page « Aidant »."),
        max_length=12,
        error_messages={"required": _("Saisissez le code de votre aidant.")},
    )
    domains = forms.MultipleChoiceField(
        label=_("Domaines confiés"),
        help_text=_("Votre aidant ne verra que vos démarches et vos documents de ces domaines."),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choisissez au moins un domaine."),
            "invalid_choice": _("Ce domaine n’existe pas."),
        },
    )
    days = forms.TypedChoiceField(
        label=_("Durée du mandat"),
        choices=[(str(days), DURATION_LABELS[days]) for days in DURATIONS_DAYS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez une durée."),
            "invalid_choice": _("La durée d’un mandat est de 1, 31, 182 ou 365 jours."),
        },
    )
