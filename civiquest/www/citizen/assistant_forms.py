"""Forms of the assistant's pages: a question (with the procedure and step it is about), feedback on an answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civiquest.assistant.conversations.models import Vote
from civiquest.assistant.conversations.services import QUESTION_MAX_LENGTH
from civiquest.core.forms import BaseForm


class VisitorQuestionForm(BaseForm):
    """A question alone: what a visitor who is not signed in asks (no procedure context, no conversation)."""

    question = forms.CharField(
        label=_("Votre question"),
        help_text=_("Par exemple : quels documents fournir pour renouveler mon passeport ?"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": "3", "maxlength": str(QUESTION_MAX_LENGTH)}),
        error_messages={
            "required": _("« Votre question » est vide : écrivez votre question."),
            "max_length": _("« Votre question » est trop longue : %(limit_value)d caractères au plus."),
        },
    )

    def clean_question(self) -> str:
        question = " ".join(str(self.cleaned_data["question"]).split(" ")).strip()
        if not question:
            raise forms.ValidationError(_("« Votre question » est vide : écrivez votre question."))
        return question


class QuestionForm(VisitorQuestionForm):
    """A signed-in citizen's question, with the procedure and step it is about, or the conversation it continues."""

    procedure = forms.SlugField(required=False, widget=forms.HiddenInput, max_length=100)
    step = forms.SlugField(required=False, widget=forms.HiddenInput, max_length=100)
    conversation = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class FeedbackForm(BaseForm):
    vote = forms.ChoiceField(label=_("Cette réponse vous a-t-elle aidé ?"), choices=Vote.choices)
    comment = forms.CharField(
        label=_("Commentaire"),
        help_text=_("Ce qui manque ou ce qui est faux. N’écrivez pas de données personnelles."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": "2", "maxlength": "1000"}),
        error_messages={"max_length": _("« Commentaire » est trop long : %(limit_value)d caractères au plus.")},
    )
