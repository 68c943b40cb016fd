"""The seat summaries behind the roster's filters (partners.seat_summary): the same answers as counting the
seats, kept by every write of a seat, counted anew on a new day, and never left stale by a write that
happens while they are being counted."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.urls import reverse

from partners import seat_summary
from partners.models import PARTNER_ROLES, Assignment, Role, SeatSummary
from partners.selectors import coverage_for_schools
from partners.services import assignment_end
from partners.tasks import seat_summaries_count_task
from schools.models import School
from tests.factories import AssignmentFactory, SchoolFactory, SeatSummaryFactory, UserFactory, random_seats

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
TEAM = seat_summary.TEAM_ROLES
LIST = reverse("schools:list")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def summarised(day=TODAY, **flags) -> set[int]:
    """The schools whose fresh summary has these flags."""
    found = School.objects.filter(seat_summary.fresh(day, prefix="seat_summary__"))
    return set(
        found.filter(**{f"seat_summary__{k}": v for k, v in flags.items()}).values_list("pk", flat=True)
    )


def test_it_answers_as_the_seats_do_for_any_team():
    """Forty schools with random seats around today (gaps, stand-ins, seats that end, follow on, start
    later): every flag of every summary is what coverage_for_schools says of the seats."""
    schools = [SchoolFactory() for _ in range(40)]
    random_seats(random.Random(15), schools, TEAM, around=TODAY)
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 40
    truth = coverage_for_schools([s.pk for s in schools], TEAM, on=TODAY)
    for role in TEAM:
        expected = {pk for pk, roles in truth.items() if roles[role].vacant_today}
        assert summarised(**{seat_summary.vacant_field(role): True}) == expected, role
    ending = {pk for pk, roles in truth.items() if any(roles[r].ends_on for r in PARTNER_ROLES)}
    assert summarised(partner_ending=True) == ending
    assert ending and len(ending) < 40  # the sample has both kinds


def test_it_counts_a_school_again_after_each_write_of_its_seats(school):
    seat_summary.summaries_ensure(School.objects.all())
    assert school.pk in summarised(jgz_vacant=True)
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 0  # fresh: nothing to count

    seat = AssignmentFactory(school=school, role=Role.JGZ)  # a save
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 1
    assert school.pk not in summarised(jgz_vacant=True)

    assignment_end(assignment=seat, end_date=TODAY + dt.timedelta(days=5))  # a service
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 1
    assert school.pk in summarised(partner_ending=True)

    Assignment.objects.filter(pk=seat.pk).delete()  # a queryset's delete
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 1
    assert school.pk in summarised(jgz_vacant=True)


def test_it_is_told_of_bulk_writes_by_seats_changed(school):
    seat_summary.summaries_ensure(School.objects.all())
    Assignment.objects.bulk_create(
        [Assignment(school=school, role=Role.JGZ, person=UserFactory(), start_date=TODAY)]
    )  # no signal: the summary cannot know
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 0
    seat_summary.seats_changed([school.pk])
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 1
    assert school.pk not in summarised(jgz_vacant=True)


def test_it_counts_every_school_again_on_a_new_day(clock, school, other_school):
    AssignmentFactory(school=school, role=Role.JGZ, start_date=TODAY - dt.timedelta(days=9), end_date=TODAY)
    seat_summary.summaries_ensure(School.objects.all())
    assert school.pk not in summarised(jgz_vacant=True)
    assert school.pk in summarised(partner_ending=True)

    clock.move_to(NOW + dt.timedelta(days=1))  # nobody wrote anything: the seat ended yesterday
    tomorrow = TODAY + dt.timedelta(days=1)
    assert summarised(day=tomorrow) == set()  # yesterday's summaries count for nothing
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 2
    assert school.pk in summarised(day=tomorrow, jgz_vacant=True)


def test_a_write_while_it_counts_leaves_no_stale_summary(school, monkeypatch):
    """The hardest case: a seat is written after the count read the school's version and before it read
    the seats. The count stores what it saw, at the version it read, and takes the day off: the row is
    not fresh, and the next read counts it again and finds the new seat."""
    count_seats = seat_summary.coverage_for_schools

    def seats_change_meanwhile(ids, roles, on):
        counted = count_seats(ids, roles, on=on)  # the count read the seats: JGZ vacant
        AssignmentFactory(school=school, role=Role.JGZ)  # and now somebody fills it
        return counted

    monkeypatch.setattr(seat_summary, "coverage_for_schools", seats_change_meanwhile)
    ensured = seat_summary.summaries_ensure(School.objects.all())
    monkeypatch.setattr(seat_summary, "coverage_for_schools", count_seats)
    assert ensured.left == [school.pk]  # the filters judge it from its seats (next test)

    row = SeatSummary.objects.get(school=school)
    assert row.jgz_vacant and row.computed_version != row.version  # what it saw, at the version it read
    assert row.day is None  # so not fresh
    assert summarised(jgz_vacant=True) == set()
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 1
    assert summarised(jgz_vacant=False) == {school.pk}


def test_it_asks_one_query_when_every_summary_is_fresh(django_assert_num_queries):
    for _ in range(30):
        SchoolFactory()
    seat_summary.summaries_ensure(School.objects.all())
    with django_assert_num_queries(1):  # the schools without a fresh summary: none
        assert seat_summary.summaries_ensure(School.objects.all()).counted == 0


def test_a_school_inserted_without_django_signals_is_counted_too(school):
    """A school written by a bulk insert (the DUO import's way: no save(), no signal) is counted and
    filtered like any other. On PostgreSQL the row the freshness check reads is made by the insert itself
    (partners migration 0006's trigger): without it this school would never be counted."""
    seat_summary.summaries_ensure(School.objects.all())
    (added,) = School.objects.bulk_create([SchoolFactory.build(wijk=school.wijk, gemeente=school.gemeente)])
    made = SeatSummary.objects.filter(school=added).first()
    if connection.vendor == "postgresql":
        assert (made.version, made.day) == (0, None)  # the row no write of a seat touched, not counted yet
    else:
        assert made is None  # no trigger: summaries_ensure finds the school without a row
    assert seat_summary.summaries_ensure(School.objects.all()) == (1, [])
    assert summarised(buurtteam_vacant=True) == {school.pk, added.pk}


def test_it_finds_the_rows_not_counted_today_from_the_index_on_day():
    """On PostgreSQL the freshness check reads the rows of another day through the index on `day`, not
    every school of the country (what made it take 3.7 ms of each filtered page at 10,000 schools)."""
    for _ in range(3):
        SchoolFactory()
    seat_summary.summaries_ensure(School.objects.all())
    query = seat_summary.not_fresh_query(School.objects.all(), TODAY)
    assert list(query) == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # three rows: the planner would read them all
        assert "seat_summary_day_idx" in query.explain()


def test_the_nightly_job_puts_back_a_row_deleted_by_hand(clock, school, other_school):
    """A summary row deleted by hand (no code deletes one; the trigger makes one per school): the day's
    checks on PostgreSQL find schools by their row, so the nightly job puts the row back and counts it."""
    seat_summaries_count_task()
    SeatSummary.objects.filter(school=school).delete()
    clock.move_to(NOW + dt.timedelta(days=1))
    assert seat_summaries_count_task() == 2
    assert summarised(day=TODAY + dt.timedelta(days=1), buurtteam_vacant=True) == {school.pk, other_school.pk}
    assert seat_summary.rows_ensure() == 0


def test_it_counts_in_a_fixed_number_of_queries(django_assert_num_queries):
    for _ in range(30):
        SeatSummaryFactory(day=TODAY - dt.timedelta(days=1))  # yesterday's
    # the stale ones, their versions (every row exists), their seats; in a savepoint (a transaction outside
    # the test's): the rows no writer holds, the upsert of the flags, the day taken off the rows written
    # since; the schools left not fresh
    with django_assert_num_queries(9):
        assert seat_summary.summaries_ensure(School.objects.all()).counted == 30


def test_the_nightly_job_counts_every_school_for_the_new_day(clock, school, other_school):
    assert seat_summaries_count_task() == 2
    assert summarised(buurtteam_vacant=True) == {school.pk, other_school.pk}
    clock.move_to(NOW + dt.timedelta(days=1))
    assert seat_summaries_count_task() == 2
    job = settings.CELERY_BEAT_SCHEDULE["partners-seat-summaries"]
    assert job["task"] == "partners.seat_summaries_count"
    assert (job["schedule"].hour, job["schedule"].minute) == ({0}, {1})


def test_the_roster_filters_with_summaries_a_write_made_fresh(client, coordinator, school, other_school):
    client.force_login(coordinator)
    for role in PARTNER_ROLES:
        AssignmentFactory(school=other_school, role=role)

    def listed(**params) -> set[int]:
        return {row.school.pk for row in client.get(LIST, params).context["rows"]}

    assert listed(gap="vacant") == {school.pk}
    assert listed(team="complete") == set()  # nobody has an IB-er
    for role in PARTNER_ROLES:
        AssignmentFactory(school=school, role=role, end_date=TODAY + dt.timedelta(days=3))
    assert listed(gap="vacant") == set()
    assert listed(gap="ending") == {school.pk}
    assert listed(missing_role=Role.IB) == {school.pk, other_school.pk}
    AssignmentFactory(school=other_school, role=Role.IB)
    assert listed(team="complete") == {other_school.pk}
    assert listed(team="incomplete") == {school.pk}


def test_a_seat_moved_to_another_school_in_the_django_admin_counts_both_again(
    client, admin_user, school, other_school
):
    seat = AssignmentFactory(school=school, role=Role.JGZ)
    seat_summary.summaries_ensure(School.objects.all())
    assert summarised(jgz_vacant=True) == {other_school.pk}
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:partners_assignment_change", args=[seat.pk]),
        {
            "person": seat.person_id,
            "school": other_school.pk,
            "role": Role.JGZ,
            "start_date": seat.start_date.isoformat(),
        },
    )
    assert response.status_code == 302
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 2
    assert summarised(jgz_vacant=True) == {school.pk}


def test_the_roster_judges_a_school_from_its_seats_while_its_summary_cannot_be_counted(
    client, coordinator, school, other_school, monkeypatch
):
    """A summary a writer holds (the count skips it), or one a seat was written to while it was counted,
    is not fresh after the count: the filters judge that school from its seats, never leave it out."""
    for role in PARTNER_ROLES:
        AssignmentFactory(school=other_school, role=role)
    monkeypatch.setattr(seat_summary, "_count", lambda ids, day: None)  # every row held by a writer
    client.force_login(coordinator)

    def listed(**params) -> set[int]:
        return {row.school.pk for row in client.get(LIST, params).context["rows"]}

    assert not SeatSummary.objects.filter(day__isnull=False).exists()  # none fresh
    assert listed(gap="vacant") == {school.pk}
    assert listed(missing_role=Role.JGZ) == {school.pk}
    assert listed(team="incomplete") == {school.pk, other_school.pk}
    assert listed(team="complete") == set()
    AssignmentFactory(school=school, role=Role.JGZ, end_date=TODAY + dt.timedelta(days=2))
    assert listed(gap="ending") == {school.pk}
