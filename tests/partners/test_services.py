import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Assignment, Role
from partners.selectors import teams_for_schools
from partners.services import (
    assignment_create,
    assignment_end,
    handover_apply,
    handover_plan,
    school_move_wijk,
    wijk_assign_person,
)
from tests.factories import AssignmentFactory, GemeenteFactory, SchoolFactory, UserFactory, WijkFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(settings):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False):
        yield


def test_it_creates_an_assignment(school):
    person = UserFactory()
    assignment = assignment_create(person=person, school=school, role=Role.JGZ, start_date=TODAY)
    assert assignment.pk
    assert teams_for_schools([school.pk])[school.pk].seats[2].holders == [assignment]


def test_it_refuses_a_second_holder_for_the_same_role_with_a_clear_message(school, partner):
    with pytest.raises(ValidationError) as error:
        assignment_create(person=UserFactory(), school=school, role=Role.BUURTTEAM, start_date=TODAY)
    assert error.value.code == "overlap"
    assert str(partner) in error.value.messages[0]
    assert Assignment.objects.filter(school=school, role=Role.BUURTTEAM).count() == 1


def test_it_refuses_an_overlap_in_the_future_too(school):
    AssignmentFactory(school=school, role=Role.JGZ, start_date=TODAY + dt.timedelta(days=60))
    with pytest.raises(ValidationError):
        assignment_create(
            person=UserFactory(),
            school=school,
            role=Role.JGZ,
            start_date=TODAY,
            end_date=TODAY + dt.timedelta(70),
        )


def test_it_accepts_a_successor_after_the_holder_ends(school, partner):
    assignment = partner.assignments.get()
    assignment_end(assignment=assignment, end_date=TODAY + dt.timedelta(days=10))
    successor = assignment_create(
        person=UserFactory(), school=school, role=Role.BUURTTEAM, start_date=TODAY + dt.timedelta(days=11)
    )
    assert successor.pk


def test_it_allows_a_stand_in_beside_the_holder(school, partner):
    stand_in = assignment_create(
        person=UserFactory(), school=school, role=Role.BUURTTEAM, start_date=TODAY, is_stand_in=True
    )
    seat = teams_for_schools([school.pk])[school.pk].seats[1]
    assert seat.stand_ins == [stand_in]


def test_it_lets_one_person_hold_several_roles_and_schools(school, other_school):
    person = UserFactory()
    assignment_create(person=person, school=school, role=Role.JGZ, start_date=TODAY)
    assignment_create(person=person, school=school, role=Role.LEERPLICHT, start_date=TODAY)
    assignment_create(person=person, school=other_school, role=Role.JGZ, start_date=TODAY)
    assert person.assignments.count() == 3


def test_it_refuses_an_end_before_the_start(partner):
    assignment = partner.assignments.get()
    with pytest.raises(ValidationError):
        assignment_end(assignment=assignment, end_date=assignment.start_date - dt.timedelta(days=1))


def test_it_plans_and_applies_a_handover_exactly_as_previewed(school, other_school):
    leaver, successor = UserFactory(), UserFactory()
    running = AssignmentFactory(person=leaver, school=school, role=Role.JGZ, start_date=dt.date(2024, 8, 1))
    future = AssignmentFactory(
        person=leaver, school=other_school, role=Role.JGZ, start_date=dt.date(2027, 1, 1)
    )
    ended = AssignmentFactory(
        person=leaver,
        school=other_school,
        role=Role.LEERPLICHT,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
    )
    on = dt.date(2026, 12, 1)
    preview = handover_plan(from_person=leaver, to_person=successor, on=on)
    applied = handover_apply(from_person=leaver, to_person=successor, on=on)
    assert preview == applied
    assert {(s.assignment_id, s.action) for s in applied} == {(running.pk, "split"), (future.pk, "move")}

    running.refresh_from_db()
    assert running.end_date == dt.date(2026, 11, 30)  # history stays: ended, not deleted
    new = Assignment.objects.get(person=successor, school=school)
    assert (new.role, new.start_date, new.end_date) == (Role.JGZ, on, None)
    future.refresh_from_db()
    assert future.person == successor
    ended.refresh_from_db()
    assert ended.person == leaver  # the past is not rewritten


def test_it_shows_the_successor_in_the_team_from_the_handover_date(school):
    leaver, successor = UserFactory(), UserFactory()
    AssignmentFactory(person=leaver, school=school, role=Role.JGZ, start_date=dt.date(2024, 8, 1))
    handover_apply(from_person=leaver, to_person=successor, on=TODAY)
    seat = teams_for_schools([school.pk])[school.pk].seats[2]
    assert [a.person for a in seat.holders] == [successor]
    before = teams_for_schools([school.pk], on=TODAY - dt.timedelta(days=1))[school.pk].seats[2]
    assert [a.person for a in before.holders] == [leaver]


def test_it_skips_a_school_where_the_successor_already_sits(school):
    leaver, successor = UserFactory(), UserFactory()
    AssignmentFactory(person=leaver, school=school, role=Role.JGZ, start_date=dt.date(2024, 8, 1))
    AssignmentFactory(person=successor, school=school, role=Role.JGZ, is_stand_in=True, start_date=TODAY)
    AssignmentFactory(
        person=leaver, school=school, role=Role.JGZ, is_stand_in=True, start_date=dt.date(2025, 1, 1)
    )
    steps = handover_apply(from_person=leaver, to_person=successor, on=TODAY + dt.timedelta(days=1))
    assert sorted(s.action for s in steps) == ["skip", "split"]
    assert not Assignment.objects.active(TODAY + dt.timedelta(days=1)).filter(person=leaver).exists()


