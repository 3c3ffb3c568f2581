"""What a citizen may answer, and what they are shown.

- **Inputs.** Every value a quest holds is validated against an ``InputSpec``: a form field,
  or one of the inputs a step asks for without fields (the reference an outside service
  gave, the ticks of a checklist, one document per required type). ``step_inputs(step)``
  lists them; ``clean_value(spec, raw)`` returns the canonical JSON value or raises
  ``InputInvalid`` with a French message naming the label. Cleaning is idempotent: a
  stored value cleans to itself, so answers are re-checked at submission.
- **Conditions.** ``{"field": name, "op": "eq" | "in" | "not_in", "value": ...}`` (or a list
  of them, all of which must hold) shows a step or a field when an *earlier* answer
  matches. An unanswered or hidden field matches nothing, whatever the operator. For a
  multiple-choice answer, ``eq`` means "contains" and ``in``/``not_in`` test whether any
  chosen value is in the list.
- **Visibility** is computed in step and field order, so a field hidden by a condition
  hides in turn what depends on it. Hidden inputs are neither required nor kept at
  submission.
- **Revision integrity.** ``revision_problems(revision)`` lists what keeps a draft from
  being published (bad conditions, patterns, choices, bounds…).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civiquest.catalogue.models import (
    DATE_BOUND_RE,
    FIELD_NAME_RE,
    Field,
    FieldKind,
    ProcedureRevision,
    Step,
    StepKind,
)
from civiquest.documents.models import DocumentType
from civiquest.integrations.address.types import NormalizedAddress

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
        labels = dict(DocumentType.choices)
        return [
            InputSpec(
                name=document_input_name(step, str(document_type)),
                label=str(labels.get(document_type, document_type)),
                kind=FieldKind.DOCUMENT,
                required=step.required,
                document_type=str(document_type),
            )
            for document_type in types
        ]
    return []


# --- Values ---------------------------------------------------------------------------------


def is_empty(raw: Any) -> bool:
    """No answer given: nothing, blank text or no choice. ``False`` (a "no") is an answer."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple):
        return all(is_empty(item) for item in raw)
    return False


def clean_value(spec: InputSpec, raw: Any) -> Any:
    """The canonical JSON value of a non-empty answer, or ``InputInvalid``."""
    cleaner = CLEANERS.get(spec.kind)
    if cleaner is None:
        raise InputInvalid(_("« %(label)s » : type de champ inconnu.") % {"label": spec.label})
    return cleaner(spec, raw)


def _invalid(spec: InputSpec, message: str, **params: Any) -> InputInvalid:
    return InputInvalid(message % {"label": spec.label, **params})


