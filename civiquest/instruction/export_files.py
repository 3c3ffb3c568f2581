"""Rows of an export written as a file: CSV (the csv module), XLSX (openpyxl) or ODS (tablib with odfpy).

Every text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab, a carriage return) is
prefixed with a quote: a spreadsheet would otherwise run it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from civiquest.instruction.models import ExportFormat

CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.ODS: "application/vnd.oasis.opendocument.spreadsheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters a spreadsheet's XML (XLSX, ODS) cannot hold: openpyxl would refuse the cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class UnknownExportFormat(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(_("Format d’export inconnu : %(name)s. Choisissez CSV, XLSX ou ODS.") % {"name": name})


def safe_cell(value: Any) -> Any:
    """The value; a text without control characters, prefixed with a quote if a spreadsheet would run it."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value[:1] in FORMULA_STARTS else value


def filename(export_format: str, stem: str = "dossiers") -> str:
    return f"{stem}.{export_format}"


def write(export_format: str, rows: Iterable[list[Any]], target: IO[bytes]) -> int:
    """Write the rows (a header first) to ``target`` in this format; the number of rows after the header."""
    if export_format == ExportFormat.CSV:
        return _write_csv(rows, target)
    if export_format == ExportFormat.XLSX:
        return _write_xlsx(rows, target)
    if export_format == ExportFormat.ODS:
        return _write_ods(rows, target)
    raise UnknownExportFormat(export_format)


def _write_csv(rows: Iterable[list[Any]], target: IO[bytes]) -> int:
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    # With a BOM, so that spreadsheet software reads UTF-8; ";" as French spreadsheets expect.
    text.write("\ufeff")
    writer = csv.writer(text, delimiter=";")
    count = -1
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    text.flush()
    text.detach()  # the caller keeps ``target`` open
    return max(count, 0)


def _write_xlsx(rows: Iterable[list[Any]], target: IO[bytes]) -> int:
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl costs about 0.4 s and 15 MB to import: loaded only for an XLSX export

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Dossiers"))
    count = -1
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
        count += 1
    workbook.save(target)
    return max(count, 0)


def _write_ods(rows: Iterable[list[Any]], target: IO[bytes]) -> int:
    import tablib  # noqa: PLC0415 - tablib and odfpy are loaded only for an ODS export

    iterator = iter(rows)
    header = [safe_cell(str(value)) for value in next(iterator, [])]
    dataset = tablib.Dataset(headers=header, title=_("Dossiers"))
    for row in iterator:
        dataset.append([safe_cell(value) for value in row])
    target.write(dataset.export("ods"))
    return int(dataset.height)


def as_bytes(export_format: str, rows: Iterable[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    write(export_format, rows, buffer)
    return buffer.getvalue()
