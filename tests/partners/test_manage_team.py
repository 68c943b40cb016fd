import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from partners.models import Assignment, Role
from partners.selectors import teams_for_schools
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def team_url(school):
    return reverse("manage:school-team", args=[school.pk])


def test_it_lets_only_admins_see_and_change_a_team(client, school, partner, coordinator, admin_user):
    person = UserFactory()
    data = {"person": person.pk, "role": Role.JGZ, "start_date": TODAY().isoformat()}
    response = client.get(team_url(school))
    assert response["Location"].startswith(reverse("account_login"))
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.get(team_url(school)).status_code == 403
        assert client.post(team_url(school), data).status_code == 403
    assert not Assignment.objects.filter(person=person).exists()
    client.force_login(admin_user)
    assert client.get(team_url(school)).status_code == 200


def test_it_shows_the_six_slots_with_holders_stand_ins_history_and_future(
    client, admin_user, school, partner, ib
):
    today = TODAY()
    stand_in = AssignmentFactory(school=school, role=Role.BUURTTEAM, is_stand_in=True)
    earlier = AssignmentFactory(
        school=school,
        role=Role.BUURTTEAM,
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=101),
    )
    planned = AssignmentFactory(school=school, role=Role.JGZ, start_date=today + dt.timedelta(days=30))
    client.force_login(admin_user)
    response = client.get(team_url(school))
    slots = {slot.seat.role: slot for slot in response.context["slots"]}
    assert list(slots) == [
        Role.IB,
        Role.BUURTTEAM,
        Role.JGZ,
        Role.PASSEND_ONDERWIJS,
        Role.LEERPLICHT,
        Role.SCHOOLLEIDER,
    ]
    assert [row.assignment.person for row in slots[Role.BUURTTEAM].current] == [partner, stand_in.person]
    assert slots[Role.BUURTTEAM].past == [earlier]
    assert slots[Role.JGZ].future == [planned]
    assert slots[Role.JGZ].seat.is_vacant
    assert [row.assignment.person for row in slots[Role.IB].current] == [ib]
    body = response.content.decode()
    for a in (stand_in, earlier, planned):
        assert str(a.person) in body
    assert reverse("manage:assignment-end", args=[stand_in.pk]) in body


def test_it_adds_an_assignment(client, admin_user, school):
    person = UserFactory()
    client.force_login(admin_user)
    start = TODAY() + dt.timedelta(days=7)
    response = client.post(
        team_url(school),
        {"person": person.pk, "role": Role.JGZ, "start_date": start.isoformat(), "end_date": ""},
    )
    assert response["Location"] == team_url(school)
    assignment = Assignment.objects.get(person=person)
    assert (assignment.school, assignment.role, assignment.start_date, assignment.end_date) == (
        school,
        Role.JGZ,
        start,
        None,
    )
    assert not assignment.is_stand_in


