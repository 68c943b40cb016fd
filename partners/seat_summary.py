"""The seat summary of each school (partners.models.SeatSummary): kept by the writes of seats, counted
anew when asked for a day or a version it was not counted at.

Why it is never stale, in any order of a seat's write and a count running at the same time:
- a write of a seat gives the school's row a new random `version` (an upsert), after the seat is written,
  in the same transaction when there is one (the receivers of post_save and post_delete);
- a count first makes sure the row exists (an insert that waits for a writer's uncommitted insert of the
  same row), then reads the version, then the seats, and stores its flags with the version it read.
A write the count's read of the seats did not see changed the version after the count read it, so the
row's `computed_version` differs from its `version` and the next read counts it again."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet
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
            [SeatSummary(school_id=pk, version=_token()) for pk in ids[start : start + BATCH]],
            update_conflicts=True,
            unique_fields=["school"],
            update_fields=["version"],
        )


def _token() -> int:
    return secrets.randbits(62) + 1  # never 0, the version of a row no write has touched


def fresh(day: dt.date, prefix: str = "") -> Q:
    """The summary counted for `day` at its current version (`prefix` reaches it from a school:
    "seat_summary__")."""
    return Q(**{f"{prefix}day": day, f"{prefix}computed_version": F(f"{prefix}version")})


def summaries_ensure(schools: QuerySet, day: dt.date | None = None) -> int:
    """Count the summaries of the `schools` that are missing, of another day or of an older version; returns
    how many were counted. One query when all are fresh; five more when some are not, whatever their
    number up to BATCH."""
    day = day or timezone.localdate()
    stale = list(
        schools.order_by()
        .exclude(Exists(SeatSummary.objects.filter(fresh(day), school_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
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
    SeatSummary.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["school"],
        update_fields=["computed_version", "day", *(vacant_field(r) for r in TEAM_ROLES), "partner_ending"],
    )
