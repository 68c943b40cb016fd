import datetime as dt

import django_filters
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import PARTNER_ROLES, Assignment, Organisation, Role
from partners.scope import organisations_in_scope, wijken_visible_to
from partners.selectors import GAP_HORIZON
from schools.models import School, Sector

ROLE_CHOICES = [(role.value, role.label) for role in (*PARTNER_ROLES, Role.IB)]
ORGANISATION_CHOICES_SECONDS = 300
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
    organisation = django_filters.ModelChoiceFilter(
        label=_("Partner organisation"),
        queryset=_organisations,
        method="filter_organisation",
        empty_label=_("All organisations"),
    )
    person = django_filters.CharFilter(label=_("Person (name or e-mail)"), method="filter_person")

    class Meta:
        model = School
        fields = ["q", "wijk", "sector", "bestuur", "missing_role", "gap", "organisation", "person"]

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
            complete = (
                Assignment.objects.active(today)
                .filter(role__in=PARTNER_ROLES, school_id__in=queryset.values("pk"))
                .order_by()
                .values("school_id")
                .annotate(n=Count("role", distinct=True))
                .filter(n=len(PARTNER_ROLES))
                .values("school_id")
            )
            return queryset.exclude(pk__in=complete)
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
