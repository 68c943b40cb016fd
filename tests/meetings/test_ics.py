"""meetings.ics: invitations, updates, cancellations and feeds as iCalendar, parsed back with `icalendar`."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from icalendar import Calendar

from meetings import ics
from meetings.models import AgendaItem, MeetingStatus
from meetings.services import meeting_cancel, meeting_schedule, meeting_update
from tests.helpers import AMS, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_now():
    """The meetings below are on fixed dates: today is before them, and the team (assignments that start
    100 days before today) is already on it then."""
    with time_machine.travel(at(2026, 10, 1, 10), tick=False):
        yield


@pytest.fixture
def plan(school, ib, partner, django_capture_on_commit_callbacks):
    """meeting_schedule as the IB-er would: the team (ib, partner) is invited. The mails it queues are
    Notification rows; the on-commit kick of the sender is captured, not run."""

    def _plan(starts_at, **kwargs):
        with django_capture_on_commit_callbacks():
            return meeting_schedule(school=school, starts_at=starts_at, created_by=ib, **kwargs)

    return _plan


def invitation(meeting, method="REQUEST") -> Calendar:
    attendees = [i.person for i in meeting.invitees.select_related("person")]
    raw = ics.meeting_calendar(
        meeting,
        method=method,
        attendees=attendees,
        organizer_email=ics.organizer_email(),
        url=ics.meeting_url(meeting),
    )
    return Calendar.from_ical(raw)


def only_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_it_builds_an_invitation_with_everything_a_calendar_needs(plan, school, ib, partner):
    meeting = plan(at(2026, 10, 26), ends_at=at(2026, 10, 26, 10, 30), location="Lokaal 3, gebouw A")

    calendar = invitation(meeting)

    assert calendar["PRODID"] == "-//KPA//Kernpartneraanpak//NL"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    event = only_event(calendar)
    assert event["UID"] == f"{meeting.uid}@kpa"
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == "KPO OBS De Zonnewijzer"
    assert event["LOCATION"] == "Lokaal 3, gebouw A"
    assert event["STATUS"] == "CONFIRMED"
    url = f"{settings.SITE_URL}/meetings/{meeting.pk}/"
    assert event["URL"] == url
    assert url in event["DESCRIPTION"]
    assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    organizer = event["ORGANIZER"]
    assert organizer == "mailto:noreply@kpa.example"
    assert organizer.params["CN"] == "KPA"
    attendees = event["ATTENDEE"]
    assert sorted(attendees) == ["mailto:ib@school.example", "mailto:partner@lokalis.example"]
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "FALSE"
    assert {a.params["CN"] for a in attendees} == {ib.get_full_name(), partner.get_full_name()}


def test_it_keeps_the_uid_and_raises_the_sequence_when_a_meeting_moves(
    plan, django_capture_on_commit_callbacks
):
    meeting = plan(at(2026, 10, 26))
    before = only_event(invitation(meeting))

    with django_capture_on_commit_callbacks():
        meeting_update(
            meeting=meeting,
            starts_at=at(2026, 11, 2, 13, 30),
            ends_at=None,
            location="Teamkamer",
            online_url="",
        )
    calendar = invitation(meeting)

    after = only_event(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert after["UID"] == before["UID"] == f"{meeting.uid}@kpa"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART") == at(2026, 11, 2, 13, 30)
    assert after["LOCATION"] == "Teamkamer"


def test_it_cancels_with_method_cancel_and_status_cancelled(plan, django_capture_on_commit_callbacks):
    meeting = plan(at(2026, 10, 26))
    sequence_before = meeting.sequence

    with django_capture_on_commit_callbacks():
        meeting_cancel(meeting=meeting)
    calendar = invitation(meeting, method="CANCEL")

    assert calendar["METHOD"] == "CANCEL"
    event = only_event(calendar)
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == f"{meeting.uid}@kpa"
    assert event["SEQUENCE"] > sequence_before
    assert len(event["ATTENDEE"]) == 2  # the cancellation goes to the same people
    assert event["SUMMARY"] == "KPO OBS De Zonnewijzer"  # the mail program itself says "Cancelled"


@pytest.mark.parametrize(
    ("starts_at", "utc_hour", "offset_hours"),
    [
        (at(2026, 10, 26), 8, 1),  # the day after summer time ended: CET
        (at(2027, 3, 29), 7, 2),  # the day after summer time began: CEST
    ],
)
def test_it_writes_the_amsterdam_wall_clock_time_across_dst(plan, starts_at, utc_hour, offset_hours):
    meeting = plan(starts_at)
    attendees = [i.person for i in meeting.invitees.all()]

    raw = ics.meeting_calendar(
        meeting, method="REQUEST", attendees=attendees, organizer_email="x@kpa.example", url="https://x/"
    )

    assert f"DTSTART;TZID=Europe/Amsterdam:{starts_at:%Y%m%d}T090000".encode() in raw
    # No end given: 90 minutes.
    assert f"DTEND;TZID=Europe/Amsterdam:{starts_at:%Y%m%d}T103000".encode() in raw
    start = only_event(Calendar.from_ical(raw)).decoded("DTSTART")
    assert (start.hour, start.minute) == (9, 0)
    assert start.utcoffset() == dt.timedelta(hours=offset_hours)
    assert start.astimezone(dt.UTC).hour == utc_hour


def test_it_defines_amsterdam_with_yearly_rules_that_agree_with_the_tz_database():
    """Outlook reads only DTSTART, RRULE and the offsets of a VTIMEZONE (no RDATE), so the zone is two
    yearly rules. They must give the same offset as zoneinfo at every hour, transitions included."""
    vtimezone = ics.amsterdam_vtimezone()
    for observance in vtimezone.walk("DAYLIGHT") + vtimezone.walk("STANDARD"):
        assert "RRULE" in observance
        assert "RDATE" not in observance
    from_rules = vtimezone.to_tz(lookup_tzid=False)  # built from the rules, not looked up by name
    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    wrong = []
    while moment.year < 2031:
        if moment.astimezone(from_rules).utcoffset() != moment.astimezone(AMS).utcoffset():
            wrong.append(moment)
        moment += dt.timedelta(minutes=30)
    assert not wrong


def test_it_puts_no_minutes_agenda_or_pupil_data_in_the_calendar(plan):
    meeting = plan(at(2026, 10, 26))
    meeting.minutes = "Besproken: zorgen over de thuissituatie"
    meeting.save()
    AgendaItem.objects.filter(meeting=meeting).update(notes="Aantekening bij agendapunt")
    raw = invitation(meeting).to_ical().decode()

    assert "thuissituatie" not in raw
    assert "Aantekening" not in raw
    assert "Casu" not in raw  # no agenda item titles either


def test_it_uses_the_online_link_as_location_when_there_is_no_place(plan):
    meeting = plan(at(2026, 10, 26), online_url="https://teams.example/meet/kpo")

    event = only_event(invitation(meeting))

    assert event["LOCATION"] == "https://teams.example/meet/kpo"
    assert "https://teams.example/meet/kpo" in event["DESCRIPTION"]


def test_it_refuses_an_unknown_method(plan):
    meeting = plan(at(2026, 10, 26))
    with pytest.raises(ValueError, match="REPLY"):
        ics.meeting_calendar(meeting, method="REPLY", attendees=[], organizer_email="x@y.z", url="")


def test_it_publishes_a_feed_with_cancelled_meetings_marked(plan, django_capture_on_commit_callbacks):
    planned = plan(at(2026, 10, 26))
    cancelled = plan(at(2026, 11, 2))
    with django_capture_on_commit_callbacks():
        meeting_cancel(meeting=cancelled)
    cancelled.refresh_from_db()
    assert cancelled.status == MeetingStatus.CANCELLED

    calendar = Calendar.from_ical(
        ics.feed_calendar([planned, cancelled], name="KPA-overleggen", base_url="https://kpa.example/")
    )

    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "KPA-overleggen"
    assert calendar.walk("VTIMEZONE")
    events = {e["UID"]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{planned.uid}@kpa", f"{cancelled.uid}@kpa"}
    assert events[f"{planned.uid}@kpa"]["STATUS"] == "CONFIRMED"
    assert events[f"{cancelled.uid}@kpa"]["STATUS"] == "CANCELLED"
    assert events[f"{cancelled.uid}@kpa"]["SEQUENCE"] == 1
    assert events[f"{planned.uid}@kpa"]["URL"] == f"https://kpa.example/meetings/{planned.pk}/"
    assert not any("ATTENDEE" in e for e in events.values())


def test_it_names_the_download_after_the_local_date(plan):
    # 00:30 in Amsterdam is still the evening before in UTC.
    meeting = plan(at(2026, 10, 27, 0, 30))
    assert ics.ics_filename(meeting) == "kpo-2026-10-27.ics"
