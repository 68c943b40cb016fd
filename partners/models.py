from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.validators import validate_one_line


class OrganisationKind(models.TextChoices):
    BUURTTEAM = "buurtteam", _("Neighbourhood team")
    JGZ = "jgz", _("Youth health care (JGZ)")
    SWV = "swv", _("Samenwerkingsverband passend onderwijs")
    GEMEENTE = "gemeente", _("Municipality (leerplicht)")
    SCHOOL_BOARD = "bestuur", _("School board")
    SOCIAL_BASE = "sociale_basis", _("Social-base partner")
    OTHER = "overig", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_one_line])
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """A seat at a school's table. The first four are the kernpartners, the last two school staff."""

    BUURTTEAM = "buurtteam", _("Neighbourhood team")
    JGZ = "jgz", _("Youth health care (JGZ)")
    PASSEND_ONDERWIJS = "passend_onderwijs", _("Inclusive education adviser")
    LEERPLICHT = "leerplicht", _("Attendance officer")
    IB = "ib", _("IB-er / care coordinator")
    SCHOOLLEIDER = "schoolleider", _("School leader")


PARTNER_ROLES = (Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT)
SCHOOL_ROLES = (Role.IB, Role.SCHOOLLEIDER)
TEAM_ROLES = (Role.IB, *PARTNER_ROLES)  # a complete team: the IB-er and the four kernpartners


def active_on(day: dt.date | None = None, prefix: str = "") -> Q:
    """ "Active on a date", the one definition: started on or before `day` (today when None) and not
    ended before it. `prefix` reaches assignments through a relation ("assignments__" from a school)."""
    day = day or timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self, on: dt.date | None = None) -> AssignmentQuerySet:
        return self.filter(active_on(on))


class Assignment(models.Model):
    """Person × school × role for a period. History is kept: the team today is what is active today."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    is_stand_in = models.BooleanField(_("stand-in"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    SEAT_FIELDS = ("person", "school", "role", "start_date", "end_date", "is_stand_in")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["school", "role", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "role"], name="assignment_school_role_idx"),
            models.Index(fields=["person", "end_date"], name="assignment_person_end_idx"),
            # An agreement owner's seat at the agreement's school (meetings.selectors.agreement_owner_role),
            # the latest first: a probe per agreement of the dashboard's figures by role.
            models.Index(fields=["person", "school", "start_date"], name="assignment_person_school_idx"),
            # Heavy loads (partners.selectors.heavy_loads): seats grouped by role and person, read in that
            # order from the index alone.
            models.Index(
                fields=["role", "person", "school", "start_date", "end_date"],
                name="assignment_role_person_idx",
            ),
            # The people at the schools in scope today (partners.scope.organisations_in_scope, behind the
            # roster's organisation search), and the seats of a roster page (partners.selectors.roster_seats:
            # the columns it reads are included), from the index alone. The seats of a page of 50 schools
            # at 10,000 lie on 200 of the table's pages: read from there, 0.8 ms; from the index, 0.4.
            models.Index(
                fields=["school", "start_date", "end_date", "person"],
                include=["role", "is_stand_in", "id"],
                name="assignment_school_seats_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} – {self.school}"


def vacant_field(role: str) -> str:
    """The seat summary's flag of a vacant `role`."""
    return f"{Role(role).value}_vacant"


def any_vacant(roles) -> Q:
    """A role of `roles` vacant, as a condition on the seat summaries: the roster's filters ask it, and
    SeatSummary's partial indexes are made of the same conditions, so that PostgreSQL can count the rows
    that meet one from its index alone."""
    condition = Q()
    for role in roles:
        condition |= Q(**{vacant_field(role): True})
    return condition


# The gaps the roster filters on (front.filters.SchoolFilter), each a condition on a day's summaries. Each
# has a partial index of its own: at 10,000 schools the roster's count of a gap read every row of the day
# (0.6-0.9 ms) and reads a few hundred from the index (0.1-0.3 ms). A complete team is most schools: its
# count would read most of the rows from any index, so it has none.
SUMMARY_GAPS = {
    "vacant_ib": any_vacant([Role.IB]),
    "vacant_buurtteam": any_vacant([Role.BUURTTEAM]),
    "vacant_jgz": any_vacant([Role.JGZ]),
    "vacant_passend": any_vacant([Role.PASSEND_ONDERWIJS]),
    "vacant_leerplicht": any_vacant([Role.LEERPLICHT]),
    "partner_vacant": any_vacant(PARTNER_ROLES),
    "partner_ending": Q(partner_ending=True),
    "team_incomplete": any_vacant(TEAM_ROLES),
}


class SeatSummary(models.Model):
    """Which seats of a school are vacant on a day, and whether a kernpartner role runs out within 30 days
    of it: what the roster's filters ask of every school in scope, kept per school, so that an admin's
    filter of the whole country reads 10,000 rows instead of grouping 86,000 seats twice a request.

    Kept by partners.seat_summary: every write of a seat gives the row a new random `version` and takes
    its `day` off; a row counts only while `day` is today, and is counted anew otherwise. It is never a
    source of truth: the seats are."""

    school = models.OneToOneField(
        "schools.School", on_delete=models.CASCADE, primary_key=True, related_name="seat_summary"
    )
    version = models.BigIntegerField(default=0)  # a new random number on each write of a seat
    computed_version = models.BigIntegerField(null=True)  # the version the flags below were counted at
    day = models.DateField(null=True)  # the day they describe; none once a seat of the school changed
    ib_vacant = models.BooleanField(default=False)
    buurtteam_vacant = models.BooleanField(default=False)
    jgz_vacant = models.BooleanField(default=False)
    passend_onderwijs_vacant = models.BooleanField(default=False)
    leerplicht_vacant = models.BooleanField(default=False)
    # Filled on `day`, and the coverage of a kernpartner role runs out within 30 days (coverage_for_schools).
    partner_ending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("seat summary")
        verbose_name_plural = _("seat summaries")
        # The day's: the rows not counted for today (partners.seat_summary.summaries_ensure), found without
        # reading the others (on PostgreSQL every school has a row: migration 0006's trigger). Then one per
        # gap of SUMMARY_GAPS, for the roster's count of the day's rows with that gap.
        indexes = [
            models.Index(fields=["day"], name="seat_summary_day_idx"),
            *(
                models.Index(fields=["day"], condition=condition, name=f"summary_{gap}")
                for gap, condition in SUMMARY_GAPS.items()
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.day}"
