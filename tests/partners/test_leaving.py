"""Leaving KPA (kpa.services.user_deactivate) as partners and meetings hear it (partners.receivers,
meetings.receivers): every seat the person holds today or later ends as of today, so the roster and the
school page show the vacancy the same day and offer it like any vacancy; a seat that had not started is
removed; history and other people's seats stay; planned meetings from today on no longer invite them, past
meetings keep them. The clock is pinned."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext

from kpa.models import UserKind
from kpa.services import user_deactivate
from meetings import services as meeting_services
from meetings.models import Attendance, Invitee, MeetingStatus
from partners.models import Assignment, Role
from partners.selectors import teams_for_schools
from tests.factories import AssignmentFactory, MeetingFactory, SchoolFactory, UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 4, 10)  # Wednesday 4 November 2026, 10:00 in Amsterdam
TODAY = NOW.date()
YESTERDAY = TODAY - dt.timedelta(days=1)
SINCE = dt.date(2024, 8, 1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def leaver(school, wijk):
    """Lies, kernpartner: buurtteam at `school` (since 2024), JGZ stand-in at a second school, a seat that
    starts today and one that starts next month, and a seat that ended in the summer."""
    lies = UserFactory(first_name="Lies", last_name="Vertrekt", email="lies@lokalis.example")
    second = SchoolFactory(wijk=wijk, name="CBS De Regenboog")
    third = SchoolFactory(wijk=wijk, name="OBS De Linde")
    fourth = SchoolFactory(wijk=wijk, name="KBS Het Anker")
    seats = {
        "held": AssignmentFactory(person=lies, school=school, role=Role.BUURTTEAM, start_date=SINCE),
        "stand_in": AssignmentFactory(
            person=lies, school=second, role=Role.JGZ, start_date=dt.date(2026, 9, 1), is_stand_in=True
        ),
        "today": AssignmentFactory(person=lies, school=fourth, role=Role.BUURTTEAM, start_date=TODAY),
        "future": AssignmentFactory(
            person=lies, school=third, role=Role.BUURTTEAM, start_date=dt.date(2026, 12, 1)
        ),
        "ended": AssignmentFactory(
            person=lies,
            school=third,
            role=Role.LEERPLICHT,
            start_date=dt.date(2025, 8, 1),
            end_date=dt.date(2026, 6, 30),
        ),
    }
    return {"person": lies, "schools": {"second": second, "third": third, "fourth": fourth}, **seats}


def test_it_shows_the_vacancy_in_the_team_the_same_day(school, ib, leaver):
    assert not teams_for_schools([school.pk])[school.pk].seats[1].is_vacant  # buurtteam: Lies, today

    user_deactivate(user=leaver["person"], by=None)

    team = teams_for_schools([school.pk])[school.pk]
    seat = next(s for s in team.seats if s.role == Role.BUURTTEAM)
    assert seat.is_vacant
    assert seat in team.vacancies
    assert not team.is_complete
    yesterday = teams_for_schools([school.pk], on=YESTERDAY)[school.pk]
    assert [a.person for a in next(s for s in yesterday.seats if s.role == Role.BUURTTEAM).holders] == [
        leaver["person"]
    ]  # history: she held it until yesterday


def test_it_shows_the_vacancy_on_the_roster_and_the_school_page_the_same_day(
    client, school, ib, coordinator, leaver
):
    for role in (Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT):
        AssignmentFactory(school=school, role=role, start_date=SINCE)
    client.force_login(ib)
    assert client.get(reverse("schools:detail", args=[school.pk])).context["team"].vacancies == []
    client.force_login(coordinator)
    filled = client.get(reverse("schools:list"), {"missing_role": Role.BUURTTEAM}).context["rows"]
    assert school.pk not in {row.school.pk for row in filled}  # the filter asked before she leaves

    user_deactivate(user=leaver["person"], by=None)

    rows = {row.school.pk: row for row in client.get(reverse("schools:list")).context["rows"]}
    buurtteam = next(c for c in rows[school.pk].cells if c.role == Role.BUURTTEAM)
    assert buurtteam.is_vacant
    # and the roster's filter says so too
    vacant = client.get(reverse("schools:list"), {"missing_role": Role.BUURTTEAM}).context["rows"]
    assert school.pk in {row.school.pk for row in vacant}

    client.force_login(ib)
    response = client.get(reverse("schools:detail", args=[school.pk]))
    body = response.content.decode()
    assert [s.role for s in response.context["team"].vacancies] == [Role.BUURTTEAM]
    assert gettext("Not every seat in the team is filled:") in body
    assert "Vertrekt" not in body  # her name is gone from today's team


def test_it_offers_the_vacant_seat_to_the_admin_like_any_vacancy(client, school, ib, admin_user, leaver):
    user_deactivate(user=leaver["person"], by=admin_user)

    client.force_login(admin_user)
    body = client.get(reverse("manage:school-team", args=[school.pk])).content.decode()
    assert f'href="?role={Role.BUURTTEAM}#add"' in body  # "Add someone as ..." for the vacant seat
    assert "Vertrekt" in body  # in the team's history, until yesterday


def test_it_ends_the_seats_held_and_removes_the_ones_not_started(school, leaver):
    others = {
        a.pk: (a.person_id, a.start_date, a.end_date)
        for a in [
            AssignmentFactory(school=school, role=Role.JGZ, start_date=SINCE),
            AssignmentFactory(school=leaver["schools"]["third"], role=Role.BUURTTEAM, end_date=TODAY),
            AssignmentFactory(
                school=leaver["schools"]["second"], role=Role.JGZ, start_date=dt.date(2027, 1, 1)
            ),
        ]
    }

    user_deactivate(user=leaver["person"], by=None)

    mine = {a.pk: a for a in Assignment.objects.filter(person=leaver["person"])}
    assert mine[leaver["held"].pk].end_date == YESTERDAY
    assert mine[leaver["stand_in"].pk].end_date == YESTERDAY
    assert leaver["today"].pk not in mine  # never held: removed
    assert leaver["future"].pk not in mine
    assert mine[leaver["ended"].pk].end_date == dt.date(2026, 6, 30)  # ended earlier: untouched
    assert len(mine) == 3
    assert {
        a.pk: (a.person_id, a.start_date, a.end_date) for a in Assignment.objects.filter(pk__in=others)
    } == others
    assert not Assignment.objects.active().filter(person=leaver["person"]).exists()
    assert not Assignment.objects.filter(person=leaver["person"], end_date__isnull=True).exists()


def test_it_ends_a_seat_that_was_to_end_today_or_later(school):
    lies = UserFactory()
    ending = AssignmentFactory(person=lies, school=school, start_date=SINCE, end_date=TODAY)
    later = AssignmentFactory(
        person=lies,
        school=SchoolFactory(),
        role=Role.JGZ,
        start_date=SINCE,
        end_date=dt.date(2027, 7, 31),
    )

    user_deactivate(user=lies, by=None)

    ending.refresh_from_db()
    later.refresh_from_db()
    assert (ending.end_date, later.end_date) == (YESTERDAY, YESTERDAY)


def test_it_ends_two_overlapping_seats_of_the_person_in_the_same_role(school):
    """Made before the one-holder rule (or by an import): assignment_end refuses to end either while the
    other overlaps it, yet both must end."""
    lies = UserFactory()
    first = AssignmentFactory(person=lies, school=school, start_date=SINCE)
    renewal = AssignmentFactory(person=lies, school=school, start_date=dt.date(2025, 8, 1))

    user_deactivate(user=lies, by=None)

    first.refresh_from_db()
    renewal.refresh_from_db()
    assert (first.end_date, renewal.end_date) == (YESTERDAY, YESTERDAY)
    assert teams_for_schools([school.pk])[school.pk].seats[1].is_vacant


def test_it_takes_them_off_planned_meetings_from_today_and_keeps_the_past(school, ib, leaver):
    lies = leaver["person"]
    third = leaver["schools"]["third"]
    later_today = meeting_services.meeting_schedule(school=school, starts_at=at(2026, 11, 4, 15))
    next_month = meeting_services.meeting_schedule(school=school, starts_at=at(2026, 12, 7, 9))
    stand_in_school = meeting_services.meeting_schedule(
        school=leaver["schools"]["second"], starts_at=at(2026, 11, 10, 9)
    )
    future_seat = meeting_services.meeting_schedule(school=third, starts_at=at(2026, 12, 14, 9))
    planned = [later_today, next_month, stand_in_school, future_seat]
    assert all(m.invitees.filter(person=lies).exists() for m in planned)
    held = MeetingFactory(school=school, starts_at=at(2026, 10, 28, 9), status=MeetingStatus.HELD)
    Invitee.objects.create(meeting=held, person=lies, role=Role.BUURTTEAM, attendance=Attendance.PRESENT)
    this_morning = MeetingFactory(school=school, starts_at=at(2026, 11, 4, 8, 30))
    Invitee.objects.create(meeting=this_morning, person=lies, role=Role.BUURTTEAM)

    user_deactivate(user=lies, by=None)

    assert not Invitee.objects.filter(meeting__in=planned, person=lies).exists()
    assert set(next_month.invitees.values_list("person_id", flat=True)) == {ib.pk}
    kept = Invitee.objects.get(meeting=held, person=lies)
    assert kept.attendance == Attendance.PRESENT  # history stays
    assert Invitee.objects.filter(meeting=this_morning, person=lies).exists()  # it has begun: history


def test_a_school_leader_leaving_leaves_the_ib_seat_alone(school, ib):
    leader = UserFactory(kind=UserKind.SCHOOL)
    seat = AssignmentFactory(person=leader, school=school, role=Role.SCHOOLLEIDER, start_date=SINCE)

    user_deactivate(user=leader, by=None)

    seat.refresh_from_db()
    assert seat.end_date == YESTERDAY
    assert Assignment.objects.active().get(school=school, role=Role.IB).person == ib


def test_a_leaver_gets_no_new_seat(school):
    from django.core.exceptions import ValidationError

    from kpa.services import user_deactivate
    from partners import services
    from partners.models import Role
    from tests.factories import UserFactory

    leaver = UserFactory()
    user_deactivate(user=leaver, by=None)
    with pytest.raises(ValidationError) as refused:
        services.assignment_create(person=leaver, school=school, role=Role.BUURTTEAM, start_date=TODAY)
    assert refused.value.code == "inactive"
