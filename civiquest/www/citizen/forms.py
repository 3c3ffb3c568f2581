from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm


class ContactPreferencesForm(BaseForm):
    email = forms.EmailField(
        label=_("Adresse électronique de contact"),
        help_text=_("Format attendu : nom@domaine.fr"),
        max_length=254,
    )
    notify_by_email = forms.BooleanField(
        label=_("Recevoir par courriel les nouvelles de mes démarches"),
        required=False,
    )
