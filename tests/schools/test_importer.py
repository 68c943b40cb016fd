"""The DUO import service: upsert by BRIN + vestiging, wijk by postcode area, all or nothing.
All codes and names are synthetic."""

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.utils import translation

from schools.duo import DuoFormatError, RowError
from schools.importer import ImportReport, duo_import
from schools.models import Gemeente, PostcodeArea, School
from tests.factories import GemeenteFactory, SchoolFactory, WijkFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
LOCATIONS = DATA / "vo_locations_cp1252.csv"  # 4 Utrecht schools (3531, 3531, 3562, 3581), 1 Amsterdam
BAD_ROWS = DATA / "vo_bad_rows_cp1252.csv"  # lines 3, 4 and 6 are bad
PO_UTF8_BOM = DATA / "po_old_header_utf8_bom.csv"  # 3 Utrecht primary schools, no board, no region


def keys(schools) -> list[str]:
    return sorted(school.brin_vestiging for school in schools)


def test_it_imports_a_secondary_file_in_cp1252():
    data = LOCATIONS.read_bytes()
    assert "Café Poëzie".encode("cp1252") in data and b"\r\n" in data

    report = duo_import(data=data)

    assert report.summary_line() == "created 5, updated 0, unchanged 0, rejected 0"
    school = School.objects.select_related("gemeente").get(brin="16PA", vestiging="01")
    assert school.name == 'Het "Baken" – Café Poëzie'
    assert (school.sector, school.street, school.postcode, school.city) == (
        "VO",
        "Kanaalweg 2",
        "3531 KL",
        "UTRECHT",
    )
    assert (school.bestuur, school.phone, school.holiday_region) == (
        "Stichting Voortgezet Onderwijs Utrecht",
        "",
        "midden",
    )
    assert (school.gemeente.code, school.gemeente.name) == ("0344", "UTRECHT")
    assert School.objects.get(brin="18PC").sector == "VSO"
    assert School.objects.get(brin="19PD").gemeente.code == "0363"  # "363" lost its leading zero
    assert sorted(Gemeente.objects.values_list("code", flat=True)) == ["0344", "0363"]


def test_it_imports_the_older_primary_file_in_utf8_with_bom():
    report = duo_import(data=PO_UTF8_BOM.read_bytes(), default_sector="PO")

    assert report.summary_line() == "created 3, updated 0, unchanged 0, rejected 0"
    assert list(
        School.objects.order_by("brin", "vestiging").values_list("brin", "vestiging", "name", "sector")
    ) == [
        ("23XY", "00", "Basisschool De Kleine Prins", "PO"),
        ("23XY", "01", "Basisschool De Kleine Prins, dependance", "PO"),
        ("30AB", "00", "Montessorischool Zuilen – ’t Hoekje", "PO"),
    ]


def test_it_keeps_an_existing_municipality_name(gemeente):
    gemeente.name = "Utrecht"
    gemeente.save()

    duo_import(data=LOCATIONS.read_bytes())

    assert Gemeente.objects.get(code="0344").name == "Utrecht"


def test_it_reports_bad_rows_with_their_line_and_imports_the_good_ones():
    with translation.override("en"):
        report = duo_import(data=BAD_ROWS.read_bytes())

    assert report.summary_line() == "created 3, updated 0, unchanged 0, rejected 3"
    assert report.errors == [
        RowError(line=3, reason="“1PA” is not a valid BRIN code."),
        RowError(line=4, reason="The location has no postcode."),
        RowError(line=6, reason="The row has 3 columns instead of 17."),
    ]
    assert keys(School.objects.all()) == ["16PA00", "17PB00", "18PC00"]


def test_it_changes_nothing_when_the_same_file_is_imported_again():
    duo_import(data=LOCATIONS.read_bytes())
    log_entries = LogEntry.objects.count()

    report = duo_import(data=LOCATIONS.read_bytes())

    assert report.summary_line() == "created 0, updated 0, unchanged 5, rejected 0"
    assert LogEntry.objects.count() == log_entries


def test_it_updates_the_field_that_changed():
    data = LOCATIONS.read_bytes()
    duo_import(data=data)

    report = duo_import(data=data.replace(b"Praktijkschool Overvecht", b"Praktijkschool Utrecht Overvecht"))

    assert report.summary_line() == "created 0, updated 1, unchanged 4, rejected 0"
    assert School.objects.get(brin="17PB").name == "Praktijkschool Utrecht Overvecht"


def test_it_keeps_values_the_file_does_not_have():
    school = SchoolFactory(
        brin="23XY",
        vestiging="00",
        name="Basisschool De Kleine Prins",
        wijk=None,
        gemeente=Gemeente.objects.create(code="0344", name="Utrecht"),
        street="Marnixlaan 1-A",
        postcode="3552 HA",
        city="UTRECHT",
        phone="030-2000000",
        bestuur="Stichting PO Utrecht",
        holiday_region="midden",
    )

    report = duo_import(data=PO_UTF8_BOM.read_bytes(), default_sector="PO")

    assert (report.created, report.updated, report.unchanged) == (2, 0, 1)
    school.refresh_from_db()
    assert (school.bestuur, school.holiday_region) == ("Stichting PO Utrecht", "midden")


def test_it_writes_nothing_when_a_required_column_is_missing():
    data = LOCATIONS.read_bytes().replace(b";POSTCODE;", b";PC;")

    with translation.override("en"), pytest.raises(DuoFormatError, match="has no column POSTCODE"):
        duo_import(data=data)

    assert not School.objects.exists()
    assert not Gemeente.objects.exists()


