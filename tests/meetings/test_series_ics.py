"""A series is invited as ONE series: one mail per person with one VEVENT (RRULE, EXDATE for the skipped
holidays, RDATE for a meeting off the rule), a move or cancellation of one meeting as an override with the
series' UID and a RECURRENCE-ID that is an instance of the series, a newcomer invited to the rest of it,
reminders still per meeting. Expanded by independent parsers: icalendar (properties) with dateutil's rrule
objects, dateutil's own RFC 5545 parser (rrulestr) on the raw text, recurring_ical_events, and a real
CalDAV server (Radicale, in process) that stores the invitation and expands it in a REPORT."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import sys
import wsgiref.util
from xml.etree import ElementTree

import pytest
import time_machine
from dateutil.rrule import rrulestr
from django.conf import settings
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from kpa.models import UserKind
from kpa.outbox import sender
from kpa.outbox.models import Notification
from meetings import ics, reminders, services
from meetings.models import Meeting, MeetingStatus, NotificationKind
from partners.models import Role
from schools.models import SchoolHoliday
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import AMS, at

pytestmark = pytest.mark.django_db
SINCE = dt.date(2020, 8, 1)
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=AMS)
ROLES = (Role.IB, Role.SCHOOLLEIDER, Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT)


# Every two weeks on Monday 09:00 from 5 October to 14 December 2026: 19 October falls in the autumn
# holiday (skipped), and the clocks go back on 25 October (CEST → CET).
PLANNED = [at(2026, 10, 5), at(2026, 11, 2), at(2026, 11, 16), at(2026, 11, 30), at(2026, 12, 14)]
SKIPPED = at(2026, 10, 19)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(school):
    """A team of seven (a stand-in JGZ next to the JGZ nurse)."""
    people = []
    for number, role in enumerate((*ROLES, Role.JGZ)):
        person = UserFactory(
            kind=UserKind.SCHOOL if role in (Role.IB, Role.SCHOOLLEIDER) else UserKind.KERNPARTNER,
            email=f"lid{number}@team.example",
        )
        AssignmentFactory(person=person, school=school, role=role, start_date=SINCE)
        people.append(person)
    return people


@pytest.fixture
def autumn(school):
    school.holiday_region = "midden"
    school.save()
    SchoolHoliday.objects.create(
        region="midden",
        name="Herfstvakantie",
        start_date=dt.date(2026, 10, 17),
        end_date=dt.date(2026, 10, 25),
    )


def plan_series(school, until=dt.date(2026, 12, 14)) -> services.SeriesResult:
    return services.meeting_series_schedule(
        school=school,
        first_starts_at=PLANNED[0],
        duration=dt.timedelta(minutes=90),
        interval_weeks=2,
        until=until,
        location="Teamkamer",
    )


def attachment(message) -> tuple[str, str, bytes]:
    [(filename, content, mimetype)] = message.attachments
    return filename, mimetype, content if isinstance(content, bytes) else content.encode()


def series_mails(person=None) -> list:
    return [
        m
        for m in mail.outbox
        if m.attachments
        and attachment(m)[0] == "uitnodiging-reeks.ics"
        and (person is None or m.to == [person.email])
    ]


# --- two independent expansions ------------------------------------------------------------------------


def _dates(event, name) -> list[dt.datetime]:
    values = event.get(name)
    if values is None:
        return []
    return [d.dt for value in (values if isinstance(values, list) else [values]) for d in value.dts]


def expand_with_icalendar(calendar: Calendar) -> list[dt.datetime]:
    """The series event's instances, read with icalendar and expanded with dateutil's rrule objects."""
    [master] = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    start = master.decoded("DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    exdates = set(_dates(master, "EXDATE"))
    instances = {d for d in rule if d not in exdates} | set(_dates(master, "RDATE"))
    return sorted(instances)


def expand_with_dateutil(raw: bytes) -> list[dt.datetime]:
    """The same, from the raw text with dateutil's own parser of the DTSTART, RRULE and EXDATE lines.
    dateutil takes no TZID on RDATE, so those few values are read here (TZID=Europe/Amsterdam only)."""
    text = raw.decode().replace("\r\n ", "").replace("\r\n", "\n")
    event = text.split("BEGIN:VEVENT\n", 1)[1].split("END:VEVENT", 1)[0]
    lines = [line for line in event.splitlines() if re.match(r"(DTSTART|RRULE|EXDATE)[;:]", line)]
    rules = rrulestr("\n".join(lines), forceset=True)
    for line in event.splitlines():
        if line.startswith("RDATE"):
            params, values = line.split(":", 1)
            assert params == "RDATE;TZID=Europe/Amsterdam"
            for value in values.split(","):
                rules.rdate(dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=AMS))
    return sorted(rules)


def overrides(calendar: Calendar) -> dict[dt.datetime, object]:
    return {e.decoded("RECURRENCE-ID"): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e}


def as_seen(calendar: Calendar) -> list[dt.datetime]:
    """What a calendar shows: the instances, each replaced by its override (or dropped if cancelled)."""
    changed = overrides(calendar)
    starts = []
    for instance in expand_with_icalendar(calendar):
        override = changed.get(instance)
        if override is None:
            starts.append(instance)
        elif str(override["STATUS"]) != "CANCELLED":
            starts.append(override.decoded("DTSTART"))
    return sorted(starts)


def expand_with_recurring_ical_events(raw: bytes) -> list[dt.datetime]:
    """What recurring_ical_events shows of the whole calendar: instances with the overrides applied."""
    recurring_ical_events = pytest.importorskip("recurring_ical_events")
    events = recurring_ical_events.of(Calendar.from_ical(raw)).between(
        dt.date(2026, 1, 1), dt.date(2028, 1, 1)
    )
    return sorted(e.decoded("DTSTART") for e in events if str(e.get("STATUS")) != "CANCELLED")


class CalDAVServer:
    """Radicale as a WSGI application in this process, its storage in a temporary folder: a real CalDAV
    server without a port. Calendar resources carry no METHOD (RFC 4791 4.1): a client that accepts an
    invitation stores the events without it, and so do we."""

    def __init__(self, folder):
        radicale = pytest.importorskip("radicale")
        from radicale import config

        configuration = config.load()
        configuration.update(
            {
                "storage": {"filesystem_folder": str(folder)},
                "auth": {"type": "none"},
                "rights": {"type": "owner_only"},
                "logging": {"level": "error"},
            },
            "test",
            privileged=True,
        )
        self.app = radicale.Application(configuration)

    def request(self, method: str, path: str, body: bytes = b"", **environ) -> tuple[int, str]:
        environ |= {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"kpa:kpa").decode(),
        }
        wsgiref.util.setup_testing_defaults(environ)
        status = []
        answer = b"".join(self.app(environ, lambda line, headers, exc_info=None: status.append(line)))
        return int(status[0].split()[0]), answer.decode()

    def store(self, path: str, raw: bytes) -> int:
        stored = re.sub(rb"(?m)^METHOD:[A-Z]+\r\n", b"", raw)
        return self.request("PUT", path, stored, CONTENT_TYPE="text/calendar")[0]

    def expanded_starts(self, collection: str) -> list[dt.datetime]:
        query = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:prop><C:calendar-data>
  <C:expand start="20260101T000000Z" end="20280101T000000Z"/>
 </C:calendar-data></D:prop>
 <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
  <C:time-range start="20260101T000000Z" end="20280101T000000Z"/>
 </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
        status, answer = self.request(
            "REPORT", collection, query, HTTP_DEPTH="1", CONTENT_TYPE="application/xml"
        )
        assert status == 207, answer
        starts = []
        multistatus = ElementTree.fromstring(answer)  # noqa: S314  (our own test server's answer)
        for data in multistatus.iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
            for event in Calendar.from_ical(data.text).walk("VEVENT"):
                if str(event.get("STATUS")) != "CANCELLED":
                    starts.append(event.decoded("DTSTART"))
        return sorted(starts)


# --- the invitation ------------------------------------------------------------------------------------


def test_it_invites_a_team_of_seven_to_a_five_meeting_series_with_seven_mails(school, team, autumn, now):
    result = plan_series(school)
    assert [m.starts_at for m in result.meetings] == PLANNED

    assert sender.send_due() == 7  # was 35: five invitations per person

    assert len(mail.outbox) == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in team)
    assert not Notification.objects.filter(kind=NotificationKind.INVITATION).exists()
    for message in mail.outbox:
        filename, mimetype, raw = attachment(message)
        assert (filename, mimetype) == ("uitnodiging-reeks.ics", "text/calendar; method=REQUEST")
        calendar = Calendar.from_ical(raw)
        assert calendar["METHOD"] == "REQUEST"
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
        [event] = calendar.walk("VEVENT")  # one series event, no overrides: nothing moved
        assert event["UID"] == f"{result.series.uid}@kpa"
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]
        assert event["RRULE"]["INTERVAL"] == [2]
        assert event.decoded("DTSTART") == PLANNED[0]
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
        assert _dates(event, "EXDATE") == [SKIPPED]
        assert len(event["ATTENDEE"]) == 7
        assert "RDATE" not in event
    body = mail.outbox[0].body
    assert "maandag 5 oktober 2026, 09:00" in body
    assert "maandag 14 december 2026, 09:00" in body
    assert "uitnodiging-reeks.ics" in body
    assert "5 overleggen" in mail.outbox[0].subject
    # "Agenda en details" opens the series' first meeting (it opened the list of all meetings)
    first_page = settings.SITE_URL + reverse("meetings:detail", args=[result.meetings[0].pk])
    assert f"Agenda en details:\n{first_page}\n" in body
    assert f'href="{first_page}"' in mail.outbox[0].alternatives[0][0]


def test_it_expands_the_series_to_exactly_the_planned_starts_across_the_clock_change(
    school, team, autumn, now
):
    plan_series(school)
    sender.send_due()
    _filename, _mimetype, raw = attachment(series_mails(team[0])[0])

    by_icalendar = expand_with_icalendar(Calendar.from_ical(raw))
    by_dateutil = expand_with_dateutil(raw)

    assert by_icalendar == by_dateutil == expand_with_recurring_ical_events(raw) == PLANNED
    assert [d.astimezone(AMS).hour for d in by_dateutil] == [9] * 5  # 09:00 before and after 25 October
    assert {d.astimezone(AMS).utcoffset() for d in by_dateutil} == {
        dt.timedelta(hours=1),
        dt.timedelta(hours=2),
    }
    assert "DTSTART;TZID=Europe/Amsterdam:20261005T090000" in raw.decode()
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261214T080000Z;INTERVAL=2" in raw.decode()


def test_it_writes_a_meeting_off_the_rule_as_an_rdate(school, team, autumn, now):
    """A series whose meetings no longer all fit one rule (here one planned on a Wednesday) still expands
    to exactly its meetings: the off-rule one is an RDATE, the rule's date without a meeting an EXDATE."""
    result = plan_series(school)
    wednesday = at(2026, 11, 18, 14)
    Meeting.objects.filter(pk=result.meetings[2].pk).update(
        starts_at=wednesday, ends_at=wednesday + dt.timedelta(minutes=90), original_starts_at=wednesday
    )
    sender.send_due()
    _filename, _mimetype, raw = attachment(series_mails(team[0])[0])
    calendar = Calendar.from_ical(raw)

    [event] = calendar.walk("VEVENT")
    assert _dates(event, "RDATE") == [wednesday]
    assert _dates(event, "EXDATE") == [SKIPPED, PLANNED[2]]
    expected = sorted([*PLANNED[:2], wednesday, *PLANNED[3:]])
    assert expand_with_icalendar(calendar) == expand_with_dateutil(raw) == expected


