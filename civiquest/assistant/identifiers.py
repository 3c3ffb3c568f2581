"""Personal numbers in a text: e-mail, phone, NIR, IBAN, tax number, passport, ID card, other file numbers.

``find_identifiers`` returns their spans (``Found``), more specific kinds first. Citizens write
numbers with any spacing (spaces, dots, dashes, or none), so the patterns allow a separator
between any two digits and check the structure afterwards (a NIR's month, a phone's prefix).
A number right after the words that name it ("numéro fiscal", "n° allocataire") is masked
whatever its shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civiquest.core.text import fold


@dataclass(frozen=True, order=True)
class Found:
    """One item of personal data: ``text[start:end]`` is of this ``kind``."""

    start: int
    end: int
    kind: str


# A separator citizens put between digits.
_SEP = r"[ .\-]?"

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Spelled out: "jean point dupont arobase laposte point net", "jean.dupont @ gmail.com", "jean(at)gmail.com".
SPOKEN_EMAIL_RE = re.compile(
    r"(?<![\w.])[\w.+-]+(?:\s+point\s+[\w+-]+)*\s*(?:@|[(\[]at[)\]]|\b(?:arobase|arrobase|arobas|at)\b)\s*"
    r"[\w-]+(?:(?:\s+point\s+|\s*\.\s*)[A-Za-z]{2,})+",
    re.IGNORECASE,
)
# French numbers: 0 or +33 / 0033 (optionally "(0)"), then nine digits, any separator between digits.
PHONE_RE = re.compile(rf"(?<![\w+])(?:(?:\+|00)33{_SEP}(?:\(0\){_SEP})?|0)[1-9](?:{_SEP}\d){{8}}(?![\w])")
# Other countries (overseas territories with their own code included: +687 has six digits).
FOREIGN_PHONE_RE = re.compile(
    rf"(?<![\w+])(?:\+|00)(?!33)[1-9]\d{{1,2}}{_SEP}(?:\(0\){_SEP})?\d(?:{_SEP}\d){{5,11}}(?![\w])"
)
# FR76 3000 6000 0112 3456 7890 189 (and other countries' IBANs), grouped or not, any case.
IBAN_RE = re.compile(rf"\b[A-Z]{{2}}\d{{2}}(?:{_SEP}[A-Z0-9]{{4}}){{2,7}}(?:{_SEP}[A-Z0-9]{{1,3}})?\b", re.IGNORECASE)
# NIR: sex, year, month, department (2A/2B for Corsica), commune, order, optional key; any separator.
NIR_RE = re.compile(
    rf"(?<![\w+])[1-478](?:{_SEP}\d){{4}}{_SEP}(?:\d{_SEP}\d|2{_SEP}[AB])(?:{_SEP}\d){{6}}(?:{_SEP}\d{_SEP}\d)?(?![\w])",
    re.IGNORECASE,
)
# Tax number (numéro fiscal / SPI): 13 digits, the first one 0 to 3.
TAX_NUMBER_RE = re.compile(rf"(?<![\w+])[0-3](?:{_SEP}\d){{12}}(?![\w])")
# Old national ID card: 12 digits, compact or in groups of 4.
ID_CARD_OLD_RE = re.compile(r"(?<![\w+])\d{4}[ ]?\d{4}[ ]?\d{4}(?![\w])")
# French passport: 2 digits, 2 letters, 5 digits ("12AB34567", "12 ab 34567").
PASSPORT_RE = re.compile(r"(?<![\w])\d{2}[ ]?[A-Z]{2}[ ]?\d{5}(?![\w])", re.IGNORECASE)
# ID card since 2021: 9 upper-case letters and digits, with at least two of each.
ID_CARD_NEW_RE = re.compile(r"\b(?=(?:[A-Z]*\d){2})(?=(?:\d*[A-Z]){2})[A-Z0-9]{9}\b")

# A number named by the words before it: "numéro fiscal : …", "passeport n° …", "n° allocataire …".
_NUMBER_WORDS = r"(?:n°|n\.|no\.?|num(?:[ée]ro)?|nº)"
_NAMED_NUMBER_RE = re.compile(
    r"\b(?P<what>"
    r"(?:s[ée]cu(?:rit[ée] sociale)?|nir|ss)"
    r"|(?:fiscal|spi|contribuable)"
    r"|(?:passeport)"
    r"|(?:carte (?:d['’ ]?)?identit[ée]|cni|titre de s[ée]jour|permis(?: de conduire)?)"
    r"|(?:allocataire|caf|dossier|client|adh[ée]rent|identifiant|france travail|p[ôo]le emploi|pension|msa)"
    rf")\s*(?:{_NUMBER_WORDS}\s*)?(?:[:=]\s*)?(?:(?:est|c['’]est|porte)\s+)?(?:(?:le|la)\s+)?"
    rf"(?:num[ée]ro\s+)?(?:{_NUMBER_WORDS}\s*)?(?:[:=]\s*)?"
    r"(?P<number>[A-Z0-9]*\d[A-Z0-9]*(?:[ .\-][A-Z0-9]*\d[A-Z0-9]*)*)",
    re.IGNORECASE,
)


def _valid_nir(compact: str) -> bool:
    """The structure of a NIR (13 or 15 characters): a real month, or 20-42 / 50-99 (month unknown)."""
    month = int(compact[3:5])
    return 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99


def _named_kind(what: str) -> str:
    folded = fold(what)
    if folded.startswith(("secu", "nir", "ss")):
        return "nir"
    if folded.startswith(("fiscal", "spi", "contribuable")):
        return "tax_number"
    if folded.startswith("passeport"):
        return "passport"
    if folded.startswith(("carte", "cni", "titre", "permis")):
        return "id_card"
    return "identifier"


def _tax_context(text: str, start: int) -> bool:
    return bool(re.search(r"fiscal|spi\b|imp[ôo]t|contribuable", fold(text[max(0, start - 40) : start])))


def find_identifiers(text: str) -> list[Found]:
    """The personal numbers and addresses (e-mail) of ``text``, possibly overlapping (``redaction`` merges them)."""
    found: list[Found] = []

    def add(pattern: re.Pattern[str], kind: str) -> None:
        found.extend(Found(m.start(), m.end(), kind) for m in pattern.finditer(text))

    add(EMAIL_RE, "email")
    add(SPOKEN_EMAIL_RE, "email")
    add(IBAN_RE, "iban")
    for match in NIR_RE.finditer(text):
        compact = re.sub(r"[ .\-]", "", match.group()).upper()
        if _valid_nir(compact):
            kind = "tax_number" if len(compact) == 13 and _tax_context(text, match.start()) else "nir"
            found.append(Found(match.start(), match.end(), kind))
    add(TAX_NUMBER_RE, "tax_number")
    add(PHONE_RE, "phone")
    add(FOREIGN_PHONE_RE, "phone")
    add(ID_CARD_OLD_RE, "id_card")
    add(PASSPORT_RE, "passport")
    add(ID_CARD_NEW_RE, "id_card")
    for match in _NAMED_NUMBER_RE.finditer(text):
        number = match.group("number")
        # Fewer digits is an amount or a year ("CAF 2024"), not a file number.
        if sum(char.isdigit() for char in number) >= 5:
            found.append(Found(match.start("number"), match.end("number"), _named_kind(match.group("what"))))
    return found
