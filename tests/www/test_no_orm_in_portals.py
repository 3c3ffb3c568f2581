"""The portals read through the domains' selectors and write through the use cases: no ORM in www/."""

from __future__ import annotations

import ast
from pathlib import Path

WWW = Path(__file__).resolve().parents[2] / "civiquest" / "www"
# Managers and query entry points a view would reach for.
ORM_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}


def test_no_view_form_or_helper_of_the_portals_queries_the_database_itself():
    found = [
        f"{path.relative_to(WWW)}:{node.lineno}: .{node.attr}"
        for path in sorted(WWW.rglob("*.py"))
        if "/migrations/" not in str(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ORM_ATTRIBUTES
    ]
    assert len(list(WWW.rglob("*_views.py"))) > 10  # the check reads the real portals
    assert found == [], "ORM in the portals; add a selector or a use case:\n" + "\n".join(found)