def test_it_sends_a_series_invitation_with_an_override_for_a_meeting_moved_before_it_went_out(
    school, team, autumn, now
):
    result = plan_series(school)
    moved = result.meetings[1]
    services.meeting_update(
        meeting=moved, starts_at=at(2026, 11, 3, 13, 30), ends_at=None, location="Aula", online_url=""
    )
    sender.send_due()
    _filename, _mimetype, raw = attachment(series_mails(team[0])[0])
    calendar = Calendar.from_ical(raw)

    [override] = overrides(calendar).values()
    assert override["UID"] == f"{result.series.uid}@kpa"
    assert override.decoded("RECURRENCE-ID") == PLANNED[1]
    assert override.decoded("RECURRENCE-ID") in expand_with_icalendar(calendar)  # an instance of the series
    assert override.decoded("RECURRENCE-ID") in expand_with_dateutil(raw)
    assert override.decoded("DTSTART") == at(2026, 11, 3, 13, 30)
    assert override["LOCATION"] == "Aula"
    assert override["SEQUENCE"] > calendar.walk("VEVENT")[0]["SEQUENCE"]
    seen = sorted([PLANNED[0], at(2026, 11, 3, 13, 30), *PLANNED[2:]])
    assert as_seen(calendar) == expand_with_recurring_ical_events(raw) == seen


