"""Forms of the citizen's procedure pages: the catalogue filters, and a step's form built from its inputs.

A step form carries and renders what the citizen typed; it does not validate. The domain
core does (``answers_save``, ``step_complete``), and the view puts its messages, which
name the field, back on the form with ``StepForm.set_errors``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from dsfr.utils import dsfr_input_class_attr

from civiquest.catalogue.cleaning import address_is_verified, address_label
from civiquest.catalogue.inputs import FREE_ENTRY_KEY, InputSpec, document_alternatives
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.core.forms import BaseForm
from civiquest.core.rich_text import rich_text
from civiquest.core.templatetags.content_lang import fr_text
from civiquest.documents.models import Document, DocumentType
from civiquest.www.citizen.commune_field import (
    CommuneCombobox,
    CommuneField,
    commune_choice_name,
    commune_code_name,
    commune_from_post,
)

YES, NO = "oui", "non"
MULTIPLE_KINDS = frozenset({FieldKind.MULTIPLE_CHOICE})


class CatalogueFilterForm(BaseForm):
    q = forms.CharField(label=_("Rechercher une démarche"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Thème"), required=False, choices=[("", _("Tous les thèmes")), *Theme.choices])
    life_event = forms.ChoiceField(
        label=_("Événement de vie"),
        required=False,
        choices=[("", _("Tous les événements de vie")), *LifeEventCode.choices],
    )

    def filters(self) -> dict[str, str]:
        """The valid filters, empty ones included (an invalid value is ignored)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "search": str(cleaned.get("q") or ""),
            "theme": str(cleaned.get("theme") or ""),
            "life_event": str(cleaned.get("life_event") or ""),
        }


def _text_attrs(spec: InputSpec, **attrs: str) -> dict[str, str]:
    if spec.max_length:
        attrs.setdefault("maxlength", str(spec.max_length))
    return attrs


def _catalogue_choices(spec: InputSpec) -> list[tuple[str, str]]:
    """The input's choices, whose labels are catalogue content (in French, marked so on an English page)."""
    return [(value, fr_text(label)) for value, label in spec.choices]


def form_field(spec: InputSpec, documents: Sequence[Document] = ()) -> forms.Field:
    """One Django form field for one input, with the widget, ``inputmode`` and ``autocomplete`` it calls for."""
    common: dict[str, Any] = {
        "label": fr_text(spec.label),
        "required": spec.required,
        "help_text": fr_text(rich_text(spec.help_text)),
    }
    kind = spec.kind
    if kind == FieldKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs=_text_attrs(spec, rows="5")), **common)
    if kind == FieldKind.NUMBER:
        mode = "decimal" if spec.decimal_places else "numeric"
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": mode}), **common)
    if kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldKind.EMAIL:
        return forms.CharField(
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}), **common
        )
    if kind == FieldKind.PHONE:
        return forms.CharField(
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}), **common
        )
    if kind == FieldKind.YES_NO:
        return forms.ChoiceField(choices=[(YES, _("Oui")), (NO, _("Non"))], widget=forms.RadioSelect, **common)
    if kind == FieldKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=_catalogue_choices(spec), widget=forms.RadioSelect, **common)
    if kind == FieldKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=_catalogue_choices(spec), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldKind.ADDRESS:
        return AddressField(widget=AddressCombobox(attrs=_text_attrs(spec, autocomplete="street-address")), **common)
    if kind == FieldKind.COMMUNE:
        return CommuneField(
            widget=CommuneCombobox(attrs={"maxlength": "200", "spellcheck": "false", "autocomplete": "off"}), **common
        )
    if kind == FieldKind.IBAN:
        return forms.CharField(
            widget=forms.TextInput(attrs={"maxlength": "42", "spellcheck": "false", "autocomplete": "off"}), **common
        )
    if kind == FieldKind.SIRET:
        return forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "17", "autocomplete": "off"}),
            **common,
        )
    if kind == FieldKind.DOCUMENT:
        return forms.ChoiceField(
            choices=[
                (str(document.pk), document_choice_label(document)) for document in documents_for(spec, documents)
            ],
            widget=forms.RadioSelect,
            **common,
        )
    return forms.CharField(widget=forms.TextInput(attrs=_text_attrs(spec)), **common)


