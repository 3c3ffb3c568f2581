"""Personal data masked before a question is logged, searched, stored or sent to a provider.

What is masked (``find_personal_data``): e-mails, phones, NIR, IBAN, tax, passport, ID card
and other file numbers (``identifiers``), birth dates (here), street-level addresses
(``addresses``: a commune alone is kept, the question may need it) and person names
(``names``: sentence patterns, a first-name gazetteer and spaCy's French NER).

- ``redact`` replaces each item with a translated marker ("[nom masqué]");
- ``redact_for_search`` removes them (their marker's words would only add noise to a search);
- ``redact_identifiers`` masks the identifier numbers only, for a model's answer (its e-mails and
  phones are handled by the output allow-list; the names and addresses it quotes are the
  sources' own, an administration's).

Masking favours recall: a word wrongly taken for a surname costs the question little, a name
sent to a provider cannot be taken back. ``docs/benchmarks.md`` has the measured recall and
precision on ``tests/assistant/fixtures/redaction/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from civiquest.assistant.addresses import find_addresses
from civiquest.assistant.identifiers import EMAIL_RE, PHONE_RE, Found, find_identifiers
from civiquest.assistant.names import find_names

__all__ = [
    "EMAIL_RE",
    "PHONE_RE",
    "Found",
    "find_personal_data",
    "redact",
    "redact_for_search",
    "redact_identifiers",
]

# When two items overlap, the span is masked as the first of these kinds (the more specific).
KINDS = (
    "email",
    "iban",
    "nir",
    "tax_number",
    "phone",
    "passport",
    "id_card",
    "identifier",
    "birth_date",
    "address",
    "name",
)
IDENTIFIER_KINDS = frozenset({"iban", "nir", "tax_number", "passport", "id_card", "identifier"})

_MONTH = (
    r"(?:janvier|janv|f[ée]vrier|f[ée]vr?|mars|avril|avr|mai|juin|juillet|juil|ao[ûu]t|septembre|sept|"
    r"octobre|oct|novembre|nov|d[ée]cembre|d[ée]c)\.?"
)
_DAY = r"(?:1er|1re|[0-3]?\d)"
_FULL_DATE = (
    rf"{_DAY}[ \t]*[/.\-][ \t]*[01]?\d[ \t]*[/.\-][ \t]*(?:\d{{4}}|\d{{2}})(?!\d)"
    rf"|{_DAY}[ \t]+{_MONTH}[ \t]+\d{{4}}|{_MONTH}[ \t]+\d{{4}}"
)
# "né le 12/03/1985", "née le 1er mars 1985", "né(e) le…", "date de naissance : …", "je suis du 3 mai
# 1990", "né en (mars) 1990" (the year alone only after "en"). Other dates (a deadline, an appointment) stay.
BIRTH_DATE_RE = re.compile(
    r"(?:\bn[ée]e?s?(?:\s*\(e\))?|\bdate\s+de\s+naissance|\bnaissance|\bddn|\bd\.d\.n\.|\bje\s+suis\s+(?:n[ée]e?\s+)?du)"
    r"\s*(?:est\s+|c['’]est\s+)?(?::\s*)?"
    rf"(?:(?:le\s+)?(?P<date>{_FULL_DATE})|en\s+(?P<year>(?:{_MONTH}[ \t]+)?(?:19|20)\d{{2}})(?!\d))",
    re.IGNORECASE,
)
# A marker already in the text (a question redacted twice) is left as it is.
MARKER_RE = re.compile(r"\[[^\[\]\n]{0,60}masqu[ée]e?s?\]")
# Links are no one's name nor address (their words would pass for one); the output filter handles them.
URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def _masks() -> dict[str, str]:
    return {
        "email": _("[courriel masqué]"),
        "iban": _("[IBAN masqué]"),
        "nir": _("[numéro de sécurité sociale masqué]"),
        "tax_number": _("[numéro fiscal masqué]"),
        "phone": _("[téléphone masqué]"),
        "passport": _("[numéro de passeport masqué]"),
        "id_card": _("[numéro de pièce d'identité masqué]"),
        "identifier": _("[numéro d'identifiant masqué]"),
        "birth_date": _("[date de naissance masquée]"),
        "address": _("[adresse masquée]"),
        "name": _("[nom masqué]"),
    }


def _birth_dates(text: str) -> list[Found]:
    found = []
    for match in BIRTH_DATE_RE.finditer(text):
        group = "date" if match.group("date") else "year"
        found.append(Found(match.start(group), match.end(group), "birth_date"))
    return found


def _blank(text: str, spans: Iterable[Found]) -> str:
    """The text with these spans hidden, offsets kept: what is masked is not looked at again."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = "_" * (span.end - span.start)
    return "".join(chars)


def _merged(spans: Iterable[Found]) -> tuple[Found, ...]:
    """Overlapping spans made one, of the most specific kind among them."""
    merged: list[Found] = []
    for span in sorted(spans):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, span.kind, key=KINDS.index)
            merged[-1] = Found(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return tuple(merged)


@lru_cache(maxsize=256)
def _find(text: str, ner: bool) -> tuple[Found, ...]:
    markers = [Found(m.start(), m.end(), "marker") for m in MARKER_RE.finditer(text)]
    blanked = _blank(text, markers)
    found = find_identifiers(blanked) + _birth_dates(blanked)
    urls = [Found(m.start(), m.end(), "url") for m in URL_RE.finditer(blanked)]
    blanked = _blank(blanked, urls)
    blanked = _blank(blanked, found)
    addresses = find_addresses(blanked)
    names = find_names(_blank(blanked, addresses))
    return _merged(found + addresses + names)


def find_personal_data(text: str) -> tuple[Found, ...]:
    """The personal data of ``text``, as sorted spans that do not overlap.

    Cached: a question is redacted for the log, the search and the provider in turn.
    """
    return _find(text, settings.ASSISTANT_REDACTION_NER)


def _replace(text: str, spans: Iterable[Found], replacement: dict[str, str] | None) -> str:
    parts = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(" " if replacement is None else replacement[span.kind])
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def redact(text: str) -> str:
    """The text with its personal data masked: run before logging, searching or calling a provider."""
    return _replace(text, find_personal_data(text), _masks())


def redact_for_search(text: str) -> str:
    """The text with its personal data removed (no markers, whose words would only add noise to a search)."""
    text = _replace(text, find_personal_data(text), None)
    return re.sub(r"[ \t]{2,}", " ", MARKER_RE.sub(" ", text)).strip()


def redact_identifiers(text: str) -> str:
    """Mask the identifier numbers (not e-mails and phones, which the output allow-list handles)."""
    spans = _merged(span for span in find_identifiers(text) if span.kind in IDENTIFIER_KINDS)
    return _replace(text, spans, _masks())
