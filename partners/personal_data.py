"""What partners holds about people, and how long (kpa.personal_data; registered from
PartnersConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa import personal_data
from kpa.models import User
from kpa.personal_data import Processing, Retention
from kpa.retention import add, delete_rows
from partners.models import Assignment

SEATS = "seats"
DORMANT = "dormant_accounts"


def deactivate_dormant(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Accounts nobody uses: active, not signed in since the cutoff (or never, and made before it), and
    without a seat on any team today or later. They leave through kpa.services.user_deactivate, and the
    "accounts" policy anonymises them a year on. Someone with a seat stays, signed in or not: the team's
    invitations and reminders go to them."""
    from kpa.services import user_deactivate

    counts: dict[str, int] = {}
    today = timezone.localdate()
    seated = Assignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).values("person_id")
    dormant = (
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(pk__in=seated)
        .order_by("pk")
    )
    for person in dormant:
        add(counts, User, 1)
        if not dry_run:
            user_deactivate(user=person, by=None)
    return counts


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
        Retention(
            key=DORMANT,
            label=_("Accounts nobody uses"),
            setting="KPA_KEEP_DORMANT_ACCOUNT_DAYS",
            default_days=730,
            rule=_(
                "An account not signed in for this many days (or never, made this long ago) and without a "
                "seat on a team is deactivated; a year later the accounts policy anonymises it."
            ),
            why=_(
                "Two years: a coordinator or administrator who stopped using KPA; someone on a team stays, "
                "as the team's mail goes to them."
            ),
            purge=deactivate_dormant,
            order=5,
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