def test_it_refuses_a_handover_to_oneself(partner):
    with pytest.raises(ValidationError):
        handover_plan(from_person=partner, to_person=partner, on=TODAY)


def test_it_moves_a_school_to_another_wijk_of_its_gemeente(school, other_wijk):
    school_move_wijk(school=school, wijk=other_wijk)
    school.refresh_from_db()
    assert school.wijk == other_wijk


def test_it_refuses_a_wijk_of_another_gemeente(school):
    elsewhere = WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam"))
    with pytest.raises(ValidationError):
        school_move_wijk(school=school, wijk=elsewhere)


def test_it_assigns_a_person_to_every_school_of_a_wijk_and_skips_taken_seats(wijk):
    schools = [SchoolFactory(wijk=wijk) for _ in range(3)]
    AssignmentFactory(school=schools[1], role=Role.LEERPLICHT)
    person = UserFactory()
    result = wijk_assign_person(wijk=wijk, person=person, role=Role.LEERPLICHT, start_date=TODAY)
    assert [a.school for a in result.created] == [schools[0], schools[2]]
    assert [s for s, _reason in result.skipped] == [schools[1]]
    assert result.skipped[0][1]


def test_it_records_assignment_changes_in_the_audit_trail(school, partner):
    from auditlog.models import LogEntry

    assignment = partner.assignments.get()
    assignment_end(assignment=assignment, end_date=timezone.localdate())
    entry = LogEntry.objects.get_for_object(assignment).order_by("-pk").first()
    assert entry.changes_dict["end_date"] == ["None", "2026-11-23"]


def test_it_seats_school_staff_only_in_school_roles_and_partners_only_in_partner_roles(school):
    from kpa.models import UserKind

    staff, partner = UserFactory(kind=UserKind.SCHOOL), UserFactory(kind=UserKind.KERNPARTNER)
    with pytest.raises(ValidationError) as error:
        assignment_create(person=staff, school=school, role=Role.JGZ, start_date=TODAY)
    assert error.value.code == "wrong_kind"
    with pytest.raises(ValidationError):
        assignment_create(person=partner, school=school, role=Role.IB, start_date=TODAY)
    assert assignment_create(person=staff, school=school, role=Role.IB, start_date=TODAY).pk
    assert not Assignment.objects.filter(role=Role.JGZ).exists()


def test_it_refuses_to_extend_an_assignment_into_the_next_holder(school):
    first = AssignmentFactory(
        school=school, role=Role.JGZ, start_date=TODAY, end_date=TODAY + dt.timedelta(10)
    )
    AssignmentFactory(school=school, role=Role.JGZ, start_date=TODAY + dt.timedelta(11))
    with pytest.raises(ValidationError) as error:
        assignment_end(assignment=first, end_date=TODAY + dt.timedelta(20))
    assert error.value.code == "overlap"
    first.refresh_from_db()
    assert first.end_date == TODAY + dt.timedelta(10)


def test_it_refuses_a_handover_to_someone_who_cannot_take_the_seat(school):
    from kpa.models import UserKind

    leaver = UserFactory(kind=UserKind.KERNPARTNER)
    AssignmentFactory(person=leaver, school=school, role=Role.JGZ)
    with pytest.raises(ValidationError) as error:
        handover_plan(from_person=leaver, to_person=UserFactory(kind=UserKind.SCHOOL), on=TODAY)
    assert error.value.code == "wrong_kind"


def test_it_keeps_the_seat_rules_in_the_django_admin(client, admin_user, school, partner):
    from django.urls import reverse

    client.force_login(admin_user)
    response = client.post(
        reverse("admin:partners_assignment_add"),
        {
            "person": UserFactory().pk,
            "school": school.pk,
            "role": Role.BUURTTEAM,  # partner holds it already
            "start_date": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert str(partner) in response.content.decode()
    assert Assignment.objects.filter(school=school, role=Role.BUURTTEAM).count() == 1


def test_it_hands_over_only_the_gap_when_the_successor_takes_the_seat_later(school):
    leaver, successor = UserFactory(), UserFactory()
    AssignmentFactory(person=leaver, school=school, role=Role.JGZ, start_date=dt.date(2024, 8, 1))
    AssignmentFactory(person=successor, school=school, role=Role.JGZ, start_date=dt.date(2027, 2, 1))
    on = dt.date(2026, 12, 1)
    preview = handover_plan(from_person=leaver, to_person=successor, on=on)
    assert [(s.action, s.new_start, s.new_end) for s in preview] == [("split", on, dt.date(2027, 1, 31))]
    assert handover_apply(from_person=leaver, to_person=successor, on=on) == preview
    for day in (on, dt.date(2027, 1, 31), dt.date(2027, 2, 1)):  # no day without a JGZ-er
        seat = teams_for_schools([school.pk], on=day)[school.pk].seats[2]
        assert [a.person for a in seat.holders] == [successor], day
