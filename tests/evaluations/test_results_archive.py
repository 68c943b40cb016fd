"""Evaluation results kept as figures (issue 14): five years after a school year ended, its answers and
who gave them are deleted, and every results page shows that year exactly as before, from the archive."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from evaluations import services
from evaluations.models import Answer, ArchivedTotal, ItemKind, Response, ResultsArchive
from evaluations.results import area_results, may_be_archived, school_results
from kpa import retention
from partners.models import PARTNER_ROLES, Role
from schools.models import School
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db
ROLES = (Role.IB, *PARTNER_ROLES)
NOW = at(2026, 11, 2, 10)  # KPA_KEEP_EVALUATION_SCORES_DAYS 1825: school years up to 2020-2021 are archived


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def statement():
    version = services.default_version()
    return version.items.filter(kind=ItemKind.STATEMENT, roles=[]).order_by("order").first()


def answered_year(schools, year, statement, scores):
    round_ = services.open_round(
        schools[0].gemeente,
        year,
        School.objects.filter(pk__in=[s.pk for s in schools]),
        dt.date(year, 10, 1),
        dt.date(year, 10, 28),
    )
    for school, row in zip(schools, scores, strict=True):
        for role, score in zip(ROLES, row, strict=True):
            person = UserFactory()
            AssignmentFactory(person=person, school=school, role=role, start_date=dt.date(2019, 8, 1))
            answers = {statement.pk: (score, False, "")}
            services.save_answers(round_, school, person, role, answers, send=True, today=round_.opens_on)
    return round_


@pytest.fixture
def years(wijk, other_wijk, statement):
    """2020-2021 (archived by now) and 2021-2022 (not yet), three schools in West and one in Overvecht."""
    west = [SchoolFactory(name=f"West {n}", wijk=wijk) for n in (1, 2, 3)]
    east = SchoolFactory(name="Overvecht 1", wijk=other_wijk)
    schools = [*west, east]
    answered_year(
        schools, 2020, statement, [(2, 4, 5, 3, 4), (4, 4, 3, 3, 2), (3, 5, 4, 2, 3), (1, 2, 3, 4, 5)]
    )
    answered_year(
        schools, 2021, statement, [(3, 3, 4, 4, 4), (5, 4, 3, 3, 3), (4, 4, 4, 2, 3), (2, 2, 2, 4, 5)]
    )
    return {"west": west, "east": east, "wijk": wijk}


def pages(years):
    gemeente = years["wijk"].gemeente
    return [
        *(
            school_results(school, year)
            for school in [*years["west"], years["east"]]
            for year in (2020, 2021)
        ),
        *(area_results(gemeente, area, year) for area in (years["wijk"], None) for year in (2020, 2021)),
    ]


def test_it_deletes_the_old_years_answers_and_shows_every_page_as_before(years):
    assert may_be_archived(2020) and not may_be_archived(2021)
    before = pages(years)
    assert any(row.now.shown for row in before[0].statements)  # there is something to keep

    outcome = next(o for o in retention.purge(keys=["evaluation_scores"]))

    assert outcome.counts["evaluations.ResultsArchive"] == 1
    assert not Response.objects.filter(round__school_year=2020).exists()
    assert not Answer.objects.filter(response__round__school_year=2020).exists()
    assert Response.objects.filter(round__school_year=2021).count() == 20  # the later year stays
    assert ArchivedTotal.objects.count() == 20
    assert pages(years) == before


def test_the_dry_run_archives_and_deletes_nothing(years):
    counts = next(o for o in retention.purge(keys=["evaluation_scores"], dry_run=True)).counts
    assert counts == {"evaluations.ResultsArchive": 1, "evaluations.Answer": 20, "evaluations.Response": 20}
    assert not ResultsArchive.objects.exists()
    assert Response.objects.count() == 40


def test_purging_again_changes_nothing(years):
    retention.purge(keys=["evaluation_scores"])
    before = pages(years)
    assert not next(o for o in retention.purge(keys=["evaluation_scores"])).counts
    assert pages(years) == before


def test_an_archived_year_is_read_in_a_fixed_number_of_queries(
    years, django_assert_max_num_queries, stamp_queries
):
    retention.purge(keys=["evaluation_scores"])
    school = years["west"][0]
    # 2020 (archived): the digest (no responses left), the archive, its totals; 2019 (old enough to be
    # looked for, never answered): the digest, the archive (none), the totals, the respondents; the
    # statements; the open answers (none left). Whatever the number of schools and people. On
    # PostgreSQL, per year the gemeente's stamp before the digest.
    with django_assert_max_num_queries(9 + 2 * stamp_queries):
        school_results(school, 2020)
