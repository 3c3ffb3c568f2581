"""Entraide's forms: the pseudonym, a question, an answer (with the personal data confirmation)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.core.forms import BaseForm
from civiquest.social.entraide.services import fiche_url_message, fiche_url_valid

CONFIRM_LABEL = _("Je confirme : ce ne sont pas des données personnelles, je publie quand même.")


class PseudonymForm(BaseForm):
    pseudonym = forms.CharField(
        label=_("Votre pseudonyme"),
        max_length=24,
        help_text=_("De 3 à 24 caractères : lettres, chiffres, tiret, point ou tiret bas. Il ne pourra plus changer."),
    )


class _PersonalDataForm(BaseForm):
    """A post: the confirmation box appears only once a warning was shown (``warned``)."""

    def __init__(self, *args: object, warned: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if warned:
            self.fields["confirm_personal_data"] = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    @property
    def confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm_personal_data"))


class QuestionForm(_PersonalDataForm):
    step_slug = forms.ChoiceField(label=_("Étape concernée"), required=False)
    title = forms.CharField(label=_("Votre question"), max_length=160)
    body = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("N’écrivez ni votre nom, ni votre adresse, ni vos numéros : l’entraide est publique."),
    )

    def __init__(self, *args: object, steps: list[tuple[str, str]], warned: bool = False, **kwargs: object) -> None:
        super().__init__(*args, warned=warned, **kwargs)
        self.fields["step_slug"].choices = [("", _("Toute la démarche")), *steps]


class AnswerForm(_PersonalDataForm):
    body = forms.CharField(
        label=_("Votre réponse"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("N’écrivez ni votre nom, ni votre adresse, ni vos numéros : l’entraide est publique."),
    )
    fiche_url = forms.CharField(
        label=_("Fiche officielle citée"),
        required=False,
        max_length=300,
        help_text=_("Facultatif. Une adresse https de service-public.fr ou legifrance.gouv.fr."),
    )

    def clean_fiche_url(self) -> str:
        url = str(self.cleaned_data.get("fiche_url") or "").strip()
        if not fiche_url_valid(url):
            raise forms.ValidationError(fiche_url_message())
        return url
