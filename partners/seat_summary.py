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

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from partners.models import PARTNER_ROLES, Role, SeatSummary
from partners.selectors import coverage_for_schools

TEAM_ROLES = (Role.IB, *PARTNER_ROLES)
BATCH = 1000


def vacant_field(role: str) -> str:
    return f"{Role(role).value}_vacant"


def seats_changed(school_ids: Iterable[int]) -> None:
    """Mark the summaries of these schools as to be counted again: after any write of their seats that
    does not go through Assignment.save() or delete() (a bulk_create, a queryset's update)."""
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


def summaries_ensure(schools: QuerySet, day: dt.date | None = None) -> int:
    """Count the summaries of the `schools` that are missing, of another day or of a school whose seats
    changed; returns how many were counted. One query when all are fresh; six more when some are not,
    whatever their number up to BATCH."""
    day = day or timezone.localdate()
    fresh_ids = SeatSummary.objects.filter(fresh(day)).values("school_id")
    stale = list(schools.order_by().exclude(pk__in=fresh_ids).values_list("pk", flat=True))
    for start in range(0, len(stale), BATCH):
        _count(stale[start : start + BATCH], day)
    return len(stale)


def _count(ids: list[int], day: dt.date) -> None:
    SeatSummary.objects.bulk_create([SeatSummary(school_id=pk) for pk in ids], ignore_conflicts=True)
    versions = dict(SeatSummary.objects.filter(school_id__in=ids).values_list("school_id", "version"))
    coverage = coverage_for_schools(ids, TEAM_ROLES, on=day)
    rows = []
    for pk in ids:
        roles = coverage[pk]
        row = SeatSummary(school_id=pk, version=versions[pk], computed_version=versions[pk], day=day)
        for role in TEAM_ROLES:
            setattr(row, vacant_field(role), roles[role].vacant_today)
        row.partner_ending = any(roles[role].ends_on for role in PARTNER_ROLES)
        rows.append(row)
    with transaction.atomic():
        SeatSummary.objects.bulk_create(
            rows,
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
        SeatSummary.objects.filter(school_id__in=ids).exclude(computed_version=F("version")).update(day=None)
