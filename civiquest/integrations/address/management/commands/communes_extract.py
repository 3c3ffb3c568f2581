"""``manage.py communes_extract PACKAGE_DIR``: the official commune list (COG) as data/cog/communes.csv.

Source: the npm package ``@etalab/decoupage-administratif`` 6.0.0 (data of the Code officiel
géographique of INSEE, postcodes from La Poste's base officielle des codes postaux, populations
from INSEE), Licence Ouverte / Etalab 2.0 for the data. ``make cog`` fetches the package with
``npm pack`` and runs this command; the CSV is committed, nothing is downloaded at run time.

Kept: the communes of type ``commune-actuelle`` and the 45 ``arrondissement-municipal`` of
Paris, Lyon and Marseille (the INSEE code a citizen of Lyon 3e is registered under). Columns:
code, name, département code, département name, postcodes (space-separated), population,
type (``commune`` or ``arrondissement``). An arrondissement's name drops the word
"Arrondissement" ("Lyon 3e", "Paris 15e", "Marseille 1er").
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

SOURCE = "@etalab/decoupage-administratif"
KINDS = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement"}
HEADER = ("code", "name", "departement", "departement_name", "postcodes", "population", "type")


def default_output() -> Path:
    return Path(settings.BASE_DIR) / "data" / "cog" / "communes.csv"


def extract(package_dir: Path, output: Path) -> int:
    """Write the CSV from the package's ``data/communes.json`` and ``data/departements.json``; the row count."""
    communes = json.loads((package_dir / "data" / "communes.json").read_text(encoding="utf-8"))
    departements = {
        item["code"]: item["nom"]
        for item in json.loads((package_dir / "data" / "departements.json").read_text(encoding="utf-8"))
    }
    rows: list[tuple[str, ...]] = []
    for item in communes:
        kind = KINDS.get(item.get("type", ""))
        if kind is None:
            continue
        departement = str(item.get("departement") or "")
        rows.append(
            (
                item["code"],
                # "Lyon 3e Arrondissement" → "Lyon 3e": the name the recaps show.
                item["nom"].removesuffix(" Arrondissement"),
                departement,
                departements.get(departement, ""),
                " ".join(sorted(set(item.get("codesPostaux") or ()))),
                str(item.get("population") or ""),
                kind,
            )
        )
    rows.sort()
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


class Command(BaseCommand):
    help = "Extract data/cog/communes.csv from an unpacked @etalab/decoupage-administratif npm package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package_dir", help="The unpacked package (the folder holding data/communes.json)")
        parser.add_argument("--output", default="", help="Where to write the CSV (default data/cog/communes.csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        package_dir = Path(options["package_dir"])
        if not (package_dir / "data" / "communes.json").is_file():
            raise CommandError(f"No data/communes.json under {package_dir}")
        version = json.loads((package_dir / "package.json").read_text(encoding="utf-8")).get("version", "?")
        output = Path(options["output"]) if options["output"] else default_output()
        count = extract(package_dir, output)
        self.stdout.write(f"{SOURCE} {version}: {count} communes written to {output}")