def test_it_leaves_a_meeting_cancelled_before_the_invitation_went_out_out_of_the_series(
    school, team, autumn, now
):
    result = plan_series(school)
    services.meeting_cancel(meeting=result.meetings[0])
    services.meeting_cancel(meeting=result.meetings[3])
    sender.send_due()
    _filename, _mimetype, raw = attachment(series_mails(team[0])[0])
    calendar = Calendar.from_ical(raw)

    assert (
        expand_with_icalendar(calendar) == expand_with_dateutil(raw) == [PLANNED[1], PLANNED[2], PLANNED[4]]
    )
    assert calendar.walk("VEVENT")[0].decoded("DTSTART") == PLANNED[1]


# --- one meeting of the series changes afterwards ------------------------------------------------------


def test_it_moves_one_meeting_as_an_override_whose_recurrence_id_stays_the_original_start(
    school, team, autumn, now
):
    result = plan_series(school)
    sender.send_due()
    _filename, _mimetype, series_raw = attachment(series_mails(team[0])[0])
    instances = expand_with_icalendar(Calendar.from_ical(series_raw))
    meeting = result.meetings[2]
    mail.outbox.clear()

    services.meeting_update(
        meeting=meeting, starts_at=at(2026, 11, 17, 9), ends_at=None, location="Teamkamer", online_url=""
    )
    services.meeting_update(
        meeting=meeting, starts_at=at(2026, 11, 19, 10), ends_at=None, location="Teamkamer", online_url=""
    )
    assert sender.send_due() == 7  # the first move was superseded before it went out

    for message in mail.outbox:
        filename, mimetype, raw = attachment(message)
        assert (filename, mimetype) == ("wijziging.ics", "text/calendar; method=REQUEST")
        calendar = Calendar.from_ical(raw)
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert event["UID"] == f"{result.series.uid}@kpa"
        assert event.decoded("RECURRENCE-ID") == PLANNED[2]  # the original start, not the first move's
        assert event.decoded("RECURRENCE-ID") in instances
        assert event.decoded("DTSTART") == at(2026, 11, 19, 10)
        assert event["SEQUENCE"] == 2
    assert "verplaatst van maandag 16 november 2026, 09:00 naar" in mail.outbox[0].body.lower()


