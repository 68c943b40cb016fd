import datetime as dt

import django_filters
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from front.dashboard import TEAM_ROLES, SchoolYear
from meetings.models import Meeting, MeetingKind, MeetingStatus
from partners.models import PARTNER_ROLES, Assignment, Organisation, Role
from partners.scope import organisations_in_scope, wijken_visible_to
from partners.selectors import GAP_HORIZON
from schools.models import School, Sector

ROLE_CHOICES = [(role.value, role.label) for role in (*PARTNER_ROLES, Role.IB)]
ORGANISATION_CHOICES_SECONDS = 300
TEAM_CHOICES = [
    ("complete", _("Complete today (IB-er and the four kernpartners)")),
    ("incomplete", _("Not complete today")),
]
KPO_CHOICES = [
    ("none", _("None held")),
    ("nothing_planned", _("None held or planned")),
]
GAP_CHOICES = [
    ("vacant", _("A kernpartner role is vacant today")),
    ("ending", _("A kernpartner role ends within 30 days")),
]


def _wijken(request):
    return wijken_visible_to(request.user).select_related("gemeente") if request else School.objects.none()


def _organisations(request):
    """The organisations with someone at a school in scope today; an admin's scope is every school. At
    national scale the full list is some 800 organisations, rendered as options on every roster page
    (most of that page's time); a coordinator of one gemeente needs the handful that work there.

    Finding them joins the scope's assignments to their people, which PostgreSQL answers with a scan of
    all people and assignments of the country (13 ms at 10,000 schools): the ids are kept in the cache
    for a few minutes per user. A choice list a few minutes old is harmless; the filter itself is exact."""
    if request is None:
        return Organisation.objects.none()
    user = request.user
    if user.is_authenticated and user.is_admin:
        return organisations_in_scope(user)
    key = f"roster:organisations:{user.pk}"
    ids = cache.get(key)
    if ids is None:
        ids = list(organisations_in_scope(user).values_list("pk", flat=True))
        cache.set(key, ids, ORGANISATION_CHOICES_SECONDS)
    return Organisation.objects.filter(pk__in=ids)


def _all_filled(schools, roles, day: dt.date):
    """The ids of the `schools` where every one of `roles` has someone on `day`: one grouped scan of the
    seats of those schools, whatever their number."""
    return (
        Assignment.objects.active(day)
        .filter(role__in=roles, school_id__in=schools.values("pk"))
        .order_by()
        .values("school_id")
        .annotate(n=Count("role", distinct=True))
        .filter(n=len(roles))
        .values("school_id")
    )


def _role_filled(role: str, day: dt.date) -> Exists:
    return Exists(Assignment.objects.active(day).filter(school_id=OuterRef("pk"), role=role))


class SchoolFilter(django_filters.FilterSet):
    """The roster's filters. Every choice list is scoped to what the user may see."""

    q = django_filters.CharFilter(label=_("School, BRIN or place"), method="search")
    wijk = django_filters.ModelChoiceFilter(label=_("Wijk"), queryset=_wijken, empty_label=_("All wijken"))
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, empty_label=_("All sectors")
    )
    bestuur = django_filters.CharFilter(label=_("School board"), lookup_expr="icontains")
    missing_role = django_filters.ChoiceFilter(
        label=_("Vacant role"), choices=ROLE_CHOICES, method="filter_missing_role", empty_label=_("Any")
    )
    gap = django_filters.ChoiceFilter(
        label=_("Gaps"), choices=GAP_CHOICES, method="filter_gap", empty_label=_("Any")
    )
    team = django_filters.ChoiceFilter(
        label=_("Team"), choices=TEAM_CHOICES, method="filter_team", empty_label=_("Any")
    )
    kpo = django_filters.ChoiceFilter(
        label=_("KPOs this school year"), choices=KPO_CHOICES, method="filter_kpo", empty_label=_("Any")
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Partner organisation"),
        queryset=_organisations,
        method="filter_organisation",
        empty_label=_("All organisations"),
    )
    person = django_filters.CharFilter(label=_("Person (name or e-mail)"), method="filter_person")

    class Meta:
        model = School
        fields = [
            "q",
            "wijk",
            "sector",
            "bestuur",
            "missing_role",
            "gap",
            "team",
            "kpo",
            "organisation",
            "person",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(brin__iexact=value[:4]) | Q(city__icontains=value)
        )

    def filter_missing_role(self, queryset, name, value):
        return queryset.filter(~_role_filled(value, timezone.localdate()))

    def filter_gap(self, queryset, name, value):
        """One correlated subquery per school, never an OR of EXISTS per role: PostgreSQL cannot turn
        such an OR into a semi-join, and instead hashes every active assignment of the country once per
        role and day (eight scans of the table for "ending"), however few schools are in scope."""
        today = timezone.localdate()
        if value == "vacant":
            # Not one of the schools (in scope) where all four roles are filled today: one grouped scan
            # of the assignments of those schools, whatever their number.
            return queryset.exclude(pk__in=_all_filled(queryset, PARTNER_ROLES, today))
        # Filled today, but nobody in that role on the horizon day: it runs out within 30 days.
        covered_later = Assignment.objects.active(today + GAP_HORIZON).filter(
            school_id=OuterRef("school_id"), role=OuterRef("role")
        )
        runs_out = (
            Assignment.objects.active(today)
            .filter(school_id=OuterRef("pk"), role__in=PARTNER_ROLES)
            .filter(~Exists(covered_later))
        )
        return queryset.filter(Exists(runs_out))

    def filter_team(self, queryset, name, value):
        """Complete: the IB-er and the four kernpartners all have someone today, as the dashboard counts
        it (front.dashboard.coverage). One grouped scan of the seats of the schools in scope."""
        complete = _all_filled(queryset, TEAM_ROLES, timezone.localdate())
        return queryset.filter(pk__in=complete) if value == "complete" else queryset.exclude(pk__in=complete)

    def filter_kpo(self, queryset, name, value):
        """No KPO held (or none held or planned) in the current school year, as the dashboard counts it
        (front.dashboard.rhythm)."""
        start, end = SchoolYear.containing(timezone.localdate()).moments()
        kpos = Meeting.objects.filter(
            school_id=OuterRef("pk"), kind=MeetingKind.KPO, starts_at__gte=start, starts_at__lt=end
        )
        if value == "none":
            kpos = kpos.filter(status=MeetingStatus.HELD)
        else:
            kpos = kpos.exclude(status=MeetingStatus.CANCELLED)
        return queryset.filter(~Exists(kpos))

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(
            Exists(Assignment.objects.active().filter(school_id=OuterRef("pk"), person__organisation=value))
        )

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        people = Q(person__email__iexact=value) | Q(person__last_name__icontains=value)
        parts = value.split(maxsplit=1)
        if len(parts) == 2:
            people |= Q(person__first_name__icontains=parts[0], person__last_name__icontains=parts[1])
        else:
            people |= Q(person__first_name__icontains=value)
        return queryset.filter(Exists(Assignment.objects.active().filter(people, school_id=OuterRef("pk"))))
