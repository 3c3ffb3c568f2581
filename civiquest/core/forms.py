from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from civiquest.core.middleware import unstorable

UNSTORABLE_MESSAGE = _("Ce champ contient un caractère invalide (nul ou mal encodé) : retirez-le et réessayez.")


class BaseForm(DsfrBaseForm):
    """Every form of the project: the design system's layout, optional fields marked.

    The DSFR now marks optional fields rather than required ones; django-dsfr 3.6 does
    so only through a transitional setting that warns, so we set the context ourselves.
    """

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

    def full_clean(self) -> None:
        """Django's cleaning, then a field error wherever a NUL byte or a lone surrogate was posted.

        ``UnstorableInputMiddleware`` refuses them in url-encoded bodies; a multipart body
        reaches the form, and only Django's text fields refuse a NUL byte themselves.
        """
        super().full_clean()
        if not self.is_bound or self._errors is None:
            return
        for name, field in self.fields.items():
            if name in self._errors or field.disabled:
                continue
            posted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if unstorable(posted):
                self.add_error(name, UNSTORABLE_MESSAGE)
