"""Reads about schools that need nothing above schools: whom to ask about a school."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q

from kpa.models import User, UserKind
from schools.models import School


def vacancy_contacts(schools: Sequence[School]) -> dict[int, list[User]]:
    """Who an IB-er asks about a vacant seat: the wijk's coordinator, else the gemeente's. One query."""
    wijk_ids = {s.wijk_id for s in schools if s.wijk_id}
    gemeente_ids = {s.gemeente_id for s in schools}
    coordinators = list(
        User.objects.filter(kind=UserKind.COORDINATOR, is_active=True)
        .filter(Q(wijk_id__in=wijk_ids) | Q(wijk__isnull=True, gemeente_id__in=gemeente_ids))
        .order_by("last_name", "first_name")
    )
    contacts = {}
    for school in schools:
        own_wijk = [c for c in coordinators if school.wijk_id and c.wijk_id == school.wijk_id]
        city = [c for c in coordinators if c.wijk_id is None and c.gemeente_id == school.gemeente_id]
        contacts[school.pk] = own_wijk or city
    return contacts


def active_schools_per_wijk(wijk_ids: Sequence[int]) -> dict[int, int]:
    """How many active schools each of these wijken has (wijken without one are left out). One grouped
    query over those wijken only."""
    rows = (
        School.objects.filter(wijk__in=list(wijk_ids), is_active=True)
        .order_by()
        .values_list("wijk")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
