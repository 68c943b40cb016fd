"""The reminder rules (meetings.reminders.plan_due) and the checks at sending (sender.send_due):
7- and 1-day reminders at Amsterdam wall-clock time across DST, the IB-er's nudge to log, the weekly
digest of overdue agreements; never twice, never for a cancelled meeting or a moved meeting's old time,
never to someone no longer on the team."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from kpa.models import UserKind
from kpa.outbox import sender
from kpa.outbox.models import Notification
from meetings import reminders, services
from meetings.models import Agreement, AgreementStatus, NotificationKind
from partners.models import Role
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory
from tests.helpers import AMS, at

pytestmark = pytest.mark.django_db
SINCE = dt.date(2020, 8, 1)  # the team's assignments start long before every date these tests travel to


@pytest.fixture
def team(school):
    """The IB-er and two kernpartners of `school`, on the team since 2020."""
    people = {
        "ib": UserFactory(kind=UserKind.SCHOOL, email="ib@school.example"),
        "buurtteam": UserFactory(email="buurtteam@lokalis.example"),
        "jgz": UserFactory(email="jgz@ggd.example"),
    }
    for role, person in people.items():
        AssignmentFactory(person=person, school=school, role=role, start_date=SINCE)
    return people


def plan(school, starts_at, *, on, **kwargs):
    """Plan a meeting at the moment `on` (so created_at/rescheduled_at are then), invitations sent."""
    with time_machine.travel(on, tick=False):
        meeting = services.meeting_schedule(school=school, starts_at=starts_at, **kwargs)
        Notification.objects.filter(kind=NotificationKind.INVITATION).update(sent_at=on)
    return meeting


def sweep(now):
    """One beat run at `now`: plan, then send everything due."""
    with time_machine.travel(now, tick=False):
        planned = reminders.plan_due()
        sent = sender.send_due()
    return planned, sent


def reminder_rows(days=None):
    """The reminder rows, those `days` before the meeting when given (a field of the payload)."""
    rows = Notification.objects.filter(kind=NotificationKind.REMINDER).select_related("recipient")
    return rows.filter(payload__days=days) if days else rows


def recipients(rows):
    return sorted(row.recipient.email for row in rows)


TEAM_EMAILS = ["buurtteam@lokalis.example", "ib@school.example", "jgz@ggd.example"]


@pytest.mark.parametrize(
    ("starts_at", "week_before_utc_hours"),
    [
        # The clocks go back on 25 October 2026: a week before 09:00 CET is 09:00 CEST, 7 days + 1 hour.
        (at(2026, 10, 26), 7 * 24 + 1),
        # The clocks go forward on 28 March 2027: 7 days - 1 hour.
        (at(2027, 3, 29), 7 * 24 - 1),
    ],
)
def test_it_reminds_at_nine_amsterdam_time_a_week_and_a_day_before_across_dst(
    school, team, starts_at, week_before_utc_hours
):
    meeting = plan(school, starts_at, on=starts_at - dt.timedelta(days=40))
    week_before = dt.datetime.combine(starts_at.date() - dt.timedelta(days=7), dt.time(9), tzinfo=AMS)
    day_before = dt.datetime.combine(starts_at.date() - dt.timedelta(days=1), dt.time(9), tzinfo=AMS)
    # (Aware datetimes with the same tzinfo subtract as wall-clock times: compare in UTC.)
    assert starts_at.astimezone(dt.UTC) - week_before.astimezone(dt.UTC) == dt.timedelta(
        hours=week_before_utc_hours
    )

    sweep(week_before - dt.timedelta(minutes=1))
    assert not reminder_rows().exists()

    planned, sent = sweep(week_before)
    assert planned["reminders"] == 3
    assert sent == 3
    rows = reminder_rows(days=7)
    assert recipients(rows) == TEAM_EMAILS
    assert {row.due_at.astimezone(AMS) for row in rows} == {week_before}
    assert {row.due_at.astimezone(AMS).hour for row in rows} == {9}
    assert all(row.sent_at is not None for row in rows)
    assert {m.to[0] for m in mail.outbox} == set(TEAM_EMAILS)
    assert all(school.name in m.subject and "09:00" in m.subject for m in mail.outbox)
    assert f"/meetings/{meeting.pk}/" in mail.outbox[0].body

    sweep(day_before - dt.timedelta(minutes=1))
    assert not reminder_rows(days=1).exists()
    planned, sent = sweep(day_before)
    assert sent == 3
    assert {row.due_at.astimezone(AMS) for row in reminder_rows(days=1)} == {day_before}
    assert all("09:00" in m.subject for m in mail.outbox[3:])


def test_it_never_creates_or_sends_a_reminder_twice(school, team):
    starts_at = at(2026, 11, 30)
    plan(school, starts_at, on=at(2026, 10, 1))
    moment = at(2026, 11, 23)

    first, sent = sweep(moment)
    assert first["reminders"] == 3
    assert sent == 3
    again, sent_again = sweep(moment + dt.timedelta(minutes=1))
    assert again["reminders"] == 0  # the keys exist: nothing new
    assert sent_again == 0
    # Even if another sweep raced past the existence check, the unique key keeps one row per mail.
    reminders._create(
        [
            Notification(key=r.key, kind=r.kind, recipient=r.recipient, meeting=r.meeting, due_at=r.due_at)
            for r in reminder_rows()
        ]
    )
    assert reminder_rows().count() == 3
    assert sweep(moment + dt.timedelta(minutes=2))[1] == 0
    assert len(mail.outbox) == 3


def test_it_sends_no_reminder_for_a_cancelled_meeting(school, team):
    cancelled_early = plan(school, at(2026, 11, 30), on=at(2026, 10, 1))
    cancelled_late = plan(school, at(2026, 11, 30, 14), on=at(2026, 10, 1))
    with time_machine.travel(at(2026, 10, 2), tick=False):
        services.meeting_cancel(meeting=cancelled_early)

    with time_machine.travel(at(2026, 11, 23, 14), tick=False):
        reminders.plan_due()  # the late one's rows exist now, its cancellation comes before sending
        services.meeting_cancel(meeting=cancelled_late)
        Notification.objects.filter(kind=NotificationKind.CANCELLATION).update(sent_at=at(2026, 11, 23, 14))
        assert sender.send_due() == 0

    assert not reminder_rows().filter(meeting=cancelled_early).exists()
    late = reminder_rows().filter(meeting=cancelled_late)
    assert late.count() == 3
    assert all(r.sent_at is None and r.skip_reason == "The meeting is cancelled, not planned." for r in late)
    assert mail.outbox == []


def test_it_reminds_of_a_moved_meeting_only_at_its_new_time(school, team):
    meeting = plan(school, at(2026, 11, 30), on=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 23), tick=False):
        reminders.plan_due()  # the old time's week-before reminders are planned ...
        services.meeting_update(
            meeting=meeting, starts_at=at(2026, 12, 7), ends_at=None, location="", online_url=""
        )
        Notification.objects.filter(kind=NotificationKind.UPDATE).update(sent_at=at(2026, 11, 23))
        assert sender.send_due() == 0  # ... and never sent

    old = reminder_rows(days=7)
    assert old.count() == 3
    assert {r.skip_reason for r in old} == {"The meeting was moved; this reminder was for its old time."}

    # The old time's day-before moment comes and goes: nothing.
    planned, sent = sweep(at(2026, 11, 29))
    assert planned["reminders"] == 0
    assert sent == 0

    planned, sent = sweep(at(2026, 11, 30))  # a week before the new time
    assert sent == 3
    new = reminder_rows(days=7).filter(sent_at__isnull=False)
    assert all(meeting.uid.hex[:8] in r.key and "2026-12-07T08:00:00+00:00" in r.key for r in new)
    assert all("7 december" in m.subject for m in mail.outbox)


def test_it_skips_the_week_before_reminder_when_the_meeting_was_planned_within_the_week(school, team):
    plan(school, at(2026, 11, 30), on=at(2026, 11, 26))

    planned, _sent = sweep(at(2026, 11, 26, 12))
    assert planned["reminders"] == 0
    planned, sent = sweep(at(2026, 11, 29, 9))
    assert sent == 3
    assert set(reminder_rows().values_list("payload__days", flat=True)) == {1}


def test_it_reminds_only_people_on_the_team_today(school, team):
    meeting = plan(school, at(2026, 11, 30), on=at(2026, 10, 1))
    # The JGZ nurse left the team before the reminders were planned; the buurtteam worker's account was
    # closed after they were planned.
    team["jgz"].assignments.update(end_date=dt.date(2026, 11, 1))
    with time_machine.travel(at(2026, 11, 23), tick=False):
        assert reminders.plan_due()["reminders"] == 2
        team["buurtteam"].is_active = False
        team["buurtteam"].save()
        assert sender.send_due() == 1

    assert [m.to for m in mail.outbox] == [["ib@school.example"]]
    assert not reminder_rows().filter(recipient=team["jgz"]).exists()
    closed = reminder_rows().get(recipient=team["buurtteam"])
    assert closed.sent_at is None
    assert closed.skip_reason == "Recipient is no longer active."
    assert meeting.invitees.count() == 3


def test_it_skips_a_planned_reminder_when_the_person_has_left_the_team_since(school, team):
    plan(school, at(2026, 11, 30), on=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 23), tick=False):
        reminders.plan_due()
        team["jgz"].assignments.update(end_date=dt.date(2026, 11, 22))
        assert sender.send_due() == 2

    left = reminder_rows().get(recipient=team["jgz"])
    assert (left.sent_at, left.skip_reason) == (None, "No longer on the school's team.")


def test_it_nudges_the_ib_er_of_today_two_days_after_a_meeting_without_log(school, team):
    meeting = plan(school, at(2026, 11, 16, 14), on=at(2026, 10, 1))
    logged = plan(school, at(2026, 11, 16, 9), on=at(2026, 10, 1))
    cancelled = plan(school, at(2026, 11, 16, 11), on=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 16, 16), tick=False):
        services.meeting_log_save(
            meeting=logged,
            attendance={},
            minutes="",
            casework={},
            new_questions=[],
            new_agreements=[],
            complete=True,
        )
        services.meeting_cancel(meeting=cancelled)
        Notification.objects.update(sent_at=at(2026, 11, 16, 16))
    # A new IB-er took over on the day after the meeting.
    team["ib"].assignments.update(end_date=dt.date(2026, 11, 17))
    new_ib = UserFactory(kind=UserKind.SCHOOL, email="nieuwe.ib@school.example")
    AssignmentFactory(person=new_ib, school=school, role=Role.IB, start_date=dt.date(2026, 11, 18))

    planned, _sent = sweep(at(2026, 11, 18, 13, 59))
    assert planned["log_nudges"] == 0
    planned, sent = sweep(at(2026, 11, 18, 14))
    assert (planned["log_nudges"], sent) == (1, 1)
    planned, sent = sweep(at(2026, 11, 18, 15))
    assert (planned["log_nudges"], sent) == (0, 0)

    nudges = Notification.objects.filter(kind=NotificationKind.LOG_NUDGE)
    assert [(n.meeting_id, n.recipient.email) for n in nudges] == [(meeting.pk, "nieuwe.ib@school.example")]
    [message] = [m for m in mail.outbox if m.to == ["nieuwe.ib@school.example"]]
    assert f"/meetings/{meeting.pk}/log/" in message.body


def test_it_does_not_nudge_when_the_log_is_done_before_the_mail_goes_out(school, team):
    meeting = plan(school, at(2026, 11, 16, 14), on=at(2026, 10, 1))
    Notification.objects.update(sent_at=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 18, 14), tick=False):
        reminders.plan_due()
        services.meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="",
            casework={},
            new_questions=[],
            new_agreements=[],
            complete=True,
        )
        assert sender.send_due() == 0
    nudge = Notification.objects.get(kind=NotificationKind.LOG_NUDGE)
    assert nudge.skip_reason == "The meeting has been logged."


@pytest.fixture
def agreements(school, team):
    """Three overdue agreements of the IB-er (two schools), one of the JGZ nurse, one not yet due."""
    meeting = plan(school, at(2026, 10, 5), on=at(2026, 9, 1))
    other_school = SchoolFactory(name="KBS Het Kompas")
    AssignmentFactory(person=team["ib"], school=other_school, role=Role.IB, start_date=SINCE)
    other_meeting = plan(other_school, at(2026, 10, 6), on=at(2026, 9, 1))
    Notification.objects.update(sent_at=at(2026, 9, 1))

    def agreement(owner, due, *, on=meeting, text="Ouders uitnodigen voor het spreekuur"):
        return Agreement.objects.create(
            school=on.school, meeting=on, description=text, owner=owner, due_date=due
        )

    return [
        agreement(team["ib"], dt.date(2026, 11, 1), text="Leerplicht bellen over verzuim groep 5"),
        agreement(team["ib"], dt.date(2026, 11, 20), on=other_meeting, text="Folder JGZ bestellen"),
        agreement(team["ib"], dt.date(2026, 10, 20)),
        agreement(team["jgz"], dt.date(2026, 11, 22), text="Spreekuur plannen"),
        agreement(team["buurtteam"], dt.date(2026, 11, 23), text="Nog niet te laat"),
    ]


def test_it_sends_one_digest_per_owner_per_week_on_monday_at_eight(agreements, team):
    sunday, monday = at(2026, 11, 22, 20), at(2026, 11, 23, 8)  # Monday 23 November 2026
    assert sweep(sunday)[0]["overdue_digests"] == 0
    assert sweep(monday - dt.timedelta(minutes=1))[0]["overdue_digests"] == 0

    planned, sent = sweep(monday)
    assert (planned["overdue_digests"], sent) == (2, 2)
    assert sweep(monday + dt.timedelta(hours=3))[0]["overdue_digests"] == 0  # once a week

    digests = Notification.objects.filter(kind=NotificationKind.OVERDUE_DIGEST)
    assert sorted(d.key for d in digests) == sorted(
        [f"overdue_digest:2026-W48:{team['ib'].pk}", f"overdue_digest:2026-W48:{team['jgz'].pk}"]
    )
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {"ib@school.example", "jgz@ggd.example"}
    ib_mail = by_person["ib@school.example"]
    assert "3" in ib_mail.subject
    for text in ("Leerplicht bellen", "Folder JGZ bestellen", "Ouders uitnodigen", "KBS Het Kompas"):
        assert text in ib_mail.body
    assert "Nog niet te laat" not in ib_mail.body

    # The next Monday: a new week, a new digest for whoever is still overdue.
    Agreement.objects.filter(owner=team["jgz"]).update(status=AgreementStatus.DONE)
    planned, sent = sweep(at(2026, 11, 30, 8, 5))
    assert (planned["overdue_digests"], sent) == (2, 2)  # the IB-er, and the buurtteam worker now
    assert {m.to[0] for m in mail.outbox[2:]} == {"ib@school.example", "buurtteam@lokalis.example"}


def test_it_skips_the_digest_when_nothing_is_overdue_any_more_at_sending(agreements, team):
    with time_machine.travel(at(2026, 11, 23, 8), tick=False):
        reminders.plan_due()
        Agreement.objects.filter(owner=team["jgz"]).update(status=AgreementStatus.DONE)
        assert sender.send_due() == 1
    jgz = Notification.objects.get(kind=NotificationKind.OVERDUE_DIGEST, recipient=team["jgz"])
    assert jgz.skip_reason == "No overdue agreements any more."


def test_it_leaves_out_agreements_of_a_school_whose_team_the_owner_has_left(agreements, team):
    team["jgz"].assignments.update(end_date=dt.date(2026, 11, 1))
    planned, _sent = sweep(at(2026, 11, 23, 8))
    assert planned["overdue_digests"] == 1
    assert [m.to for m in mail.outbox] == [["ib@school.example"]]


def test_it_plans_in_a_fixed_number_of_queries(school, team, django_assert_max_num_queries):
    for day in range(1, 21):
        plan(school, at(2026, 11, 30, 8) + dt.timedelta(minutes=day), on=at(2026, 10, 1))
    # 1 meetings within the week, then per chunk of due meetings: 1 invitees, 1 team, 1 existing keys,
    # 1 insert; 1 meetings to nudge about; 1 digest owners (Monday 08:00 and after): 7 in all.
    with (
        time_machine.travel(at(2026, 11, 23, 8, 30), tick=False),
        django_assert_max_num_queries(7),
    ):
        assert reminders.plan_due()["reminders"] == 60


def test_it_reminds_on_the_days_the_settings_name(school, team, settings):
    settings.KPA_REMINDER_DAYS = (3,)
    plan(school, at(2026, 11, 30), on=at(2026, 10, 1))

    assert sweep(at(2026, 11, 23))[0]["reminders"] == 0
    planned, sent = sweep(at(2026, 11, 27))
    assert (planned["reminders"], sent) == (3, 3)
    assert set(reminder_rows().values_list("payload__days", flat=True)) == {3}
    assert all("27" not in m.subject and "30 november" in m.body for m in mail.outbox)


def test_it_still_reminds_when_the_meeting_was_saved_for_another_reason(school, team):
    """Found in review: a partial log (or any save) after the reminder's moment used to suppress it;
    only planning or moving the meeting does."""
    starts_at = at(2026, 11, 30)
    meeting = plan(school, starts_at, on=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 23, 9, 30), tick=False):  # after the week-before moment
        services.meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="Voorbereiding",
            casework={},
            new_questions=[],
            new_agreements=[],
        )
    planned, sent = sweep(at(2026, 11, 23, 9, 31))
    assert planned["reminders"] == 3
    assert sent == 3
