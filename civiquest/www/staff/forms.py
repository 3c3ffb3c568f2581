from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import ServiceRole
from civiquest.accounts.selectors import services_by_name
from civiquest.core.forms import BaseForm


class AgentInvitationForm(BaseForm):
    email = forms.EmailField(
        label=_("Adresse électronique professionnelle de l’agent"),
        help_text=_(
            "L’agent se connectera avec ProConnect en utilisant cette adresse. Format attendu : nom@administration.fr"
        ),
        max_length=254,
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=services_by_name())
    role = forms.ChoiceField(label=_("Rôle dans le service"), choices=ServiceRole.choices, widget=forms.RadioSelect)
