"""Writes for the school register: the DUO import and placing schools in wijken by postcode area.

Reads are batched (a national file has about 9,400 locations); created and changed schools are saved one by
one so that django-auditlog records every import in the audit trail. Unchanged schools cost no write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from schools.duo import DuoSchool, RowError, parse_duo_csv
from schools.models import Gemeente, PostcodeArea, School, Wijk

# Fields DUO owns: an import sets them whenever the file says something else.
DUO_FIELDS = ("name", "sector", "street", "postcode", "city", "bestuur", "phone", "holiday_region")
# Of those, the ones a file may simply not have (the older primary file has no board, no holiday region):
# an empty value there never erases what another file or an admin stored.
KEEP_WHEN_EMPTY = frozenset({"street", "city", "bestuur", "phone", "holiday_region"})
# Rows per `brin__in` query: well below SQLite's and PostgreSQL's parameter limits.
LOOKUP_BATCH = 900


@dataclass
class ImportCounts[E]:
    """What an import did, in the words of every import summary (the DUO register, school holidays):
    created, updated, unchanged, and the rows it rejected with their reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[E] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary_line(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


@dataclass
class ImportReport(ImportCounts[RowError]):
    # Schools of this file without a wijk after the import (unsaved objects in a dry run).
    unplaced: list[School] = field(default_factory=list)


def postcode4(postcode: str) -> str:
    return postcode.replace(" ", "")[:4]


def duo_import(
    *,
    data: bytes,
    gemeente: str | None = None,
    default_sector: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Upsert the locations of a DUO file by BRIN + vestiging, all or nothing.

    A new school, or one without a wijk, lands in the wijk of its postcode area; a wijk that is already
    set is never changed, unless DUO moved the school to another municipality: then it is placed by its
    postcode area there, or left without a wijk (listed on the unplaced page). With `dry_run` the same
    report is computed and nothing is written.
    Raises `schools.duo.DuoFormatError` (before any write) when the file cannot be read.
    """
    parsed = parse_duo_csv(data, gemeente=gemeente, default_sector=default_sector)
    report = ImportReport(errors=parsed.errors, dry_run=dry_run)
    with transaction.atomic():
        Upserter(parsed.rows, dry_run=dry_run).upsert(parsed.rows, report)
    return report


class Upserter:
    """Writes rows of one parsed file: the file's municipalities and postcode areas are read (and new
    municipalities made) once; `upsert` then takes the rows in one go or batch by batch."""

    def __init__(self, rows: Sequence[DuoSchool], *, dry_run: bool = False):
        self.dry_run = dry_run
        self.gemeenten = _gemeenten_for(rows, dry_run=dry_run)
        self.areas = _postcode_areas([g.pk for g in self.gemeenten.values() if g.pk is not None])

    def upsert(self, rows: Sequence[DuoSchool], report: ImportReport) -> None:
        """Create or update the schools of `rows` (one `brin__in` query per 900 rows to find them); count
        each in `report`, and the ones without a wijk afterwards in `report.unplaced`."""
        existing = _existing_schools({(row.brin, row.vestiging) for row in rows})
        for row in rows:
            school = existing.get((row.brin, row.vestiging))
            gemeente = self.gemeenten[row.gemeente_code]
            area_wijk = self.areas.get((gemeente.pk, postcode4(row.postcode)))
            if school is None:
                school = _new_school(row, gemeente, area_wijk)
                if not self.dry_run:
                    school.save()
                report.created += 1
            elif changed := _apply(school, row, gemeente, area_wijk):
                if not self.dry_run:
                    school.save(update_fields=changed)
                report.updated += 1
            else:
                report.unchanged += 1
            if school.wijk_id is None:
                report.unplaced.append(school)


def _gemeenten_for(rows: Sequence[DuoSchool], *, dry_run: bool) -> dict[str, Gemeente]:
    """The file's municipalities by CBS code; new ones are created (in a dry run: left unsaved)."""
    names: dict[str, str] = {}
    for row in rows:
        if not names.get(row.gemeente_code):  # the first row that names it
            names[row.gemeente_code] = row.gemeente_name
    found = {g.code: g for g in Gemeente.objects.filter(code__in=names)}
    for code, name in names.items():
        if code not in found:
            if dry_run:
                found[code] = Gemeente(code=code, name=name or code)
            else:
                found[code], _created = Gemeente.objects.get_or_create(
                    code=code, defaults={"name": name or code}
                )
    return found


def _existing_schools(keys: set[tuple[str, str]]) -> dict[tuple[str, str], School]:
    brins = sorted({brin for brin, _vestiging in keys})
    schools: dict[tuple[str, str], School] = {}
    for start in range(0, len(brins), LOOKUP_BATCH):
        for school in School.objects.filter(brin__in=brins[start : start + LOOKUP_BATCH]):
            if (school.brin, school.vestiging) in keys:
                schools[school.brin, school.vestiging] = school
    return schools


def _postcode_areas(gemeente_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """(gemeente id, postcode4) -> wijk id, in one query."""
    rows = PostcodeArea.objects.filter(gemeente_id__in=list(gemeente_ids)).values_list(
        "gemeente_id", "postcode4", "wijk_id"
    )
    return {(gemeente_id, code): wijk_id for gemeente_id, code, wijk_id in rows}


def _new_school(row: DuoSchool, gemeente: Gemeente, wijk_id: int | None) -> School:
    return School(
        brin=row.brin,
        vestiging=row.vestiging,
        gemeente=gemeente,
        wijk_id=wijk_id,
        **{name: getattr(row, name) for name in DUO_FIELDS},
    )


def _apply(school: School, row: DuoSchool, gemeente: Gemeente, area_wijk_id: int | None) -> list[str]:
    """Copy what DUO says onto `school`; return the names of the fields that changed."""
    changed = []
    for name in DUO_FIELDS:
        value = getattr(row, name)
        if value == getattr(school, name) or (not value and name in KEEP_WHEN_EMPTY):
            continue
        setattr(school, name, value)
        changed.append(name)
    if school.gemeente_id != gemeente.pk:  # also for a new municipality in a dry run (no pk)
        school.gemeente = gemeente
        changed.append("gemeente")
        # Its wijk is one of the old municipality: placed again by postcode area in the new one, or
        # unplaced (and listed as such) when the new municipality has no area for its postcode.
        if school.wijk_id != area_wijk_id:
            school.wijk_id = area_wijk_id
            changed.append("wijk")
        return changed
    if school.wijk_id is None and area_wijk_id is not None:
        school.wijk_id = area_wijk_id
        changed.append("wijk")
    return changed


# --- Placing schools in wijken ------------------------------------------------------------------------


def schools_place_by_postcode(*, gemeente: Gemeente) -> int:
    """Give every school of `gemeente` without a wijk the wijk of its postcode area; return how many."""
    with transaction.atomic():
        areas = _postcode_areas([gemeente.pk])
        placed = 0
        for school in School.objects.filter(gemeente=gemeente, wijk=None).select_for_update():
            wijk_id = areas.get((gemeente.pk, postcode4(school.postcode)))
            if wijk_id is not None:
                school.wijk_id = wijk_id
                school.save(update_fields=["wijk"])  # one by one: the audit trail records each
                placed += 1
    return placed


def school_place(*, school: School, wijk: Wijk) -> None:
    if wijk.gemeente_id != school.gemeente_id:
        raise ValueError("A school can only be placed in a wijk of its own municipality.")
    school.wijk = wijk
    school.save(update_fields=["wijk"])


@dataclass
class PostcodeAreasResult:
    added: int = 0
    moved: int = 0
    unchanged: int = 0


def postcode_areas_save(*, gemeente: Gemeente, mapping: dict[str, Wijk]) -> PostcodeAreasResult:
    """Map each postcode4 in `mapping` to its wijk of `gemeente`: add new areas, move existing ones."""
    if any(wijk.gemeente_id != gemeente.pk for wijk in mapping.values()):
        raise ValueError("Every wijk must belong to the municipality.")
    result = PostcodeAreasResult()
    with transaction.atomic():
        existing = {
            area.postcode4: area
            for area in PostcodeArea.objects.select_for_update().filter(
                gemeente=gemeente, postcode4__in=list(mapping)
            )
        }
        for code, wijk in mapping.items():  # one by one: the audit trail records each (tens per gemeente)
            area = existing.get(code)
            if area is None:
                PostcodeArea.objects.create(gemeente=gemeente, postcode4=code, wijk=wijk)
                result.added += 1
            elif area.wijk_id != wijk.pk:
                area.wijk = wijk
                area.save(update_fields=["wijk"])
                result.moved += 1
            else:
                result.unchanged += 1
    return result


def postcode_area_remove(*, gemeente: Gemeente, postcode4: str) -> bool:
    """Remove one postcode area of `gemeente` (the audit trail records it); False if there was none."""
    deleted, _details = PostcodeArea.objects.filter(gemeente=gemeente, postcode4=postcode4).delete()
    return deleted > 0
