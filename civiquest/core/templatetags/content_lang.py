"""The catalogue's content stays in French when the interface is in another language.

Procedure titles, summaries, step titles, field labels and help texts come from the catalogue
data in the database, written in French and not translated. On an English page, the element
that holds them says so (WCAG 3.1.2, RGAA 8.8), so that a screen reader reads them with a
French voice:

- ``<h1{% content_lang %}>{{ procedure.title }}</h1>``: the attribute ``lang="fr"`` on the
  element, only when the active language is not French;
- ``{{ step.title|fr_text }}``: the text, wrapped in ``<span lang="fr">`` in the same case
  (inside a sentence of the interface, e.g. in ``blocktranslate``).

In French they add nothing: the page's own ``lang`` already says it.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CONTENT_LANGUAGE = "fr"


def content_is_foreign() -> bool:
    """Whether the interface language differs from the catalogue content's (French)."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    return active.split("-")[0] != CONTENT_LANGUAGE


@register.simple_tag
def content_lang() -> SafeString:
    """`` lang="fr"`` (with its leading space) on an English page, nothing in French."""
    return mark_safe(f' lang="{CONTENT_LANGUAGE}"') if content_is_foreign() else mark_safe("")  # noqa: S308 - constant


@register.filter
def fr_text(value: str | None) -> str:
    """The value, escaped, in a ``<span lang="fr">`` on an English page; unchanged in French
    (the template or the form escapes it as before)."""
    if not value or not content_is_foreign():
        return value or ""
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, value)