def test_it_refuses_a_second_holder_and_keeps_what_was_typed(client, admin_user, school, partner):
    newcomer = UserFactory()
    client.force_login(admin_user)
    start = TODAY().isoformat()
    response = client.post(
        team_url(school),
        {"person": newcomer.pk, "role": Role.BUURTTEAM, "start_date": start, "end_date": "2099-12-31"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, code="overlap")
    assert str(partner) in form.non_field_errors()[0]  # the message names the current holder
    body = response.content.decode()
    assert f'value="{start}"' in body
    assert 'value="2099-12-31"' in body
    assert f'<option value="{newcomer.pk}" selected>' in body
    assert not Assignment.objects.filter(person=newcomer).exists()


def test_it_shows_a_refusal_of_the_service_above_the_form(client, admin_user, school, ib):
    client.force_login(admin_user)
    response = client.post(
        team_url(school), {"person": ib.pk, "role": Role.JGZ, "start_date": TODAY().isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, code="wrong_kind")
    assert response.context["form"].non_field_errors()[0] in response.content.decode()
    assert not Assignment.objects.filter(school=school, role=Role.JGZ).exists()


def test_it_adds_a_stand_in_next_to_the_holder(client, admin_user, school, partner):
    newcomer = UserFactory()
    client.force_login(admin_user)
    client.post(
        team_url(school),
        {
            "person": newcomer.pk,
            "role": Role.BUURTTEAM,
            "start_date": TODAY().isoformat(),
            "is_stand_in": "on",
        },
    )
    seat = teams_for_schools([school.pk])[school.pk].seats[1]
    assert seat.role == Role.BUURTTEAM
    assert [a.person for a in seat.holders] == [partner]
    assert [a.person for a in seat.stand_ins] == [newcomer]


def test_it_refuses_an_end_before_the_start_and_an_inactive_person(client, admin_user, school):
    blocked = UserFactory(is_active=False)
    client.force_login(admin_user)
    response = client.post(
        team_url(school),
        {"person": blocked.pk, "role": Role.JGZ, "start_date": "2026-05-01", "end_date": "2026-04-01"},
    )
    form = response.context["form"]
    assert form.has_error("person", code="invalid_choice")
    assert "end_date" in form.errors
    assert not Assignment.objects.filter(school=school, role=Role.JGZ).exists()


def test_it_ends_an_assignment(client, admin_user, school, partner):
    assignment = Assignment.objects.get(person=partner)
    end = TODAY() + dt.timedelta(days=10)
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:assignment-end", args=[assignment.pk]),
        {f"end-{assignment.pk}-end_date": end.isoformat()},
    )
    assert response["Location"] == team_url(school)
    assignment.refresh_from_db()
    assert assignment.end_date == end


def test_it_refuses_an_end_before_the_start_on_the_form_of_that_assignment(
    client, admin_user, school, partner
):
    assignment = Assignment.objects.get(person=partner)
    too_early = assignment.start_date - dt.timedelta(days=1)
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:assignment-end", args=[assignment.pk]),
        {f"end-{assignment.pk}-end_date": too_early.isoformat()},
    )
    assert response.status_code == 200
    rows = [row for slot in response.context["slots"] for row in slot.current]
    failing = next(row.end_form for row in rows if row.assignment.pk == assignment.pk)
    assert failing.has_error("end_date", code="end_before_start")
    assert f'value="{too_early.isoformat()}"' in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.end_date is None


def test_it_does_not_let_ending_extend_an_assignment(client, admin_user, school):
    ends = TODAY() + dt.timedelta(days=5)
    assignment = AssignmentFactory(school=school, role=Role.JGZ, end_date=ends)
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:assignment-end", args=[assignment.pk]),
        {f"end-{assignment.pk}-end_date": (ends + dt.timedelta(days=30)).isoformat()},
    )
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.end_date == ends


def test_it_ends_only_by_post_and_only_for_admins(client, admin_user, partner, coordinator, school):
    assignment = Assignment.objects.get(person=partner)
    url = reverse("manage:assignment-end", args=[assignment.pk])
    data = {f"end-{assignment.pk}-end_date": TODAY().isoformat()}
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.post(url, data).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 405
    assert client.post(reverse("manage:assignment-end", args=[999999]), data).status_code == 404
    assignment.refresh_from_db()
    assert assignment.end_date is None


def test_it_preselects_the_role_of_a_vacant_slot(client, admin_user, school):
    client.force_login(admin_user)
    response = client.get(team_url(school), {"role": Role.LEERPLICHT})
    assert response.context["form"]["role"].value() == Role.LEERPLICHT


@pytest.mark.parametrize("schools", [10, 300])
def test_it_keeps_the_team_page_queries_flat(
    client, django_assert_max_num_queries, admin_user, school, wijk, schools
):
    today = TODAY()
    for n in range(schools):
        # other schools in the wijk and a long history at this one
        SchoolFactory(wijk=wijk)
        AssignmentFactory(
            school=school,
            role=Role.JGZ,
            start_date=today - dt.timedelta(days=2 * n + 2),
            end_date=today - dt.timedelta(days=2 * n + 2),
        )
    for role in Role.values:
        AssignmentFactory(school=school, role=role)
    client.force_login(admin_user)
    client.get(team_url(school))  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, school with wijk and gemeente, today's team (teams_for_schools),
    # history and future, people for the person select, wijken for the move form,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(11):
        response = client.get(team_url(school))
    assert len(response.context["slots"][2].past) == schools
