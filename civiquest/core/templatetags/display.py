"""Template filters for values shown to people (``civiquest.core.display``).

``{% load display %}``, then ``{{ answer|date_fr }}``, ``{{ phone|phone_fr }}``,
``{{ count|number_fr }}``, ``{{ tax|amount_fr }}``: the French way in French, the English
way in English. Exports and APIs keep the stored, machine-readable values.
"""

from __future__ import annotations

from typing import Any

from django import template

from civiquest.core import display

register = template.Library()


@register.filter
def date_fr(value: Any) -> str:
    return display.date_display(value)


@register.filter
def phone_fr(value: Any) -> str:
    return display.phone_display(value)


@register.filter
def number_fr(value: Any) -> str:
    return display.number_display(value)


@register.filter
def amount_fr(value: Any) -> str:
    return display.amount_display(value)
