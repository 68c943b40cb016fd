"""python manage.py import_duo FILE [--gemeente NAME] [--dry-run] [--sector PO|...]"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from schools.models import School

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def run(*args) -> list[str]:
    out = StringIO()
    with translation.override("en"):
        call_command("import_duo", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


def test_it_ends_with_one_summary_line():
    lines = run(DATA / "vo_locations_cp1252.csv")

    assert lines[-1] == "created 5, updated 0, unchanged 0, rejected 0"
    assert "5 school(s) without wijk" in lines[0]
    assert School.objects.count() == 5


def test_it_lists_rejected_rows_by_line():
    lines = run(DATA / "vo_bad_rows_cp1252.csv")

    assert lines[:3] == [
        "line 3: “1PA” is not a valid BRIN code.",
        "line 4: The location has no postcode.",
        "line 6: The row has 3 columns instead of 17.",
    ]
    assert lines[-1] == "created 3, updated 0, unchanged 0, rejected 3"


def test_it_changes_nothing_the_second_time():
    run(DATA / "vo_locations_cp1252.csv")

    assert run(DATA / "vo_locations_cp1252.csv")[-1] == "created 0, updated 0, unchanged 5, rejected 0"


def test_it_writes_nothing_in_a_dry_run():
    lines = run(DATA / "vo_locations_cp1252.csv", "--dry-run", "--gemeente", "0344")

    assert lines[-2:] == ["Dry run: nothing was written.", "created 4, updated 0, unchanged 0, rejected 0"]
    assert not School.objects.exists()


def test_it_takes_the_sector_for_a_file_without_one():
    assert run(DATA / "po_old_header_utf8_bom.csv", "--sector", "PO")[-1] == (
        "created 3, updated 0, unchanged 0, rejected 0"
    )
    assert set(School.objects.values_list("sector", flat=True)) == {"PO"}


def test_it_stops_with_the_reason_when_the_file_cannot_be_read(tmp_path):
    path = tmp_path / "locations.csv"
    path.write_bytes(b"INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;GEMEENTENUMMER\r\n16PA;00;X;0344\r\n")

    with pytest.raises(CommandError, match=r"^The file has no column POSTCODE\.$"):
        run(path, "--sector", "VO")
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")
    assert not School.objects.exists()
