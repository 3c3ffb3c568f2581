"""The feed's guides: "Comment faire si…" life-event guides and "Recherche guidée" decision trees.

Both are imported as fiches (citable, with their official service-public.fr address) and keep
the fiches they point to in ``related_keys``:

- a **"Comment faire si"** guide ("Je déménage", "J'attends un enfant"…) is written like a fiche
  (chapters, cases, lists: the steps), its links (``LienInterne``) naming the fiches to read;
  it is chunked as a fiche is;
- a **"Recherche guidée"** is a tree of questions (``Problematique`` → ``Branche``…) whose leaves
  link to the fiche answering that situation. Each leaf becomes one line, "situation › … ›
  situation : fiche « title »", one chunk per top-level question; the linked fiches' titles
  come from the rest of the feed (the importer parses these guides last).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from xml.etree import ElementTree as ET  # noqa: S405 - trusted official feed, no DTD/entities expansion

# Publication types ("type" attribute) of the guides, lower case.
COMMENT_FAIRE_SI = "comment faire si"
RECHERCHE_GUIDEE = ("recherche guidée", "recherche guidee")
GUIDE_ID_RE = re.compile(r"^[FN]\d+$")
PATH_SEPARATOR = " › "
# A guided search's situations deeper than this are summed up by their first levels: the
# leaves below mostly lead to the same fiches ("passeport valide", "passeport périmé"…).
PATH_DEPTH = 3
# DILA marks its internal decision modules ("**CNI - Renouvellement majeur") with a leading "**".
INTERNAL_TITLE_PREFIX = "**"


def is_guide(kind: str) -> bool:
    kind = kind.lower()
    return COMMENT_FAIRE_SI in kind or is_guided_search(kind)


def is_guided_search(kind: str) -> bool:
    return any(name in kind.lower() for name in RECHERCHE_GUIDEE)


def _text(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _title(element: ET.Element) -> str:
    return _text(element.find("Titre"))


def linked_keys(root: ET.Element) -> tuple[str, ...]:
    """The fiches a guide points to (``LienInterne``), in order of first mention, itself excluded."""
    own = root.get("ID", "")
    found: dict[str, None] = {}
    for section in ("Introduction", "Texte", "ListeSituations"):
        for element in root.findall(section):
            for link in element.iter("LienInterne"):
                key = link.get("LienPublication", "").strip()
                if GUIDE_ID_RE.match(key) and key != own:
                    found.setdefault(key, None)
    problems = root.find("Problematiques")
    if problems is not None:
        for link in problems.iter("LienInterne"):
            key = link.get("LienPublication", "").strip()
            if GUIDE_ID_RE.match(key) and key != own:
                found.setdefault(key, None)
    return tuple(found)


def _leaves(branch: ET.Element, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """(path of situations, keys of the fiches linked) for each leaf under ``branch``."""
    title = _title(branch)
    here = (*path, title) if title else path
    children = branch.findall("Branche")
    links = [link.get("LienPublication", "").strip() for link in branch.findall("LienInterne")]
    links = [key for key in links if GUIDE_ID_RE.match(key)]
    if links:
        yield here, links
    for child in children:
        yield from _leaves(child, here)


def guided_search_sections(root: ET.Element, titles: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(question, lines) for each top-level question of a guided search; a line per situation.

    A line reads "Vous êtes français › Vous résidez en France › … : fiche « Title »", the
    situation cut to its first ``PATH_DEPTH`` levels (the fiches of the leaves below it
    listed once each); a fiche whose title is unknown is named by its ID.
    """
    sections = []
    problems = root.find("Problematiques")
    for problem in problems.findall("Problematique") if problems is not None else []:
        situations: dict[tuple[str, ...], dict[str, None]] = {}
        for branch in problem.findall("Branche"):
            for path, leaf_keys in _leaves(branch, ()):
                situations.setdefault(path[:PATH_DEPTH], {}).update(dict.fromkeys(leaf_keys))
        lines = []
        for path, keys in situations.items():
            situation = PATH_SEPARATOR.join(path)
            named = ", ".join(f"fiche « {titles[key]} »" if key in titles else f"fiche {key}" for key in keys)
            lines.append(f"- {situation} : {named}" if situation else f"- {named}")
        if lines:
            sections.append((_title(problem), lines))
    return sections


def is_internal(title: str) -> bool:
    """A decision module DILA keeps for itself (its title starts with "**"): not a page of its own."""
    return title.startswith(INTERNAL_TITLE_PREFIX)
