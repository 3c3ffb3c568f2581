from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.instruction.exports import COLUMNS, DEFAULT_COLUMNS


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Votre message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)
    attachment = forms.FileField(
        label=_("Pièce jointe (facultatif)"),
        help_text=_("PDF, JPEG ou PNG."),
        required=False,
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note privée"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class LabelForm(forms.Form):
    name = forms.CharField(label=_("Nouvelle étiquette"), max_length=60, required=False)


class ExportForm(forms.Form):
    FORMATS = (("csv", "CSV"), ("xlsx", _("Tableur (XLSX)")))

    columns = forms.MultipleChoiceField(
        label=_("Colonnes"),
        choices=[(key, column.label) for key, column in COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_COLUMNS),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, widget=forms.RadioSelect, initial="csv")
