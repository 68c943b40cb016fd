"""The window of dates a meeting may start in and an agreement may fall due in.

A date far out is a typing error (31-12-9999 for 31-12-2026), and one near the end of the calendar even
crashed the arithmetic on it (an OverflowError adding the meeting's duration). New dates must lie between
the start of the previous school year and the end of the next one: `validate_new_date`, which the forms
and the services call. What is stored is checked once more by the model's full_clean against a window
that never moves back (`validate_stored_date`), so a row that was valid stays valid as time goes by."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from schools.years import SCHOOL_YEAR_STARTS

DEFAULT_DURATION = dt.timedelta(minutes=90)  # a meeting without an end time
SCHOOL_YEAR_ENDS = (7, 17)  # month, day: the series runs until the end of the school year by default
EARLIEST_STORED = dt.date(2000, 1, 1)  # no KPO was held before this: anything earlier is a typing error


def end_of_school_year(today: dt.date | None = None) -> dt.date:
    """The next 17 July (today, if it is 17 July)."""
    today = today or timezone.localdate()
    month, day = SCHOOL_YEAR_ENDS
    end = dt.date(today.year, month, day)
    return end if end >= today else dt.date(today.year + 1, month, day)


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(earliest, latest): from the start of the previous school year to the end of the next one, so at
    most two school years ahead."""
    end = end_of_school_year(today)
    return dt.date(end.year - 2, *SCHOOL_YEAR_STARTS), dt.date(end.year + 1, *SCHOOL_YEAR_ENDS)


def _refuse(earliest: dt.date, latest: dt.date) -> ValidationError:
    return ValidationError(
        _("Choose a date between %(earliest)s and %(latest)s."),
        code="date_out_of_window",
        params={"earliest": date_format(earliest, "j F Y"), "latest": date_format(latest, "j F Y")},
    )


def validate_new_date(day: dt.date, *, today: dt.date | None = None) -> None:
    """A meeting's date or a due date typed now: within the window of `date_window`."""
    earliest, latest = date_window(today)
    if not earliest <= day <= latest:
        raise _refuse(earliest, latest)


def validate_planned_date(day: dt.date, *, today: dt.date | None = None) -> None:
    """A date typed on the plan or move form: a meeting starts from today on (a date before today is
    refused anyway), so the message names that range and not the window's earlier start."""
    today = today or timezone.localdate()
    latest = date_window(today)[1]
    if not today <= day <= latest:
        raise ValidationError(
            _("Choose a date between today and %(latest)s."),
            code="date_out_of_window",
            params={"latest": date_format(latest, "j F Y")},
        )


def validate_stored_date(day: dt.date) -> None:
    """The model's guard: not before 2000 and not after the end of the next school year."""
    latest = date_window()[1]
    if not EARLIEST_STORED <= day <= latest:
        raise _refuse(EARLIEST_STORED, latest)


def local_day(moment: dt.datetime) -> dt.date:
    """The Amsterdam date of a moment, also for one at the very edge of the calendar (there the
    conversion itself overflows; the date is then as far out as it can be)."""
    try:
        return timezone.localdate(moment)
    except OverflowError:
        return dt.date.max if moment.year > 1 else dt.date.min
