"""Demo and scale meetings fall on school days within school hours: Monday to Friday, outside the
region's school holidays, between 08:30 and 16:00 Amsterdam time (the demo once planned KPOs on
Saturdays). The demo data is fixed, so it must hold whatever day it is loaded on: the clock is pinned to
a Friday evening, a Saturday and a Sunday."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from demo.scale import clear
from meetings.models import Meeting
from schools.models import SchoolHoliday

pytestmark = pytest.mark.django_db

OPENS, CLOSES = dt.time(8, 30), dt.time(16, 0)


def outside_school_hours(meetings) -> list[str]:
    holidays = list(SchoolHoliday.objects.all())
    wrong = []
    for meeting in meetings:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        region = meeting.school.holiday_region
        in_holiday = any(h.region == region and h.start_date <= starts.date() <= h.end_date for h in holidays)
        if (
            starts.weekday() >= 5
            or in_holiday
            or starts.time() < OPENS
            or ends is None
            or ends.date() != starts.date()
            or ends.time() > CLOSES
        ):
            wrong.append(
                f"{meeting.school} {starts:%a %Y-%m-%d %H:%M}-{ends:%H:%M}" if ends else str(meeting)
            )
    return wrong


@pytest.mark.parametrize(
    "now",
    [
        "2026-09-04 17:00 +02:00",  # a Friday evening
        "2026-09-05 10:00 +02:00",  # a Saturday
        "2027-02-14 12:00 +01:00",  # a Sunday in the spring holiday
    ],
)
def test_it_plans_every_demo_meeting_on_a_school_day_within_school_hours(now):
    with time_machine.travel(now, tick=False):
        call_command("seed_demo")
    meetings = list(Meeting.objects.select_related("school"))
    assert len(meetings) == 12 * 7
    assert outside_school_hours(meetings) == []
    # Not all on one weekday or at one time: the demo looks like a real school year.
    assert len({timezone.localtime(m.starts_at).weekday() for m in meetings}) == 5
    assert len({timezone.localtime(m.starts_at).time() for m in meetings}) > 1


def test_it_plans_every_scale_meeting_on_a_weekday_within_school_hours():
    clear()  # seed_scale starts from no schools
    with time_machine.travel("2026-09-05 10:00 +02:00", tick=False):  # a Saturday
        call_command("seed_scale", schools=20, stdout=None)
    meetings = list(Meeting.objects.select_related("school"))
    assert meetings
    assert outside_school_hours(meetings) == []
