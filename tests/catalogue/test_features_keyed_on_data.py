"""Features follow what a revision declares (``REVISION_NEEDS``), never a procedure's slug.

Staff rename procedures in the builder; a feature keyed on a slug would silently switch off.
"""

from __future__ import annotations

import ast
from pathlib import Path

from civiquest.catalogue.definitions import CATALOGUE

ROOT = Path(__file__).resolve().parents[2] / "civiquest"
# Where slugs belong: the definitions themselves, and migrations (frozen history). The
# assistant's spelling lexicon and its identifier names hold words ("passeport"), not procedures;
# the badges' pictograms are keyed on badge codes, some of which read like slugs.
ALLOWED = (
    "catalogue/definitions/",
    "/migrations/",
    "assistant/text.py",
    "assistant/identifiers.py",
    "progress/pictograms.py",
)
# Badge codes may read like slugs: a badge is named by its code, earned from revision data.
BADGE_CALLS = {"Badge", "_code_rule", "_published_code"}


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    badge_codes = {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BADGE_CALLS and node.args
    }
    skipped = docstrings | badge_codes
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
    ]


def test_no_code_outside_the_catalogue_names_a_procedure_by_its_slug():
    slugs = {definition.slug for definition in CATALOGUE}
    assert "passeport" in slugs and "changement-adresse" in slugs  # the check looks at the real catalogue
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in sorted(ROOT.rglob("*.py"))
        if not any(part in str(path.relative_to(ROOT)) + "/" for part in ALLOWED)
        for line, value in _string_constants(path)
        if value in slugs
    ]
    assert found == [], "behaviour keyed on a procedure slug; declare it on the revision instead:\n" + "\n".join(found)
