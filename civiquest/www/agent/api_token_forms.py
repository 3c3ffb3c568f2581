"""The form an agent fills to make a token of the services' API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.api_tokens import MAX_DAYS, NAME_MAX_LENGTH
from civiquest.accounts.models import ApiTokenScope, Service
from civiquest.core.forms import BaseForm

DEFAULT_DAYS = 90


class ApiTokenForm(BaseForm):
    name = forms.CharField(
        label=_("Nom du jeton"),
        help_text=_("Le logiciel qui l’utilisera, par exemple « Logiciel état civil »."),
        max_length=NAME_MAX_LENGTH,
    )
    services = forms.TypedMultipleChoiceField(
        label=_("Services auxquels il donne accès"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un de vos services.")},
    )
    scope = forms.ChoiceField(
        label=_("Portée"),
        choices=ApiTokenScope.choices,
        initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_("En écriture, le logiciel peut aussi décider des dossiers et écrire aux usagers."),
    )
    days = forms.IntegerField(
        label=_("Durée de validité, en jours"),
        help_text=_("366 jours au plus : le jeton cesse ensuite de fonctionner."),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
    )

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["services"]
        if isinstance(field, forms.TypedMultipleChoiceField):
            field.choices = [(service.pk, service.name) for service in services]
