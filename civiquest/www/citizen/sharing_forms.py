"""Forms of sharing: a share link, a circle, a pseudonym, what a circle sees of me."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm
from civiquest.social.sharing.models import CircleKind, ShareKind
from civiquest.social.sharing.services import CIRCLE_NAME_MAX, DEFAULT_SHARE_DAYS, SHARE_DAYS

DAYS_CHOICES = [(str(days), _("%(days)s jours") % {"days": days}) for days in SHARE_DAYS]


class ShareCreateForm(BaseForm):
    kind = forms.ChoiceField(label=_("Ce que je partage"), choices=ShareKind.choices, widget=forms.RadioSelect)
    quest = forms.ChoiceField(
        label=_("La démarche"),
        required=False,
        help_text=_("Pour une liste : les pièces à fournir et les étapes, sans vos réponses ni vos documents."),
    )
    badge = forms.ChoiceField(label=_("Le badge"), required=False)
    include_ticks = forms.BooleanField(label=_("Montrer les étapes que j’ai faites"), required=False)
    show_pseudonym = forms.BooleanField(
        label=_("Montrer mon pseudonyme"),
        required=False,
        help_text=_("Jamais votre nom. Sans pseudonyme choisi, rien n’est montré."),
    )
    days = forms.TypedChoiceField(
        label=_("Durée du lien"),
        choices=DAYS_CHOICES,
        coerce=int,
        initial=str(DEFAULT_SHARE_DAYS),
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, quests: list[tuple[str, str]], badges: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quest"].choices = [("", _("Choisir une démarche"))] + quests
        self.fields["badge"].choices = [("", _("Choisir un badge"))] + badges

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ShareKind.CHECKLIST and not data.get("quest"):
            self.add_error("quest", _("Choisissez la démarche dont vous partagez la liste."))
        if kind == ShareKind.BADGE and not data.get("badge"):
            self.add_error("badge", _("Choisissez le badge que vous partagez."))
        return data


class CircleCreateForm(BaseForm):
    name = forms.CharField(
        label=_("Nom du cercle"), max_length=CIRCLE_NAME_MAX, help_text=_("Par exemple « Famille ».")
    )
    kind = forms.ChoiceField(label=_("Type de cercle"), choices=CircleKind.choices, widget=forms.RadioSelect)


class PseudonymForm(BaseForm):
    pseudonym = forms.CharField(
        label=_("Votre pseudonyme"),
        max_length=24,
        help_text=_("De 3 à 24 caractères, choisi une fois pour toutes ; jamais votre nom."),
    )


class VisibilityForm(BaseForm):
    shows_level = forms.BooleanField(label=_("Mon niveau"), required=False)
    shows_badges = forms.BooleanField(label=_("Mes badges"), required=False)
    shows_done_count = forms.BooleanField(label=_("Le nombre de démarches que j’ai terminées"), required=False)
