"""The moderator's decision form: an action among those the post's state allows, and its explanation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civiquest.core.forms import BaseForm
from civiquest.social.moderation.models import DecisionAction
from civiquest.social.moderation.services import SUSPENSION_DAYS

DURATION_LABELS = {1: gettext_lazy("1 jour"), 7: gettext_lazy("7 jours"), 30: gettext_lazy("30 jours")}


class DecisionForm(BaseForm):
    action = forms.ChoiceField(label=gettext_lazy("Décision"), widget=forms.RadioSelect)
    days = forms.TypedChoiceField(
        label=gettext_lazy("Durée de la suspension"),
        help_text=gettext_lazy("Seulement pour une suspension de publication."),
        choices=[
            ("", gettext_lazy("Choisir une durée")),
            *[(days, DURATION_LABELS[days]) for days in SUSPENSION_DAYS],
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explication donnée à l’auteur"),
        help_text=gettext_lazy(
            "L’auteur la reçoit avec la décision : dites quelle règle de la charte s’applique. "
            "Pour un classement sans suite, c’est une note interne."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, actions: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action, DecisionAction(action).label) for action in actions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == DecisionAction.SUSPEND and not cleaned.get("days"):
            self.add_error("days", _("Choisissez la durée de la suspension."))
        return cleaned
