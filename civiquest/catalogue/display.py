"""An answer as people read it: the citizen's review, the agent's page, the exports, the diff of a correction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civiquest.catalogue.cleaning import address_display, commune_display
from civiquest.catalogue.inputs import InputSpec
from civiquest.catalogue.models import FieldKind
from civiquest.core.display import date_display, number_display, phone_display


def is_unanswered(value: Any) -> bool:
    return value is None or value == "" or value == []


def answer_text(spec: InputSpec, value: Any) -> str:
    """The stored answer of an input in words; empty when not given.

    A document input's value is a document id: its callers name the document (its title, a
    link) as what they show allows.
    """
    if is_unanswered(value):
        return ""
    if spec.kind == FieldKind.ADDRESS:
        return address_display(value)
    if spec.kind == FieldKind.COMMUNE:
        return commune_display(value)
    if spec.kind == FieldKind.YES_NO:
        return _("Oui") if value is True else _("Non")
    if spec.kind == FieldKind.DATE:
        return date_display(value)
    if spec.kind == FieldKind.PHONE:
        return phone_display(value)
    if spec.kind == FieldKind.NUMBER:
        return number_display(value)
    labels = dict(spec.choices)
    if isinstance(value, list):
        return ", ".join(str(labels.get(str(item), item)) for item in value)
    if spec.kind == FieldKind.SINGLE_CHOICE:
        return str(labels.get(str(value), value))
    return str(value)


def answer_shown(spec: InputSpec, value: Any, document_titles: Mapping[int, str], *, removed: str = "") -> str:
    """An answer as a page shows it: "Non renseigné" when not given, a document by its title
    (``removed``, or "Document retiré", when it is no longer there), anything else in words."""
    if is_unanswered(value):
        return _("Non renseigné")
    if spec.kind == FieldKind.DOCUMENT:
        title = document_titles.get(value) if isinstance(value, int) else None
        return title if title is not None else removed or _("Document retiré")
    return answer_text(spec, value)
