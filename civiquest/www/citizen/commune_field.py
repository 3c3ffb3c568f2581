"""The commune field of a step form: an ARIA 1.2 combobox over the official commune list (COG).

With JavaScript, ``address/combobox.js`` drives it as for the address: htmx fetches the
matching communes (``citizen:commune-suggestions``), picking one fills the input with its
label ("Lyon 3e (69383)") and a hidden input with its INSEE code. Without JavaScript it is a
search-then-choose form: a name, a postcode or a code is typed; on submit a text that
designates one commune is that commune, otherwise the step shows the matching communes as
radio buttons under the field (with the error on the field) and the citizen chooses.

What is stored is ``{"code", "name"}``; a text that designates no single commune is posted
to the core as ``{"query": text}``, which it refuses with a message for the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from civiquest.integrations.address.communes import Commune, commune_get, commune_resolve, commune_search, name_key

COMMUNE_CODE_SUFFIX = "__code"
COMMUNE_CHOICE_SUFFIX = "__choix"
CHOICES_SHOWN = 10
QUERY_MAX_LENGTH = 200


def commune_code_name(name: str) -> str:
    """The hidden input the combobox fills with the picked commune's INSEE code."""
    return f"{name}{COMMUNE_CODE_SUFFIX}"


def commune_choice_name(name: str) -> str:
    """The radio buttons of the matching communes (search-then-choose, without JavaScript)."""
    return f"{name}{COMMUNE_CHOICE_SUFFIX}"


def _picked(typed: str, code: str) -> Commune | None:
    commune = commune_get(code) if code else None
    if commune is None:
        return None
    if typed in (commune.label, commune.code) or name_key(typed) == name_key(commune.name):
        return commune
    # A commune chosen among those the typed text matched (the radio list).
    return commune if commune in commune_search(typed, limit=50) else None


def commune_from_post(text: str, code: str = "", choice: str = "") -> Any:
    """What a commune input posted: ``{"code", "name"}``, ``{"query": text}`` to choose, or "" (empty)."""
    typed = " ".join(str(text).split())[:QUERY_MAX_LENGTH]
    if not typed:
        return ""
    commune = _picked(typed, choice.strip()) or _picked(typed, code.strip()) or commune_resolve(typed)
    return commune.as_answer() if commune is not None else {"query": typed}


def commune_text(value: Any) -> str:
    """The text the input shows for an answer."""
    if isinstance(value, Mapping):
        if value.get("code"):
            commune = commune_get(str(value["code"]))
            name = commune.name if commune is not None else str(value.get("name") or "")
            return f"{name} ({value['code']})"
        return str(value.get("query") or "")
    return "" if value is None else str(value)


class CommuneCombobox(forms.TextInput):
    """A text input enhanced into a combobox; without JS, the matching communes as radio buttons."""

    template_name = "widgets/commune_combobox.html"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Mapping):
            return commune_text(value)
        if isinstance(value, str) and value and commune_get(value) is not None:
            return commune_text({"code": value})  # a bare INSEE code stored before names were kept
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        query = str(value.get("query") or "") if isinstance(value, Mapping) else ""
        code = str(value.get("code") or "") if isinstance(value, Mapping) else ""
        matches = commune_search(query, limit=CHOICES_SHOWN) if query else []
        context["widget"].update(
            {
                "code_name": commune_code_name(name),
                "code": code,
                "choice_name": commune_choice_name(name),
                "choices": [
                    {"code": commune.code, "label": commune.label, "description": commune.description}
                    for commune in matches
                ],
                "searched": bool(query),
            }
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        text = data.get(name)
        if text is None:
            return None
        return (
            commune_from_post(text, data.get(commune_code_name(name), ""), data.get(commune_choice_name(name), ""))
            or ""
        )


class CommuneField(forms.Field):
    """Carries what the combobox posted (a resolved commune or the text to choose from); the core validates it."""
