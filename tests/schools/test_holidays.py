"""The school holidays of the Rijksoverheid open-data file: reading its quirks, an import that changes nothing
the second time, the command, and a KPO series that skips an imported holiday."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from meetings.services import meeting_series_schedule
from schools import holidays
from schools.holidays import HolidayFormatError, parse_holidays_json, school_holidays_import
from schools.models import SchoolHoliday
from tests.helpers import AMS, at_day

DATA = Path(__file__).parent / "data"
HOLIDAYS = DATA / "holidays_2025_2027.json"  # 2025-2026 (local midnights) and 2026-2027 (00:00 UTC)
ROWS = 24  # 2025-2026: five holidays × three regions; 2026-2027: three × three


def document() -> list[dict]:
    return json.loads(HOLIDAYS.read_text())


def encoded(value) -> bytes:
    return json.dumps(value).encode()


def one_vacation(vacation: dict, school_year: str = "2025-2026") -> bytes:
    return encoded({"content": [{"schoolyear": school_year, "vacations": [vacation]}]})


def region(name: str, start: str, end: str) -> dict:
    return {"region": name, "startdate": start, "enddate": end}


def dates(rows, name: str, school_year: str) -> dict[str, tuple[dt.date, dt.date]]:
    return {
        r.region: (r.start_date, r.end_date) for r in rows if (r.name, r.school_year) == (name, school_year)
    }


def stored() -> dict[tuple[str, str, str], tuple[dt.date, dt.date]]:
    return {
        (h.school_year, h.name, h.region): (h.start_date, h.end_date) for h in SchoolHoliday.objects.all()
    }


# --- reading the file -------------------------------------------------------------------------------------


def test_it_reads_both_school_years_of_a_list_for_all_three_regions():
    parsed = parse_holidays_json(HOLIDAYS.read_bytes())

    assert parsed.errors == []
    assert len(parsed.rows) == ROWS
    by_year: dict[str, set[str]] = {}
    for row in parsed.rows:
        by_year.setdefault(row.school_year, set()).add(row.region)
    assert by_year == {"2025-2026": {"noord", "midden", "zuid"}, "2026-2027": {"noord", "midden", "zuid"}}


def test_it_reads_local_midnights_as_amsterdam_dates_across_the_clock_change():
    rows = parse_holidays_json(HOLIDAYS.read_bytes()).rows

    # "2025-10-17T22:00:00.000Z" is 18 October 00:00 summer time; "2025-10-26T23:00:00.000Z" the midnight
    # that ends Sunday 26 October, when the clocks have gone back (00:00 winter time on the 27th).
    assert dates(rows, "Herfstvakantie", "2025-2026") == {
        "noord": (dt.date(2025, 10, 18), dt.date(2025, 10, 26)),
        "midden": (dt.date(2025, 10, 18), dt.date(2025, 10, 26)),
        "zuid": (dt.date(2025, 10, 11), dt.date(2025, 10, 19)),
    }
    assert dates(rows, "Kerstvakantie", "2025-2026")["midden"] == (dt.date(2025, 12, 20), dt.date(2026, 1, 4))
    assert dates(rows, "Meivakantie", "2025-2026")["zuid"] == (dt.date(2026, 4, 25), dt.date(2026, 5, 3))


def test_it_reads_the_older_dates_at_midnight_utc_as_the_days_they_name():
    rows = parse_holidays_json(HOLIDAYS.read_bytes()).rows

    assert dates(rows, "Herfstvakantie", "2026-2027")["noord"] == (
        dt.date(2026, 10, 10),
        dt.date(2026, 10, 18),
    )
    assert dates(rows, "Kerstvakantie", "2026-2027")["zuid"] == (dt.date(2026, 12, 19), dt.date(2027, 1, 3))


def test_it_reads_an_end_at_the_last_minute_of_the_last_day_as_that_day():
    data = one_vacation(
        {
            "type": "Herfstvakantie",
            "regions": [
                region("noord", "2026-10-10T00:00:00.000Z", "2026-10-18T21:59:00.000Z"),  # 23:59 summer time
                region("zuid", "2026-10-17T00:00:00.000Z", "2026-10-25T22:59:00.000Z"),  # 23:59 winter time
            ],
        },
        "2026-2027",
    )

    assert dates(parse_holidays_json(data).rows, "Herfstvakantie", "2026-2027") == {
        "noord": (dt.date(2026, 10, 10), dt.date(2026, 10, 18)),
        "zuid": (dt.date(2026, 10, 17), dt.date(2026, 10, 25)),
    }


def test_it_reads_plain_dates_and_a_one_day_holiday():
    data = one_vacation(
        {
            "type": "Studiedag",
            "regions": [
                region("noord", "2026-03-02", "2026-03-02"),
                region("zuid", "2026-03-01T23:00:00.000Z", "2026-03-01T23:00:00.000Z"),
            ],
        }
    )

    assert dates(parse_holidays_json(data).rows, "Studiedag", "2025-2026") == {
        "noord": (dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
        "zuid": (dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
    }


def test_it_strips_the_spaces_around_names_and_school_years():
    rows = parse_holidays_json(HOLIDAYS.read_bytes()).rows

    assert {r.name for r in rows} == {
        "Herfstvakantie",
        "Kerstvakantie",
        "Voorjaarsvakantie",
        "Meivakantie",
        "Zomervakantie",
    }
    assert {r.school_year for r in rows} == {"2025-2026", "2026-2027"}


def test_heel_nederland_is_every_region_in_any_case():
    rows = parse_holidays_json(HOLIDAYS.read_bytes()).rows

    assert set(dates(rows, "Kerstvakantie", "2025-2026")) == {"noord", "midden", "zuid"}  # "heel Nederland"
    assert set(dates(rows, "Meivakantie", "2025-2026")) == {"noord", "midden", "zuid"}  # "Heel Nederland"


def test_it_reads_a_capitalised_region():
    rows = parse_holidays_json(HOLIDAYS.read_bytes()).rows

    assert "noord" in dates(rows, "Herfstvakantie", "2025-2026")  # the file writes "Noord"


def test_it_reads_a_file_of_one_school_year():
    parsed = parse_holidays_json(encoded(document()[0]))

    assert parsed.errors == []
    assert len(parsed.rows) == 15
    assert {r.school_year for r in parsed.rows} == {"2025-2026"}


def test_it_takes_the_school_year_from_the_dates_when_the_file_has_none():
    data = encoded({"content": [{"vacations": [{"type": "Herfstvakantie", "regions": [
        region("midden", "2025-10-17T22:00:00.000Z", "2025-10-26T23:00:00.000Z")
    ]}]}]})  # fmt: skip

    assert [r.school_year for r in parse_holidays_json(data).rows] == ["2025-2026"]


# --- what it refuses ---------------------------------------------------------------------------------------


def test_it_rejects_an_unknown_region_and_reads_the_others():
    data = one_vacation(
        {
            "type": "Herfstvakantie",
            "regions": [
                region("oost", "2025-10-17T22:00:00.000Z", "2025-10-26T23:00:00.000Z"),
                region("midden", "2025-10-17T22:00:00.000Z", "2025-10-26T23:00:00.000Z"),
            ],
        }
    )

    with translation.override("en"):
        parsed = parse_holidays_json(data)

    assert [r.region for r in parsed.rows] == ["midden"]
    assert [(e.where, e.reason) for e in parsed.errors] == [
        (
            "2025-2026 · Herfstvakantie · oost",
            "“oost” is not a holiday region: the regions are noord, midden, zuid and heel Nederland.",
        )
    ]


def test_it_rejects_a_holiday_that_ends_before_it_starts():
    data = one_vacation(
        {
            "type": "Herfstvakantie",
            "regions": [region("zuid", "2025-10-19T22:00:00.000Z", "2025-10-10T22:00:00.000Z")],
        }
    )

    with translation.override("en"):
        parsed = parse_holidays_json(data)

    assert parsed.rows == []
    assert [e.reason for e in parsed.errors] == ["The holiday ends before it starts."]


def test_it_rejects_dates_it_cannot_read():
    data = one_vacation({"type": "Herfstvakantie", "regions": [region("zuid", "gisteren", "2025-10-19")]})

    with translation.override("en"):
        [error] = parse_holidays_json(data).errors

    assert (
        error.reason == "The dates cannot be read: give startdate and enddate as in the Rijksoverheid file."
    )


def test_it_rejects_a_name_longer_than_the_model_keeps():
    name = "Vakantie" + "x" * 93  # 101 characters
    data = one_vacation({"type": name, "regions": [region("zuid", "2025-10-10", "2025-10-19")]})

    with translation.override("en"):
        parsed = parse_holidays_json(data)

    assert parsed.rows == []
    [error] = parsed.errors
    assert error.reason == "Ensure this value has at most 100 characters (it has 101)."
    assert error.where.startswith("2025-2026 · Vakantiexxx") and error.where.endswith("…")


@pytest.mark.parametrize(
    "name", ["Herfst\nvakantie", "Herfst\tvakantie", "Herfst\u200bvakantie", "Herfst\x00"]
)
def test_it_rejects_a_name_with_a_control_or_invisible_character(name):
    data = one_vacation({"type": name, "regions": [region("zuid", "2025-10-10", "2025-10-19")]})

    with translation.override("en"):
        parsed = parse_holidays_json(data)

    assert parsed.rows == []
    [error] = parsed.errors
    assert "write this on one line" in error.reason


def test_it_rejects_a_holiday_without_a_name_or_regions():
    data = encoded(
        {
            "content": [
                {
                    "schoolyear": "2025-2026",
                    "vacations": [{"type": "  ", "regions": []}, {"type": "Meivakantie"}],
                }
            ]
        }
    )

    with translation.override("en"):
        errors = parse_holidays_json(data).errors

    assert [e.reason for e in errors] == [
        "The holiday has no name.",
        "The holiday has no regions with dates.",
    ]


def test_it_rejects_a_holiday_named_twice_with_other_dates():
    data = one_vacation(
        {
            "type": "Kerstvakantie",
            "regions": [
                region("heel Nederland", "2025-12-19T23:00:00.000Z", "2026-01-04T23:00:00.000Z"),
                region("midden", "2025-12-19T23:00:00.000Z", "2026-01-04T23:00:00.000Z"),  # the same: fine
                region("zuid", "2025-12-12T23:00:00.000Z", "2026-01-04T23:00:00.000Z"),
            ],
        }
    )

    with translation.override("en"):
        parsed = parse_holidays_json(data)

    assert len(parsed.rows) == 3
    assert [(e.where, e.reason) for e in parsed.errors] == [
        ("2025-2026 · Kerstvakantie · zuid", "The file names this holiday twice, with other dates.")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json at all",
        b"%PDF-1.7 binary",
        b"\xff\xfe\x00garbage",
        b"[" * 100_000,  # nested deeper than the parser goes
    ],
)
def test_it_refuses_a_file_that_is_not_json(data):
    with translation.override("en"), pytest.raises(HolidayFormatError) as error:
        parse_holidays_json(data)

    assert str(error.value).startswith("This is not a JSON file.")


@pytest.mark.parametrize(
    "value",
    [
        {"foo": "bar"},
        [],
        [1, 2],
        "Schoolvakanties",
        {"content": "vacations"},
        {"content": []},
        {"content": [{"schoolyear": "2025-2026"}]},
        {"content": [{"vacations": {"type": "Herfstvakantie"}}]},
    ],
)
def test_it_refuses_json_of_another_shape(value):
    with translation.override("en"), pytest.raises(HolidayFormatError) as error:
        parse_holidays_json(encoded(value))

    assert str(error.value).startswith("This is not the file of school holidays of the Rijksoverheid")


# --- the import --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_creates_every_holiday_once_and_changes_nothing_the_second_time():
    first = school_holidays_import(data=HOLIDAYS.read_bytes())
    before = {
        h.pk: (h.name, h.region, h.school_year, h.start_date, h.end_date) for h in SchoolHoliday.objects.all()
    }

    second = school_holidays_import(data=HOLIDAYS.read_bytes())

    assert first.summary_line() == f"created {ROWS}, updated 0, unchanged 0, rejected 0"
    assert second.summary_line() == f"created 0, updated 0, unchanged {ROWS}, rejected 0"
    assert second.changes == []
    after = {
        h.pk: (h.name, h.region, h.school_year, h.start_date, h.end_date) for h in SchoolHoliday.objects.all()
    }
    assert after == before
    assert stored()[("2025-2026", "Herfstvakantie", "noord")] == (
        dt.date(2025, 10, 18),
        dt.date(2025, 10, 26),
    )


@pytest.mark.django_db
def test_a_corrected_file_moves_the_dates_of_the_same_holiday():
    school_holidays_import(data=HOLIDAYS.read_bytes())
    holiday = SchoolHoliday.objects.get(school_year="2025-2026", name="Herfstvakantie", region="zuid")
    corrected = document()
    corrected[0]["content"][0]["vacations"][0]["regions"][2] = region(
        "zuid", "2025-10-17T22:00:00.000Z", "2025-10-26T23:00:00.000Z"
    )
    corrected[0]["content"][0]["vacations"][0]["type"] = "HERFSTVAKANTIE"  # the same holiday, in capitals

    report = school_holidays_import(data=encoded(corrected))

    assert report.summary_line() == f"created 0, updated 3, unchanged {ROWS - 3}, rejected 0"
    holiday.refresh_from_db()
    assert (holiday.name, holiday.start_date, holiday.end_date) == (
        "HERFSTVAKANTIE",
        dt.date(2025, 10, 18),
        dt.date(2025, 10, 26),
    )
    [change] = [c for c in report.changes if c.region == "zuid"]
    assert (change.action, change.old_start_date, change.old_end_date) == (
        "updated",
        dt.date(2025, 10, 11),
        dt.date(2025, 10, 19),
    )
    assert SchoolHoliday.objects.count() == ROWS


@pytest.mark.django_db
def test_it_updates_a_holiday_typed_by_hand_in_place():
    typed = SchoolHoliday.objects.create(
        region="midden",
        name="herfstvakantie ",
        start_date=dt.date(2025, 10, 11),
        end_date=dt.date(2025, 10, 19),
    )
    # The same name a school year earlier, and a day the file does not know: both stay as they are.
    earlier = SchoolHoliday.objects.create(
        region="midden",
        name="Herfstvakantie",
        start_date=dt.date(2024, 10, 19),
        end_date=dt.date(2024, 10, 27),
    )
    own = SchoolHoliday.objects.create(
        region="midden", name="Studiedag", start_date=dt.date(2025, 11, 3), end_date=dt.date(2025, 11, 3)
    )

    report = school_holidays_import(data=HOLIDAYS.read_bytes())

    assert report.summary_line() == f"created {ROWS - 1}, updated 1, unchanged 0, rejected 0"
    typed.refresh_from_db()
    assert (typed.name, typed.school_year, typed.start_date, typed.end_date) == (
        "Herfstvakantie",
        "2025-2026",
        dt.date(2025, 10, 18),
        dt.date(2025, 10, 26),
    )
    assert (
        SchoolHoliday.objects.filter(region="midden", name__iexact="herfstvakantie").count() == 3
    )  # 3 years
    for untouched in (earlier, own):
        assert SchoolHoliday.objects.get(pk=untouched.pk).school_year == ""
    assert school_holidays_import(data=HOLIDAYS.read_bytes()).updated == 0


@pytest.mark.django_db
def test_it_writes_nothing_in_a_dry_run():
    report = school_holidays_import(data=HOLIDAYS.read_bytes(), dry_run=True)

    assert report.created == ROWS
    assert len(report.changes) == ROWS
    assert not SchoolHoliday.objects.exists()


@pytest.mark.django_db
def test_it_imports_the_good_holidays_of_a_file_with_a_rejected_one():
    data = one_vacation(
        {
            "type": "Herfstvakantie",
            "regions": [
                region("oost", "2025-10-17T22:00:00.000Z", "2025-10-26T23:00:00.000Z"),
                region("zuid", "2025-10-10T22:00:00.000Z", "2025-10-19T22:00:00.000Z"),
            ],
        }
    )

    report = school_holidays_import(data=data)

    assert report.summary_line() == "created 1, updated 0, unchanged 0, rejected 1"
    assert list(SchoolHoliday.objects.values_list("region", flat=True)) == ["zuid"]


@pytest.mark.django_db
def test_it_writes_nothing_for_a_file_it_cannot_read():
    with pytest.raises(HolidayFormatError):
        school_holidays_import(data=b'{"content": 3}')

    assert not SchoolHoliday.objects.exists()


@pytest.mark.django_db
def test_the_database_keeps_one_imported_holiday_per_region_name_and_school_year():
    SchoolHoliday.objects.create(
        region="zuid", name="Kerstvakantie", school_year="2025-2026",
        start_date=dt.date(2025, 12, 20), end_date=dt.date(2026, 1, 4),
    )  # fmt: skip
    # Typed by hand (no school year), the same holiday may be there twice.
    for _ in range(2):
        SchoolHoliday.objects.create(
            region="zuid",
            name="Kerstvakantie",
            start_date=dt.date(2025, 12, 20),
            end_date=dt.date(2026, 1, 4),
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolHoliday.objects.create(
            region="zuid", name="KERSTVAKANTIE", school_year="2025-2026",
            start_date=dt.date(2025, 12, 21), end_date=dt.date(2026, 1, 4),
        )  # fmt: skip


@pytest.mark.django_db  # not transaction=True: its flush would empty what the migrations seeded
def test_it_keeps_what_a_parallel_import_created_meanwhile(monkeypatch):
    school_holidays_import(data=HOLIDAYS.read_bytes())
    real_existing = holidays._existing
    calls = []

    def not_yet_seen(school_years):
        calls.append(1)
        return {} if len(calls) == 1 else real_existing(school_years)  # as if read before the other wrote

    monkeypatch.setattr(holidays, "_existing", not_yet_seen)

    report = school_holidays_import(data=HOLIDAYS.read_bytes())

    assert report.summary_line() == f"created 0, updated 0, unchanged {ROWS}, rejected 0"
    assert SchoolHoliday.objects.count() == ROWS


# --- the command -------------------------------------------------------------------------------------------


def run(*args) -> list[str]:
    out = StringIO()
    with translation.override("en"):
        call_command("import_holidays", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
def test_the_command_imports_a_file_and_changes_nothing_the_second_time():
    assert run(HOLIDAYS) == [f"created {ROWS}, updated 0, unchanged 0, rejected 0"]
    assert run(HOLIDAYS) == [f"created 0, updated 0, unchanged {ROWS}, rejected 0"]
    assert SchoolHoliday.objects.count() == ROWS


@pytest.mark.django_db
def test_the_command_lists_rejected_holidays_and_writes_nothing_in_a_dry_run(tmp_path):
    path = tmp_path / "vakanties.json"
    path.write_bytes(
        one_vacation({"type": "Herfstvakantie", "regions": [region("oost", "2025-10-11", "2025-10-19")]})
    )

    lines = run(path, "--dry-run")

    assert lines == [
        "2025-2026 · Herfstvakantie · oost: “oost” is not a holiday region: the regions are noord, midden, "
        "zuid and heel Nederland.",
        "Dry run: nothing was written.",
        "created 0, updated 0, unchanged 0, rejected 1",
    ]


@pytest.mark.django_db
def test_the_command_fails_on_a_file_that_is_not_the_holiday_file(tmp_path):
    path = tmp_path / "vestigingen.csv"
    path.write_bytes(b"BRIN;NAAM\r\n")

    with pytest.raises(CommandError, match="This is not a JSON file"):
        run(path)
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.json")
    with pytest.raises(CommandError, match="Give a FILE or --url"):
        run()


class FakeResponse:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, limit: int) -> bytes:
        return self.data[:limit]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.django_db
def test_the_command_fetches_the_file_with_a_timeout(monkeypatch):
    asked = []

    def fake_urlopen(request, timeout):
        asked.append((request.full_url, timeout))
        return FakeResponse(HOLIDAYS.read_bytes())

    monkeypatch.setattr("schools.management.commands.import_holidays.urllib.request.urlopen", fake_urlopen)

    assert run("--url") == [f"created {ROWS}, updated 0, unchanged 0, rejected 0"]
    assert asked == [
        (
            "https://opendata.rijksoverheid.nl/v1/sources/rijksoverheid/infotypes/schoolholidays?output=json",
            20,
        )
    ]


@pytest.mark.django_db
def test_the_command_says_when_it_cannot_fetch_the_file(monkeypatch):
    import urllib.error

    def unreachable(request, timeout):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr("schools.management.commands.import_holidays.urllib.request.urlopen", unreachable)

    with pytest.raises(CommandError, match=r"Cannot fetch .*: Name or service not known"):
        run("--url", "https://opendata.rijksoverheid.nl/v1/sources/rijksoverheid/infotypes/schoolholidays")
    with pytest.raises(CommandError, match="Give an https address"):
        run("--url", "file:///etc/passwd")
    assert not SchoolHoliday.objects.exists()


# --- planning ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 9, 1, 10, tzinfo=AMS), tick=False)  # the dates below lie ahead
def test_a_kpo_series_skips_an_imported_holiday_of_the_schools_region(school):
    school.holiday_region = "zuid"
    school.save()
    school_holidays_import(data=HOLIDAYS.read_bytes())

    result = meeting_series_schedule(
        school=school,
        first_starts_at=at_day(dt.date(2025, 10, 6)),
        duration=dt.timedelta(minutes=90),
        interval_weeks=1,
        until=dt.date(2025, 11, 3),
    )

    # Zuid's autumn holiday is 11-19 October; noord's and midden's (18-26 October) are not zuid's.
    assert [timezone.localtime(m).date() for m in result.skipped] == [dt.date(2025, 10, 13)]
    assert [timezone.localtime(m.starts_at).date() for m in result.meetings] == [
        dt.date(2025, 10, 6),
        dt.date(2025, 10, 20),
        dt.date(2025, 10, 27),
        dt.date(2025, 11, 3),
    ]


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 9, 1, 10, tzinfo=AMS), tick=False)
def test_a_kpo_series_meets_again_the_monday_after_a_holiday_that_ends_in_the_clock_change(school):
    school.holiday_region = "noord"
    school.save()
    school_holidays_import(data=HOLIDAYS.read_bytes())

    result = meeting_series_schedule(
        school=school,
        first_starts_at=at_day(dt.date(2025, 10, 13)),
        duration=dt.timedelta(minutes=90),
        interval_weeks=1,
        until=dt.date(2025, 10, 27),
    )

    # Noord's holiday ends on Sunday 26 October, the night the clocks go back: Monday 27 October is a
    # school day again, at 09:00 winter time.
    assert [timezone.localtime(m).date() for m in result.skipped] == [dt.date(2025, 10, 20)]
    assert [timezone.localtime(m.starts_at) for m in result.meetings] == [
        at_day(dt.date(2025, 10, 13)),
        at_day(dt.date(2025, 10, 27)),
    ]
