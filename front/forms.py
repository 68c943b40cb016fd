"""The dashboard's picker: which school year (and, for an admin, which gemeente)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from front.dashboard import NATIONAL, DashboardScope, SchoolYear
from kpa.widgets import QuickSelect


class DashboardChoiceForm(forms.Form):
    """Shown only (GET); what it sends is checked by front.dashboard.chosen_year and dashboard_scope,
    which answer 404 to a year or gemeente not offered."""

    year = forms.ChoiceField(label=_("School year"))

    def __init__(self, *args, scope: DashboardScope, year: SchoolYear, years: list[SchoolYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y.start), y.label) for y in years]
        self.initial["year"] = str(year.start)
        if scope.gemeenten:
            self.fields["gemeente"] = forms.ChoiceField(
                label=_("Municipality"),
                widget=QuickSelect,
                choices=[
                    (NATIONAL, _("All municipalities")),
                    *((str(g.pk), g.name) for g in scope.gemeenten),
                ],
            )
            self.initial["gemeente"] = NATIONAL if scope.national else str(getattr(scope.gemeente, "pk", ""))
            self.order_fields(["gemeente", "year"])