def test_it_writes_nothing_in_a_dry_run(wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    log_entries = LogEntry.objects.count()

    dry = duo_import(data=LOCATIONS.read_bytes(), dry_run=True)

    assert dry.summary_line() == "created 5, updated 0, unchanged 0, rejected 0"
    assert keys(dry.unplaced) == ["17PB00", "18PC00", "19PD00"]
    assert not School.objects.exists()
    assert list(Gemeente.objects.values_list("code", flat=True)) == ["0344"]
    assert LogEntry.objects.count() == log_entries
    real = duo_import(data=LOCATIONS.read_bytes())
    assert real.summary_line() == dry.summary_line()
    assert keys(real.unplaced) == keys(dry.unplaced)


def test_it_reports_updates_in_a_dry_run_without_making_them():
    data = LOCATIONS.read_bytes()
    duo_import(data=data)

    report = duo_import(data=data.replace(b"Zamenhofdreef", b"Zamenhofdreef-Noord"), dry_run=True)

    assert report.summary_line() == "created 0, updated 1, unchanged 4, rejected 0"
    assert School.objects.get(brin="17PB").street == "Zamenhofdreef 5"


def test_it_places_new_schools_in_the_wijk_of_their_postcode_area(wijk, other_wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3562", wijk=other_wijk)

    report = duo_import(data=LOCATIONS.read_bytes())

    assert keys(School.objects.filter(wijk=wijk)) == ["16PA00", "16PA01"]
    assert keys(School.objects.filter(wijk=other_wijk)) == ["17PB00"]
    assert keys(report.unplaced) == ["18PC00", "19PD00"]


def test_it_never_overwrites_a_wijk_an_admin_set(wijk, other_wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    placed = SchoolFactory(brin="16PA", vestiging="00", wijk=other_wijk, postcode="3531 AB")
    unplaced = SchoolFactory(
        brin="16PA", vestiging="01", wijk=None, gemeente=wijk.gemeente, postcode="3531 KL"
    )

    duo_import(data=LOCATIONS.read_bytes())

    placed.refresh_from_db()
    unplaced.refresh_from_db()
    assert placed.wijk == other_wijk
    assert unplaced.wijk == wijk


def test_it_places_a_school_that_moved_to_another_gemeente_by_its_postcode_there(wijk):
    """19PD00 is in Amsterdam (0363) by the file, with postcode 1075; KPA still had it in Utrecht."""
    amsterdam = GemeenteFactory(code="0363", name="Amsterdam")
    zuid = WijkFactory(gemeente=amsterdam, name="Zuid")
    PostcodeArea.objects.create(gemeente=amsterdam, postcode4="1075", wijk=zuid)
    moved = SchoolFactory(brin="19PD", vestiging="00", gemeente=wijk.gemeente, wijk=wijk, postcode="3531 AB")

    report = duo_import(data=LOCATIONS.read_bytes())

    moved.refresh_from_db()
    assert (moved.gemeente, moved.wijk) == (amsterdam, zuid)
    assert "19PD00" not in keys(report.unplaced)


def test_it_leaves_a_school_that_moved_without_a_wijk_and_lists_it(wijk):
    """No postcode area of the new gemeente knows its postcode: unplaced, never a wijk of the old one."""
    moved = SchoolFactory(brin="19PD", vestiging="00", gemeente=wijk.gemeente, wijk=wijk, postcode="3531 AB")

    preview = duo_import(data=LOCATIONS.read_bytes(), dry_run=True)
    report = duo_import(data=LOCATIONS.read_bytes())

    moved.refresh_from_db()
    assert moved.gemeente.code == "0363"
    assert moved.wijk is None
    assert "19PD00" in keys(preview.unplaced) and "19PD00" in keys(report.unplaced)
    assert School.objects.filter(wijk=None, pk=moved.pk).exists()  # on the unplaced page's list


def test_it_imports_only_the_requested_gemeente():
    report = duo_import(data=LOCATIONS.read_bytes(), gemeente="Utrecht")

    assert report.summary_line() == "created 4, updated 0, unchanged 0, rejected 0"
    assert not School.objects.filter(brin="19PD").exists()
    assert list(Gemeente.objects.values_list("code", flat=True)) == ["0344"]


def test_it_records_the_import_in_the_audit_trail():
    data = LOCATIONS.read_bytes()
    duo_import(data=data)
    school = School.objects.get(brin="17PB")

    assert LogEntry.objects.get_for_object(school).get().action == LogEntry.Action.CREATE
    duo_import(data=data.replace(b"030-1000003", b"030-1000033"))
    entry = LogEntry.objects.get_for_object(school).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert "phone" in entry.changes_dict


@pytest.mark.parametrize("count", [5, 60])
def test_it_reads_in_a_fixed_number_of_queries(django_assert_num_queries, count):
    header, row = LOCATIONS.read_bytes().split(b"\r\n")[:2]
    rows = [row.replace(b";16PA;00;", f";{n:02d}AA;00;".encode()) for n in range(10, 10 + count)]
    data = b"\r\n".join([header, *rows])
    duo_import(data=data)

    # savepoint, gemeenten, schools of the file's BRIN codes, postcode areas, release savepoint
    with django_assert_num_queries(5):
        assert duo_import(data=data).unchanged == count


def test_it_sums_up_in_one_line():
    report = ImportReport(created=1, updated=2, unchanged=3, errors=[RowError(line=4, reason="x")])

    assert report.summary_line() == "created 1, updated 2, unchanged 3, rejected 1"
