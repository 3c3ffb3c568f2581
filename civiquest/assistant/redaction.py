"""Personal data masked before a question is logged, searched, stored or sent to a provider.

- ``redact`` replaces each item (e-mail, phone, NIR, IBAN, tax number, ID card and passport
  numbers) with a translated marker;
- ``redact_for_search`` removes them (their marker's words would only add noise to a search);
- ``redact_identifiers`` masks the identifiers only (e-mails and phones of a model's answer
  are handled by the output allow-list).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# FR76 3000 6000 0112 3456 7890 189 (and other countries' IBANs), spaced or not, any case.
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# Social security number: sex, year, month, department (2A/2B for Corsica), commune, order, optional key.
NIR_RE = re.compile(
    r"(?<![\w])[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?(?![\w])",
    re.IGNORECASE,
)
# Tax number (numéro fiscal / SPI): 13 digits, the first one 0 to 3.
TAX_NUMBER_RE = re.compile(r"(?<![\w])[0-3](?:[ ]?\d){12}(?![\w])")
PHONE_RE = re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}(?![\w])")
# Old national ID card: 12 digits (possibly in groups of 4).
ID_CARD_OLD_RE = re.compile(r"(?<![\w])\d{4}[ ]?\d{4}[ ]?\d{4}(?![\w])")
# French passport: 2 digits, 2 letters, 5 digits (9 characters).
PASSPORT_RE = re.compile(r"\b\d{2}[A-Z]{2}\d{5}\b", re.IGNORECASE)
# ID card since 2021: 9 upper-case letters and digits, with at least two of each.
ID_CARD_NEW_RE = re.compile(r"\b(?=(?:[A-Z]*\d){2})(?=(?:\d*[A-Z]){2})[A-Z0-9]{9}\b")


def _personal_data_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Order matters: the longer, more specific numbers are masked before the shorter ones."""
    return [
        (EMAIL_RE, _("[courriel masqué]")),
        (IBAN_RE, _("[IBAN masqué]")),
        (NIR_RE, _("[numéro de sécurité sociale masqué]")),
        (TAX_NUMBER_RE, _("[numéro fiscal masqué]")),
        (PHONE_RE, _("[téléphone masqué]")),
        (ID_CARD_OLD_RE, _("[numéro de pièce d'identité masqué]")),
        (PASSPORT_RE, _("[numéro de passeport masqué]")),
        (ID_CARD_NEW_RE, _("[numéro de pièce d'identité masqué]")),
    ]


def redact(text: str) -> str:
    """The text with its personal data masked: run before logging, searching or calling a provider."""
    for pattern, mask in _personal_data_patterns():
        text = pattern.sub(mask, text)
    return text


def redact_for_search(text: str) -> str:
    """The text with its personal data removed (no markers, whose words would only add noise to a search)."""
    for pattern, _mask in _personal_data_patterns():
        text = pattern.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def redact_identifiers(text: str) -> str:
    """Mask the identifiers (not e-mails and phones, which the output allow-list handles)."""
    for pattern, mask in _personal_data_patterns():
        if pattern not in (EMAIL_RE, PHONE_RE):
            text = pattern.sub(mask, text)
    return text
