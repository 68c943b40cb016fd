"""Reads for the start pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from kpa.models import Invitation, User
from partners.models import Assignment, Organisation
from partners.scope import schools_visible_to, wijken_visible_to
from partners.selectors import with_partner_coverage
from schools.models import School, Wijk
from schools.selectors import roster_rows, vacancy_contacts


def my_schools_overview(user: User) -> dict:
    """'Mijn scholen': every school the user serves today, its team, next KPO and whom to ask about a
    vacant seat. A fixed number of queries, whatever the number of schools."""
    schools = list(schools_visible_to(user).select_related("wijk").order_by("name"))
    rows = roster_rows(schools)
    contacts = vacancy_contacts(schools)
    my_roles = {
        (a.school_id, a.get_role_display())
        for a in Assignment.objects.active().filter(person=user).only("school_id", "role")
    }
    return {
        "rows": [
            {
                "school": row.school,
                "team": row.team,
                "next_kpo": row.next_kpo,
                "contacts": contacts[row.school.pk],
                "my_roles": sorted(label for sid, label in my_roles if sid == row.school.pk),
            }
            for row in rows
        ]
    }


def coordinator_overview(user: User) -> dict:
    schools = with_partner_coverage(schools_visible_to(user))
    wijken = wijken_visible_to(user).annotate(school_count=Count("schools", distinct=True)).order_by("name")
    complete_by_wijk: dict[int | None, int] = {}
    complete_ids = schools.filter(filled_partner_roles=4).values("pk")
    for row in School.objects.filter(pk__in=complete_ids).values("wijk_id").annotate(n=Count("pk")):
        complete_by_wijk[row["wijk_id"]] = row["n"]
    rows: list[dict[str, Any]] = [
        {"wijk": w, "schools": w.school_count, "complete": complete_by_wijk.get(w.pk, 0)} for w in wijken
    ]
    total = sum(r["schools"] for r in rows)
    complete = sum(r["complete"] for r in rows)
    return {
        "scope_name": user.wijk or user.gemeente,
        "rows": rows,
        "total": total,
        "complete": complete,
        "incomplete": total - complete,
    }


def admin_overview() -> dict:
    return {
        "counts": {
            "wijken": Wijk.objects.count(),
            "schools": School.objects.count(),
            "organisations": Organisation.objects.count(),
            "people": User.objects.count(),
            "open_invitations": Invitation.objects.filter(accepted_at=None).count(),
        },
        "people_without_login": User.objects.filter(password__startswith="!").count(),  # noqa: S106
        "unplaced": School.objects.filter(wijk__isnull=True, is_active=True).count(),
    }
