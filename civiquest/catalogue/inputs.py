"""What a revision asks: one ``InputSpec`` per value a quest holds (a form field, or an input a step asks
for without fields: an outside service's reference, a checklist's ticks, one document per required type)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from civiquest.catalogue.models import (
    Field,
    FieldKind,
    Step,
    StepKind,
)
from civiquest.documents.models import DocumentType

CONDITION_OPERATORS = ("eq", "in", "not_in")
# Length bounds applied when the field sets none, so that no answer is unbounded.
DEFAULT_MAX_LENGTH: dict[str, int] = {FieldKind.TEXT: 500, FieldKind.LONG_TEXT: 10_000, FieldKind.ADDRESS: 500}
TRUE_WORDS = {"oui", "true", "1", "yes", "on"}
FALSE_WORDS = {"non", "false", "0", "no", "off"}
COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
FRENCH_NUMBER_RE = re.compile(r"^0[1-9]\d{8}$")
FRENCH_E164_RE = re.compile(r"^\+33[1-9]\d{8}$")
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
IBAN_RE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
# IBAN length per country (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
# La Poste's establishments share one SIREN and do not follow Luhn (INSEE rule).
LA_POSTE_SIREN = "356000000"
# Marks an address answer typed without picking a geocoder suggestion (see ``clean_address``).
FREE_ENTRY_KEY = "free_entry"


class InputInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InputSpec:
    """What one input accepts: a form field, or an input of a step without fields."""

    name: str
    label: str
    kind: str
    required: bool = True
    help_text: str = ""
    min_length: int | None = None
    max_length: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    decimal_places: int = 0
    min_date: str = ""
    max_date: str = ""
    pattern: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    condition: Any = None
    field_id: int | None = None
    # For a document input of a documents step: the type of document it asks for.
    document_type: str = ""
    # The identity or profile attribute the field takes, and when (``catalogue.field_sources``).
    source: str = ""
    source_condition: Any = None

    @property
    def choice_values(self) -> list[str]:
        return [value for value, _label in self.choices]


def field_spec(field_: Field) -> InputSpec:
    return InputSpec(
        name=field_.name,
        label=field_.label,
        kind=field_.kind,
        required=field_.required,
        help_text=field_.help_text,
        min_length=field_.min_length,
        max_length=field_.max_length,
        min_value=field_.min_value,
        max_value=field_.max_value,
        decimal_places=field_.decimal_places,
        min_date=field_.min_date,
        max_date=field_.max_date,
        pattern=field_.pattern,
        choices=_parse_choices(field_.choices),
        condition=field_.condition,
        field_id=field_.pk,
        source=field_.source,
        source_condition=field_.source_condition,
    )


def _parse_choices(choices: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(choices, list):
        return ()
    return tuple(
        (str(choice["value"]), str(choice.get("label", choice["value"])))
        for choice in choices
        if isinstance(choice, dict) and "value" in choice
    )


def reference_input_name(step: Step) -> str:
    return f"{step.slug}.reference"


def checklist_input_name(step: Step) -> str:
    return f"{step.slug}.checklist"


# A documents step asks for one document of each entry of ``document_types``; an entry may be
# alternatives, "identity_card|passport": one document of either type.
DOCUMENT_ALTERNATIVES_SEPARATOR = "|"
IDENTITY_PROOF = f"{DocumentType.IDENTITY_CARD}{DOCUMENT_ALTERNATIVES_SEPARATOR}{DocumentType.PASSPORT}"
DOCUMENT_ALTERNATIVES = (IDENTITY_PROOF,)


def document_alternatives(requirement: str) -> tuple[str, ...]:
    """The document types an entry of ``document_types`` accepts."""
    return tuple(requirement.split(DOCUMENT_ALTERNATIVES_SEPARATOR))


def document_requirement_label(requirement: str) -> str:
    """ "Carte nationale d’identité ou passeport" for ``identity_card|passport``."""
    labels = dict(DocumentType.choices)
    names = [str(labels.get(code, code)) for code in document_alternatives(requirement)]
    return _(" ou ").join([names[0], *(name[:1].lower() + name[1:] for name in names[1:])])


def document_requirement_choices() -> list[tuple[str, str]]:
    """What a documents step may ask for: a document type, or one of the known alternatives."""
    return [
        *((str(value), str(label)) for value, label in DocumentType.choices),
        *((requirement, document_requirement_label(requirement)) for requirement in DOCUMENT_ALTERNATIVES),
    ]


def document_input_name(step: Step, document_type: str) -> str:
    return f"{step.slug}.{document_type}"


def step_inputs(step: Step) -> list[InputSpec]:
    """What the step asks, in order (its fields for a form; the inputs its kind implies otherwise)."""
    if step.kind == StepKind.FORM:
        return [field_spec(field_) for field_ in step.fields.all()]
    if step.kind == StepKind.OUTSIDE_SERVICE:
        return [
            InputSpec(
                name=reference_input_name(step),
                label=step.reference_label or _("Référence obtenue"),
                kind=FieldKind.TEXT,
                required=step.required,
                max_length=100,
                pattern=step.reference_pattern,
            )
        ]
    if step.kind == StepKind.CHECKLIST:
        items = [str(item) for item in step.checklist_items] if isinstance(step.checklist_items, list) else []
        return [
            InputSpec(
                name=checklist_input_name(step),
                label=step.title,
                kind=FieldKind.MULTIPLE_CHOICE,
                required=step.required,
                # A required checklist is done when every item is ticked.
                min_length=len(items) if step.required else None,
                choices=tuple((str(index), item) for index, item in enumerate(items)),
            )
        ]
    if step.kind == StepKind.DOCUMENTS:
        types = step.document_types if isinstance(step.document_types, list) else []
        return [
            InputSpec(
                name=document_input_name(step, str(document_type)),
                label=document_requirement_label(str(document_type)),
                kind=FieldKind.DOCUMENT,
                required=step.required,
                document_type=str(document_type),
            )
            for document_type in types
        ]
    return []


# --- Values ---------------------------------------------------------------------------------
