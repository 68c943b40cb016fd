"""Planning screens: the meeting list, planning one meeting or a series, the meeting page, moving and
cancelling, and the KPO history on the school page. The owner is `ib` (IB-er of `school`), the colleague
`partner` (reads, may not plan), the outsider `outsider` (another school: sees nothing)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.messages import constants as message_levels
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kpa.outbox.models import Notification
from meetings import services
from meetings.models import (
    AgendaTemplate,
    Agreement,
    Attendance,
    CaseworkTheme,
    Meeting,
    MeetingStatus,
    NotificationKind,
)
from partners.models import Role
from schools.models import SchoolHoliday
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = "2026-09-01 10:00 +02:00"  # a Tuesday, early in the school year 2026-2027


@pytest.fixture(autouse=True)
def _pinned_now():
    """Every test runs on 1 September 2026, so dates in the future stay in the future."""
    with time_machine.travel(NOW, tick=False):
        yield


def local(year, month, day, hour=9, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))  # noqa: DTZ001


def plan_data(**overrides) -> dict[str, str]:
    data = {
        "date": "2026-09-15",
        "start_time": "09:00",
        "end_time": "",
        "location": "Teamkamer",
        "online_url": "",
        "interval_weeks": "6",
        "until": "2027-07-17",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def plan(client, school, **overrides):
    return client.post(reverse("meetings:plan", args=[school.pk]), plan_data(**overrides))


def planned_meeting(school, **kwargs) -> Meeting:
    defaults = {"starts_at": local(2026, 9, 22), "ends_at": local(2026, 9, 22, 10, 30), "location": "Aula"}
    return services.meeting_schedule(school=school, **{**defaults, **kwargs})


def message_levels_of(response) -> list[int]:
    return [m.level for m in response.context["messages"]] if response.context else []


# --- planning one meeting


def test_it_plans_one_meeting_and_invites_the_team_of_today(
    client, school, ib, partner, django_capture_on_commit_callbacks
):
    AgendaTemplate.objects.create(gemeente=school.gemeente, items="Opening\nCasuïstiekronde\nAfspraken")
    former = UserFactory()
    AssignmentFactory(
        person=former,
        school=school,
        role=Role.JGZ,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 8, 31),
    )
    client.force_login(ib)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = plan(client, school, online_url="https://meet.example.org/kpo")

    meeting = Meeting.objects.get(school=school)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert callbacks, "the mails are only kicked off once the transaction commits"
    assert timezone.localtime(meeting.starts_at) == local(2026, 9, 15, 9, 0)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=90)  # the default length
    assert (meeting.location, meeting.online_url, meeting.status) == (
        "Teamkamer",
        "https://meet.example.org/kpo",
        MeetingStatus.PLANNED,
    )
    assert meeting.created_by == ib
    invited = {(i.person, i.role) for i in meeting.invitees.all()}
    assert invited == {(ib, Role.IB), (partner, Role.BUURTTEAM)}  # not the one who left yesterday
    assert [i.title for i in meeting.agenda_items.order_by("position")] == [
        "Opening",
        "Casuïstiekronde",
        "Afspraken",
    ]
    invitations = Notification.objects.filter(meeting=meeting, kind=NotificationKind.INVITATION)
    assert {n.recipient for n in invitations} == {ib, partner}
    assert all(n.sent_at is None for n in invitations)  # queued; sending is the sweep's job

    body = client.get(response["Location"]).content.decode()
    assert "09:00–10:30" in body
    assert "Casuïstiekronde" in body
    assert partner.get_full_name() in body


def test_it_takes_the_times_as_amsterdam_time(client, school, ib):
    client.force_login(ib)
    plan(client, school, date="2026-12-01", start_time="14:00", end_time="15:15")
    meeting = Meeting.objects.get()
    assert meeting.starts_at == dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC)  # CET is UTC+1
    assert meeting.ends_at == dt.datetime(2026, 12, 1, 14, 15, tzinfo=dt.UTC)


def test_it_offers_every_six_weeks_until_the_end_of_the_school_year(client, school, ib):
    client.force_login(ib)
    form = client.get(reverse("meetings:plan", args=[school.pk])).context["form"]
    assert form["interval_weeks"].value() == 6
    assert form["until"].value() == dt.date(2027, 7, 17)
    assert not form["repeat"].value()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start_time": "10:00", "end_time": "09:30"}, "end_time"),
        ({"start_time": "10:00", "end_time": "10:00"}, "end_time"),
        ({"date": "2026-08-31"}, "date"),
        ({"date": "2026-09-01", "start_time": "09:59"}, "date"),
        ({"date": "31-31-2026"}, "date"),
        ({"start_time": "25:00"}, "start_time"),
        ({"online_url": "niet zomaar een link"}, "online_url"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"location": "Lokaal 3 (voor 123456782)"}, "location"),
        ({"location": "", "online_url": ""}, "location"),
        ({"repeat": "on", "until": "2026-09-01"}, "until"),
        ({"repeat": "on", "until": ""}, "until"),
        ({"repeat": "on", "interval_weeks": "0"}, "interval_weeks"),
        ({"repeat": "on", "interval_weeks": "x"}, "interval_weeks"),
        ({"repeat": "on", "confirm": "1", "interval_weeks": "1", "until": "2028-07-17"}, "until"),
    ],
)
def test_it_refuses_bad_plan_input_and_keeps_what_was_typed(client, school, ib, overrides, field):
    client.force_login(ib)
    response = plan(client, school, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert not response.context.get("preview")
    assert not Meeting.objects.exists()
    assert not Notification.objects.exists()
    for name, typed in plan_data(**overrides).items():
        if name in form.fields and name != "repeat":
            assert str(form[name].value()) == typed
    body = response.content.decode()
    assert "is-invalid" in body


def test_it_says_in_dutch_that_a_place_looks_like_a_bsn(client, school, ib):
    client.force_login(ib)
    response = plan(client, school, location="Lokaal 3 (voor 123456782)")
    assert "lijkt op een BSN" in response.content.decode()
    assert 'value="Lokaal 3 (voor 123456782)"' in response.content.decode()


# --- a series


@pytest.fixture
def autumn_holiday(school):
    school.holiday_region = "midden"
    school.save()
    SchoolHoliday.objects.create(
        region="midden",
        name="Herfstvakantie",
        start_date=dt.date(2026, 10, 17),
        end_date=dt.date(2026, 10, 25),
    )
    # Another region's holiday skips nothing here.
    SchoolHoliday.objects.create(
        region="noord", name="Herfstvakantie", start_date=dt.date(2026, 10, 31), end_date=dt.date(2026, 11, 8)
    )


SERIES = {"repeat": "on", "date": "2026-09-07", "interval_weeks": "2", "until": "2026-11-30"}


def test_it_previews_a_series_and_plans_exactly_what_it_showed(
    client, school, ib, partner, autumn_holiday, django_capture_on_commit_callbacks
):
    client.force_login(ib)
    preview = plan(client, school, **SERIES)

    assert preview.status_code == 200
    assert preview.context["preview"]
    assert not Meeting.objects.exists()  # a preview saves nothing
    shown = list(preview.context["planned"])
    assert [timezone.localtime(m).date() for m in shown] == [
        dt.date(2026, 9, 7),
        dt.date(2026, 9, 21),
        dt.date(2026, 10, 5),
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 30),
    ]
    assert [timezone.localtime(m).date() for m in preview.context["skipped"]] == [dt.date(2026, 10, 19)]
    body = preview.content.decode()
    assert "maandag 19 oktober 2026" in body  # the skipped date is shown
    assert 'name="confirm"' in body

    # Confirm with what the preview carries in its hidden fields, as the browser would.
    carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
    assert carried["location"] == "Teamkamer"
    assert carried["until"] == "2026-11-30"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("meetings:plan", args=[school.pk]), {**carried, "confirm": "1"})

    meetings = list(Meeting.objects.order_by("starts_at"))
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("meetings:detail", args=[meetings[0].pk])
    assert [m.starts_at for m in meetings] == shown
    assert len({m.series_id for m in meetings}) == 1
    assert meetings[0].series.interval_weeks == 2
    assert all(m.ends_at - m.starts_at == dt.timedelta(minutes=90) for m in meetings)
    # One invitation for the whole series per person of the team (ib, partner), not one per meeting.
    assert not Notification.objects.filter(kind=NotificationKind.INVITATION).exists()
    assert Notification.objects.filter(kind=NotificationKind.SERIES_INVITATION).count() == 2


def test_it_goes_back_from_the_preview_to_the_form_with_everything_kept(client, school, ib, autumn_holiday):
    client.force_login(ib)
    response = plan(client, school, **SERIES, location="Lokaal 12", edit="1")
    assert not response.context.get("preview")
    assert response.context["form"]["location"].value() == "Lokaal 12"
    assert response.context["form"]["until"].value() == "2026-11-30"
    assert not Meeting.objects.exists()


def test_it_keeps_nine_oclock_local_across_the_october_clock_change(client, school, ib):
    client.force_login(ib)
    series = {"repeat": "on", "date": "2026-10-19", "interval_weeks": "1", "until": "2026-11-02"}
    preview = plan(client, school, **series)
    assert [timezone.localtime(m).hour for m in preview.context["planned"]] == [9, 9, 9]

    plan(client, school, **series, confirm="1")

    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M") for m in meetings] == [
        "2026-10-19 09:00",
        "2026-10-26 09:00",
        "2026-11-02 09:00",
    ]
    # Summer time (UTC+2) before 25 October, winter time (UTC+1) after.
    assert [m.starts_at.astimezone(dt.UTC).hour for m in meetings] == [7, 8, 8]
    assert [timezone.localtime(m.ends_at).strftime("%H:%M") for m in meetings] == ["10:30"] * 3


# --- the meeting page


def test_it_shows_the_agenda_with_what_is_carried_over_and_the_log(client, school, ib, partner):
    earlier = planned_meeting(school, starts_at=local(2026, 9, 8), ends_at=local(2026, 9, 8, 10))
    invitee = earlier.invitees.get(person=partner)
    with time_machine.travel(earlier.starts_at + dt.timedelta(hours=2), tick=False):  # after the meeting
        services.meeting_log_save(
            meeting=earlier,
            attendance={invitee.pk: (Attendance.REPLACED, "Collega Lokalis")},
            minutes="Goed overleg.",
            casework={CaseworkTheme.BEHAVIOUR: 3},
            new_questions=["Hoe gaan we om met pesten op het plein?"],
            new_agreements=[
                services.AgreementInput("Ouderavond voorbereiden", partner, dt.date(2026, 10, 1))
            ],
            complete=True,
        )
    later = planned_meeting(school)
    client.force_login(partner)

    body = client.get(reverse("meetings:detail", args=[later.pk])).content.decode()
    assert "Ouderavond voorbereiden" in body  # an open agreement of an earlier meeting comes back
    assert "Hoe gaan we om met pesten op het plein?" in body  # and an unanswered collective question
    assert reverse("meetings:ics", args=[later.pk]) in body
    assert reverse("meetings:update", args=[later.pk]) not in body  # the partner reads, does not plan
    assert reverse("meetings:log", args=[later.pk]) not in body

    body = client.get(reverse("meetings:detail", args=[earlier.pk])).content.decode()
    assert "Goed overleg." in body
    assert "Collega Lokalis" in body
    assert str(CaseworkTheme.BEHAVIOUR.label) in body

    client.force_login(ib)
    body = client.get(reverse("meetings:detail", args=[later.pk])).content.decode()
    for name in ("meetings:update", "meetings:cancel", "meetings:log"):
        assert reverse(name, args=[later.pk]) in body


def test_it_names_the_ics_download_apart_from_the_agenda_and_links_the_agenda_for_the_ib(
    client, school, ib, partner
):
    """'Toevoegen aan agenda' right above the heading 'Agenda' read as adding an agenda item."""
    meeting = planned_meeting(school)
    agenda_link = f'href="{reverse("meetings:agenda-update", args=[meeting.pk])}"'
    client.force_login(ib)
    body = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "In je eigen agenda zetten (.ics)" in body
    assert "Toevoegen aan agenda" not in body
    assert agenda_link in body and "Agenda aanpassen" in body
    client.force_login(partner)  # reads the meeting, may not change its agenda
    body = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "In je eigen agenda zetten (.ics)" in body
    assert agenda_link not in body


# --- moving and cancelling


def test_it_moves_a_meeting_and_raises_the_sequence(
    client, school, ib, partner, django_capture_on_commit_callbacks
):
    meeting = planned_meeting(school)
    client.force_login(ib)
    form = client.get(reverse("meetings:update", args=[meeting.pk])).context["form"]
    assert form["start_time"].value().strftime("%H:%M") == "09:00"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:update", args=[meeting.pk]),
            {
                "date": "2026-09-29",
                "start_time": "13:00",
                "end_time": "14:00",
                "location": "Aula",
                "online_url": "https://meet.example.org/x",
            },
        )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert timezone.localtime(meeting.starts_at) == local(2026, 9, 29, 13)
    assert timezone.localtime(meeting.ends_at) == local(2026, 9, 29, 14)
    assert meeting.online_url == "https://meet.example.org/x"
    updates = Notification.objects.filter(meeting=meeting, kind=NotificationKind.UPDATE)
    assert {n.recipient for n in updates} == {ib, partner}


def test_it_changes_nothing_when_nothing_was_changed(client, school, ib):
    meeting = planned_meeting(school, starts_at=local(2026, 9, 22, 9) + dt.timedelta(seconds=17))
    client.force_login(ib)
    response = client.post(
        reverse("meetings:update", args=[meeting.pk]),
        {"date": "2026-09-22", "start_time": "09:00", "end_time": "10:30", "location": "Aula"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert not Notification.objects.filter(kind=NotificationKind.UPDATE).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": "08:00"}, "end_time"),
        ({"date": "2026-08-25"}, "date"),
        ({"online_url": "geen link"}, "online_url"),
        ({"location": "Gesprek over 111222333"}, "location"),
        ({"location": "", "online_url": ""}, "location"),
    ],
)
def test_it_refuses_bad_update_input_and_keeps_what_was_typed(client, school, ib, overrides, field):
    meeting = planned_meeting(school)
    client.force_login(ib)
    data = {"date": "2026-09-23", "start_time": "09:00", "end_time": "10:00", "location": "Aula", **overrides}
    response = client.post(reverse("meetings:update", args=[meeting.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert form["location"].value() == data["location"]
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert timezone.localtime(meeting.starts_at) == local(2026, 9, 22)


def test_it_cancels_a_meeting_after_asking(client, school, ib, partner, django_capture_on_commit_callbacks):
    meeting = planned_meeting(school)
    client.force_login(ib)
    page = client.get(reverse("meetings:cancel", args=[meeting.pk]))
    assert page.status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:cancel", args=[meeting.pk]))

    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    cancellations = Notification.objects.filter(meeting=meeting, kind=NotificationKind.CANCELLATION)
    assert {n.recipient for n in cancellations} == {ib, partner}


def test_it_refuses_to_change_or_cancel_a_cancelled_meeting(client, school, ib):
    meeting = services.meeting_cancel(meeting=planned_meeting(school))
    client.force_login(ib)
    for name in ("meetings:update", "meetings:cancel"):
        for method in (client.get, client.post):
            response = method(reverse(name, args=[meeting.pk]), follow=True)
            assert response.redirect_chain[-1][0] == reverse("meetings:detail", args=[meeting.pk])
            assert message_levels_of(response) == [message_levels.ERROR]
    client.post(
        reverse("meetings:update", args=[meeting.pk]),
        {"date": "2026-09-30", "start_time": "09:00", "location": "Aula"},
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1  # the cancellation's, nothing more
    assert timezone.localtime(meeting.starts_at) == local(2026, 9, 22)


def test_it_refuses_to_cancel_a_meeting_that_was_held(client, school, ib):
    meeting = planned_meeting(school)
    with time_machine.travel(meeting.starts_at + dt.timedelta(hours=2), tick=False):  # after the meeting
        services.meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="",
            casework={},
            new_questions=[],
            new_agreements=[],
            complete=True,
        )
    client.force_login(ib)
    response = client.post(reverse("meetings:cancel", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


# --- who may do what


def test_it_keeps_the_outsider_out(client, school, ib, outsider):
    meeting = planned_meeting(school)
    client.force_login(outsider)
    for name, args in [
        ("meetings:plan", [school.pk]),
        ("meetings:detail", [meeting.pk]),
        ("meetings:update", [meeting.pk]),
        ("meetings:cancel", [meeting.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
        if name != "meetings:detail":
            assert client.post(reverse(name, args=args), plan_data()).status_code == 404
    body = client.get(reverse("meetings:list")).content.decode()
    assert reverse("meetings:detail", args=[meeting.pk]) not in body
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_it_lets_a_partner_read_but_not_plan(client, school, ib, partner):
    meeting = planned_meeting(school)
    client.force_login(partner)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    for name, args in [
        ("meetings:plan", [school.pk]),
        ("meetings:update", [meeting.pk]),
        ("meetings:cancel", [meeting.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
        assert client.post(reverse(name, args=args), plan_data(date="2026-09-30")).status_code == 403
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence, Meeting.objects.count()) == (MeetingStatus.PLANNED, 0, 1)


def test_it_sends_anonymous_visitors_to_login(client, school, ib):
    meeting = planned_meeting(school)
    for name, args in [
        ("meetings:list", []),
        ("meetings:plan", [school.pk]),
        ("meetings:detail", [meeting.pk]),
        ("meetings:update", [meeting.pk]),
        ("meetings:cancel", [meeting.pk]),
    ]:
        response = client.post(reverse(name, args=args)) if args else client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- the list


def test_it_lists_the_next_meeting_first_and_the_last_ones_held(client, school, other_school, ib, partner):
    later = planned_meeting(school, starts_at=local(2026, 10, 6), ends_at=local(2026, 10, 6, 10))
    sooner = planned_meeting(school, starts_at=local(2026, 9, 8), ends_at=local(2026, 9, 8, 10))
    cancelled = services.meeting_cancel(
        meeting=planned_meeting(school, starts_at=local(2026, 9, 3), ends_at=local(2026, 9, 3, 10))
    )
    with time_machine.travel("2026-06-01 10:00 +02:00", tick=False):
        past = planned_meeting(school, starts_at=local(2026, 6, 10), ends_at=local(2026, 6, 10, 10))
    elsewhere = planned_meeting(other_school)
    client.force_login(ib)

    response = client.get(reverse("meetings:list"))

    assert list(response.context["page"]) == [sooner, later]
    assert response.context["recent"] == [past]
    body = response.content.decode()
    assert body.index(reverse("meetings:detail", args=[sooner.pk])) < body.index(
        reverse("meetings:detail", args=[later.pk])
    )
    assert reverse("meetings:detail", args=[cancelled.pk]) not in body
    assert reverse("meetings:detail", args=[elsewhere.pk]) not in body
    assert reverse("meetings:plan", args=[school.pk]) in body  # the IB-er plans from here

    client.force_login(partner)
    body = client.get(reverse("meetings:list")).content.decode()
    assert reverse("meetings:detail", args=[sooner.pk]) in body
    assert reverse("meetings:plan", args=[school.pk]) not in body


@pytest.mark.parametrize("schools", [5, 50])
def test_it_keeps_the_list_queries_flat(client, django_assert_max_num_queries, schools, wijk):
    user = UserFactory(kind="school")
    for n in range(schools):
        school = SchoolFactory(wijk=wijk)
        AssignmentFactory(person=user, school=school, role=Role.IB)
        Meeting.objects.create(school=school, starts_at=local(2026, 9, 10) + dt.timedelta(days=n))
        Meeting.objects.create(school=school, starts_at=local(2026, 8, 10) - dt.timedelta(days=n))
    client.force_login(user)
    client.get(reverse("meetings:list"))  # warm up: the first request of a session does one-off work
    # session, user, count of upcoming meetings, page of upcoming meetings (with school), recent
    # meetings (with school), the schools this IB-er may plan for, session save (savepoint, update,
    # release)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    assert len(response.context["plannable"]) == schools
    assert len(response.context["page"]) == min(schools, 50)


# --- the school page


def test_it_shows_the_kpo_history_and_open_agreements_on_the_school_page(client, school, ib, partner):
    with time_machine.travel("2026-06-01 10:00 +02:00", tick=False):
        logged = planned_meeting(school, starts_at=local(2026, 6, 3), ends_at=local(2026, 6, 3, 10))
        not_logged = planned_meeting(school, starts_at=local(2026, 6, 17), ends_at=local(2026, 6, 17, 10))
    with time_machine.travel(logged.starts_at + dt.timedelta(hours=2), tick=False):  # after the meeting
        services.meeting_log_save(
            meeting=logged,
            attendance={},
            minutes="",
            casework={},
            new_questions=[],
            new_agreements=[
                services.AgreementInput("Zorgroute op papier zetten", ib, dt.date(2026, 8, 1)),
                services.AgreementInput("Al gedaan", ib, dt.date(2026, 8, 1)),
            ],
            complete=True,
        )
    services.agreement_complete(agreement=logged.agreements.get(description="Al gedaan"))
    upcoming = planned_meeting(school)
    client.force_login(partner)

    response = client.get(reverse("schools:detail", args=[school.pk]))

    assert response.context["meeting_history"] == [not_logged, logged]
    assert response.context["upcoming_meetings"] == [upcoming]
    assert [a.description for a in response.context["open_agreements"]] == ["Zorgroute op papier zetten"]
    body = response.content.decode()
    assert reverse("meetings:detail", args=[logged.pk]) in body
    assert reverse("meetings:plan", args=[school.pk]) not in body  # a partner does not plan

    client.force_login(ib)
    body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert reverse("meetings:plan", args=[school.pk]) in body


# --- the date window (31-12-9999 once gave a 500: an OverflowError adding the duration)

WINDOW_ERROR = "Kies een datum tussen 1 augustus 2025 en 17 juli 2028."  # on 1 September 2026: the services
FORM_WINDOW_ERROR = "Kies een datum tussen vandaag en 17 juli 2028."  # the forms: a meeting is planned ahead


@pytest.mark.parametrize(
    "overrides",
    [
        {"date": "9999-12-31", "start_time": "23:59"},
        {"date": "9999-12-31", "start_time": "23:59", "end_time": "23:59"},
        {"date": "0001-01-01", "start_time": "00:00"},
        {"date": "2028-07-18"},  # a day past the end of the next school year
        {"date": "9999-12-31", "repeat": "on"},
        {"repeat": "on", "until": "9999-12-31"},
        {"repeat": "on", "confirm": "1", "until": "9999-12-31"},
        {"repeat": "on", "until": "2028-07-18"},
    ],
)
def test_it_refuses_a_date_outside_the_window_in_dutch_and_keeps_what_was_typed(
    client, school, ib, overrides
):
    client.force_login(ib)
    response = plan(client, school, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    field = "until" if "until" in overrides else "date"
    assert form.errors[field] == [FORM_WINDOW_ERROR]
    assert not Meeting.objects.exists()
    assert not Notification.objects.exists()
    for name, typed in plan_data(**overrides).items():
        if name in form.fields and name != "repeat":
            assert str(form[name].value()) == typed


@pytest.mark.parametrize("date", ["2026-08-31", "2025-08-01"])  # yesterday; the window's first day
def test_it_names_the_range_a_date_in_the_past_is_refused_for(client, school, ib, date):
    """The plan and move forms refuse a past date with one message naming the range that is allowed:
    from today (once it said 'tussen 1 augustus 2025 en …' and then refused 1 August 2025 all the same)."""
    client.force_login(ib)
    response = plan(client, school, date=date)
    assert response.context["form"].errors["date"] == [FORM_WINDOW_ERROR]
    meeting = planned_meeting(school)
    data = {"date": date, "start_time": "09:00", "end_time": "", "location": "Aula"}
    response = client.post(reverse("meetings:update", args=[meeting.pk]), data)
    assert response.context["form"].errors["date"] == [FORM_WINDOW_ERROR]
    assert Meeting.objects.get() == meeting


def test_it_plans_up_to_the_end_of_the_next_school_year(client, school, ib):
    client.force_login(ib)
    response = plan(client, school, date="2028-07-17", start_time="14:00")
    assert response.status_code == 302
    assert timezone.localtime(Meeting.objects.get().starts_at) == local(2028, 7, 17, 14)


@pytest.mark.parametrize(
    ("date", "start_time"), [("9999-12-31", "23:59"), ("2028-07-18", "09:00"), ("0001-01-01", "00:00")]
)
def test_it_refuses_to_move_a_meeting_outside_the_window(client, school, ib, date, start_time):
    meeting = planned_meeting(school)
    client.force_login(ib)
    data = {"date": date, "start_time": start_time, "end_time": "", "location": "Zaal 2"}
    response = client.post(reverse("meetings:update", args=[meeting.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["date"] == [FORM_WINDOW_ERROR]
    assert (form["date"].value(), form["location"].value()) == (date, "Zaal 2")
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.location) == (0, "Aula")


def test_it_lets_an_old_meeting_keep_its_date_when_its_place_changes(client, school, ib):
    """The window judges a new date only: a meeting from long ago keeps its own."""
    old = Meeting.objects.create(school=school, starts_at=local(2023, 3, 14), ends_at=local(2023, 3, 14, 10))
    client.force_login(ib)
    data = {"date": "2023-03-14", "start_time": "09:00", "end_time": "10:00", "location": "Archief"}
    response = client.post(reverse("meetings:update", args=[old.pk]), data)
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.location, old.starts_at) == ("Archief", local(2023, 3, 14))


@pytest.mark.parametrize(
    "starts_at",
    [
        timezone.make_aware(dt.datetime(9999, 12, 31, 23, 59)),  # noqa: DTZ001
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),  # Amsterdam is later: converting overflows
        dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.UTC),
        local(2028, 7, 18),
    ],
)
def test_it_guards_the_services_against_a_date_outside_the_window(school, ib, starts_at):
    """No path reaches the arithmetic: the services refuse what a form would have refused."""
    with pytest.raises(ValidationError) as refused:
        services.meeting_schedule(school=school, starts_at=starts_at, location="Aula")
    assert refused.value.message_dict == {"starts_at": [WINDOW_ERROR]}
    meeting = planned_meeting(school)
    with pytest.raises(ValidationError) as refused:
        services.meeting_update(
            meeting=meeting, starts_at=starts_at, ends_at=None, location="Aula", online_url=""
        )
    assert "starts_at" in refused.value.message_dict
    meeting.refresh_from_db()
    assert meeting.starts_at == local(2026, 9, 22)
    assert Meeting.objects.count() == 1


def test_it_guards_the_series_against_an_end_outside_the_window(school, ib):
    with pytest.raises(ValidationError) as refused:
        services.meeting_series_schedule(
            school=school,
            first_starts_at=local(2026, 9, 15),
            duration=dt.timedelta(hours=1),
            interval_weeks=6,
            until=dt.date(9999, 12, 31),
            location="Aula",
        )
    assert refused.value.message_dict == {"until": [WINDOW_ERROR]}
    assert not Meeting.objects.exists()


def test_it_guards_the_models_against_absurd_dates(school, ib):
    """full_clean refuses a time before 2000 or after the end of the next school year; the lower end
    never moves, so a meeting that was valid stays valid."""
    Meeting(school=school, starts_at=local(2003, 5, 6)).full_clean()
    for starts_at in (
        local(1999, 12, 31),
        local(2028, 7, 18),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
    ):
        with pytest.raises(ValidationError) as refused:
            Meeting(school=school, starts_at=starts_at).full_clean()
        assert "starts_at" in refused.value.message_dict
    meeting = planned_meeting(school)
    with pytest.raises(ValidationError) as refused:
        Agreement(
            school=school, meeting=meeting, description="x", owner=ib, due_date=dt.date(9999, 12, 31)
        ).full_clean()
    assert list(refused.value.message_dict) == ["due_date"]


# --- warnings the IB-er may overrule: another meeting of the school at that time


def test_it_warns_of_other_meetings_at_that_time_and_saves_only_when_told(client, school, ib):
    first = planned_meeting(school, starts_at=local(2026, 9, 15, 9), ends_at=local(2026, 9, 15, 10))
    second = planned_meeting(school, starts_at=local(2026, 9, 15, 9, 30), ends_at=None)  # 90 minutes
    client.force_login(ib)

    response = plan(
        client, school, date="2026-09-15", start_time="09:45", end_time="10:15", location="Zaal 2"
    )

    assert response.status_code == 200
    assert [str(w) for w in response.context["warnings"]] == [
        "Op dat moment staat er al een overleg op deze school: KPO, dinsdag 15 september 2026, 09:00–10:00.",
        "Op dat moment staat er al een overleg op deze school: KPO, dinsdag 15 september 2026, 09:30.",
    ]
    body = response.content.decode()
    assert 'name="save_anyway"' in body
    assert "Toch opslaan" in body
    form = response.context["form"]
    assert (form["start_time"].value(), form["location"].value()) == ("09:45", "Zaal 2")
    assert set(Meeting.objects.all()) == {first, second}  # nothing saved yet
    assert not Notification.objects.exclude(meeting__in=[first, second]).exists()

    response = client.post(
        reverse("meetings:plan", args=[school.pk]),
        plan_data(
            date="2026-09-15", start_time="09:45", end_time="10:15", location="Zaal 2", save_anyway="1"
        ),
    )
    assert response.status_code == 302
    assert Meeting.objects.count() == 3


@pytest.mark.parametrize(
    ("other", "cancelled"),
    [
        ((local(2026, 9, 15, 8), local(2026, 9, 15, 9)), False),  # ends as the new one starts
        ((local(2026, 9, 15, 10, 30), None), False),  # starts as the new one (90 minutes) ends
        ((local(2026, 9, 15, 9), local(2026, 9, 15, 10)), True),  # cancelled
    ],
)
def test_it_does_not_warn_of_meetings_that_do_not_overlap(client, school, ib, other, cancelled):
    meeting = planned_meeting(school, starts_at=other[0], ends_at=other[1])
    if cancelled:
        services.meeting_cancel(meeting=meeting)
    client.force_login(ib)
    response = plan(client, school, date="2026-09-15", start_time="09:00")
    assert response.status_code == 302
    assert Meeting.objects.count() == 2


def test_it_does_not_warn_of_another_school_s_meeting(client, school, other_school, ib):
    planned_meeting(other_school, starts_at=local(2026, 9, 15, 9), ends_at=local(2026, 9, 15, 10))
    client.force_login(ib)
    assert plan(client, school, date="2026-09-15", start_time="09:00").status_code == 302


def test_it_warns_when_a_meeting_is_moved_onto_another_and_not_when_only_its_place_changes(
    client, school, ib
):
    other = planned_meeting(school, starts_at=local(2026, 9, 29, 13), ends_at=local(2026, 9, 29, 14))
    meeting = planned_meeting(school)
    client.force_login(ib)
    url = reverse("meetings:update", args=[meeting.pk])
    data = {"date": "2026-09-29", "start_time": "13:30", "end_time": "14:30", "location": "Aula"}

    response = client.post(url, data)
    assert response.status_code == 200
    assert len(response.context["warnings"]) == 1
    assert "Toch opslaan" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.starts_at) == (0, local(2026, 9, 22))

    assert client.post(url, {**data, "save_anyway": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.starts_at) == (1, local(2026, 9, 29, 13, 30))

    # Already overlapping, now only the place changes: no warning again (and the meeting is not its
    # own clash).
    assert client.post(url, {**data, "location": "Zaal 2"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Zaal 2"
    other.refresh_from_db()
    assert other.sequence == 0


def test_it_marks_the_dates_of_a_series_that_clash(client, school, ib):
    planned_meeting(school, starts_at=local(2026, 10, 27, 9, 30), ends_at=local(2026, 10, 27, 11))
    client.force_login(ib)
    preview = plan(client, school, date="2026-09-15", repeat="on", interval_weeks="6", until="2026-12-01")
    assert preview.context["preview"]
    rows = preview.context["planned_rows"]
    assert [(timezone.localtime(moment).date(), len(clashes)) for moment, clashes in rows] == [
        (dt.date(2026, 9, 15), 0),
        (dt.date(2026, 10, 27), 1),
    ]
    assert preview.context["clash_count"] == 1
    body = preview.content.decode()
    assert "Op 1 datum staat er op dat moment al een overleg op deze school." in body
    assert Meeting.objects.count() == 1