def test_it_cancels_one_meeting_of_the_series_with_method_cancel_and_its_recurrence_id(
    school, team, autumn, now
):
    result = plan_series(school)
    sender.send_due()
    mail.outbox.clear()

    services.meeting_cancel(meeting=result.meetings[3])
    assert sender.send_due() == 7

    filename, mimetype, raw = attachment(mail.outbox[0])
    assert (filename, mimetype) == ("annulering.ics", "text/calendar; method=CANCEL")
    calendar = Calendar.from_ical(raw)
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == f"{result.series.uid}@kpa"
    assert event.decoded("RECURRENCE-ID") == PLANNED[3]
    assert str(event["STATUS"]) == "CANCELLED"
    assert Meeting.objects.get(pk=result.meetings[3].pk).status == MeetingStatus.CANCELLED


def test_it_keeps_a_single_meeting_and_the_download_of_a_series_meeting_as_events_of_their_own(
    school, team, autumn, now
):
    single = services.meeting_schedule(school=school, starts_at=at(2026, 9, 28))
    result = plan_series(school)
    download = Calendar.from_ical(
        ics.meeting_calendar(
            result.meetings[1],
            method="PUBLISH",
            attendees=[],
            organizer_email=ics.organizer_email(),
            url=ics.meeting_url(result.meetings[1]),
        )
    )
    [event] = download.walk("VEVENT")
    assert event["UID"] == f"{result.meetings[1].uid}@kpa"
    assert "RECURRENCE-ID" not in event
    sender.send_due()
    single_mails = [m for m in mail.outbox if attachment(m)[0] == "uitnodiging.ics"]
    assert len(single_mails) == 7
    [event] = Calendar.from_ical(attachment(single_mails[0])[2]).walk("VEVENT")
    assert (event["UID"], "RECURRENCE-ID" in event) == (f"{single.uid}@kpa", False)


