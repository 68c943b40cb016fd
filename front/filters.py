from collections.abc import Callable

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from front.dashboard import SchoolYear
from kpa.widgets import AutocompleteSelect, ChecksOnce
from meetings.models import Meeting, MeetingKind, MeetingStatus
from partners.area_filters import GemeenteThenWijk, gemeente_filter, wijk_filter
from partners.models import (
    PARTNER_ROLES,
    SUMMARY_GAPS,
    TEAM_ROLES,
    Assignment,
    Organisation,
    Role,
    SeatSummary,
    any_vacant,
    vacant_field,
)
from partners.scope import organisations_in_scope
from partners.seat_summary import flags_of, fresh, summaries_ensure
from partners.selectors import is_every_school
from schools.models import School, Sector

ROLE_CHOICES = [(role.value, role.label) for role in (*PARTNER_ROLES, Role.IB)]
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


def _organisations(request):
    """The organisations with someone at a school in scope today (all for an admin): the field checks the
    chosen one against them; the page shows only that one and finds others by typing
    (partners.search_views.organisations_search, the same set)."""
    return organisations_in_scope(request.user) if request else Organisation.objects.none()


class AutocompleteFilter(django_filters.ModelChoiceFilter):
    """A choice among many, found by typing (kpa.widgets.AutocompleteSelect): the page shows only the chosen
    one, the object the filter checked."""

    field_class = type("AutocompleteField", (ChecksOnce, django_filters.fields.ModelChoiceField), {})


def _any_vacant(roles) -> tuple[Q, Callable[[dict[str, bool]], bool]]:
    """A role of `roles` vacant: as a condition on the summaries (one with a partial index of its own,
    partners.models.SUMMARY_GAPS), and on a school's flags."""
    fields = [vacant_field(role) for role in roles]
    return any_vacant(roles), lambda flags: any(flags[name] for name in fields)


# The roster's filters that read only the seat summaries (partners.seat_summary).
SUMMARY_FILTERS = frozenset({"missing_role", "gap", "team"})


class SchoolFilter(GemeenteThenWijk, django_filters.FilterSet):
    """The roster's filters. Every choice list is scoped to what the user may see."""

    q = django_filters.CharFilter(label=_("School, BRIN or place"), method="search")
    gemeente = gemeente_filter()
    # The choices are the chosen gemeente's wijken (partners.area_filters): 596 nationally.
    wijk = wijk_filter()
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
    organisation = AutocompleteFilter(
        label=_("Partner organisation"),
        queryset=_organisations,
        method="filter_organisation",
        empty_label=_("All organisations"),
        widget=AutocompleteSelect("manage:search-organisations"),
    )
    person = django_filters.CharFilter(label=_("Person (name or e-mail)"), method="filter_person")

    class Meta:
        model = School
        fields = [
            "q",
            "gemeente",
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        # The seat summary conditions the filters applied, or None once one judged a school from its seats.
        self._summary: list[Q] | None = []

    def count(self) -> int:
        """How many schools the filters choose (the roster's count of its pages). For an admin who chose
        only the seat summary's filters it is the count of the fresh summaries that meet them: every school
        has one summary at most, and every school is in scope, so the two counts are the same, but counting
        the schools joins all of the country's to the summaries (3.7 ms at 10,000 schools, 1.5 ms for the
        summaries alone)."""
        schools = self.qs  # runs the filters (validating the form): _summarised notes their conditions
        if self._summary and self._chosen() <= SUMMARY_FILTERS and is_every_school(self.queryset):
            return SeatSummary.objects.filter(fresh(self.today), *self._summary).count()
        return schools.count()

    def _chosen(self) -> set[str]:
        """The filters given a value (those the form accepted): the filters that ran."""
        return {name for name, value in self.form.cleaned_data.items() if value not in EMPTY_VALUES}

    def _summarised(self, schools, condition: Q, matches: Callable[[dict[str, bool]], bool]):
        """The `schools` whose seat summary of today meets `condition` (partners.seat_summary): a row per
        school instead of grouping every seat of the schools in scope, which for an admin is the whole
        country. The summaries not counted for today and the current seats are counted first; a school
        whose summary is still not fresh then (a seat written meanwhile) is judged from its seats by
        `matches`, the same condition on its flags."""
        # An admin's scope is every school: checked as such (partners.seat_summary._not_fresh), not as the
        # schools the filters before this one chose (a sector), which would need the schools joined.
        scope = self.queryset if is_every_school(self.queryset) else schools
        left = summaries_ensure(scope, self.today).left
        chosen = Q(pk__in=SeatSummary.objects.filter(fresh(self.today), condition).values("school_id"))
        if left:
            flags = flags_of(left, self.today)
            chosen |= Q(pk__in=[pk for pk in left if matches(flags[pk])])
            self._summary = None
        elif self._summary is not None:
            self._summary.append(condition)
        return schools.filter(chosen)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(brin__iexact=value[:4]) | Q(city__icontains=value)
        )

    def filter_missing_role(self, queryset, name, value):
        return self._summarised(queryset, *_any_vacant([value]))

    def filter_gap(self, queryset, name, value):
        """Vacant: a kernpartner role nobody fills today. Ending: filled today, and in a kernpartner role
        the coverage runs out within 30 days (partners.selectors.coverage_for_schools)."""
        if value == "vacant":
            return self._summarised(queryset, *_any_vacant(PARTNER_ROLES))
        return self._summarised(
            queryset, SUMMARY_GAPS["partner_ending"], lambda flags: flags["partner_ending"]
        )

    def filter_team(self, queryset, name, value):
        """Complete: the IB-er and the four kernpartners all have someone today, as the dashboard counts
        it (front.dashboard.coverage)."""
        incomplete, any_vacant = _any_vacant(TEAM_ROLES)
        if value == "complete":
            return self._summarised(queryset, ~incomplete, lambda flags: not any_vacant(flags))
        return self._summarised(queryset, incomplete, any_vacant)

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
