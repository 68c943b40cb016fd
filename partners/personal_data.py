"""What partners holds about people, and how long (kpa.personal_data; registered from
PartnersConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa import personal_data
from kpa.personal_data import Processing, Retention
from kpa.retention import delete_rows
from partners.models import Assignment

SEATS = "seats"


def purge_seats(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Seats that ended before the cutoff's Amsterdam day go, with their audit entries."""
    counts: dict[str, int] = {}
    day = timezone.localdate(cutoff)
    delete_rows(Assignment.objects.filter(end_date__lt=day), dry_run, counts)
    return counts


def register() -> None:
    personal_data.register_retention(
        Retention(
            key=SEATS,
            label=_("Seats on school teams (who held which role where)"),
            setting="KPA_KEEP_SEATS_DAYS",
            default_days=1825,
            rule=_("A seat that ended this many days ago is deleted, with its copies in the audit trail."),
            why=_(
                "Five years: who was on a school's team answers questions about past meetings, agreements "
                "and evaluations for as long as those are kept."
            ),
            purge=purge_seats,
            order=40,
        ),
    )
    personal_data.register(
        Processing(
            model="partners.Assignment",
            group=_("Teams and scope"),
            fields=("person", "school", "role", "start_date", "end_date", "is_stand_in"),
            people=("person",),
            purpose=_("Who is on which school's team in which role: it decides what each person sees."),
            legal_basis=_("Public task (AVG art. 6(1)(e)) and the partners' agreements in the covenant."),
            visible_to=_("The school's team, its coordinators and the administrators."),
            retention=SEATS,
            anonymisation=_("Kept as history; the person becomes the pseudonym."),
        ),
    )
