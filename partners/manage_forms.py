"""Forms of the management screens. They check input only; the rules about teams live in partners.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kpa.models import User, UserKind
from kpa.widgets import AutocompleteChoiceField, AutocompleteSelect, QuickSelect
from partners.models import PARTNER_ROLES, Assignment, Organisation, Role
from schools.models import School, Wijk


class DateInput(forms.DateInput):
    """The browser's own date picker; it sends and expects ISO dates, which every date field accepts."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def person_label(person: User) -> str:
    """A person by name, with organisation and e-mail so that two people of the same name can be told
    apart: in a form's choice and in the search that offers it (partners.search_views)."""
    parts = [str(person)]
    if person.organisation_id:
        parts.append(f"({person.organisation})")
    if person.get_full_name():
        parts.append(f"– {person.email}")
    return " ".join(parts)


def people(*, active_only: bool = True):
    qs = User.objects.select_related("organisation").order_by("last_name", "first_name", "email")
    return qs.filter(is_active=True) if active_only else qs


# The sets of people a person field chooses from, by the name the search is asked with (?among=).
PEOPLE = {
    "active": people,
    "kernpartners": lambda: people().filter(kind=UserKind.KERNPARTNER),
    "everyone": lambda: people(active_only=False),
}


class PersonChoiceField(AutocompleteChoiceField):
    """One of `among` (a key of PEOPLE): some 50,000 people nationally, found by typing
    (kpa.widgets.AutocompleteSelect and the people search); the queryset checks the posted pk."""

    def __init__(self, *, among: str = "active", **kwargs) -> None:
        kwargs.setdefault("widget", AutocompleteSelect("manage:search-people", params={"among": among}))
        super().__init__(queryset=PEOPLE[among](), **kwargs)
        self.among = among

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names when the form has that field,
    else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class WijkForm(forms.ModelForm):
    class Meta:
        model = Wijk
        fields = ["gemeente", "name"]
        labels = {"gemeente": _("Municipality"), "name": _("Name")}
        # The country's 351 gemeenten, on the wijken page of every admin: written in one pass.
        widgets = {"gemeente": QuickSelect(label_field="name")}


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "phone", "email"]
        labels = {"name": _("Name"), "kind": _("Kind"), "phone": _("Phone"), "email": _("E-mail")}


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "name",
            "brin",
            "vestiging",
            "sector",
            "gemeente",
            "wijk",
            "street",
            "postcode",
            "city",
            "bestuur",
            "phone",
            "email",
            "holiday_region",
            "is_active",
        ]
        help_texts = {
            "wijk": _("Changing the wijk moves the school, with its team, to the other wijk."),
            "is_active": _("A school that closed stays with its history; it is left out of new assignments."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wijk"].queryset = Wijk.objects.select_related("gemeente").order_by(
            "gemeente__name", "name"
        )
        self.fields["wijk"].label_from_instance = lambda w: f"{w.name} ({w.gemeente.name})"

    def clean(self) -> dict:
        data = super().clean()
        wijk, gemeente = data.get("wijk"), data.get("gemeente")
        if wijk and gemeente and wijk.gemeente_id != gemeente.pk:
            self.add_error("wijk", _("This wijk is not in the chosen municipality."))
        return data


class SchoolMoveForm(forms.Form):
    wijk = forms.ModelChoiceField(
        label=_("New wijk"), queryset=Wijk.objects.none(), empty_label=_("Choose a wijk")
    )

    def __init__(self, *args, school: School, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        wijken = Wijk.objects.filter(gemeente_id=school.gemeente_id).order_by("name")
        if school.wijk_id:
            wijken = wijken.exclude(pk=school.wijk_id)
        self.fields["wijk"].queryset = wijken


class AssignmentForm(forms.Form):
    """One person in one role at one school, for a period."""

    person = PersonChoiceField(label=_("Person"), empty_label=_("Choose a person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when the end is not known."),
    )
    is_stand_in = forms.BooleanField(
        label=_("Stand-in"),
        required=False,
        help_text=_("A stand-in comes on top of the holder of the role, for example during leave."),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class WijkAssignForm(forms.Form):
    """One kernpartner in one kernpartner role at every school of a wijk."""

    person = PersonChoiceField(among="kernpartners", label=_("Person"), empty_label=_("Choose a person"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in PARTNER_ROLES])
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    is_stand_in = forms.BooleanField(label=_("Stand-in"), required=False)


class AssignmentEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())

    def __init__(self, *args, assignment: Assignment, **kwargs) -> None:
        kwargs.setdefault("initial", {"end_date": default_end_date(assignment)})
        kwargs.setdefault("prefix", f"end-{assignment.pk}")
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_end_date(self) -> dt.date:
        end = self.cleaned_data["end_date"]
        current_end = self.assignment.end_date
        # Ending can only shorten a period: a later end could overlap the next holder. To extend, add a new
        # assignment, which the overlap check covers.
        if current_end is not None and end > current_end:
            raise ValidationError(
                _(
                    "This assignment already ends on %(date)s; it cannot end later. "
                    "Add a new assignment instead."
                ),
                code="later_than_end",
                params={"date": formats.date_format(current_end)},
            )
        return end


def default_end_date(assignment: Assignment) -> dt.date:
    today = timezone.localdate()
    if assignment.end_date is not None and assignment.end_date < today:
        return assignment.end_date
    return max(today, assignment.start_date)


class HandoverForm(forms.Form):
    """Everything the leaving person does moves to the successor from a date."""

    from_person = PersonChoiceField(
        among="everyone",
        label=_("Leaving person"),
        empty_label=_("Choose a person"),
        help_text=_("People whose account is blocked can still be chosen here."),
    )
    to_person = PersonChoiceField(label=_("Successor"), empty_label=_("Choose a person"))
    on = forms.DateField(label=_("From date"), widget=DateInput(), help_text=_("The successor's first day."))