# --- people and reminders ------------------------------------------------------------------------------


def test_it_invites_someone_who_joins_later_once_to_the_rest_of_the_series(school, team, autumn, now):
    from partners.services import assignment_create

    result = plan_series(school)
    sender.send_due()
    mail.outbox.clear()
    newcomer = UserFactory(email="nieuw@team.example")

    assignment_create(
        person=newcomer, school=school, role=Role.JGZ, start_date=dt.date(2026, 11, 10), is_stand_in=True
    )

    assert sender.send_due() == 1
    [message] = mail.outbox
    assert message.to == [newcomer.email]
    assert reverse("meetings:detail", args=[result.meetings[2].pk]) in message.body  # their first one
    filename, _mimetype, raw = attachment(message)
    assert filename == "uitnodiging-reeks.ics"
    calendar = Calendar.from_ical(raw)
    assert expand_with_icalendar(calendar) == expand_with_dateutil(raw) == PLANNED[2:]
    assert calendar.walk("VEVENT")[0]["UID"] == f"{result.series.uid}@kpa"
    services.invitees_sync(school_ids=[school.pk])  # run again: nothing new
    assert sender.send_due() == 0


def test_it_does_not_send_a_series_invitation_when_nothing_of_the_series_is_left(school, team, autumn, now):
    result = plan_series(school, until=dt.date(2026, 10, 5))
    services.meeting_cancel(meeting=result.meetings[0])

    sender.send_due()

    rows = Notification.objects.filter(kind=NotificationKind.SERIES_INVITATION)
    assert {r.skip_reason for r in rows} == {"Nothing of the series is still to come for this person."}
    assert not series_mails()


def test_it_still_reminds_per_meeting_of_a_series(school, team, autumn, now):
    plan_series(school)
    sender.send_due()
    mail.outbox.clear()

    with time_machine.travel(at(2026, 11, 15, 9, 5), tick=False):
        reminders.plan_due()
        sent = sender.send_due()

    rows = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert {(r.payload["days"], r.meeting.starts_at) for r in rows} == {(1, PLANNED[2])}
    assert sent == rows.count() == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in team)


# --- a real CalDAV server ------------------------------------------------------------------------------


def test_it_opens_as_one_series_in_a_caldav_server_and_takes_a_moved_meeting_as_its_override(
    school, team, autumn, now, tmp_path
):
    server = CalDAVServer(tmp_path)
    assert server.request("MKCALENDAR", "/kpa/kpo/")[0] == 201
    result = plan_series(school)
    sender.send_due()
    _filename, _mimetype, series_raw = attachment(series_mails(team[0])[0])

    assert server.store("/kpa/kpo/series.ics", series_raw) == 201
    assert server.expanded_starts("/kpa/kpo/") == PLANNED

    # Moving one meeting: the client adds the override to the series' resource (same UID).
    mail.outbox.clear()
    services.meeting_update(
        meeting=result.meetings[3], starts_at=at(2026, 12, 1, 15), ends_at=None, location="", online_url=""
    )
    sender.send_due()
    _filename, _mimetype, update_raw = attachment(mail.outbox[0])
    [override] = Calendar.from_ical(update_raw).walk("VEVENT")
    series = Calendar.from_ical(series_raw)
    series.add_component(override)

    assert server.store("/kpa/kpo/series.ics", series.to_ical()) in (201, 204)
    assert server.expanded_starts("/kpa/kpo/") == sorted([*PLANNED[:3], at(2026, 12, 1, 15), PLANNED[4]])
