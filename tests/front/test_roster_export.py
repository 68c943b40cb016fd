"""The roster export streamed (issue 15): the CSV row by row as the download runs, the XLSX from a
temporary file, the schools read in chunks, so that neither memory nor queries grow with the rows."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from front import views_schools
from kpa import exports
from kpa.models import AccessLog
from partners.models import PARTNER_ROLES, Role
from schools.models import School
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db
CSV = reverse("schools:export-csv")
XLSX = reverse("schools:export-xlsx")

# The CSV of the small roster below, byte for byte as the export wrote it before it was streamed (the
# same BOM, header, ';' and quoting; checked against the former in-memory export).
SMALL_ROSTER_CSV = (
    "\ufeffBRIN;Vestiging;School;Sector;Wijk;Gemeente;Schoolbestuur;"
    "IB-er / zorgcoördinator;E-mail IB-er / zorgcoördinator;Buurtteam;E-mail Buurtteam;"
    "Jeugdgezondheidszorg (JGZ);E-mail Jeugdgezondheidszorg (JGZ);Adviseur passend onderwijs;"
    "E-mail Adviseur passend onderwijs;Leerplichtambtenaar;E-mail Leerplichtambtenaar;Onbezette rollen\r\n"
    "11AA;00;'=Rekenschool;PO;West;Utrecht;'@Bestuur;;;;;;;;;;;"
    '"Buurtteam; Jeugdgezondheidszorg (JGZ); Adviseur passend onderwijs; Leerplichtambtenaar"\r\n'
    "12AB;01;OBS De Zonnewijzer;PO;West;Utrecht;Stichting Wij;Ilse Bakker;ilse@school.example;"
    'Bram Smit;bram@lokalis.example;"Jet Zorg; +Sta In";"jet@ggd.example; sta@ggd.example";'
    ';;;;"Adviseur passend onderwijs; Leerplichtambtenaar"\r\n'
)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        yield


def small_roster(wijk):
    school = SchoolFactory(
        wijk=wijk, name="OBS De Zonnewijzer", brin="12AB", vestiging="01", bestuur="Stichting Wij"
    )
    SchoolFactory(wijk=wijk, name="=Rekenschool", brin="11AA", vestiging="00", bestuur="@Bestuur")
    # a stand-in's name comes after the holder's in the cell: "+Sta" starts no cell, and is left alone
    people = {
        "ib": UserFactory(first_name="Ilse", last_name="Bakker", email="ilse@school.example"),
        "bt": UserFactory(first_name="Bram", last_name="Smit", email="bram@lokalis.example"),
        "jgz": UserFactory(first_name="Jet", last_name="Zorg", email="jet@ggd.example"),
        "stand_in": UserFactory(first_name="+Sta", last_name="In", email="sta@ggd.example"),
    }
    AssignmentFactory(school=school, role=Role.IB, person=people["ib"])
    AssignmentFactory(school=school, role=Role.BUURTTEAM, person=people["bt"])
    AssignmentFactory(school=school, role=Role.JGZ, person=people["stand_in"], is_stand_in=True)
    AssignmentFactory(school=school, role=Role.JGZ, person=people["jgz"])
    return school


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def many_schools(wijk, count):
    """`count` schools of `wijk`, each with the four kernpartners (one insert per table)."""
    from partners.models import Assignment

    people = [UserFactory() for _ in PARTNER_ROLES]
    School.objects.bulk_create(
        [SchoolFactory.build(wijk=wijk, gemeente=wijk.gemeente, name=f"School {i:03d}") for i in range(count)]
    )
    Assignment.objects.bulk_create(
        [
            Assignment(school=s, role=role, person=people[i], start_date=dt.date(2025, 8, 1))
            for s in School.objects.filter(wijk=wijk)
            for i, role in enumerate(PARTNER_ROLES)
        ]
    )


def test_it_streams_the_csv_and_sends_the_xlsx_from_a_temporary_file(client, coordinator, wijk):
    small_roster(wijk)
    client.force_login(coordinator)
    response = client.get(CSV)
    assert isinstance(response, StreamingHttpResponse)
    assert not isinstance(response, FileResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kpa-rooster-2026-12-02.csv"'
    response = client.get(XLSX)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="kpa-rooster-2026-12-02.xlsx"'
    body = response.getvalue()
    assert int(response["Content-Length"]) == len(body)
    assert body.startswith(b"PK")  # a zip file


@pytest.mark.parametrize("chunk", [500, 1])
def test_it_writes_the_csv_as_before(client, coordinator, wijk, monkeypatch, chunk):
    """Header, rows, BOM and quoting as the in-memory export wrote them, whatever the chunk size."""
    small_roster(wijk)
    monkeypatch.setattr(views_schools, "EXPORT_CHUNK", chunk)
    client.force_login(coordinator)
    assert client.get(CSV, {"wijk": wijk.pk}).getvalue() == SMALL_ROSTER_CSV.encode("utf-8")


def test_it_writes_the_same_rows_into_the_xlsx_with_no_formula(client, coordinator, wijk, monkeypatch):
    small_roster(wijk)
    monkeypatch.setattr(views_schools, "EXPORT_CHUNK", 1)
    client.force_login(coordinator)
    sheet = load_workbook(io.BytesIO(client.get(XLSX, {"wijk": wijk.pk}).getvalue())).active
    cells = [list(row) for row in sheet.iter_rows()]
    assert sheet.title == "Rooster"
    assert all(cell.data_type != "f" for row in cells for cell in row)
    values = [[cell.value or "" for cell in row] for row in cells]
    assert values == read_csv(SMALL_ROSTER_CSV.encode("utf-8"))
    assert values[1][2] == "'=Rekenschool"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_its_queries_grow_with_the_chunks_not_the_rows(
    client, django_assert_max_num_queries, coordinator, wijk, monkeypatch, fmt
):
    monkeypatch.setattr(views_schools, "EXPORT_CHUNK", 10)
    client.force_login(coordinator)
    url = reverse(f"schools:export-{fmt}")
    many_schools(wijk, 3)
    client.get(url).getvalue()  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, the ids of the filtered schools, the access log entry, session
    # save (savepoint, update, release); then per chunk of 10 schools: the schools, their seats, the
    # people on them
    with django_assert_max_num_queries(8 + 3 * 1):
        client.get(url).getvalue()
    many_schools(wijk, 27)
    with django_assert_max_num_queries(8 + 3 * 3):  # 30 schools: three chunks
        body = client.get(url).getvalue()
    if fmt == "csv":
        assert len(read_csv(body)) == 31
    assert AccessLog.objects.latest("pk").detail["rows"] == 30


def test_it_reads_a_chunk_only_when_the_download_gets_to_it(client, coordinator, wijk, monkeypatch):
    """Memory stays that of one chunk: the rows of the first schools go out before the last chunk's
    schools and teams are read."""
    many_schools(wijk, 6)
    monkeypatch.setattr(views_schools, "EXPORT_CHUNK", 2)
    monkeypatch.setattr(exports, "CSV_BLOCK_CHARS", 1)  # a block per row
    reads = []
    seat_holders = views_schools.seat_holders
    monkeypatch.setattr(
        views_schools, "seat_holders", lambda ids: reads.append(list(ids)) or seat_holders(ids)
    )
    client.force_login(coordinator)
    chunks = iter(client.get(CSV).streaming_content)
    assert reads == []  # the view has answered; no school has been read yet
    assert next(chunks).startswith("\ufeffBRIN;".encode())  # the header goes out at once
    assert reads == []
    assert b"School 000" in next(chunks)
    assert len(reads) == 1  # the first chunk only
    assert b"School 001" in next(chunks)
    assert len(reads) == 1
    assert b"School 002" in next(chunks)
    assert len(reads) == 2
    assert len(list(chunks)) == 3
    assert len(reads) == 3


def test_it_writes_the_rows_in_the_requests_language(client, coordinator, wijk, monkeypatch):
    """The rows are written after the view has returned; the vacant roles are still in Dutch."""
    SchoolFactory(wijk=wijk)
    monkeypatch.setattr(exports, "CSV_BLOCK_CHARS", 1)
    client.force_login(coordinator)
    response = client.get(CSV, HTTP_ACCEPT_LANGUAGE="nl")
    from django.utils import translation

    with translation.override("en"):
        rows = read_csv(response.getvalue())
    assert rows[1][-1].startswith("Buurtteam; Jeugdgezondheidszorg (JGZ)")


def test_the_benchmark_measures_the_export(coordinator, wijk, school):
    """benchmarks/export.py's core on a tiny data set, so that it does not rot; what it wrote to the
    access log is rolled back."""
    from benchmarks.export import measure

    many_schools(wijk, 4)
    csv_run = measure(coordinator, "csv", trace_memory=True)
    assert (csv_run.fmt, csv_run.rows) == ("csv", 5)
    assert csv_run.size > 0 and csv_run.peak_bytes > 0
    assert 0 < csv_run.first_byte_ms <= csv_run.total_ms
    assert measure(coordinator, "xlsx").rows == 5
    assert not AccessLog.objects.exists()
