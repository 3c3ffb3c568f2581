"""No module of the project grows past a size one can read and review at once (migrations excepted)."""

from __future__ import annotations

from tests.utils import ROOT

MAX_LINES = 500


def test_no_module_is_over_500_lines() -> None:
    too_long = []
    for module in sorted((ROOT / "civiquest").rglob("*.py")):
        if "migrations" in module.relative_to(ROOT).parts:
            continue
        with module.open(encoding="utf-8") as lines:
            count = sum(1 for _ in lines)
        if count > MAX_LINES:
            too_long.append(f"{module.relative_to(ROOT)}: {count} lines")
    assert not too_long, f"Modules over {MAX_LINES} lines (split them by concern):\n" + "\n".join(too_long)
