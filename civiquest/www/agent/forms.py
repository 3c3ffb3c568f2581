from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.instruction.exports import COLUMNS, DEFAULT_COLUMNS
from civiquest.instruction.inbox import INBOX_STATES
from civiquest.instruction.models import ExportFormat
from civiquest.quests import workflow


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
    """What to export: the inbox filters (same parameter names), the details, the format.

    An export of one procedure has a column per answer; across procedures, the details only.
    """

    demarche = forms.TypedChoiceField(
        label=_("Démarche"),
        help_text=_("Choisissez une démarche pour exporter les réponses des usagers, une colonne par champ."),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choisissez une démarche de vos services.")},
    )
    etat = forms.ChoiceField(
        label=_("État"),
        required=False,
        error_messages={"invalid_choice": _("Choisissez un état de la liste.")},
    )
    etiquette = forms.TypedChoiceField(
        label=_("Étiquette"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choisissez une étiquette de vos services.")},
    )
    q = forms.CharField(label=_("Numéro de dossier ou nom de l’usager"), required=False, max_length=100)
    moi = forms.BooleanField(label=_("Seulement les dossiers qui me sont attribués"), required=False)
    retard = forms.BooleanField(label=_("Seulement les dossiers en retard"), required=False)
    columns = forms.MultipleChoiceField(
        label=_("Colonnes"),
        choices=[(key, column.label) for key, column in COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_COLUMNS),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.CSV,
        error_messages={
            "required": _("Choisissez un format : CSV, XLSX ou ODS."),
            "invalid_choice": _("Choisissez un format : CSV, XLSX ou ODS."),
        },
    )

    def __init__(
        self,
        *args: Any,
        procedures: Sequence[tuple[int, str]] = (),
        labels: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        demarche = cast(forms.TypedChoiceField, self.fields["demarche"])
        demarche.choices = [("", _("Toutes les démarches (sans les réponses)")), *procedures]
        etat = cast(forms.ChoiceField, self.fields["etat"])
        etat.choices = [
            ("", _("En attente de décision")),
            ("all", _("Tous les états")),
            *((str(state), workflow.state_label(state)) for state in INBOX_STATES),
        ]
        etiquette = cast(forms.TypedChoiceField, self.fields["etiquette"])
        etiquette.choices = [("", _("Toutes les étiquettes")), *labels]

    def export_query(self) -> dict[str, str]:
        """The inbox's query parameters for the cleaned filters (``InboxFilters.from_query`` reads them)."""
        data = self.cleaned_data
        query = {
            "demarche": "" if data["demarche"] is None else str(data["demarche"]),
            "etat": data["etat"] or "",
            "etiquette": "" if data["etiquette"] is None else str(data["etiquette"]),
            "q": data["q"] or "",
            "moi": "1" if data["moi"] else "",
            "retard": "1" if data["retard"] else "",
        }
        return {key: value for key, value in query.items() if value}


class OpinionAskForm(forms.Form):
    expert_email = forms.CharField(
        label=_("Adresse électronique de l’agent à consulter"),
        help_text=_("Un agent de n’importe quel service ; il verra ce dossier seulement."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )
    question = forms.CharField(label=_("Votre question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class OpinionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Votre avis"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000)
