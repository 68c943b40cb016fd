"""Meetings as iCalendar (RFC 5545 / iTIP RFC 5546): invitations, updates and cancellations that Outlook
and Google Calendar accept, and the personal feed.

Only what a calendar needs goes in: time, place or online link, kind, school and the link back to KPA.
Never minutes, agenda notes, casework or anything else about pupils.

The UID of a meeting never changes (f"{meeting.uid}@kpa"); every change raises meeting.sequence, so a
calendar replaces its copy instead of adding a second one.

A series is invited as one series (`series_calendar`): one VEVENT with UID f"{series.uid}@kpa", DTSTART
the first meeting's planned start, RRULE FREQ=WEEKLY;INTERVAL=N;UNTIL=the last, EXDATE for every date of
the rule that has no meeting (a school holiday, a cancelled one), RDATE for a planned meeting off the
rule, and an override (same UID, RECURRENCE-ID = the start the series planned for it, which is kept when
the meeting moves) for each meeting that differs from the series. A later move or cancellation of one of
its meetings is such an override on its own (METHOD:REQUEST or CANCEL). Strict clients reject an override
whose RECURRENCE-ID is no instance of the series: every RECURRENCE-ID written is a DTSTART, RRULE or
RDATE instance of the series event, by construction.

The personal feed and the download of one meeting show every meeting as an event of its own with the
meeting's UID, series or not: a subscribed calendar is another calendar than the one invitations land in,
and within the feed each meeting appears once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from email.utils import parseaddr
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)

from meetings.models import Meeting, MeetingStatus

if TYPE_CHECKING:
    from kpa.models import User

PRODID = "-//KPA//Kernpartneraanpak//NL"
TZID = "Europe/Amsterdam"
AMSTERDAM = ZoneInfo(TZID)
DEFAULT_DURATION = dt.timedelta(minutes=90)
METHODS = ("REQUEST", "CANCEL", "PUBLISH")


def meeting_url(meeting: Meeting) -> str:
    """The absolute address of the meeting page (for URL, DESCRIPTION and mails)."""
    return settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])


def organizer_email() -> str:
    """The address part of DEFAULT_FROM_EMAIL ("KPA <noreply@…>" → "noreply@…")."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def ics_filename(meeting: Meeting) -> str:
    return f"kpo-{meeting.starts_at.astimezone(AMSTERDAM):%Y-%m-%d}.ics"


def amsterdam_vtimezone() -> Timezone:
    """Europe/Amsterdam as two yearly rules (last Sunday of March 02:00 → CEST, last Sunday of October
    03:00 → CET), the form Outlook and Google Calendar export themselves.

    Not icalendar's Timezone.from_tzinfo(): that lists each transition as an RDATE, which Outlook ignores
    (it reads only DTSTART, RRULE and the offsets of a VTIMEZONE), so summer meetings would move an hour."""
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("dtstart", dt.datetime(1970, 3, 29, 2, 0, 0))  # noqa: DTZ001  (local time, by the RFC)
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("dtstart", dt.datetime(1970, 10, 25, 3, 0, 0))  # noqa: DTZ001
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    vtimezone = Timezone()
    vtimezone.add("tzid", TZID)
    vtimezone.add("x-lic-location", TZID)
    vtimezone.add_component(daylight)
    vtimezone.add_component(standard)
    return vtimezone


def _calendar(method: str) -> Calendar:
    if method not in METHODS:
        raise ValueError(f"Unknown iTIP method {method!r}; use one of {METHODS}.")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(amsterdam_vtimezone())
    return calendar


def _local(moment: dt.datetime) -> dt.datetime:
    """Wall-clock time in Amsterdam; written as DTSTART;TZID=Europe/Amsterdam:…"""
    return moment.astimezone(AMSTERDAM).replace(microsecond=0)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _summary(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} {meeting.school.name}"


