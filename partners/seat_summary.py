"""The seat summary of each school (partners.models.SeatSummary): kept by the writes of seats, counted
anew when asked for a day it was not counted for, or after a seat of the school changed.

A row is fresh when its `day` is today; the filters ask nothing else of it, so the planner estimates them
from the table's statistics. Why a fresh row is never stale, in any order of a seat's write and a count
running at the same time:
- a write of a seat upserts the school's row with a new random `version` and no `day`, after the seat is
  written, in the same transaction when there is one (the receivers of post_save and post_delete);
- a count first makes sure the row exists (an insert that waits for a writer's uncommitted insert of the
  same row), then reads the version, then the seats; in one transaction it stores its flags, the day and
  the version it read (`computed_version`), and then takes the day off every row of its batch whose
  version is no longer the one it read.
A write the count's read of the seats did not see changed the version after the count read it: it either
committed before the count's last statement, which then takes the day off, or it commits after, and its
own upsert does (the row's lock orders the two upserts)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from partners.models import PARTNER_ROLES, TEAM_ROLES, SeatSummary, vacant_field
from partners.selectors import coverage_for_schools, is_every_school

BATCH = 1000


def seats_changed(school_ids: Iterable[int]) -> None:
    """Mark the summaries of these schools as to be counted again: after any write of their seats that
    does not go through Assignment.save() or delete() (a bulk_create, a queryset's update), once it is
    written, in the same transaction."""
    ids = sorted(set(school_ids))
    for start in range(0, len(ids), BATCH):
        SeatSummary.objects.bulk_create(
            [SeatSummary(school_id=pk, version=_token(), day=None) for pk in ids[start : start + BATCH]],
            update_conflicts=True,
            unique_fields=["school"],
            update_fields=["version", "day"],
        )


def _token() -> int:
    return secrets.randbits(62) + 1  # never 0, the version of a row no write has touched


def fresh(day: dt.date, prefix: str = "") -> Q:
    """The summary counted for `day` with no seat of its school changed since (`prefix` reaches it from a
    school: "seat_summary__")."""
    return Q(**{f"{prefix}day": day})


class Ensured(NamedTuple):
    counted: int  # summaries counted
    left: list[int]  # schools whose summary is still not fresh: a seat written meanwhile, a row a writer held


def summaries_ensure(schools: QuerySet, day: dt.date | None = None) -> Ensured:
    """Count the summaries of the `schools` that are missing, of another day or of a school whose seats
    changed. One query when all are fresh; when some are not, a fixed number per BATCH of them, and one
    more for the schools left not fresh (normally none: the filters judge those from their seats)."""
    day = day or timezone.localdate()
    stale = _not_fresh(schools, day)
    if not stale:
        return Ensured(0, [])
    for start in range(0, len(stale), BATCH):
        _count(stale[start : start + BATCH], day)
    return Ensured(len(stale), _not_fresh(schools, day))


def _not_fresh(schools: QuerySet, day: dt.date) -> list[int]:
    """The `schools` whose summary is not counted for `day`, or missing. On PostgreSQL every school has a
    row (the trigger of migration 0006 makes it with the school): the rows of another day or of none, found
    by the index on `day` without reading the others; for every school (an admin's scope) the rows alone,
    without the schools (half the time of the check, which each of an admin's filters makes: 0.4 of 0.8 ms
    at 10,000 schools, most of it building the query). Elsewhere, the schools without a row of `day`: an
    anti-join over every school in scope, which at 10,000 schools took 3.7 ms of each filtered page."""
    if _on_postgresql(schools) and is_every_school(schools):
        return sorted(_other_day(day).values_list("school_id", flat=True))
    return sorted(not_fresh_query(schools, day).values_list("pk", flat=True))


def _on_postgresql(schools: QuerySet) -> bool:
    return connections[schools.db].vendor == "postgresql"


def _other_day(day: dt.date) -> QuerySet[SeatSummary]:
    return SeatSummary.objects.filter(Q(day__lt=day) | Q(day__gt=day) | Q(day__isnull=True))


def not_fresh_query(schools: QuerySet, day: dt.date) -> QuerySet:
    schools = schools.order_by()
    if _on_postgresql(schools):
        return schools.filter(pk__in=_other_day(day).values("school_id"))
    return schools.exclude(pk__in=SeatSummary.objects.filter(fresh(day)).values("school_id"))


def rows_ensure() -> int:
    """Give every school without a summary row one, not counted yet (the nightly job). On PostgreSQL the
    trigger of migration 0006 makes the row with the school, and the freshness check (_not_fresh) finds a
    school only by its row: this puts back one that was deleted by hand, so that it is counted again by
    the next day at the latest. An anti-join over every school, once a night."""
    from schools.models import School

    missing = list(
        School.objects.filter(seat_summary__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(missing), BATCH):
        SeatSummary.objects.bulk_create(
            [SeatSummary(school_id=pk) for pk in missing[start : start + BATCH]], ignore_conflicts=True
        )
    return len(missing)


def flags_of(ids: list[int], day: dt.date) -> dict[int, dict[str, bool]]:
    """What a summary says of each school, counted from its seats now (one query)."""
    coverage = coverage_for_schools(ids, TEAM_ROLES, on=day)
    return {
        pk: {
            **{vacant_field(role): roles[role].vacant_today for role in TEAM_ROLES},
            "partner_ending": any(roles[role].ends_on for role in PARTNER_ROLES),
        }
        for pk, roles in coverage.items()
    }


# Rows inserted one by one up to this many: an insert of several new rows that waits for a writer's
# uncommitted insert of one of them holds the others meanwhile, and a writer inserting two of them in the
# other order would deadlock with it. Only schools never counted have no row (a new school, the first day).
ONE_BY_ONE = 20


def _count(ids: list[int], day: dt.date) -> None:
    """Count the summaries of `ids` (sorted). The count never waits for a writer once it holds rows: it
    takes the rows no writer holds (SKIP LOCKED, in primary-key order) and leaves the others not fresh."""
    known = dict(SeatSummary.objects.filter(school_id__in=ids).values_list("school_id", "version"))
    missing = [pk for pk in ids if pk not in known]
    if missing:
        if len(missing) <= ONE_BY_ONE:
            for pk in missing:
                SeatSummary.objects.bulk_create([SeatSummary(school_id=pk)], ignore_conflicts=True)
        else:
            SeatSummary.objects.bulk_create(
                [SeatSummary(school_id=pk) for pk in missing], ignore_conflicts=True
            )
        known.update(SeatSummary.objects.filter(school_id__in=missing).values_list("school_id", "version"))
    flags = flags_of(sorted(known), day)  # the seats, read after the versions
    with transaction.atomic():
        held = list(
            SeatSummary.objects.select_for_update(skip_locked=True)
            .filter(school_id__in=sorted(known))
            .order_by("school_id")
            .values_list("school_id", flat=True)
        )
        SeatSummary.objects.bulk_create(
            [
                SeatSummary(school_id=pk, version=known[pk], computed_version=known[pk], day=day, **flags[pk])
                for pk in held
            ],
            update_conflicts=True,
            unique_fields=["school"],
            update_fields=[
                "computed_version",
                "day",
                *(vacant_field(r) for r in TEAM_ROLES),
                "partner_ending",
            ],
        )
        # A seat written since this count read the version: not fresh (see the module's docstring).
        SeatSummary.objects.filter(school_id__in=held).exclude(computed_version=F("version")).update(day=None)