def documents_for(spec: InputSpec, documents: Sequence[Document]) -> list[Document]:
    """The wallet documents a document input may take: of its type, or filed as "other"."""
    if not spec.document_type:
        return list(documents)
    accepted = (*document_alternatives(spec.document_type), DocumentType.OTHER)
    return [document for document in documents if document.type in accepted]


def document_choice_label(document: Document) -> str:
    """A wallet document as a step offers it again: its title, the day it was added, its validity."""
    added = date_format(timezone.localdate(document.created_at), "DATE_FORMAT")
    if document.expires_on is None:
        return _("%(title)s, ajouté le %(added)s") % {"title": document.title, "added": added}
    return _("%(title)s, ajouté le %(added)s (valable jusqu’au %(date)s)") % {
        "title": document.title,
        "added": added,
        "date": date_format(document.expires_on, "SHORT_DATE_FORMAT"),
    }


def initial_value(spec: InputSpec, value: Any) -> Any:
    """A stored answer as its form field shows it."""
    if value is None:
        return None
    if spec.kind in (FieldKind.ADDRESS, FieldKind.COMMUNE):
        return value if isinstance(value, Mapping) else str(value)
    if spec.kind == FieldKind.YES_NO:
        return YES if value is True else NO if value is False else value
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value)


def raw_answers(specs: Sequence[InputSpec], data: QueryDict) -> dict[str, Any]:
    """What a posted step form says for each input: the whole form is posted, so a missing input is empty."""
    raw: dict[str, Any] = {}
    for spec in specs:
        if spec.kind in MULTIPLE_KINDS:
            raw[spec.name] = data.getlist(spec.name)
        elif spec.kind == FieldKind.ADDRESS:
            raw[spec.name] = address_from_post(data.get(spec.name, ""), data.get(address_token_name(spec.name), ""))
        elif spec.kind == FieldKind.COMMUNE:
            raw[spec.name] = commune_from_post(
                data.get(spec.name, ""),
                data.get(commune_code_name(spec.name), ""),
                data.get(commune_choice_name(spec.name), ""),
            )
        else:
            raw[spec.name] = data.get(spec.name, "")
    return raw


# --- The address field: an ARIA 1.2 combobox over the geocoder, free entry always possible ------------

ADDRESS_TOKEN_SALT = "civiquest.address.suggestion"  # noqa: S105 - a signing salt, not a secret
ADDRESS_TOKEN_SUFFIX = "__adresse"  # noqa: S105 - an input name suffix


def address_token_name(name: str) -> str:
    """The hidden input that carries the suggestion the citizen picked for the address input ``name``."""
    return f"{name}{ADDRESS_TOKEN_SUFFIX}"


def address_token(address: Mapping[str, Any]) -> str:
    """A suggestion as the page carries it: signed, so a posted address is one the geocoder gave."""
    return signing.dumps(dict(address), salt=ADDRESS_TOKEN_SALT, compress=True)


def address_from_token(token: str) -> dict[str, Any] | None:
    try:
        value = signing.loads(token, salt=ADDRESS_TOKEN_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) else None


def address_from_post(text: str, token: str) -> Any:
    """What an address input posted: the picked suggestion, or the typed text as free entry.

    The suggestion counts only while the text still is its label (the citizen may edit
    it after picking; the edited text is then free entry). Empty text is no answer.
    """
    typed = " ".join(str(text).split())
    if not typed:
        return ""
    picked = address_from_token(token) if token else None
    if picked is not None and " ".join(str(picked.get("label", "")).split()) == typed:
        return picked
    return {"label": typed, FREE_ENTRY_KEY: True}


