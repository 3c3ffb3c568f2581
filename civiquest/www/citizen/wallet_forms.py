from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm
from civiquest.documents.intake import ACCEPTED_EXTENSIONS, max_upload_bytes, size_label
from civiquest.documents.models import DocumentType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DocumentUploadForm(BaseForm):
    """A document for the wallet: the checks on the file itself are the service's."""

    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.FileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS), "class": "fr-upload"}),
    )
    type = forms.ChoiceField(
        label=_("Type de document"), choices=[("", _("Sélectionnez un type")), *DocumentType.choices]
    )
    title = forms.CharField(
        label=_("Intitulé"),
        help_text=_("Par exemple : Passeport de Camille. Sans intitulé, le type de document est utilisé."),
        max_length=200,
        required=False,
    )
    issued_on = forms.DateField(
        label=_("Date de délivrance"), help_text=_("Format attendu : JJ/MM/AAAA"), required=False, widget=DateInput()
    )
    expires_on = forms.DateField(
        label=_("Date d’expiration"),
        help_text=_("Pour être prévenu avant qu’il n’expire. Format attendu : JJ/MM/AAAA"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        file_field = self.fields["file"]
        file_field.template_name = "citizen/documents/upload_field.html"
        file_field.help_text = _("Taille maximale : %(size)s. Formats acceptés : PDF, JPEG, PNG.") % {
            "size": size_label(max_upload_bytes())
        }

    def clean_issued_on(self) -> Any:
        issued_on = self.cleaned_data.get("issued_on")
        if issued_on is not None and issued_on > timezone.localdate():
            raise forms.ValidationError(_("La date de délivrance ne peut pas être dans le futur."))
        return issued_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on is not None and expires_on is not None and expires_on < issued_on:
            self.add_error("expires_on", _("La date d’expiration ne peut pas précéder la date de délivrance."))
        return cleaned
