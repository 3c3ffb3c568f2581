"""Every form refuses a NUL byte or a lone surrogate on the field that carries it, whatever its type."""

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from civiquest.core.forms import BaseForm


class AnyInputForm(BaseForm):
    # A plain ``forms.Field`` (like the step form's address field) has no NUL check of its own.
    anything = forms.Field(required=False)
    text = forms.CharField(required=False)
    choices = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
    attachment = forms.FileField(required=False)


def test_a_nul_byte_in_any_field_is_a_clear_field_error():
    form = AnyInputForm(data={"anything": "bonjour\x00", "text": "ok"})
    assert not form.is_valid()
    assert form.errors["anything"] == [
        "Ce champ contient un caractère invalide (nul ou mal encodé) : retirez-le et réessayez."
    ]
    assert "text" not in form.errors


def test_a_lone_surrogate_is_refused_too_and_nothing_else_is():
    data = QueryDict(mutable=True)
    data.setlist("anything", ["caf\ud800"])
    form = AnyInputForm(data=data)
    assert "anything" in form.errors
    clean = AnyInputForm(
        data={"anything": "Café à Nouméa", "text": "« ok »", "choices": ["a"]},
        files={"attachment": SimpleUploadedFile("facture.pdf", b"%PDF-1.7 \x00 binary is fine")},
    )
    assert clean.is_valid(), clean.errors


def test_django_own_refusal_is_kept_not_doubled():
    form = AnyInputForm(data={"text": "a\x00b"})
    assert len(form.errors["text"]) == 1
