"""seed_scale's process evaluations (demo.scale.evaluations, issue 13): five school years of automatic rounds
per gemeente, answered by the team seats of their day, scores 1-5; built at small scale on the test
database with the clock pinned, so the school years are the same on any date."""

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, F, Q

from demo.scale import clear
from demo.scale.evaluations import CORE_ITEMS, FULL_HISTORY_EVERY
from evaluations.models import Answer, Response, Round
from evaluations.selectors import RESPONDENT_ROLES
from evaluations.services import default_version, open_due_rounds
from partners.models import Assignment
from schools.models import Gemeente, School
from tests.helpers import AMS, at

pytestmark = pytest.mark.django_db

AFTER_THE_ROUND = at(2027, 3, 15, 12)  # school year 2026-2027, its round (1-28 October) closed
BEFORE_THE_MOMENT = at(2026, 9, 20, 12)  # school year 2026-2027, its round not open yet
DURING_THE_ROUND = at(2026, 10, 10, 12)


@pytest.fixture(autouse=True)
def _empty_database(db, settings):
    """No schools to start from (see tests/demo/test_seed_scale.py), and the default evaluation moment
    whatever the environment says."""
    settings.KPA_EVALUATION_MOMENT, settings.KPA_EVALUATION_WEEKS = "10-01", 4
    clear()


def seed(now, schools=60):
    with time_machine.travel(now, tick=False):
        call_command("seed_scale", schools=schools, stdout=StringIO())


def test_it_makes_five_school_years_of_rounds_per_gemeente_answered_by_the_seats_of_their_day():
    seed(AFTER_THE_ROUND)
    gemeenten = list(Gemeente.objects.order_by("pk"))
    assert len(gemeenten) == 2  # Utrecht and one other at 60 schools
    version = default_version()
    for gemeente in gemeenten:
        rounds = Round.objects.filter(gemeente=gemeente).order_by("school_year")
        assert [r.school_year for r in rounds] == [2022, 2023, 2024, 2025, 2026]
        for round_ in rounds:
            assert round_.automatic and round_.version == version
            assert (round_.opens_on, round_.closes_on) == (
                dt.date(round_.school_year, 10, 1),
                dt.date(round_.school_year, 10, 28),
            )
            assert set(round_.schools.values_list("pk", flat=True)) == set(
                School.objects.filter(gemeente=gemeente, is_active=True).values_list("pk", flat=True)
            )
            assert Response.objects.filter(round=round_).exists()

    # Every response is of a person who held that seat (role, school, not standing in) on the day they
    # answered, within the round.
    responses = list(Response.objects.select_related("round"))
    seats = {}
    for seat in Assignment.objects.filter(is_stand_in=False):
        seats.setdefault((seat.person_id, seat.school_id, seat.role), []).append(seat)
    for response in responses:
        day = response.updated_at.astimezone(AMS).date()
        assert response.round.opens_on <= day <= response.round.closes_on
        assert response.role in RESPONDENT_ROLES
        held = seats.get((response.respondent_id, response.school_id, response.role), [])
        assert any(s.start_date <= day and (s.end_date is None or day <= s.end_date) for s in held), response
        if response.submitted_at is not None:
            assert response.submitted_at == response.updated_at
    assert len({(r.round_id, r.school_id, r.respondent_id) for r in responses}) == len(responses)
    # Not every seat answers (60-80% a round), and not every answer was sent.
    asked = Round.schools.through.objects.count() * len(RESPONDENT_ROLES)
    assert 0.5 < len(responses) / asked < 0.85
    assert 0 < sum(r.submitted_at is None for r in responses) < len(responses) * 0.15


def test_its_answers_are_scores_1_to_5_weet_niet_or_plain_open_text():
    seed(AFTER_THE_ROUND)
    answers = Answer.objects.all()
    assert not answers.filter(score__isnull=False).exclude(score__gte=1, score__lte=5).exists()
    assert not answers.filter(score__isnull=False, unknown=True).exists()
    scores = dict(answers.filter(score__isnull=False).values_list("score").annotate(n=Count("pk")))
    assert set(scores) == {1, 2, 3, 4, 5}  # a spread, not one value
    assert answers.filter(unknown=True).exists()
    # Statements get a score or "weet niet", open questions a text, and only from the role they ask.
    assert not answers.filter(item__kind="statement", score__isnull=True, unknown=False).exists()
    assert (
        not answers.filter(item__kind="open")
        .exclude(text="")
        .filter(Q(score__isnull=False) | Q(unknown=True))
        .exists()
    )
    texts = list(answers.exclude(text="").values_list("text", flat=True))
    assert texts
    assert not any(re.search(r"\d", text) for text in texts)  # nothing like a BSN or a phone number
    assert not answers.exclude(item__version=F("response__round__version")).exists()
    for item_id, roles in default_version().items.exclude(roles=[]).values_list("pk", "roles"):
        assert not answers.filter(item_id=item_id).exclude(response__role__in=roles).exists()


def test_older_rounds_are_answered_in_full_only_at_some_gemeenten():
    """The bound of the module's docstring: the last two rounds in full everywhere; older ones in full in
    Utrecht (and one gemeente in five), at the other gemeenten on the core statements only."""
    seed(AFTER_THE_ROUND)
    utrecht, other = Gemeente.objects.order_by("pk")
    assert other.pk != utrecht.pk and 1 % FULL_HISTORY_EVERY != 0  # the second gemeente is not one in five

    def keys(gemeente, years):
        return set(
            Answer.objects.filter(
                response__round__gemeente=gemeente, response__round__school_year__in=years
            ).values_list("item__key", flat=True)
        )

    statements = set(default_version().items.filter(kind="statement").values_list("key", flat=True))
    assert keys(utrecht, [2022, 2023, 2024]) >= statements
    assert keys(other, [2022, 2023, 2024]) <= set(CORE_ITEMS)
    assert keys(other, [2022, 2023, 2024])
    assert keys(other, [2025, 2026]) - set(CORE_ITEMS)


def test_before_the_moment_the_years_round_is_left_to_the_sweep():
    seed(BEFORE_THE_MOMENT)
    assert set(Round.objects.values_list("school_year", flat=True)) == {2022, 2023, 2024, 2025}
    with time_machine.travel(at(2026, 10, 1, 8, 30), tick=False):
        assert open_due_rounds(at(2026, 10, 1, 8, 30)) == {"evaluation_rounds": 2}


def test_a_round_open_today_has_the_answers_of_its_days_so_far():
    seed(DURING_THE_ROUND)
    current = Round.objects.filter(school_year=2026)
    assert current.count() == 2
    responses = Response.objects.filter(round__in=current)
    assert responses.exists()
    assert all(r.updated_at.astimezone(AMS).date() <= DURING_THE_ROUND.date() for r in responses)
    assert responses.filter(submitted_at__isnull=True).exists()
