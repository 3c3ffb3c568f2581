"""Cleaning a raw answer against its ``InputSpec``: the canonical JSON value, or ``InputInvalid`` with a French
message naming the label. Cleaning is idempotent: a stored value cleans to itself, so answers are re-checked at
submission."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civiquest.catalogue.inputs import (
    COMMUNE_RE,
    DEFAULT_MAX_LENGTH,
    E164_RE,
    FALSE_WORDS,
    FREE_ENTRY_KEY,
    FRENCH_E164_RE,
    FRENCH_NUMBER_RE,
    IBAN_LENGTHS,
    IBAN_RE,
    LA_POSTE_SIREN,
    TRUE_WORDS,
    InputInvalid,
    InputSpec,
)
from civiquest.catalogue.models import (
    DATE_BOUND_RE,
    FieldKind,
)
from civiquest.core.addresses import NormalizedAddress


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


COMMUNE_NAME_MAX_LENGTH = 200


def clean_commune(spec: InputSpec, raw: Any) -> str | dict[str, str]:
    """A commune: ``{"code", "name"}`` as the commune list resolved it (the web form does), or a bare
    INSEE code. ``{"query": text}`` is a text that named no single commune: the citizen must choose.
    """
    if isinstance(raw, Mapping):
        code = str(raw.get("code") or "").strip().upper()
        name = " ".join(str(raw.get("name") or "").split())
        if not code:
            raise _invalid(
                spec,
                _("« %(label)s » : choisissez votre commune dans la liste (tapez son nom ou son code postal)."),
            )
        if not COMMUNE_RE.match(code) or not name or len(name) > COMMUNE_NAME_MAX_LENGTH:
            raise _invalid(spec, _("« %(label)s » : cette commune est inconnue."))
        return {"code": code, "name": name}
    code = _as_text(spec, raw).strip().upper()
    if not COMMUNE_RE.match(code):
        raise _invalid(spec, _("« %(label)s » doit être un code commune INSEE à 5 caractères, comme 75056."))
    return code


def commune_display(value: Any) -> str:
    """How a commune answer is shown: "Lyon 3e (69383)" (a bare code, from before names were kept, as is)."""
    if isinstance(value, Mapping):
        return f"{value.get('name', '')} ({value.get('code', '')})"
    return str(value)


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
