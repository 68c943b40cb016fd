"""kpa.exports: no exported cell can become a formula (CSV or XLSX), and every export goes through it."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from kpa import exports
from kpa.exports import csv_bytes, safe_cell, table_response, table_stream_response, xlsx_bytes
from tests.factories import SchoolFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example","klik")',
    "+31 30 123",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",  # full-width =
]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


@pytest.mark.parametrize("value", HOSTILE)
def test_it_quotes_a_cell_that_would_start_a_formula(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["OBS De Zonnewijzer", "16PA", "", "Stichting =Wij", "a-b", None, 3, 2.5])
def test_it_leaves_harmless_cells_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_it_writes_no_formula_into_the_csv(value):
    rows = read_csv(csv_bytes(["School", "Bestuur"], [[value, "Stichting"]]))
    assert rows[1] == ["'" + value, "Stichting"]


@pytest.mark.parametrize("value", HOSTILE)
def test_it_writes_no_formula_into_the_xlsx(value):
    [header, row] = read_xlsx(xlsx_bytes([value, "b"], [[value, 7]], sheet_title="Rooster"))
    for cell in (header[0], row[0]):
        assert cell.data_type == "s"  # a string, never "f" (formula)
        assert cell.value == "'" + value.replace("\r", "\n")  # XML reads a carriage return as \n
    assert (row[1].value, row[1].data_type) == (7, "n")


def test_it_answers_a_download_in_either_format():
    response = table_response("csv", filename="kpa-x", header=["a"], rows=[["=1"]], sheet_title="X")
    assert response["Content-Disposition"] == 'attachment; filename="kpa-x.csv"'
    assert read_csv(response.content) == [["a"], ["'=1"]]
    response = table_response("xlsx", filename="kpa-x", header=["a"], rows=[["=1"]], sheet_title="X")
    assert response["Content-Disposition"] == 'attachment; filename="kpa-x.xlsx"'
    assert [c.value for c in read_xlsx(response.content)[1]] == ["'=1"]
    with pytest.raises(ValueError, match="pdf"):
        table_response("pdf", filename="kpa-x", header=[], rows=[], sheet_title="X")


def test_it_streams_a_table_in_either_format():
    response = table_stream_response("csv", filename="kpa-x", header=["a"], rows=[["=1"]], sheet_title="X")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="kpa-x.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(response.getvalue()) == [["a"], ["'=1"]]
    response = table_stream_response("xlsx", filename="kpa-x", header=["a"], rows=[["=1"]], sheet_title="X")
    assert isinstance(response, FileResponse)  # from a temporary file, with its length
    assert response["Content-Disposition"] == 'attachment; filename="kpa-x.xlsx"'
    data = response.getvalue()
    assert int(response["Content-Length"]) == len(data)
    assert [c.value for c in read_xlsx(data)[1]] == ["'=1"]
    with pytest.raises(ValueError, match="pdf"):
        table_stream_response("pdf", filename="kpa-x", header=[], rows=[], sheet_title="X")


@pytest.mark.parametrize("value", HOSTILE)
def test_it_streams_no_formula_in_either_format(value):
    def rows():
        yield [value, 7]

    csv_response = table_stream_response("csv", filename="x", header=["a", "b"], rows=rows(), sheet_title="X")
    assert read_csv(csv_response.getvalue())[1] == ["'" + value, "7"]
    xlsx_response = table_stream_response(
        "xlsx", filename="x", header=["a", "b"], rows=rows(), sheet_title="X"
    )
    [_, row] = read_xlsx(xlsx_response.getvalue())
    assert (row[0].data_type, row[0].value) == ("s", "'" + value.replace("\r", "\n"))


def test_it_writes_the_same_csv_streamed_as_in_memory(monkeypatch):
    header = ["School", "Bestuur"]
    rows = [["OBS De Zonnewijzer", "Stichting; Wij"], ["=1", 'Een "bestuur"'], ["Ærø", None], ["", 2.5]]
    whole = csv_bytes(header, rows)
    assert whole.startswith("\ufeffSchool;Bestuur\r\n".encode())
    monkeypatch.setattr(exports, "CSV_BLOCK_CHARS", 1)
    streamed = table_stream_response("csv", filename="x", header=header, rows=rows, sheet_title="X")
    assert b"".join(streamed.streaming_content) == whole


def test_it_reads_the_rows_only_as_the_csv_is_written(monkeypatch):
    """A block of rows goes out before the next rows are read: a generator of rows is never held whole."""
    monkeypatch.setattr(exports, "CSV_BLOCK_CHARS", 10)
    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [f"row {n} is longer than ten characters"]

    chunks = iter(exports.csv_chunks(["header"], rows()))
    assert next(chunks) == "\ufeffheader\r\n".encode()
    assert read == []
    assert next(chunks) == b"row 0 is longer than ten characters\r\n"
    assert read == [0]
    assert len(list(chunks)) == 2
    assert read == [0, 1, 2]


def test_it_sends_short_rows_in_one_block():
    """Not a write to the socket per row: rows are gathered into blocks of about CSV_BLOCK_CHARS."""
    chunks = list(exports.csv_chunks(["h"], ([f"school {n}"] for n in range(100))))
    assert len(chunks) == 2  # the header, then one block of 100 short rows
    assert chunks[1].count(b"\r\n") == 100


@pytest.mark.django_db
def test_it_exports_a_hostile_school_and_bestuur_as_text(client, coordinator, wijk):
    SchoolFactory(wijk=wijk, name='=HYPERLINK("http://evil.example")', bestuur="@Stichting")
    client.force_login(coordinator)

    rows = read_csv(client.get(reverse("schools:export-csv")).getvalue())
    school_row = next(r for r in rows if "HYPERLINK" in r[2])
    assert school_row[2] == '\'=HYPERLINK("http://evil.example")'
    assert school_row[6] == "'@Stichting"

    cells = read_xlsx(client.get(reverse("schools:export-xlsx")).getvalue())
    school_cells = next(r for r in cells if "HYPERLINK" in str(r[2].value))
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert (school_cells[2].value, school_cells[6].value) == (
        '\'=HYPERLINK("http://evil.example")',
        "'@Stichting",
    )


def test_it_is_the_only_module_that_writes_csv_or_xlsx():
    """Present and future exports: a writer anywhere else would skip the quoting."""
    root = Path(__file__).resolve().parents[2]
    writer = re.compile(r"\bcsv\.(?:writer|DictWriter)\b|\bimport openpyxl\b|\bfrom openpyxl\b")
    offenders = [
        str(path.relative_to(root))
        for app in ("kpa", "schools", "partners", "meetings", "front", "evaluations", "programme", "demo")
        if (root / app).is_dir()
        for path in (root / app).rglob("*.py")
        if writer.search(path.read_text(encoding="utf-8")) and path != root / "kpa" / "exports.py"
    ]
    assert offenders == []
