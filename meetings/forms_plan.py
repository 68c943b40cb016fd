"""Forms for planning, moving and cancelling meetings. Times are typed in Europe/Amsterdam wall-clock
time; the forms turn them into aware datetimes. The writes themselves are the services' job."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kpa.privacy import PrivacyCheckedFormMixin
from meetings import selectors
from meetings.dates import DEFAULT_DURATION, end_of_school_year, validate_planned_date
from meetings.models import Meeting

__all__ = ["DEFAULT_DURATION", "end_of_school_year"]  # their home is meetings.dates

DEFAULT_INTERVAL_WEEKS = 6
MAX_INTERVAL_WEEKS = 26

# Errors the services raise, by their field name, and the form field that shows them.
SERVICE_FIELDS = {
    "starts_at": "date",
    "ends_at": "end_time",
    "location": "location",
    "online_url": "online_url",
    "interval_weeks": "interval_weeks",
    "until": "until",
}


def apply_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a ValidationError of a service on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = SERVICE_FIELDS.get(name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def meeting_label(meeting: Meeting) -> str:
    """'KPO, Tuesday 15 September 2026, 09:00–10:30' (in the active language)."""
    starts = timezone.localtime(meeting.starts_at)
    text = f"{meeting.get_kind_display()}, {date_format(starts, 'l j F Y')}, {starts:%H:%M}"
    return f"{text}–{timezone.localtime(meeting.ends_at):%H:%M}" if meeting.ends_at else text


def _to_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingTimeForm(PrivacyCheckedFormMixin, forms.Form):
    """When and where: the part that planning and moving share."""

    date = forms.DateField(label=_("Date"), widget=_date_widget())
    start_time = forms.TimeField(label=_("Start time"), widget=_time_widget())
    end_time = forms.TimeField(
        label=_("End time"),
        required=False,
        widget=_time_widget(),
        help_text=_("Leave empty for a meeting of 90 minutes."),
    )
    location = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("For example the room at school. Fill in a place, an online link or both."),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("The link to the video call, if the meeting is (partly) online."),
    )

    privacy_checked_fields = ("location", "online_url")  # a BSN in a link goes out in every invitation

    def keep_unchanged(
        self, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime | None]:
        """The times to save for what was typed (a subclass keeps the stored ones when nothing changed)."""
        return starts_at, ends_at

    def starts_in_past_is_allowed(self, starts_at: dt.datetime) -> bool:
        return False

    def date_is_unchanged(self, day: dt.date) -> bool:
        """Whether `day` is the date the meeting already has (a subclass knows)."""
        return False

    def overlapping(self, school_id: int, *, exclude_pk: int | None = None) -> list[str]:
        """A warning for each other meeting of the school, not cancelled, whose time overlaps the one
        typed: the IB-er may save anyway (two meetings at once can be on purpose)."""
        starts_at, ends_at = self.cleaned_data["starts_at"], self.cleaned_data["ends_at"]
        slot = (starts_at, ends_at or starts_at + DEFAULT_DURATION)
        clashes = selectors.overlapping_meetings(school_id=school_id, slots=[slot], exclude_pk=exclude_pk)
        return [
            _("At that time there is already a meeting at this school: %(meeting)s.")
            % {"meeting": meeting_label(meeting)}
            for meeting in clashes.get(starts_at, [])
        ]

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if not self.date_is_unchanged(day):
            validate_planned_date(day)
        return day

    def clean(self) -> dict:
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None:
            return data
        starts_at = timezone.make_aware(dt.datetime.combine(day, start))
        if end is None:
            ends_at = starts_at + DEFAULT_DURATION
        else:
            ends_at = timezone.make_aware(dt.datetime.combine(day, end))
            if ends_at <= starts_at:
                self.add_error("end_time", _("The end time must be after the start time."))
        starts_at, ends_at = self.keep_unchanged(starts_at, ends_at)
        if starts_at < timezone.now() and not self.starts_in_past_is_allowed(starts_at):
            self.add_error("date", _("Choose a date and time in the future."))
        if not data.get("location") and not data.get("online_url") and "location" not in self.errors:
            self.add_error("location", _("Fill in a place or an online link."))
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


class MeetingPlanForm(MeetingTimeForm):
    """Plan one KPO, or a series every so many weeks until a date."""

    repeat = forms.BooleanField(
        label=_("Repeat this meeting"),
        required=False,
        help_text=_("Plan a series for the school year. School holidays of the school's region are skipped."),
    )
    interval_weeks = forms.IntegerField(
        label=_("Every so many weeks"),
        required=False,
        min_value=1,
        max_value=MAX_INTERVAL_WEEKS,
        initial=DEFAULT_INTERVAL_WEEKS,
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=_date_widget(), validators=[validate_planned_date]
    )

    def __init__(self, *args, school_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.school_id = school_id
        self.fields["until"].initial = end_of_school_year()

    def warnings(self) -> list[str]:
        """After is_valid(), for one meeting: the other meetings of the school at that time."""
        if self.school_id is None or self.cleaned_data.get("repeat"):
            return []  # a series shows its clashes date by date in the preview
        return self.overlapping(self.school_id)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("repeat"):
            return data
        interval, until, day = data.get("interval_weeks"), data.get("until"), data.get("date")
        if interval is None and "interval_weeks" not in self.errors:
            self.add_error("interval_weeks", _("Fill in every how many weeks the meeting repeats."))
        if until is None and "until" not in self.errors:
            self.add_error("until", _("Fill in the date of the last meeting of the series."))
        elif until is not None and day is not None and until <= day:
            self.add_error("until", _("The series must end after the first meeting."))
        return data


class MeetingUpdateForm(MeetingTimeForm):
    """Move a meeting or change its place or link."""

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        self.meeting = meeting
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        kwargs.setdefault(
            "initial",
            {
                "date": starts.date(),
                "start_time": starts.time().replace(second=0, microsecond=0),
                "end_time": ends.time().replace(second=0, microsecond=0) if ends else None,
                "location": meeting.location,
                "online_url": meeting.online_url,
            },
        )
        super().__init__(*args, **kwargs)

    def keep_unchanged(
        self, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime | None]:
        """The form shows minutes; a stored time with seconds that was not touched stays as it is."""
        stored_start, stored_end = self.meeting.starts_at, self.meeting.ends_at
        if starts_at == _to_minute(stored_start):
            starts_at = stored_start
        if stored_end is None and self.cleaned_data.get("end_time") is None:
            return starts_at, None
        if stored_end is not None and ends_at == _to_minute(stored_end):
            ends_at = stored_end
        return starts_at, ends_at

    def starts_in_past_is_allowed(self, starts_at: dt.datetime) -> bool:
        """Changing only the place of a meeting that has begun is fine; moving one into the past is not."""
        return starts_at == self.meeting.starts_at

    def date_is_unchanged(self, day: dt.date) -> bool:
        return day == timezone.localdate(self.meeting.starts_at)

    def warnings(self) -> list[str]:
        """After is_valid(): when the meeting moves, the other meetings of the school at its new time."""
        data, meeting = self.cleaned_data, self.meeting
        if (data["starts_at"], data["ends_at"]) == (meeting.starts_at, meeting.ends_at):
            return []
        return self.overlapping(meeting.school_id, exclude_pk=meeting.pk)
