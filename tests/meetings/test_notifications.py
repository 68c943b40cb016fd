"""Sending meetings' mails through the outbox (kpa.outbox.sender.send_due): invitations, updates and
cancellations with their .ics, SMTP failures retried with backoff and nothing marked sent, the checks made
after the claim, a fixed number of queries per batch, the beat schedule, and saving a meeting at once while
the broker is down.
(Two senders at once, and real worker processes: test_worker.py.)"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import time

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from icalendar import Calendar

from kpa.celery import app
from kpa.models import UserKind
from kpa.outbox import sender
from kpa.outbox.models import Notification
from kpa.tasks import outbox_send_due_task, outbox_sweep_task
from meetings import reminders, services
from meetings.models import Meeting, NotificationKind
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import AMS, at

SINCE = dt.date(2020, 8, 1)
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=AMS)


@pytest.fixture
def team(school):
    people = {
        "ib": UserFactory(kind=UserKind.SCHOOL, email="ib@school.example"),
        "buurtteam": UserFactory(email="buurtteam@lokalis.example"),
    }
    for role, person in people.items():
        AssignmentFactory(person=person, school=school, role=role, start_date=SINCE)
    return people


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def calendar_of(message, filename="uitnodiging.ics") -> tuple[str, Calendar]:
    [(attached_as, content, mimetype)] = message.attachments
    assert attached_as == filename
    return mimetype, Calendar.from_ical(content)


@pytest.mark.django_db
def test_it_sends_the_invitation_with_the_calendar_attached(school, team, now):
    meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26), location="Teamkamer")

    assert sender.send_due() == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["buurtteam@lokalis.example", "ib@school.example"]
    message = mail.outbox[0]
    assert school.name in message.subject
    assert "Teamkamer" in message.body
    assert f"/meetings/{meeting.pk}/" in message.body
    mimetype, calendar = calendar_of(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(str(meeting.uid))
    assert int(event["SEQUENCE"]) == 0
    assert len(event["ATTENDEE"]) == 2
    raw = message.message().as_string()
    assert "text/calendar; method=REQUEST" in raw.replace('"', "")
    assert 'filename="uitnodiging.ics"' in raw
    rows = Notification.objects.filter(kind=NotificationKind.INVITATION)
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows)
    assert sender.send_due() == 0  # sent is sent


@pytest.mark.django_db
def test_it_sends_updates_and_cancellations_with_the_same_uid_and_a_higher_sequence(school, team, now):
    meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    sender.send_due()
    services.meeting_update(
        meeting=meeting, starts_at=at(2026, 10, 27), ends_at=None, location="", online_url=""
    )
    services.meeting_update(
        meeting=meeting, starts_at=at(2026, 10, 27, 10), ends_at=None, location="", online_url=""
    )

    assert sender.send_due() == 2  # only the latest change: the first one is superseded
    superseded = Notification.objects.filter(kind=NotificationKind.UPDATE, payload__sequence=1)
    assert {r.skip_reason for r in superseded} == {"Superseded by a later change of the meeting."}
    mimetype, calendar = calendar_of(mail.outbox[-1], "wijziging.ics")
    assert mimetype == "text/calendar; method=REQUEST"
    [event] = calendar.walk("VEVENT")
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == at(2026, 10, 27, 10)

    services.meeting_cancel(meeting=meeting)
    assert sender.send_due() == 2
    mimetype, calendar = calendar_of(mail.outbox[-1], "annulering.ics")
    assert mimetype == "text/calendar; method=CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (3, "CANCELLED")
    assert str(event["UID"]).startswith(str(meeting.uid))


@pytest.mark.django_db
def test_it_does_not_send_an_invitation_for_a_meeting_cancelled_before_it_went_out(school, team, now):
    meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    services.meeting_cancel(meeting=meeting)

    assert sender.send_due() == 2
    assert all(m.attachments[0][2] == "text/calendar; method=CANCEL" for m in mail.outbox)
    invitations = Notification.objects.filter(kind=NotificationKind.INVITATION)
    assert {r.skip_reason for r in invitations} == {"The meeting was cancelled."}


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db
def test_it_retries_an_smtp_failure_with_backoff_and_marks_nothing_sent(school, team, now, monkeypatch):
    services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    Notification.objects.filter(recipient=team["buurtteam"]).delete()
    row = Notification.objects.get()
    monkeypatch.setattr(EmailBackend, "send_messages", FailingBackend.send_messages)

    assert sender.send_due() == 0
    row.refresh_from_db()
    assert (row.sent_at, row.skipped_at, row.attempts) == (None, None, 1)
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert row.due_at == NOW + dt.timedelta(minutes=2)
    assert sender.send_due() == 0  # not due again yet
    assert Notification.objects.get().attempts == 1

    now.shift(dt.timedelta(minutes=2))
    assert sender.send_due() == 0
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.due_at == NOW + dt.timedelta(minutes=2 + 4)

    monkeypatch.undo()  # the SMTP server is back
    now.shift(dt.timedelta(minutes=4))
    assert sender.send_due() == 1
    assert sender.send_due() == 0
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (3, "")
    assert row.sent_at == NOW + dt.timedelta(minutes=6)
    assert [m.to for m in mail.outbox] == [["ib@school.example"]]


@pytest.mark.django_db
def test_it_gives_up_after_eight_failed_attempts(school, team, now, monkeypatch):
    services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    monkeypatch.setattr(EmailBackend, "send_messages", FailingBackend.send_messages)
    for _attempt in range(sender.MAX_ATTEMPTS):
        now.shift(dt.timedelta(days=1))
        sender.send_due()
    rows = Notification.objects.all()
    assert {(r.attempts, r.sent_at, r.skip_reason) for r in rows} == {
        (8, None, "Gave up after 8 failed attempts.")
    }
    assert all(r.skipped_at is not None for r in rows)


@pytest.fixture
def many_due_reminders(school):
    """40 due week-before reminders: one meeting, 40 people on the team (planned a month earlier)."""
    people = [UserFactory(email=f"lid{i:02d}@team.example") for i in range(40)]
    for person in people:
        AssignmentFactory(person=person, school=school, start_date=SINCE)
    with time_machine.travel(at(2026, 10, 1), tick=False):
        services.meeting_schedule(school=school, starts_at=at(2026, 11, 30))
    Notification.objects.update(sent_at=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 23), tick=False):
        assert reminders.plan_due()["reminders"] == 40
    return people


@pytest.mark.django_db
def test_it_sends_a_batch_in_a_bounded_number_of_queries(many_due_reminders, django_assert_num_queries):
    # One batch (the 40 fit in one): 1 claim of the due rows with their recipients (FOR UPDATE SKIP LOCKED
    # on PostgreSQL), then meetings' context: 1 meetings, 1 team today, 1 invitees; 1 mark as sent; the
    # batch's transaction is a savepoint and its release here (the test runs in a transaction): 7, whatever
    # the batch's size (a batch smaller than asked for means nothing more is due). Nothing per recipient
    # (tests/kpa/test_outbox.py: the same for 5 and for 50).
    with (
        time_machine.travel(at(2026, 11, 23, 9, 1), tick=False),
        django_assert_num_queries(7),
    ):
        assert sender.send_due() == 40
    assert len(mail.outbox) == 40


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


@pytest.fixture
def broker_down(monkeypatch):
    """Point the Celery app at a Redis on a port where nothing listens (as if Redis were down)."""
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{closed_port()}/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield
    if app._pool is not None:
        app._pool.force_close_all()


@pytest.mark.django_db
def test_it_saves_a_meeting_at_once_while_the_broker_is_down_and_sends_once_it_is_back(
    school, team, now, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting = services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    assert len(callbacks) == 1  # the kick to the sender ran, and failed quietly
    assert time.monotonic() - started < 5
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert Notification.objects.filter(sent_at=None).count() == 2
    assert mail.outbox == []

    # Redis is back: the next beat sweep sends what is due, once.
    assert sender.sweep()["sent"] == 2
    assert sender.sweep()["sent"] == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_it_checks_the_meeting_as_it_is_when_the_row_is_claimed(many_due_reminders, monkeypatch):
    """A move that lands after the batch is claimed and before it is checked is seen: the batch's context
    is read after the claim, not before."""
    real_render = sender._render

    def move_then_render(rows, now, skipped, failed):
        meeting = Meeting.objects.get()
        services.meeting_update(
            meeting=meeting, starts_at=at(2026, 12, 7), ends_at=None, location="", online_url=""
        )
        return real_render(rows, now, skipped, failed)

    monkeypatch.setattr(sender, "_render", move_then_render)
    with time_machine.travel(at(2026, 11, 23, 9, 1), tick=False):
        assert sender.send_due(limit=40) == 0
    reasons = set(
        Notification.objects.filter(kind=NotificationKind.REMINDER).values_list("skip_reason", flat=True)
    )
    assert reasons == {"The meeting was moved; this reminder was for its old time."}
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_sweeps_every_minute_from_beat(school, team, now):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == "kpa.outbox.sweep" and entry["task"] in app.tasks
    assert entry["schedule"] == dt.timedelta(minutes=1)
    assert entry["options"]["expires"] < 60  # a sweep that waited for a worker longer is dropped

    services.meeting_schedule(school=school, starts_at=at(2026, 10, 26))
    assert outbox_sweep_task() == {
        "reminders": 0,
        "log_nudges": 0,
        "overdue_digests": 0,
        "stale_digests": 0,  # the programme's planner (issue 12)
        "evaluation_rounds": 0,  # the evaluations' planner (issue 13): not on the evaluation moment
        "evaluation_prompts": 0,  # and its mails: no round open
        "evaluation_reminders": 0,
        "sent": 2,
    }
    assert outbox_send_due_task() == 0
