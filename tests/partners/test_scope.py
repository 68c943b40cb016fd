import datetime as dt

import pytest
from django.utils import timezone

from kpa.models import UserKind
from partners.models import Role
from partners.scope import people_visible_to, schools_visible_to, wijken_visible_to
from tests.factories import AssignmentFactory, GemeenteFactory, SchoolFactory, UserFactory, WijkFactory

pytestmark = pytest.mark.django_db


def test_it_shows_school_staff_and_partners_only_their_schools(school, other_school, ib, partner, outsider):
    assert list(schools_visible_to(ib)) == [school]
    assert list(schools_visible_to(partner)) == [school]
    assert list(schools_visible_to(outsider)) == [other_school]


def test_it_forgets_a_school_when_the_assignment_has_ended(school):
    user = UserFactory()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    AssignmentFactory(
        person=user, school=school, start_date=yesterday - dt.timedelta(days=30), end_date=yesterday
    )
    assert not schools_visible_to(user).exists()


def test_it_does_not_show_a_school_before_the_assignment_starts(school):
    user = UserFactory()
    AssignmentFactory(person=user, school=school, start_date=timezone.localdate() + dt.timedelta(days=1))
    assert not schools_visible_to(user).exists()


def test_it_shows_a_city_coordinator_the_whole_gemeente_only(school, other_school, coordinator):
    elsewhere = SchoolFactory(wijk=WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam")))
    visible = set(schools_visible_to(coordinator))
    assert visible == {school, other_school}
    assert elsewhere not in visible


def test_it_shows_a_wijk_coordinator_only_their_wijk(school, other_school, wijk_coordinator, other_wijk):
    assert list(schools_visible_to(wijk_coordinator)) == [other_school]
    assert list(wijken_visible_to(wijk_coordinator)) == [other_wijk]


def test_it_shows_an_admin_everything(school, other_school, admin_user):
    assert set(schools_visible_to(admin_user)) == {school, other_school}


def test_it_shows_nothing_to_a_deactivated_user(school, partner):
    partner.is_active = False
    partner.save()
    assert not schools_visible_to(partner).exists()


def test_it_shows_nothing_to_a_coordinator_without_a_gemeente(school):
    user = UserFactory(kind=UserKind.COORDINATOR)
    assert not schools_visible_to(user).exists()


def test_it_shows_contact_details_only_of_people_who_share_a_school(ib, partner, outsider):
    assert set(people_visible_to(partner)) == {ib, partner}
    assert outsider not in people_visible_to(ib)
    assert set(people_visible_to(outsider)) == {outsider}


def test_it_lets_a_coordinator_see_the_people_in_scope(ib, partner, outsider, wijk_coordinator):
    assert set(people_visible_to(wijk_coordinator)) == {outsider, wijk_coordinator}


def test_it_narrows_a_queryset_it_is_given(school, other_school, partner):
    from schools.models import School

    assert list(schools_visible_to(partner, School.objects.filter(pk__in=[school.pk, other_school.pk]))) == [
        school
    ]


def test_it_shows_wijken_of_the_schools_served(school, wijk, partner):
    assert list(wijken_visible_to(partner)) == [wijk]


def test_it_keeps_a_stand_in_in_scope(school):
    stand_in = UserFactory()
    AssignmentFactory(person=stand_in, school=school, role=Role.JGZ, is_stand_in=True)
    assert list(schools_visible_to(stand_in)) == [school]


def test_it_lets_only_the_ib_er_and_admins_edit_a_school(
    school, other_school, ib, partner, coordinator, admin_user
):
    from partners.scope import can_edit_school

    leader = UserFactory(kind=UserKind.SCHOOL)
    AssignmentFactory(person=leader, school=school, role=Role.SCHOOLLEIDER)
    assert can_edit_school(ib, school)
    assert not can_edit_school(ib, other_school)
    assert can_edit_school(admin_user, other_school)
    for reader in (leader, partner, coordinator):
        assert not can_edit_school(reader, school)


def test_a_seat_to_edit_puts_the_school_in_scope_for_all_but_coordinators(
    school, other_school, ib, admin_user, wijk_coordinator
):
    """seats_make_scope: for whom can_edit_school implies the school is in their scope (what
    meetings.selectors.get_meeting_to_log relies on to read a meeting by its key)."""
    from partners.scope import can_edit_school, seats_make_scope

    partner_as_ib = UserFactory(kind=UserKind.KERNPARTNER)
    AssignmentFactory(person=partner_as_ib, school=other_school, role=Role.IB)
    AssignmentFactory(person=wijk_coordinator, school=school, role=Role.IB)  # outside their wijk
    for user in (ib, partner_as_ib, admin_user, wijk_coordinator):
        editable = {s for s in (school, other_school) if can_edit_school(user, s)}
        if seats_make_scope(user):
            assert editable <= set(schools_visible_to(user)), user
    assert seats_make_scope(ib) and seats_make_scope(partner_as_ib) and seats_make_scope(admin_user)
    assert not seats_make_scope(wijk_coordinator)
    assert can_edit_school(wijk_coordinator, school) and school not in schools_visible_to(wijk_coordinator)
