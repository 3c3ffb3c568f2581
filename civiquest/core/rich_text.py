"""Text that staff write for citizens (a field's help), reduced to an allow-list of HTML.

Cleaned by nh3 (the Ammonia sanitizer) when saved and again when rendered, so that text
saved before this rule, or written some other way, can never run script in a citizen's
browser: the DSFR's field templates print help texts as HTML.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "a", "em", "strong"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"https", "http", "mailto"})


def rich_text_clean(text: str) -> str:
    """The text with only paragraphs, lists, emphasis and links (``rel`` set) left."""
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def rich_text(text: str) -> SafeString:
    """Cleaned text, marked safe for templates that print it as HTML."""
    return mark_safe(rich_text_clean(text))  # noqa: S308 - cleaned by nh3 just above
