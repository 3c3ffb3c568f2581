"""The citizen's report form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm
from civiquest.social.moderation.models import ReportReason


class ReportForm(BaseForm):
    reason = forms.ChoiceField(
        label=_("Pourquoi signalez-vous ce message ?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Précisez si vous le souhaitez"),
        help_text=_(
            "500 caractères au plus. N’écrivez aucune donnée personnelle (la vôtre ou celle d’une autre personne)."
        ),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
