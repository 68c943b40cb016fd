"""seed_scale: the national-scale data set of the load bench, built at small scale on the test database."""

import itertools
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Count
from django.utils import timezone

from demo.scale import clear
from kpa.models import User, UserKind
from meetings.models import Agreement, CollectiveQuestion, Meeting, MeetingStatus
from partners.models import PARTNER_ROLES, Assignment, Role
from schools.models import Gemeente, School
from schools.years import school_year_start

pytestmark = pytest.mark.django_db

# Whatever --schools is (up to 1,000), 54 on SQLite: the savepoint pair of the command's transaction, 1
# "schools exist?", 6 max(pk) lookups and 1 for the six programme tables together (rows are numbered in
# Python), 1 read of the action lines no programme holds, one executemany() per table written (gemeente,
# wijk, school, organisation, user, assignment, meeting, invitee, casework count, collective question,
# agreement, agenda item, programme, action line, speerpunt, activity, its wijken, progress update,
# indicator, measured value: 20) and the authenticators' bulk insert; then the evaluations
# (demo.scale.evaluations: 11): the default questionnaire and its items, the active schools, the answering
# seats, the gemeenten with their moments, 2 max(pk), and round, its schools, response, answer. PostgreSQL
# adds a sequence reset per numbered table (14), ANALYZE, and for the answers 7: their foreign keys read,
# the pending checks run (SET CONSTRAINTS twice), both keys dropped and added again. Then the roster's seat
# summaries counted (partners.seat_summary, 11 per 1,000 schools): the stale ones, their versions, the
# missing rows inserted and their versions, the seats, the savepoint pair, the rows no writer holds, the
# upsert, the day taken off rows written since, the schools left. A row-by-row insert anywhere would cost
# hundreds of queries at 30 schools and twice that at 60.
QUERY_BUDGET = 76


@pytest.fixture(autouse=True)
def _empty_database(db):
    """Start from no schools: the file-based test database may hold rows that an interrupted run of the
    live-server browser tests committed (they flush only when a test ends). Emptied inside this test's
    transaction, so it is rolled back afterwards."""
    clear()


def seed(schools=30, **options) -> str:
    out = StringIO()
    call_command("seed_scale", schools=schools, stdout=out, **options)
    return out.getvalue()


def test_it_builds_the_shape_of_the_country():
    output = seed(30)
    assert "Built a data set of 30 schools" in output
    assert School.objects.count() == 30
    sectors = dict(School.objects.values_list("sector").annotate(n=Count("pk")))
    assert sectors["PO"] > sectors.get("VO", 0) > 0 or sectors["PO"] > 20
    assert not School.objects.filter(wijk__isnull=True).exists()
    utrecht = Gemeente.objects.get(code="0344")
    assert utrecht.wijken.count() == 10
    # Every school has its team seats: an IB-er and a school leader, and every kernpartner role (some are
    # vacant today on purpose, but each seat had someone at some point).
    seats = set(Assignment.objects.values_list("school_id", "role"))
    for school_id in School.objects.values_list("pk", flat=True):
        assert {(school_id, role) for role in (*PARTNER_ROLES, Role.IB, Role.SCHOOLLEIDER)} <= seats
    assert Assignment.objects.filter(end_date__lt=timezone.localdate()).exists()  # history
    assert Assignment.objects.filter(is_stand_in=True).exists()
    # Five school years of meetings, upcoming ones planned this school year, some agreements overdue.
    years = {
        school_year_start(timezone.localdate(m)) for m in Meeting.objects.values_list("starts_at", flat=True)
    }
    assert len(years) == 5
    assert Meeting.objects.upcoming().exists()
    assert Meeting.objects.filter(status=MeetingStatus.HELD, logged_at__isnull=False).exists()
    assert Agreement.objects.overdue().exists()
    assert User.objects.filter(kind=UserKind.COORDINATOR).exists()
    assert "coordinator.0344@gemeente.example" in output


def test_its_free_text_never_looks_like_pupil_data():
    seed(30)
    texts = list(Meeting.objects.values_list("minutes", flat=True))
    texts += list(CollectiveQuestion.objects.values_list("text", flat=True))
    texts += list(Agreement.objects.values_list("description", flat=True))
    assert texts
    assert not any(re.search(r"\d{8,}", text) for text in texts)


