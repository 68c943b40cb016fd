"""Import of the school holidays the government publishes as open data (opendata.rijksoverheid.nl,
infotype schoolholidays), for the three holiday regions.

The file is JSON: one school year object or a list of them, each with `content` → `vacations` → `regions`
(`region`, `startdate`, `enddate`). Its quirks, all handled here:

- the moments are UTC. Newer files write the local midnight that starts the first day
  ("2025-10-17T22:00:00.000Z" is 18 October in Amsterdam) and the local midnight that ends the last day
  ("2025-10-26T23:00:00.000Z": the autumn holiday of 2025 ends on Sunday 26 October); older files write
  the dates at 00:00 UTC, others the last minute of the last day ("…T21:59:00.000Z"). Every moment is read
  in Europe/Amsterdam: the first day is the date the holiday starts on, the last day the date it is still
  running on, so an end at exactly local midnight belongs to the day before;
- names and school years carry spaces and line breaks around them ("Herfstvakantie ", "2025-2026 ");
- "heel Nederland" is all three regions, and the regions may be written with a capital ("Noord").

A holiday is known by region, name (in any case) and school year, so importing a file twice changes
nothing and a corrected file moves the dates of the holiday it corrects. A holiday an admin typed by hand
(it has no school year) is the same holiday when region and name match and it starts in that school year.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kpa.validators import one_line
from schools.importer import ImportCounts
from schools.models import HolidayRegion, SchoolHoliday
from schools.years import school_year_start

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
REGIONS = tuple(HolidayRegion.values)  # noord, midden, zuid
ALL_REGIONS = "heel nederland"
SCHOOL_YEAR_RE = re.compile(r"(\d{4})\s*[-–/]\s*(\d{4})")
SPACES_RE = re.compile(r" {2,}")
SHOWN_NAME_LENGTH = 40  # a refused name is shown cut to this many characters


class HolidayFormatError(ValueError):
    """The file as a whole is no school holiday file of the government (nothing is imported)."""


@dataclass(frozen=True)
class HolidayRow:
    region: str
    name: str
    school_year: str  # "2025-2026"
    start_date: dt.date
    end_date: dt.date

    @property
    def key(self) -> tuple[str, str, str]:
        return holiday_key(self.region, self.name, self.school_year)


@dataclass(frozen=True)
class RowError:
    where: str  # school year · holiday · region, as the file writes them
    reason: str


@dataclass
class ParsedHolidays:
    rows: list[HolidayRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def holiday_key(region: str, name: str, school_year: str) -> tuple[str, str, str]:
    return (region, normalise_name(name).casefold(), school_year)


def normalise_name(value: str) -> str:
    """Without the white space around it and with single spaces inside; line breaks and other invisible
    characters inside the name are kept, for the model's validator to refuse."""
    return SPACES_RE.sub(" ", value.strip())


def school_year_of(day: dt.date) -> str:
    first = school_year_start(day).year
    return f"{first}-{first + 1}"


# --- reading the file ------------------------------------------------------------------------------------


def parse_holidays_json(data: bytes) -> ParsedHolidays:
    """The holidays of a file, one row per region. Raises HolidayFormatError when the file is not JSON or
    not shaped like the government's file; a holiday or region that cannot be read is a row error."""
    years = _school_year_objects(_load(data))
    parsed = ParsedHolidays()
    seen: dict[tuple[str, str, str], HolidayRow] = {}
    for content in years:
        file_year = _school_year(content.get("schoolyear"))
        vacations = content.get("vacations")
        if not isinstance(vacations, list):
            raise HolidayFormatError(_not_the_format())
        for vacation in vacations:
            for row_or_error in _vacation_rows(vacation, file_year):
                if isinstance(row_or_error, RowError):
                    parsed.errors.append(row_or_error)
                    continue
                row = row_or_error
                earlier = seen.get(row.key)
                if earlier is None:
                    seen[row.key] = row
                    parsed.rows.append(row)
                elif (earlier.start_date, earlier.end_date) != (row.start_date, row.end_date):
                    parsed.errors.append(
                        RowError(
                            _where(row.school_year, row.name, row.region),
                            _("The file names this holiday twice, with other dates."),
                        )
                    )
    return parsed


def _not_the_format() -> str:
    return _(
        "This is not the file of school holidays of the Rijksoverheid: it has no school years with "
        "holidays (content, vacations, regions). Download the school holidays as JSON from "
        "opendata.rijksoverheid.nl and upload that file."
    )


