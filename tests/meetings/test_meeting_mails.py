"""The texts of the calendar mails: the attachment named for what it does, the old time in an update
mail, and the year in the subject when the meeting is not in the current school year."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from kpa.models import UserKind
from kpa.outbox import sender
from meetings import services
from partners.models import Role
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import AMS, at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=AMS)


@pytest.fixture
def ib(school):
    """The IB-er, on the team since long before any date these tests travel to."""
    user = UserFactory(kind=UserKind.SCHOOL, email="ib@school.example")
    AssignmentFactory(person=user, school=school, role=Role.IB, start_date=dt.date(2020, 8, 1))
    return user


@pytest.fixture
def partner(school):
    user = UserFactory(kind=UserKind.KERNPARTNER, email="partner@lokalis.example")
    AssignmentFactory(person=user, school=school, role=Role.BUURTTEAM, start_date=dt.date(2020, 8, 1))
    return user


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def move(meeting, starts_at, location=""):
    return services.meeting_update(
        meeting=meeting, starts_at=starts_at, ends_at=None, location=location, online_url=""
    )


def test_it_names_the_attachment_for_what_it_does(school, ib, partner, now):
    meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    sender.send_due()
    move(meeting, at(2026, 10, 27))
    sender.send_due()
    services.meeting_cancel(meeting=meeting)
    sender.send_due()

    names = [(m.attachments[0][0], m.attachments[0][2]) for m in mail.outbox if m.to == [ib.email]]
    assert names == [
        ("uitnodiging.ics", "text/calendar; method=REQUEST"),
        ("wijziging.ics", "text/calendar; method=REQUEST"),
        ("annulering.ics", "text/calendar; method=CANCEL"),
    ]
    cancellation = mail.outbox[-1]
    assert "annulering.ics" in cancellation.body
    assert "annulering.ics" in html_of(cancellation)
    assert "uitnodiging.ics" not in cancellation.body


def test_it_says_in_the_update_mail_what_the_time_was_and_is(school, ib, partner, now):
    meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    sender.send_due()
    mail.outbox.clear()

    move(meeting, at(2026, 10, 27, 13, 30))
    move(meeting, at(2026, 10, 28, 14, 0))  # before the first update went out: it is superseded
    assert sender.send_due() == 2

    message = mail.outbox[0]
    said = "Verplaatst van maandag 26 oktober 2026, 09:00 naar woensdag 28 oktober 2026, 14:00."
    assert said in message.body  # the time they were told, not the superseded 27 October
    assert said in html_of(message)
    assert "wijziging.ics" in message.body


def test_it_says_nothing_of_a_move_when_only_the_place_changed(school, ib, partner, now):
    meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    sender.send_due()
    mail.outbox.clear()

    move(meeting, at(2026, 10, 26), location="Aula")
    sender.send_due()

    assert "Aula" in mail.outbox[0].body
    assert "Verplaatst" not in mail.outbox[0].body
    assert "Verplaatst" not in html_of(mail.outbox[0])


@pytest.mark.parametrize(
    ("today", "starts_at", "in_subject"),
    [
        (NOW, at(2026, 10, 26), "maandag 26 oktober om 09:00"),  # this school year: no year
        (NOW, at(2027, 7, 12), "maandag 12 juli om 09:00"),  # still this school year (until 31 July)
        (NOW, at(2027, 9, 6), "maandag 6 september 2027 om 09:00"),  # the next one
        (at(2026, 7, 20, 10), at(2026, 8, 31), "maandag 31 augustus 2026 om 09:00"),  # after 1 August
    ],
)
def test_it_puts_the_year_in_the_subject_when_the_meeting_is_not_in_this_school_year(
    school, ib, partner, today, starts_at, in_subject
):
    with time_machine.travel(today, tick=False):
        meeting = services.meeting_schedule(school=school, starts_at=starts_at)
        sender.send_due()
        move(meeting, starts_at + dt.timedelta(hours=1))
        services.meeting_cancel(meeting=meeting)
        sender.send_due()

    [invitation, *_] = mail.outbox
    assert invitation.subject == f"Uitnodiging: KPO OBS De Zonnewijzer op {in_subject}"
    cancellation = mail.outbox[-1]
    assert cancellation.subject.startswith("Geannuleerd")
    year_shown = str(starts_at.year) in in_subject
    assert (str(starts_at.year) in cancellation.subject) == year_shown


def test_it_puts_the_year_in_reminder_and_nudge_subjects_across_the_turn_of_the_school_year(
    school, ib, partner
):
    from meetings import reminders

    with time_machine.travel(at(2026, 7, 13, 10), tick=False):
        services.meeting_schedule(school=school, starts_at=at(2026, 7, 30))  # in 2025-26
        services.meeting_schedule(school=school, starts_at=at(2026, 8, 3))  # in 2026-27
        sender.send_due()
    mail.outbox.clear()

    with time_machine.travel(at(2026, 7, 27, 9, 5), tick=False):  # still 2025-26
        reminders.plan_due()
        sender.send_due()
    [reminder] = {m.subject for m in mail.outbox}
    assert "maandag 3 augustus 2026 om 09:00" in reminder
    mail.outbox.clear()

    with time_machine.travel(at(2026, 8, 1, 9, 5), tick=False):  # 2026-27 began today
        reminders.plan_due()
        sender.send_due()
    [nudge] = {m.subject for m in mail.outbox}  # to the IB-er: log the meeting of 30 July
    assert "donderdag 30 juli 2026" in nudge