def test_it_refuses_a_database_that_holds_schools_unless_flushed():
    seed(30)
    with pytest.raises(CommandError, match="already holds schools"):
        seed(30)
    seed(20, flush=True)
    assert School.objects.count() == 20


def test_every_seat_has_one_holder_at_a_time():
    seed(30)
    periods: dict = {}
    for a in Assignment.objects.filter(is_stand_in=False).order_by("start_date"):
        periods.setdefault((a.school_id, a.role), []).append(a)
    for seat in periods.values():
        for before, after in itertools.pairwise(seat):
            assert before.end_date is not None and before.end_date < after.start_date
    partner_kinds = set(
        Assignment.objects.filter(role__in=PARTNER_ROLES).values_list("person__kind", flat=True).distinct()
    )
    assert partner_kinds == {UserKind.KERNPARTNER}


@pytest.mark.parametrize("schools", [30, 60])
def test_its_queries_do_not_grow_with_the_schools(schools, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERY_BUDGET):
        seed(schools)
    assert School.objects.count() == schools


def test_it_builds_a_programme_per_gemeente_with_activities_and_updates():
    """Every gemeente with primary schools (and Utrecht) gets a PO programme with the five lines of seed
    000 and their speerpunten; each line a few activities with a trekker of the gemeente, city-wide or in
    one of its wijken; activities under way have updates, an indicator and measured values. Agreements
    and collective questions name only a line of their own school's programme."""
    from programme import seed as programme_seed
    from programme.models import ActionLine, Activity, IndicatorValue, Programme, ProgressUpdate

    seed(30)
    programmes = Programme.objects.select_related("gemeente")
    with_po = set(School.objects.filter(sector="PO").values_list("gemeente_id", flat=True))
    assert {p.gemeente_id for p in programmes} == with_po | {Gemeente.objects.get(code="0344").pk}
    titles = [(line.number, line.title) for line in programme_seed.ACTION_LINES]
    for programme in programmes:
        assert (programme.sector, programme.title) == ("PO", programme_seed.PROGRAMME_TITLE)
        lines = list(programme.lines.order_by("number").prefetch_related("speerpunten"))
        assert [(line.number, line.title) for line in lines] == titles
        for line, seed_line in zip(lines, programme_seed.ACTION_LINES, strict=True):
            assert [s.text for s in line.speerpunten.order_by("order")] == list(seed_line.speerpunten)
            activities = list(line.activities.select_related("trekker").prefetch_related("wijken"))
            assert len(activities) >= 1
            for activity in activities:
                assert activity.trekker.gemeente_id == programme.gemeente_id
                assert activity.citywide or [w.gemeente_id for w in activity.wijken.all()] == [
                    programme.gemeente_id
                ]
                assert activity.speerpunt.line_id == line.pk
    utrecht = programmes.get(gemeente__code="0344")
    assert Activity.objects.filter(line__programme=utrecht).count() >= 5 * 4
    assert not ActionLine.objects.filter(programme=None).exists()
    # Progress: updates with all three lights and some successes, measured values on updates.
    assert set(ProgressUpdate.objects.values_list("light", flat=True)) == {"green", "orange", "red"}
    assert ProgressUpdate.objects.filter(is_success=True).exists()
    assert IndicatorValue.objects.filter(update__isnull=False).exists()
    assert not ProgressUpdate.objects.exclude(date__gte=models.F("activity__starts_on")).exists()
    assert not any(re.search(r"\d{8,}", t) for t in ProgressUpdate.objects.values_list("text", flat=True))
    # A line on an agreement or a question is one of its school's gemeente and sector.
    for model in (Agreement, CollectiveQuestion):
        named = model.objects.exclude(action_line=None)
        assert named.exists()
        assert not named.exclude(
            action_line__programme__gemeente=models.F("school__gemeente"),
            action_line__programme__sector=models.F("school__sector"),
        ).exists()
    assert CollectiveQuestion.objects.exclude(theme="").exists()