def _as_text(spec: InputSpec, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise _invalid(spec, _("« %(label)s » n’a pas le format attendu."))
    return str(raw)


def _check_length(spec: InputSpec, text: str) -> None:
    max_length = spec.max_length if spec.max_length is not None else DEFAULT_MAX_LENGTH.get(spec.kind)
    if spec.min_length is not None and len(text) < spec.min_length:
        raise InputInvalid(
            ngettext(
                "« %(label)s » doit comporter au moins %(count)s caractère.",
                "« %(label)s » doit comporter au moins %(count)s caractères.",
                spec.min_length,
            )
            % {"label": spec.label, "count": spec.min_length}
        )
    if max_length is not None and len(text) > max_length:
        raise InputInvalid(
            ngettext(
                "« %(label)s » doit comporter au plus %(count)s caractère.",
                "« %(label)s » doit comporter au plus %(count)s caractères.",
                max_length,
            )
            % {"label": spec.label, "count": max_length}
        )


def _check_pattern(spec: InputSpec, text: str) -> None:
    if spec.pattern and re.fullmatch(spec.pattern, text) is None:
        raise _invalid(spec, _("« %(label)s » n’a pas le format attendu."))


def clean_text(spec: InputSpec, raw: Any) -> str:
    text = " ".join(_as_text(spec, raw).split())
    _check_length(spec, text)
    _check_pattern(spec, text)
    return text


def clean_long_text(spec: InputSpec, raw: Any) -> str:
    text = _as_text(spec, raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    _check_length(spec, text)
    _check_pattern(spec, text)
    return text


def clean_number(spec: InputSpec, raw: Any) -> int | str:
    """An integer, or with ``decimal_places`` a string with exactly that many decimals ("12.50")."""
    if isinstance(raw, bool):
        raise _invalid(spec, _("« %(label)s » doit être un nombre."))
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        compact = re.sub(r"[\s\u00a0\u202f]", "", raw).replace(",", ".")
        if not re.fullmatch(r"[+-]?\d+(?:\.\d+)?", compact):
            raise _invalid(spec, _("« %(label)s » doit être un nombre."))
        try:
            number = Decimal(compact)
        except InvalidOperation as error:  # pragma: no cover - the pattern above rules it out
            raise _invalid(spec, _("« %(label)s » doit être un nombre.")) from error
    else:
        raise _invalid(spec, _("« %(label)s » doit être un nombre."))
    if not number.is_finite():
        raise _invalid(spec, _("« %(label)s » doit être un nombre."))
    quantum = Decimal(1).scaleb(-spec.decimal_places)
    if number != number.quantize(quantum):
        if spec.decimal_places == 0:
            raise _invalid(spec, _("« %(label)s » doit être un nombre entier."))
        raise InputInvalid(
            ngettext(
                "« %(label)s » accepte au plus %(count)s décimale.",
                "« %(label)s » accepte au plus %(count)s décimales.",
                spec.decimal_places,
            )
            % {"label": spec.label, "count": spec.decimal_places}
        )
    if spec.min_value is not None and number < spec.min_value:
        raise _invalid(spec, _("« %(label)s » doit être supérieur ou égal à %(min)s."), min=_plain(spec.min_value))
    if spec.max_value is not None and number > spec.max_value:
        raise _invalid(spec, _("« %(label)s » doit être inférieur ou égal à %(max)s."), max=_plain(spec.max_value))
    if spec.decimal_places == 0:
        return int(number)
    return str(number.quantize(quantum))


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.replace(".", ",")


def resolve_date_bound(bound: str, today: dt.date) -> dt.date | None:
    """An ISO date, or ``today`` shifted by a number of days (``today+30``); None when unset."""
    if not bound:
        return None
    if not DATE_BOUND_RE.match(bound):
        raise ValueError(f"not a date bound: {bound!r}")
    if bound.startswith("today"):
        offset = int(bound[5:]) if len(bound) > 5 else 0
        return today + dt.timedelta(days=offset)
    return dt.date.fromisoformat(bound)


def clean_date(spec: InputSpec, raw: Any) -> str:
    """An ISO date (``AAAA-MM-JJ``, what date inputs send) or ``JJ/MM/AAAA``, stored as ISO."""
    if isinstance(raw, dt.datetime):
        raise _invalid(spec, _("« %(label)s » doit être une date au format JJ/MM/AAAA."))
    if isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                value = dt.date.fromisoformat(text)
            elif match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
                value = dt.date(int(match[3]), int(match[2]), int(match[1]))
            else:
                raise ValueError(text)
        except ValueError as error:
            raise _invalid(spec, _("« %(label)s » doit être une date au format JJ/MM/AAAA.")) from error
    else:
        raise _invalid(spec, _("« %(label)s » doit être une date au format JJ/MM/AAAA."))
    today = timezone.localdate()
    earliest = resolve_date_bound(spec.min_date, today)
    latest = resolve_date_bound(spec.max_date, today)
    if earliest is not None and value < earliest:
        raise _invalid(spec, _("« %(label)s » doit être le %(date)s ou après."), date=earliest.strftime("%d/%m/%Y"))
    if latest is not None and value > latest:
        raise _invalid(spec, _("« %(label)s » doit être le %(date)s ou avant."), date=latest.strftime("%d/%m/%Y"))
    return value.isoformat()


def clean_email(spec: InputSpec, raw: Any) -> str:
    text = _as_text(spec, raw).strip()
    try:
        validate_email(text)
    except ValidationError as error:
        raise _invalid(spec, _("« %(label)s » doit être une adresse électronique, comme nom@exemple.fr.")) from error
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_phone(spec: InputSpec, raw: Any) -> str:
    """A French number (``06 12 34 56 78``) or an international one (``+33 6…``), stored in E.164."""
    compact = re.sub(r"[\s.\-()/\u00a0]", "", _as_text(spec, raw))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+330"):
        # "+33 (0)6 12 34 56 78": the trunk zero is not dialled from abroad.
        compact = "+33" + compact[4:]
    if FRENCH_NUMBER_RE.match(compact):
        return "+33" + compact[1:]
    if FRENCH_E164_RE.match(compact) or (not compact.startswith("+33") and E164_RE.match(compact)):
        return compact
    raise _invalid(
        spec, _("« %(label)s » doit être un numéro de téléphone, comme 06 12 34 56 78 ou +33 6 12 34 56 78.")
    )


def clean_yes_no(spec: InputSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _invalid(spec, _("« %(label)s » : répondez par oui ou par non."))


def clean_single_choice(spec: InputSpec, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _invalid(spec, _("« %(label)s » : choisissez une des réponses proposées."))
    value = str(raw).strip()
    if value not in spec.choice_values:
        raise _invalid(spec, _("« %(label)s » : choisissez une des réponses proposées."))
    return value


def clean_multiple_choice(spec: InputSpec, raw: Any) -> list[str]:
    items = [raw] if isinstance(raw, str | int) and not isinstance(raw, bool) else raw
    if not isinstance(items, list | tuple):
        raise _invalid(spec, _("« %(label)s » : choisissez parmi les réponses proposées."))
    chosen = set()
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise _invalid(spec, _("« %(label)s » : choisissez parmi les réponses proposées."))
        if is_empty(item):
            continue
        value = str(item).strip()
        if value not in spec.choice_values:
            raise _invalid(spec, _("« %(label)s » : choisissez parmi les réponses proposées."))
        chosen.add(value)
    if spec.min_length is not None and len(chosen) < spec.min_length:
        raise InputInvalid(
            ngettext(
                "« %(label)s » : cochez au moins %(count)s case.",
                "« %(label)s » : cochez au moins %(count)s cases.",
                spec.min_length,
            )
            % {"label": spec.label, "count": spec.min_length}
        )
    if spec.max_length is not None and len(chosen) > spec.max_length:
        raise InputInvalid(
            ngettext(
                "« %(label)s » : cochez au plus %(count)s case.",
                "« %(label)s » : cochez au plus %(count)s cases.",
                spec.max_length,
            )
            % {"label": spec.label, "count": spec.max_length}
        )
    # In the order the choices are offered, so that equal selections store equal values.
    return [value for value in spec.choice_values if value in chosen]


def clean_address(spec: InputSpec, raw: Any) -> str | dict[str, Any]:
    """An address, in one of three forms (see ``address_label``):

    - the normalized address the citizen picked among the geocoder's suggestions
      (``NormalizedAddress.as_dict()``: label, BAN id, citycode, postcode, city, lat, lon);
    - free entry, ``{"label": text, "free_entry": True}``: typed without picking a
      suggestion (the geocoder was down, or knew no such address), stored as text only;
    - plain text: answers saved before the autocomplete, and what the API may send.
    """
    if isinstance(raw, Mapping):
        if raw.get(FREE_ENTRY_KEY) is True:
            return {"label": _address_text(spec, raw.get("label")), FREE_ENTRY_KEY: True}
        try:
            address = NormalizedAddress.from_dict(raw)
        except ValueError as error:
            raise _invalid(spec, _("« %(label)s » : indiquez une adresse complète.")) from error
        _address_text(spec, address.label)
        return address.as_dict()
    return _address_text(spec, raw)


def _address_text(spec: InputSpec, raw: Any) -> str:
    text = " ".join(_as_text(spec, raw).split())
    if len(text) < 5:
        raise _invalid(spec, _("« %(label)s » : indiquez une adresse complète."))
    _check_length(spec, text)
    _check_pattern(spec, text)
    return text


def address_label(value: Any) -> str:
    """The text of an address answer, whatever its form (empty when there is none)."""
    if isinstance(value, Mapping):
        return str(value.get("label") or "")
    return str(value) if isinstance(value, str) else ""


def address_is_verified(value: Any) -> bool:
    """Whether the answer is an address the geocoder knows (picked among its suggestions)."""
    return isinstance(value, Mapping) and value.get(FREE_ENTRY_KEY) is not True and bool(value.get("label"))


def address_display(value: Any) -> str:
    """How an address answer is shown: its label, marked when it was typed without verification."""
    label = address_label(value)
    if isinstance(value, Mapping) and value.get(FREE_ENTRY_KEY) is True:
        return _("%(label)s (adresse saisie librement, non vérifiée)") % {"label": label}
    return label


def clean_commune(spec: InputSpec, raw: Any) -> str:
    code = _as_text(spec, raw).strip().upper()
    if not COMMUNE_RE.match(code):
        raise _invalid(spec, _("« %(label)s » doit être un code commune INSEE à 5 caractères, comme 75056."))
    return code


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: the country's length, then mod 97 of the rearranged number equals 1."""
    if not IBAN_RE.match(iban) or IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def clean_iban(spec: InputSpec, raw: Any) -> str:
    compact = re.sub(r"[\s\-\u00a0]", "", _as_text(spec, raw)).upper()
    if not iban_is_valid(compact):
        raise _invalid(
            spec, _("« %(label)s » n’est pas un IBAN valide : vérifiez-le sur votre relevé d’identité bancaire.")
        )
    return compact


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siret_is_valid(siret: str) -> bool:
    """14 digits passing Luhn; La Poste's establishments instead have a digit sum divisible by 5."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if luhn_is_valid(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(int(char) for char in siret) % 5 == 0


def clean_siret(spec: InputSpec, raw: Any) -> str:
    compact = re.sub(r"[\s\u00a0]", "", _as_text(spec, raw))
    if not siret_is_valid(compact):
        raise _invalid(spec, _("« %(label)s » n’est pas un numéro SIRET valide (14 chiffres)."))
    return compact


def clean_document(spec: InputSpec, raw: Any) -> int:
    # A document of the wallet, by id; the wallet checks who owns it.
    if isinstance(raw, bool):
        raise _invalid(spec, _("« %(label)s » : choisissez un document."))
    if isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*", raw):
        raw = int(raw)
    if not isinstance(raw, int) or raw <= 0:
        raise _invalid(spec, _("« %(label)s » : choisissez un document."))
    return raw


CLEANERS: dict[str, Callable[[InputSpec, Any], Any]] = {
    FieldKind.TEXT: clean_text,
    FieldKind.LONG_TEXT: clean_long_text,
    FieldKind.NUMBER: clean_number,
    FieldKind.DATE: clean_date,
    FieldKind.EMAIL: clean_email,
    FieldKind.PHONE: clean_phone,
    FieldKind.YES_NO: clean_yes_no,
    FieldKind.SINGLE_CHOICE: clean_single_choice,
    FieldKind.MULTIPLE_CHOICE: clean_multiple_choice,
    FieldKind.ADDRESS: clean_address,
    FieldKind.COMMUNE: clean_commune,
    FieldKind.IBAN: clean_iban,
    FieldKind.SIRET: clean_siret,
    FieldKind.DOCUMENT: clean_document,
}


def required_message(spec: InputSpec) -> str:
    return _("« %(label)s » est obligatoire.") % {"label": spec.label}


# --- Conditions and visibility ---------------------------------------------------------------


def _same(left: Any, right: Any) -> bool:
    # True == 1 in Python; a yes/no answer must not match the number 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def _one_condition_met(condition: Any, answers: Mapping[str, Any]) -> bool:
    if not isinstance(condition, dict):
        return False
    name = condition.get("field")
    if not isinstance(name, str) or name not in answers:
        return False
    actual = answers[name]
    expected = condition.get("value")
    actual_values = actual if isinstance(actual, list) else [actual]
    operator = condition.get("op")
    if operator == "eq":
        return any(_same(value, expected) for value in actual_values)
    if operator in ("in", "not_in"):
        options = expected if isinstance(expected, list) else [expected]
        hit = any(_same(value, option) for value in actual_values for option in options)
        return hit if operator == "in" else not hit
    return False


def condition_met(condition: Any, answers: Mapping[str, Any]) -> bool:
    """Whether a step or field with this condition is shown, given the visible answers."""
    if condition is None or condition == {} or condition == []:
        return True
    if isinstance(condition, list):
        return all(_one_condition_met(item, answers) for item in condition)
    return _one_condition_met(condition, answers)


@dataclass
class Visibility:
    """What a revision shows for some answers: the steps, their inputs, and the answers that count."""

    steps: list[Step] = field(default_factory=list)
    inputs: dict[int, list[InputSpec]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)

    def is_visible(self, step: Step) -> bool:
        return step.pk in self.inputs

    def inputs_of(self, step: Step) -> list[InputSpec]:
        return self.inputs.get(step.pk, [])

    @property
    def input_names(self) -> set[str]:
        return {spec.name for specs in self.inputs.values() for spec in specs}


def visibility(revision: ProcedureRevision, answers: Mapping[str, Any]) -> Visibility:
    """Walk the revision in order; uses ``revision.steps`` and their ``fields`` as prefetched."""
    result = Visibility()
    for step in revision.steps.all():
        if not condition_met(step.condition, result.answers):
            continue
        result.steps.append(step)
        shown = []
        for spec in step_inputs(step):
            if not condition_met(spec.condition, result.answers):
                continue
            shown.append(spec)
            if spec.name in answers:
                result.answers[spec.name] = answers[spec.name]
        result.inputs[step.pk] = shown
    return result


def visible_steps(revision: ProcedureRevision, answers: Mapping[str, Any]) -> list[Step]:
    return visibility(revision, answers).steps


def visible_fields(step: Step, answers: Mapping[str, Any]) -> list[Field]:
    """The step's fields shown for these answers (none when the step itself is hidden)."""
    shown = {spec.field_id for spec in visibility(step.revision, answers).inputs_of(step)}
    return [field_ for field_ in step.fields.all() if field_.pk in shown]


# --- Completeness ---------------------------------------------------------------------------


def step_errors(step: Step, seen: Visibility, *, enforce_required: bool = True) -> dict[str, str]:
    """Each visible input of the step that is missing (when required) or no longer valid."""
    errors: dict[str, str] = {}
    for spec in seen.inputs_of(step):
        if spec.name not in seen.answers or is_empty(seen.answers[spec.name]):
            if spec.required and enforce_required:
                errors[spec.name] = required_message(spec)
            continue
        try:
            clean_value(spec, seen.answers[spec.name])
        except InputInvalid as error:
            errors[spec.name] = error.message
    return errors


@dataclass
class Completeness:
    steps: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def is_complete(self) -> bool:
        return not self.steps and not self.fields


def completeness(seen: Visibility, done_step_ids: Iterable[int]) -> Completeness:
    """Every required visible step done and every visible answer valid; the agent's steps aside.

    An optional step left undone asks nothing; once done, its required inputs count.
    """
    done = set(done_step_ids)
    result = Completeness()
    for step in seen.steps:
        if step.kind == StepKind.AGENT_REVIEW:
            continue
        is_done = step.pk in done
        if step.required and not is_done:
            result.steps[step.slug] = _("L’étape « %(title)s » n’est pas terminée.") % {"title": step.title}
        result.fields.update(step_errors(step, seen, enforce_required=step.required or is_done))
    return result


# --- Revision integrity ----------------------------------------------------------------------


def _pattern_problem(pattern: str, where: str) -> list[str]:
    if not pattern:
        return []
    try:
        re.compile(pattern)
    except re.error:
        return [_("%(where)s : le format (expression régulière) est invalide.") % {"where": where}]
    return []


def _condition_problems(condition: Any, known: Mapping[str, InputSpec], where: str) -> list[str]:
    if condition is None or condition == {} or condition == []:
        return []
    items = condition if isinstance(condition, list) else [condition]
    problems = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"field", "op", "value"}:
            problems.append(
                _("%(where)s : la condition doit avoir « field », « op » et « value ».") % {"where": where}
            )
            continue
        if item["op"] not in CONDITION_OPERATORS:
            problems.append(_("%(where)s : l’opérateur de la condition est inconnu.") % {"where": where})
        elif item["op"] != "eq" and not isinstance(item["value"], list):
            problems.append(_("%(where)s : « in » et « not_in » attendent une liste de valeurs.") % {"where": where})
        if item["field"] not in known:
            problems.append(
                _("%(where)s : la condition porte sur « %(field)s », qui n’est pas un champ placé avant.")
                % {"where": where, "field": item["field"]}
            )
    return problems


def _field_problems(spec: InputSpec, where: str) -> list[str]:
    problems = _pattern_problem(spec.pattern, where)
    if spec.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE):
        values = spec.choice_values
        if not values or len(set(values)) != len(values):
            problems.append(_("%(where)s : il faut des choix, aux valeurs distinctes.") % {"where": where})
    for low, high in ((spec.min_length, spec.max_length), (spec.min_value, spec.max_value)):
        if low is not None and high is not None and low > high:
            problems.append(_("%(where)s : le minimum dépasse le maximum.") % {"where": where})
    for bound in (spec.min_date, spec.max_date):
        if bound and not DATE_BOUND_RE.match(bound):
            problems.append(_("%(where)s : une borne de date est invalide.") % {"where": where})
    return problems


def revision_problems(revision: ProcedureRevision) -> list[str]:
    """Everything that keeps this revision from being published; empty when it can be."""
    steps: Sequence[Step] = list(revision.steps.all())
    if not steps:
        return [_("La révision n’a aucune étape.")]
    problems: list[str] = []
    known: dict[str, InputSpec] = {}
    document_types = set(DocumentType.values)
    for step in steps:
        where = _("Étape « %(title)s »") % {"title": step.title}
        problems += _condition_problems(step.condition, known, where)
        fields = list(step.fields.all())
        if step.kind == StepKind.FORM and not fields:
            problems.append(_("%(where)s : un formulaire doit avoir au moins un champ.") % {"where": where})
        if step.kind != StepKind.FORM and fields:
            problems.append(_("%(where)s : seuls les formulaires ont des champs.") % {"where": where})
        if step.kind == StepKind.OUTSIDE_SERVICE and not (step.external_url and step.reference_label):
            problems.append(
                _("%(where)s : indiquez l’adresse du site officiel et l’intitulé de la référence.") % {"where": where}
            )
        problems += _pattern_problem(step.reference_pattern, where)
        if step.kind == StepKind.CHECKLIST and not (
            isinstance(step.checklist_items, list)
            and step.checklist_items
            and all(isinstance(item, str) and item.strip() for item in step.checklist_items)
        ):
            problems.append(_("%(where)s : la liste de vérification est vide.") % {"where": where})
        if step.kind == StepKind.DOCUMENTS and not (
            isinstance(step.document_types, list)
            and step.document_types
            and set(step.document_types) <= document_types
            and len(set(step.document_types)) == len(step.document_types)
        ):
            problems.append(_("%(where)s : les pièces demandées sont invalides.") % {"where": where})
        if step.kind == StepKind.AGENT_REVIEW and revision.procedure.instructing_service_id is None:
            problems.append(
                _("%(where)s : une instruction par le service demande un service instructeur.") % {"where": where}
            )
        for field_ in fields:
            spec = field_spec(field_)
            field_where = _("Champ « %(label)s »") % {"label": field_.label}
            if not FIELD_NAME_RE.match(field_.name):
                problems.append(_("%(where)s : le nom technique est invalide.") % {"where": field_where})
            problems += _condition_problems(field_.condition, known, field_where)
            problems += _field_problems(spec, field_where)
            known[field_.name] = spec
    return problems
