import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpa.access import wijken_visible_to
from schools.models import School, Sector


def _wijken(request):
    return wijken_visible_to(request.user) if request else School.objects.none()


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    wijk = django_filters.ModelChoiceFilter(label=_("Wijk"), queryset=_wijken)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)

    class Meta:
        model = School
        fields = ["q", "wijk", "sector"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(brin__iexact=value[:4]) | Q(city__icontains=value)
        )
