"""The coordinator's forms of the process evaluation (issue 13): open a round by hand (all schools in
scope, one wijk, or a selection) and set the gemeente's yearly evaluation moment."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import EvaluationMoment
from partners.scope import schools_visible_to, wijken_visible_to
from schools.models import Gemeente

MAX_WEEKS_OPEN = 12
SCOPE_CHOICES = [
    ("all", _("All schools you see")),
    ("wijk", _("The schools of one wijk")),
    ("selection", _("A selection of schools")),
]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    """For a coordinator of one gemeente: the round asks active schools of that gemeente they see."""

    opens_on = forms.DateField(label=_("Opens on"), widget=_date_widget())
    closes_on = forms.DateField(label=_("Closes on (the last day to answer)"), widget=_date_widget())
    scope = forms.ChoiceField(label=_("Which schools"), choices=SCOPE_CHOICES, widget=forms.RadioSelect)
    wijk = forms.ModelChoiceField(
        label=_("Wijk"), queryset=None, required=False, empty_label=_("Choose a wijk")
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, gemeente: Gemeente, **kwargs):
        super().__init__(*args, **kwargs)
        self.gemeente = gemeente
        self.in_scope = schools_visible_to(user).filter(gemeente=gemeente, is_active=True)
        self.fields["wijk"].queryset = wijken_visible_to(user).filter(gemeente=gemeente).order_by("name")
        self.fields["schools"].queryset = self.in_scope.order_by("name", "pk")
        today = timezone.localdate()
        self.initial.setdefault("opens_on", today)
        self.initial.setdefault("closes_on", today + dt.timedelta(weeks=4, days=-1))
        self.initial.setdefault("scope", "all")

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        today = timezone.localdate()
        if opens and opens < today:
            self.add_error("opens_on", _("A round opens today or later."))
        if opens and closes:
            if closes < opens:
                self.add_error("closes_on", _("A round cannot close before it opens."))
            elif closes > opens + dt.timedelta(weeks=MAX_WEEKS_OPEN):
                self.add_error("closes_on", _("A round is open for at most 12 weeks."))
        scope = data.get("scope")
        if scope == "wijk" and not data.get("wijk"):
            self.add_error("wijk", _("Choose the wijk whose schools the round asks."))
        if scope == "selection" and not data.get("schools"):
            self.add_error("schools", _("Choose at least one school."))
        return data

    def chosen_schools(self):
        scope = self.cleaned_data["scope"]
        if scope == "wijk":
            return self.in_scope.filter(wijk=self.cleaned_data["wijk"])
        if scope == "selection":
            return self.in_scope.filter(pk__in=[s.pk for s in self.cleaned_data["schools"]])
        return self.in_scope


class MomentForm(forms.ModelForm):
    class Meta:
        model = EvaluationMoment
        fields = ["day", "month", "weeks_open"]
        labels = {"day": _("Day"), "month": _("Month"), "weeks_open": _("Weeks open")}
        help_texts = {
            "day": _("1 to 28, so that every year has it."),
            "month": _("A month from August to July belongs to the school year that starts that August."),
        }