def _description(meeting: Meeting, url: str) -> str:
    lines = [_("%(kind)s of %(school)s.") % {"kind": meeting.get_kind_display(), "school": meeting.school}]
    if meeting.online_url:
        lines.append(_("Online: %(url)s") % {"url": meeting.online_url})
    lines.append(_("Agenda and details in KPA: %(url)s") % {"url": url})
    return "\n".join(lines)


def _organizer(email: str) -> vCalAddress:
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["CN"] = vText("KPA")
    return organizer


def _attendee(person: User) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["CN"] = vText(person.get_full_name() or person.email)
    attendee.params["CUTYPE"] = vText("INDIVIDUAL")
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
    attendee.params["RSVP"] = vText("FALSE")
    return attendee


def event_uid(meeting: Meeting, *, method: str) -> str:
    """The UID calendars know this meeting by: that of its series in an invitation, update or
    cancellation of a series occurrence (needs meeting.series), else the meeting's own."""
    if method != "PUBLISH" and meeting.is_series_occurrence:
        return f"{meeting.series.uid}@kpa"
    return f"{meeting.uid}@kpa"


def _event(
    meeting: Meeting, *, method: str, attendees: Iterable[User], organizer_email: str, url: str
) -> Event:
    cancelled = method == "CANCEL" or meeting.status == MeetingStatus.CANCELLED
    ends_at = meeting.ends_at or meeting.starts_at + DEFAULT_DURATION
    summary = _summary(meeting)
    if cancelled and method == "PUBLISH":
        # Outlook shows a cancelled event of a subscribed feed like any other: say it in the title.
        summary = _("Cancelled: %(summary)s") % {"summary": summary}
    event = Event()
    event.add("uid", event_uid(meeting, method=method))
    if method != "PUBLISH" and meeting.is_series_occurrence:
        assert meeting.original_starts_at is not None  # noqa: S101  (is_series_occurrence says so)
        event.add("recurrence-id", _local(meeting.original_starts_at))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(timezone.now()))
    event.add("created", _utc(meeting.created_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(ends_at))
    event.add("summary", summary)
    event.add("location", meeting.location or meeting.online_url)
    event.add("description", _description(meeting, url))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("organizer", _organizer(organizer_email))
    for person in attendees:
        if person.email:
            event.add("attendee", _attendee(person))
    return event


def meeting_calendar(
    meeting: Meeting, *, method: str, attendees: list[User], organizer_email: str, url: str
) -> bytes:
    """One meeting as an iTIP message: METHOD:REQUEST for an invitation or update (same UID, the
    meeting's current SEQUENCE), METHOD:CANCEL for a cancellation (with STATUS:CANCELLED), or
    METHOD:PUBLISH for a plain download. A meeting of a series invited as a series is, in a REQUEST or
    CANCEL, the override of its occurrence (the series' UID and its RECURRENCE-ID). Needs meeting.school
    (and meeting.series for a series meeting: select_related them)."""
    with translation.override("nl"):
        calendar = _calendar(method)
        calendar.add_component(
            _event(meeting, method=method, attendees=attendees, organizer_email=organizer_email, url=url)
        )
    return calendar.to_ical()


def feed_calendar(meetings: Iterable[Meeting], *, name: str, base_url: str) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH) of these meetings, cancelled ones included with
    STATUS:CANCELLED so a calendar removes or marks them. `base_url` is SITE_URL; each event links to
    base_url + the meeting's path. Needs meeting.school (select_related it)."""
    base_url = base_url.rstrip("/")
    organizer = organizer_email()
    with translation.override("nl"):
        calendar = _calendar("PUBLISH")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", TZID)
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        # An X- property has no known type: without vDuration icalendar writes "1:00:00", which is no
        # RFC 5545 duration, and Outlook ignores it.
        calendar.add("x-published-ttl", vDuration(dt.timedelta(hours=1)))
        for meeting in meetings:
            url = base_url + reverse("meetings:detail", args=[meeting.pk])
            calendar.add_component(
                _event(meeting, method="PUBLISH", attendees=(), organizer_email=organizer, url=url)
            )
    return calendar.to_ical()