def _load(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise HolidayFormatError(
            _(
                "This is not a JSON file. Download the school holidays from opendata.rijksoverheid.nl "
                "as JSON (output=json) and upload that file."
            )
        ) from error


def _school_year_objects(document: Any) -> list[dict[str, Any]]:
    """The `content` objects (one per school year) of a file with one school year or a list of them."""
    items = document if isinstance(document, list) else [document]
    contents: list[dict[str, Any]] = []
    for item in items:
        content = item.get("content") if isinstance(item, dict) else None
        if isinstance(content, dict):
            content = [content]
        if not isinstance(content, list) or not all(isinstance(c, dict) for c in content):
            raise HolidayFormatError(_not_the_format())
        contents.extend(content)
    if not contents:
        raise HolidayFormatError(_not_the_format())
    return contents


def _school_year(value: Any) -> str | None:
    """ "2025-2026 " and "2025 - 2026" as "2025-2026"; None when it cannot be read."""
    if not isinstance(value, str):
        return None
    match = SCHOOL_YEAR_RE.fullmatch(value.strip())
    if match is None or int(match[2]) != int(match[1]) + 1:
        return None
    return f"{match[1]}-{match[2]}"


def _vacation_rows(vacation: Any, file_year: str | None) -> Iterator[HolidayRow | RowError]:
    raw_name = vacation.get("type") if isinstance(vacation, dict) else None
    name = normalise_name(raw_name) if isinstance(raw_name, str) else ""
    shown_year = file_year or "?"
    if not name:
        yield RowError(_where(shown_year, "?", ""), _("The holiday has no name."))
        return
    problem = _name_problem(name)
    if problem:
        yield RowError(_where(shown_year, name, ""), problem)
        return
    regions = vacation.get("regions")
    if not isinstance(regions, list) or not regions:
        yield RowError(_where(shown_year, name, ""), _("The holiday has no regions with dates."))
        return
    for entry in regions:
        raw_region = entry.get("region") if isinstance(entry, dict) else None
        shown_region = raw_region if isinstance(raw_region, str) else ""
        where = _where(shown_year, name, shown_region)
        targets = _regions(raw_region)
        if targets is None:
            yield RowError(
                where,
                _(
                    "“%(region)s” is not a holiday region: the regions are noord, midden, zuid and "
                    "heel Nederland."
                )
                % {"region": one_line(shown_region)[:SHOWN_NAME_LENGTH]},
            )
            continue
        dates = _dates(entry)
        if isinstance(dates, str):
            yield RowError(where, dates)
            continue
        start, end = dates
        school_year = file_year or school_year_of(start)
        for region in targets:
            yield HolidayRow(
                region=region, name=name, school_year=school_year, start_date=start, end_date=end
            )


def _name_problem(name: str) -> str | None:
    """Why the model would refuse the name (too long, a line break or invisible character), or None."""
    try:
        SchoolHoliday._meta.get_field("name").run_validators(name)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _regions(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, str):
        return None
    region = " ".join(value.split()).casefold().removeprefix("regio ")
    if region == ALL_REGIONS:
        return REGIONS
    return (region,) if region in REGIONS else None


def _dates(entry: dict[str, Any]) -> tuple[dt.date, dt.date] | str:
    """(first day, last day) in Amsterdam, or why they cannot be read."""
    start, end = _moment(entry.get("startdate")), _moment(entry.get("enddate"))
    if start is None or end is None:
        return _("The dates cannot be read: give startdate and enddate as in the Rijksoverheid file.")
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        if end < start:
            return _("The holiday ends before it starts.")
        first = start.astimezone(AMSTERDAM).date()
        local_end = end.astimezone(AMSTERDAM)
        last = local_end.date()
        if local_end.time() == dt.time(0) and end > start:  # the midnight that ends the last day
            last -= dt.timedelta(days=1)
        return first, max(first, last)
    first = start.astimezone(AMSTERDAM).date() if isinstance(start, dt.datetime) else start
    last = end.astimezone(AMSTERDAM).date() if isinstance(end, dt.datetime) else end
    if last < first:
        return _("The holiday ends before it starts.")
    return first, last


def _moment(value: Any) -> dt.datetime | dt.date | None:
    """An aware moment ("2025-10-17T22:00:00.000Z"; without an offset it is UTC), or a plain date."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _where(school_year: str, name: str, region: str) -> str:
    shown = one_line(name)
    if len(shown) > SHOWN_NAME_LENGTH:
        shown = shown[: SHOWN_NAME_LENGTH - 1] + "…"
    parts = [school_year, shown, one_line(region)[:SHOWN_NAME_LENGTH]]
    return " · ".join(part for part in parts if part)


# --- the import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayChange:
    action: Literal["created", "updated"]
    region: str
    name: str
    school_year: str
    start_date: dt.date
    end_date: dt.date
    old_start_date: dt.date | None = None
    old_end_date: dt.date | None = None

    @property
    def region_label(self) -> str:
        return str(HolidayRegion(self.region).label)


@dataclass
class HolidayImportReport(ImportCounts[RowError]):
    changes: list[HolidayChange] = field(default_factory=list)  # created and updated holidays


def school_holidays_import(*, data: bytes, dry_run: bool = False) -> HolidayImportReport:
    """Create or update the holidays of a Rijksoverheid file, all in one transaction; holidays the file
    does not name are left alone. With `dry_run` the same report is made and nothing is written.
    Raises HolidayFormatError (before any write) when the file cannot be read."""
    parsed = parse_holidays_json(data)
    try:
        return _import(parsed, dry_run=dry_run)
    except IntegrityError:
        # Another import (a second click on "Import now") created the same holiday meanwhile: now it
        # exists, this one finds and keeps it.
        return _import(parsed, dry_run=dry_run)


def _import(parsed: ParsedHolidays, *, dry_run: bool) -> HolidayImportReport:
    report = HolidayImportReport(errors=list(parsed.errors), dry_run=dry_run)
    with transaction.atomic():
        existing = _existing({row.school_year for row in parsed.rows})
        for row in parsed.rows:
            holiday = existing.get(row.key)
            if holiday is None:
                holiday = SchoolHoliday(
                    region=row.region,
                    name=row.name,
                    school_year=row.school_year,
                    start_date=row.start_date,
                    end_date=row.end_date,
                )
                report.created += 1
                report.changes.append(_change("created", row))
                if not dry_run:
                    holiday.full_clean(validate_constraints=False)  # the database holds the constraints
                    holiday.save()
                existing[row.key] = holiday
                continue
            old = (holiday.start_date, holiday.end_date)
            new_values = {
                "name": row.name,
                "school_year": row.school_year,
                "start_date": row.start_date,
                "end_date": row.end_date,
            }
            changed = [name for name, value in new_values.items() if getattr(holiday, name) != value]
            if not changed:
                report.unchanged += 1
                continue
            for name in changed:
                setattr(holiday, name, new_values[name])
            report.updated += 1
            report.changes.append(_change("updated", row, old))
            if not dry_run:
                holiday.full_clean(validate_constraints=False)
                holiday.save(update_fields=changed)
    return report


def _change(
    action: Literal["created", "updated"], row: HolidayRow, old: tuple[dt.date, dt.date] | None = None
) -> HolidayChange:
    return HolidayChange(
        action=action,
        region=row.region,
        name=row.name,
        school_year=row.school_year,
        start_date=row.start_date,
        end_date=row.end_date,
        old_start_date=old[0] if old else None,
        old_end_date=old[1] if old else None,
    )


def _existing(school_years: Iterable[str]) -> dict[tuple[str, str, str], SchoolHoliday]:
    """The stored holidays of these school years by key: imported ones by their school year, ones typed
    by hand by the school year they start in (an imported holiday goes first; of two typed ones the
    older)."""
    years = sorted(set(school_years))
    if not years:
        return {}
    first = dt.date(int(years[0][:4]), 8, 1)
    after = dt.date(int(years[-1][:4]) + 1, 8, 1)
    imported = SchoolHoliday.objects.filter(school_year__in=years)
    typed = SchoolHoliday.objects.filter(school_year="", start_date__gte=first, start_date__lt=after)
    found: dict[tuple[str, str, str], SchoolHoliday] = {}
    for holiday in imported:
        found[holiday_key(holiday.region, holiday.name, holiday.school_year)] = holiday
    for holiday in typed.order_by("pk"):
        found.setdefault(
            holiday_key(holiday.region, holiday.name, school_year_of(holiday.start_date)), holiday
        )
    return found
