"""Forms of the staff's structure pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm
from civiquest.social.mandates.models import StructureKind, StructureRole


class StructureForm(BaseForm):
    name = forms.CharField(label=_("Nom de la structure"), max_length=160)
    kind = forms.ChoiceField(label=_("Type"), choices=StructureKind.choices)
    siret = forms.RegexField(
        label=_("SIRET"),
        regex=r"^\d{14}$",
        required=False,
        error_messages={"invalid": _("Un SIRET compte 14 chiffres.")},
    )


class StructureMemberForm(BaseForm):
    email = forms.EmailField(label=_("Adresse e-mail du compte"), max_length=254)
    role = forms.ChoiceField(label=_("Rôle"), choices=StructureRole.choices)
