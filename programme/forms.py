"""Forms of the programme. Free text goes through the privacy guard (kpa.privacy); every choice offered is
narrowed to the user's scope (partners.scope) and the programme's gemeente."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.models import User, UserKind
from kpa.privacy import PrivacyCheckedFormMixin
from partners.models import Organisation, OrganisationKind
from partners.scope import organisations_in_scope, people_visible_to, schools_visible_to, wijken_visible_to
from programme.models import ActionLine, Activity, Indicator, Programme, ProgressUpdate
from schools.models import Gemeente, Sector


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _lines(text: str) -> list[str]:
    """The non-empty lines of a text, each stripped, duplicates dropped (first one kept)."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        if line.strip():
            seen.setdefault(" ".join(line.split()), None)
    return list(seen)


class ProgrammeForm(forms.ModelForm):
    """A new programme: for a coordinator in their own gemeente; an admin picks the gemeente."""

    class Meta:
        model = Programme
        fields = ["gemeente", "sector", "title"]
        help_texts = {"title": _("For example: Doorontwikkeling KPA in het PO.")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.kind == UserKind.ADMIN:
            self.fields["gemeente"].queryset = Gemeente.objects.order_by("name")
        else:
            del self.fields["gemeente"]
            self.instance.gemeente_id = user.gemeente_id
        self.fields["sector"].choices = Sector.choices

    def validate_constraints(self):
        """One programme per gemeente and sector, said in Dutch."""
        taken = Programme.objects.filter(gemeente_id=self.instance.gemeente_id, sector=self.instance.sector)
        if self.instance.gemeente_id and taken.exclude(pk=self.instance.pk).exists():
            self.add_error("sector", _("This municipality already has a programme for this sector."))


class LineForm(PrivacyCheckedFormMixin, forms.ModelForm):
    speerpunten = forms.CharField(
        label=_("Speerpunten"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One speerpunt per line."),
    )
    privacy_checked_fields = ("title", "description", "speerpunten")

    class Meta:
        model = ActionLine
        fields = ["number", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        if self.instance.pk is None:
            numbers = list(programme.lines.values_list("number", flat=True))
            self.initial.setdefault("number", max(numbers, default=0) + 1)
        else:
            self.current = list(self.instance.speerpunten.order_by("order"))
            self.initial.setdefault("speerpunten", "\n".join(s.text for s in self.current))
            self.fields["speerpunten"].help_text = _(
                "One speerpunt per line. A speerpunt keeps its place: changing a line's text changes that "
                "speerpunt, also for the activities under it."
            )

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        taken = self.instance.programme.lines.filter(number=number).exclude(pk=self.instance.pk)
        if number < 1:
            raise forms.ValidationError(_("Give a number of 1 or more."))
        if taken.exists():
            raise forms.ValidationError(_("This programme already has a line with this number."))
        return number

    def clean_speerpunten(self) -> list[str]:
        texts = _lines(self.cleaned_data["speerpunten"])
        too_long = [t for t in texts if len(t) > 300]
        if too_long:
            raise forms.ValidationError(_("A speerpunt has at most 300 characters."))
        dropped = [s for s in getattr(self, "current", [])[len(texts) :] if s.activities.exists()]
        if dropped:
            raise forms.ValidationError(
                _("“%(text)s” has activities and cannot be removed.") % {"text": dropped[0].text}
            )
        return texts

    def validate_constraints(self):
        """The number is checked in clean_number, in Dutch."""


class ActivityForm(PrivacyCheckedFormMixin, forms.ModelForm):
    indicators = forms.CharField(
        label=_("Indicators"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What you measure to see whether the results are reached; one indicator per line."),
    )
    privacy_checked_fields = (
        "title",
        "description",
        "steps_taken",
        "steps_planned",
        "other_partners",
        "intended_results",
        "steering",
        "accountability",
        "communication",
        "money",
        "indicators",
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "speerpunt",
            "description",
            "status",
            "starts_on",
            "ends_on",
            "citywide",
            "wijken",
            "schools",
            "trekker",
            "responsible",
            "organisations",
            "other_partners",
            "steps_taken",
            "steps_planned",
            "intended_results",
            "indicators",
            "steering",
            "accountability",
            "communication",
            "money",
        ]
        widgets = {
            "starts_on": _date_widget(),
            "ends_on": _date_widget(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "description",
                    "steps_taken",
                    "steps_planned",
                    "other_partners",
                    "intended_results",
                    "steering",
                    "accountability",
                    "communication",
                    "money",
                )
            },
        }
        help_texts = {
            "other_partners": _("Partners without an organisation in KPA, e.g. from the social base."),
            "citywide": _("Or pick the wijken or schools where it runs."),
            "steering": _("Who steers, and how often."),
            "accountability": _("How progress is monitored and to whom it is reported."),
        }

    def __init__(self, *args, line: ActionLine, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.line = line
        self.user = user
        programme = line.programme
        gemeente_id = programme.gemeente_id if programme else None
        self.wijk_only = user.kind == UserKind.COORDINATOR and bool(user.wijk_id)
        self.fields["speerpunt"].queryset = line.speerpunten.all()
        self.fields["wijken"].queryset = (
            wijken_visible_to(user).filter(gemeente_id=gemeente_id).order_by("name")
        )
        self.fields["schools"].queryset = (
            schools_visible_to(user).filter(gemeente_id=gemeente_id, is_active=True).order_by("name")
        )
        # Trekker and final responsible are the gemeente's coordinators: the programme's pages are
        # theirs, and the trekker's weekly digest of stale activities links to them.
        candidates = people_visible_to(user).filter(
            is_active=True, kind=UserKind.COORDINATOR, gemeente_id=gemeente_id
        )
        for name in ("trekker", "responsible"):
            self.fields[name].queryset = candidates.order_by("first_name", "last_name", "pk")
        chosen = Q(pk__in=self.instance.organisations.values("pk")) if self.instance.pk else Q(pk__in=[])
        self.fields["organisations"].queryset = Organisation.objects.filter(
            Q(pk__in=organisations_in_scope(user).values("pk"))
            | Q(kind=OrganisationKind.SOCIAL_BASE)
            | chosen
        ).order_by("name")
        if self.wijk_only:
            del self.fields["citywide"]
        if self.instance.pk:
            self.initial.setdefault("indicators", "\n".join(i.name for i in self.instance.indicators.all()))

    def clean_indicators(self) -> list[str]:
        names = _lines(self.cleaned_data["indicators"])
        if any(len(name) > 200 for name in names):
            raise forms.ValidationError(_("An indicator has at most 200 characters."))
        if self.instance.pk:
            measured = Indicator.objects.filter(activity=self.instance, values__isnull=False).exclude(
                name__in=names
            )
            kept = sorted({i.name for i in measured})
            if kept:
                raise forms.ValidationError(
                    _("%(names)s has measured values and cannot be removed.") % {"names": ", ".join(kept)}
                )
        return names

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end cannot be before the start."))
        where = cleaned.get("citywide") or cleaned.get("wijken") or cleaned.get("schools")
        if not where and not self.has_error("wijken") and not self.has_error("schools"):
            message = (
                _("Pick your wijk or schools in it where the activity runs.")
                if self.wijk_only
                else _("Say where the activity runs: the whole municipality, some wijken or some schools.")
            )
            self.add_error("wijken", message)
        return cleaned

    def validate_constraints(self):
        """The end after the start is checked in clean, in Dutch."""


class ProgressUpdateForm(PrivacyCheckedFormMixin, forms.ModelForm):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), required=False, empty_label=_("No value")
    )
    value = forms.DecimalField(label=_("Measured value"), max_digits=12, decimal_places=2, required=False)
    privacy_checked_fields = ("text",)

    class Meta:
        model = ProgressUpdate
        fields = ["date", "text", "phase", "light", "is_success"]
        widgets = {"date": _date_widget(), "text": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"is_success": _("Mark a success to celebrate it in the report.")}

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.activity = activity
        self.initial.setdefault("date", timezone.localdate())
        indicators = list(activity.indicators.all())
        if indicators:
            self.fields["indicator"].queryset = activity.indicators.all()
        else:
            del self.fields["indicator"], self.fields["value"]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                _("An update is about what has happened: the date cannot be in the future.")
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if "indicator" in self.fields:
            indicator, value = cleaned.get("indicator"), cleaned.get("value")
            if indicator and value is None and not self.has_error("value"):
                self.add_error("value", _("Fill in the measured value, or choose no indicator."))
            if value is not None and not indicator:
                self.add_error("indicator", _("Choose the indicator this value belongs to."))
        return cleaned


class ProgressUpdateChangeForm(ProgressUpdateForm):
    """Correcting a progress update: the same fields and checks as a new one, with the value it measured
    (if any) filled in."""

    def __init__(self, *args, update: ProgressUpdate, **kwargs):
        super().__init__(*args, instance=update, activity=update.activity, **kwargs)
        measured = update.indicator_values.order_by("pk").first()
        if measured is not None and "indicator" in self.fields:
            self.initial.setdefault("indicator", measured.indicator_id)
            self.initial.setdefault("value", measured.value)
