"""Every table KPA exports (CSV, XLSX) is written here, so that no cell of it can become a formula.

A spreadsheet reads a cell that starts with =, +, - or @ (also after a tab or carriage return, and in
the full-width forms some spreadsheets accept) as a formula: a school named "=HYPERLINK(...)" would run
on the coordinator's machine (CSV or formula injection, OWASP). `safe_cell` puts a single quote before
such a text, the way OWASP recommends, and the XLSX writer also stores every text as a string, never as
a formula. An export builds its header and rows and hands them to `table_response` (a small table, built
in memory) or `table_stream_response` (a table of any length: rows are read from an iterator as they are
written, so memory does not grow with them); nothing else in KPA writes csv or openpyxl directly.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

# The first characters that make a spreadsheet read a cell as a formula (OWASP's list, and the
# full-width =, +, - and @ that Excel accepts as well).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A streamed CSV goes out in blocks of about this many characters: one write to the socket per block,
# not per row (10,000 rows would be 10,000 writes).
CSV_BLOCK_CHARS = 32 * 1024

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


class _Line:
    """A file for csv.writer that hands back what is written instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(header: Row, rows: Iterable[Row]) -> Iterator[bytes]:
    """A semicolon-separated UTF-8 file with a BOM (so that Excel reads the accents right), piece by
    piece: the BOM and the header at once, then the rows in blocks of about CSV_BLOCK_CHARS, each read
    from `rows` only when the block before it has been handed on."""
    writer = csv.writer(_Line(), delimiter=";")
    yield ("\ufeff" + writer.writerow(safe_row(header))).encode("utf-8")
    block: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow(safe_row(row))
        block.append(line)
        size += len(line)
        if size >= CSV_BLOCK_CHARS:
            yield "".join(block).encode("utf-8")
            block, size = [], 0
    if block:
        yield "".join(block).encode("utf-8")


def csv_bytes(header: Row, rows: Iterable[Row]) -> bytes:
    return b"".join(csv_chunks(header, rows))


def xlsx_write(target: IO[bytes], header: Row, rows: Iterable[Row], *, sheet_title: str) -> None:
    """One sheet into `target`; every text cell is quoted like in the CSV and stored as a string (inline,
    never a formula). openpyxl's write-only mode keeps the rows in a temporary file, not in memory."""
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
    workbook.save(target)


def xlsx_bytes(header: Row, rows: Iterable[Row], *, sheet_title: str) -> bytes:
    buffer = io.BytesIO()
    xlsx_write(buffer, header, rows, sheet_title=sheet_title)
    return buffer.getvalue()


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str, fmt: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'


def table_response(
    fmt: str, *, filename: str, header: Row, rows: Iterable[Row], sheet_title: str
) -> HttpResponse:
    """The table as a download built in memory: `fmt` is "csv" or "xlsx"; `filename` is without its
    extension. For a table that grows with the country, use `table_stream_response`."""
    if fmt == "csv":
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(header, rows, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
    _attachment(response, filename, fmt)
    return response


def table_stream_response(
    fmt: str, *, filename: str, header: Row, rows: Iterable[Row], sheet_title: str
) -> StreamingHttpResponse:
    """The table as a download whose memory does not grow with its rows; `rows` may be a generator.

    A CSV is streamed: its rows are read from `rows` while the download runs, the header goes out first.
    An XLSX is a zip file, complete only at its end: it is written to a temporary file (openpyxl's
    write-only mode) and sent from there, with its length."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CSV_CONTENT_TYPE)
    elif fmt == "xlsx":
        file = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when the download ends)
        try:
            xlsx_write(file, header, rows, sheet_title=sheet_title)
        except BaseException:
            file.close()
            raise
        file.seek(0)
        response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
    _attachment(response, filename, fmt)
    return response