class AddressCombobox(forms.TextInput):
    """A text input enhanced into a combobox by ``address/combobox.js``; plain text without JS."""

    template_name = "widgets/address_combobox.html"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Mapping):
            return address_label(value)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        verified = isinstance(value, Mapping) and address_is_verified(value)
        context["widget"].update(
            {
                "token_name": address_token_name(name),
                "token": address_token(value) if verified else "",
                "free_entry": isinstance(value, Mapping) and value.get(FREE_ENTRY_KEY) is True,
            }
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        text = data.get(name)
        if text is None:
            return None
        return address_from_post(text, data.get(address_token_name(name), "")) or ""


class AddressField(forms.Field):
    """Carries what the combobox posted (picked suggestion or free text); the core validates it."""


# Inputs a locked value is shown in as read-only text; the others (choices, comboboxes) are disabled.
READONLY_KINDS = frozenset({FieldKind.TEXT, FieldKind.DATE})


@dataclass(frozen=True)
class StepFormRow:
    field: BoundField
    offer: Any = None
    locked: bool = False
    # What the service asked to correct in this answer (a change request's comment).
    request: str = ""


class StepForm(BaseForm):
    """The visible inputs of one step, bound to what was posted or filled from the stored answers.

    ``locked`` holds the certified values (FranceConnect) of the inputs that take one: shown,
    never editable, whatever was posted. ``offers`` holds what the citizen may reuse, by input
    (``quest_prefill.Offer``), rendered beside the input with a button to accept it.
    """

    template_name = "citizen/quests/_step_form.html"

    def __init__(
        self,
        *,
        specs: Sequence[InputSpec],
        answers: Mapping[str, Any] | None = None,
        data: QueryDict | None = None,
        documents: Sequence[Document] = (),
        auto_id: str = "id_%s",
        locked: Mapping[str, Any] | None = None,
        offers: Mapping[str, Any] | None = None,
        requests: Mapping[str, str] | None = None,
    ) -> None:
        answers = {**(answers or {}), **(locked or {})}
        self.locked = dict(locked or {})
        self.offers = dict(offers or {})
        self.requests = dict(requests or {})
        initial = {spec.name: initial_value(spec, answers.get(spec.name)) for spec in specs}
        if data is not None and self.locked:
            data = data.copy()
            for spec in specs:
                if spec.name in self.locked and spec.kind in READONLY_KINDS:
                    data[spec.name] = initial[spec.name]
        super().__init__(data=data, initial=initial, auto_id=auto_id)
        for spec in specs:
            self.fields[spec.name] = form_field(spec, documents)
            if spec.name in self.locked:
                self._lock(spec)
            if self.requests.get(spec.name):
                # The service's comment is read with the input, before its own hint.
                described = [self.auto_id % spec.name + "-fix"]
                if self.fields[spec.name].help_text:
                    described.append(self.auto_id % spec.name + "_helptext")
                self.fields[spec.name].widget.attrs["aria-describedby"] = " ".join(described)
        if self.is_bound:
            # Never Django's own validation: only the core's messages (see set_errors).
            self._errors = ErrorDict()
            self.cleaned_data: dict[str, Any] = {}
        for bound in self.visible_fields():
            dsfr_input_class_attr(bound)

    def _lock(self, spec: InputSpec) -> None:
        field_ = self.fields[spec.name]
        if spec.kind in READONLY_KINDS:
            field_.widget.attrs["readonly"] = True
        else:
            # A disabled input shows its initial value whatever was posted (and posts nothing).
            field_.disabled = True
        note = _("Information certifiée par FranceConnect : elle ne peut pas être modifiée ici.")
        field_.help_text = format_html("{} {}", note, field_.help_text) if field_.help_text else note

    @property
    def rows(self) -> list[StepFormRow]:
        return [
            StepFormRow(
                field=bound,
                offer=self.offers.get(bound.name),
                locked=bound.name in self.locked,
                request=self.requests.get(bound.name, ""),
            )
            for bound in self
        ]

    def set_errors(self, errors: Mapping[str, str]) -> None:
        """Show the core's messages on their fields; the form does no validation of its own."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for name, message in errors.items():
            if name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, message)
        for bound in self.visible_fields():
            dsfr_input_class_attr(bound)
