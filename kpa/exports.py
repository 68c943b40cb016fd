"""Every table KPA exports (CSV, XLSX) is written here, so that no cell of it can become a formula.

A spreadsheet reads a cell that starts with =, +, - or @ (also after a tab or carriage return, and in
the full-width forms some spreadsheets accept) as a formula: a school named "=HYPERLINK(...)" would run
on the coordinator's machine (CSV or formula injection, OWASP). `safe_cell` puts a single quote before
such a text, the way OWASP recommends, and the XLSX writer also stores every text as a string, never as
a formula. An export builds its header and rows and hands them to `table_response`; nothing else in KPA
writes csv or openpyxl directly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# The first characters that make a spreadsheet read a cell as a formula (OWASP's list, and the
# full-width =, +, - and @ that Excel accepts as well).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type Cell = str | int | float | None
type Row = Sequence[Cell]


def safe_cell(value: Cell) -> Cell:
    """The value as it may go into a spreadsheet cell: a text that could start a formula gets a quote.

    Leading spaces do not hide a formula ("  =1+1" is quoted too). Numbers and empty cells are left
    as they are: they cannot be formulas.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in FORMULA_STARTS or value.lstrip()[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def safe_row(row: Row) -> list[Cell]:
    return [safe_cell(value) for value in row]


def csv_bytes(header: Row, rows: Iterable[Row]) -> bytes:
    """A semicolon-separated UTF-8 file with a BOM (so that Excel reads the accents right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: Row, rows: Iterable[Row], *, sheet_title: str) -> bytes:
    """One sheet; every text cell is quoted like in the CSV and stored as a string, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])  # Excel's limit for a sheet name

    def cells(row: Row) -> list[WriteOnlyCell]:
        written = []
        for value in safe_row(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
            written.append(cell)
        return written

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(
    fmt: str, *, filename: str, header: Row, rows: Iterable[Row], sheet_title: str
) -> HttpResponse:
    """The table as a download: `fmt` is "csv" or "xlsx"; `filename` is without its extension."""
    if fmt == "csv":
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(header, rows, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
