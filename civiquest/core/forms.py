from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm


class BaseForm(DsfrBaseForm):
    """Every form of the project: the design system's layout, optional fields marked.

    The DSFR now marks optional fields rather than required ones; django-dsfr 3.6 does
    so only through a transitional setting that warns, so we set the context ourselves.
    """

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context