def _rule_starts(first: dt.datetime, last: dt.datetime, interval_weeks: int) -> list[dt.datetime]:
    """The starts FREQ=WEEKLY;INTERVAL=interval_weeks;UNTIL=last gives from DTSTART=first, in Amsterdam
    wall-clock time (09:00 stays 09:00 across daylight saving, as the RRULE of a TZID'd DTSTART does)."""
    starts, day, clock = [], first.date(), first.time()
    while True:
        start = dt.datetime.combine(day, clock, tzinfo=AMSTERDAM)
        if start > last:
            return starts
        starts.append(start)
        day += dt.timedelta(weeks=interval_weeks)


def _duration(meeting: Meeting) -> dt.timedelta:
    return (meeting.ends_at or meeting.starts_at + DEFAULT_DURATION) - meeting.starts_at


def _as_planned(meeting: Meeting) -> tuple:
    """What the series event says of every occurrence; a meeting that differs gets an override."""
    return (_duration(meeting), meeting.location, meeting.online_url, meeting.kind)


def series_calendar(
    meetings: Iterable[Meeting], *, attendees: list[User], organizer_email: str, base_url: str
) -> bytes:
    """Meetings of one series as ONE series invitation (METHOD:REQUEST): the series event with its RRULE,
    EXDATE and RDATE, and an override for each meeting that no longer is as the series planned it (moved,
    another place or length). `meetings` are those the recipient is invited to (the rest of a series for
    someone who joined later); cancelled ones are left out of the rule by an EXDATE. Expanding the result
    gives exactly the starts of the meetings that are not cancelled. Needs .school and .series."""
    meetings = [m for m in meetings if m.is_series_occurrence]
    live = sorted(
        (m for m in meetings if m.status != MeetingStatus.CANCELLED), key=lambda m: m.original_starts_at
    )
    if not live:
        raise ValueError("A series invitation needs at least one meeting that is not cancelled.")
    series = live[0].series
    if any(m.series_id != series.pk for m in live):
        raise ValueError("These meetings are not of one series.")
    # The series event carries what most meetings have (ties: the earliest), so few overrides are needed.
    planned = Counter(_as_planned(m) for m in live).most_common(1)[0][0]
    duration, location, online_url, _kind = planned
    template = next(m for m in live if _as_planned(m) == planned)
    originals = [_local(m.original_starts_at) for m in live]  # type: ignore[arg-type]
    first, last = originals[0], originals[-1]
    rule = _rule_starts(first, last, series.interval_weeks)
    exdates = sorted(set(rule) - set(originals))
    rdates = sorted(set(originals) - set(rule))
    list_url = base_url.rstrip("/") + reverse("meetings:list")
    with translation.override("nl"):
        calendar = _calendar("REQUEST")
        event = Event()
        event.add("uid", f"{series.uid}@kpa")
        event.add("sequence", 0)
        event.add("dtstamp", _utc(timezone.now()))
        event.add("created", _utc(series.created_at))
        event.add("last-modified", _utc(max(m.updated_at for m in live)))
        event.add("dtstart", first)
        event.add("dtend", first + duration)
        event.add("rrule", {"freq": "weekly", "interval": series.interval_weeks, "until": _utc(last)})
        if exdates:
            event.add("exdate", exdates)
        if rdates:
            event.add("rdate", rdates)
        event.add("summary", _summary(template))
        event.add("location", location or online_url)
        event.add("description", _description(template, list_url))
        event.add("url", list_url)
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        event.add("organizer", _organizer(organizer_email))
        for person in attendees:
            if person.email:
                event.add("attendee", _attendee(person))
        calendar.add_component(event)
        for meeting in live:
            if meeting.starts_at != meeting.original_starts_at or _as_planned(meeting) != planned:
                url = base_url.rstrip("/") + reverse("meetings:detail", args=[meeting.pk])
                calendar.add_component(
                    _event(
                        meeting,
                        method="REQUEST",
                        attendees=attendees,
                        organizer_email=organizer_email,
                        url=url,
                    )
                )
    return calendar.to_ical()
