"""Evaluation results per wijk and city by role (issue 13): exact figures on a known data set, a group too
small withheld with its reason on the page, nothing about fewer than three people that can be worked out
from all the figures of all the pages (checked by the auditor of test_disclosure on this data), the scope
of who sees which area, and queries that do not grow with the responses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from evaluations import services
from evaluations.disclosure import COMPLEMENT, FEW, Group
from evaluations.models import ItemKind, Response
from evaluations.results import SCORES, area_results, decision, school_results
from partners.models import PARTNER_ROLES, Role
from schools.models import School
from tests.evaluations.test_disclosure import leaks
from tests.factories import (
    AssignmentFactory,
    GemeenteFactory,
    SchoolFactory,
    UserFactory,
    WijkFactory,
)
from tests.helpers import AMS

pytestmark = pytest.mark.django_db
URL = reverse("evaluations:area-results")
ROLES = (Role.IB, *PARTNER_ROLES)
# Statement a per school, in the order of ROLES (ib, buurtteam, jgz, passend onderwijs, leerplicht).
SCORES_A = {1: (2, 4, 5, 3, 4), 2: (4, 4, 3, 3, 2), 3: (3, 5, 4, 2, 3)}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def statement():
    version = services.default_version()
    return version.items.filter(kind=ItemKind.STATEMENT, roles=[]).order_by("order").first()


def answer_round(schools, year):
    return services.open_round(
        schools[0].gemeente,
        year,
        School.objects.filter(pk__in=[s.pk for s in schools]),
        dt.date(year, 10, 1),
        dt.date(year, 10, 28),
    )


def send(round_, school, role, score, item, person=None):
    person = person or UserFactory()
    AssignmentFactory(person=person, school=school, role=role, start_date=dt.date(2024, 8, 1))
    answers = {item.pk: (score, False, "") if score != "?" else (None, True, "")}
    services.save_answers(round_, school, person, role, answers, send=True, today=round_.opens_on)
    return person


@pytest.fixture
def city(wijk, other_wijk, statement):
    """West: three schools with full teams (15 people); Overvecht: one school where only the IB-er and
    the JGZ nurse answered (2 people)."""
    west = [SchoolFactory(name=f"West {n}", wijk=wijk) for n in (1, 2, 3)]
    lonely = SchoolFactory(name="Overvecht 1", wijk=other_wijk)
    round_ = answer_round([*west, lonely], 2026)
    for n, school in enumerate(west, start=1):
        for role, score in zip(ROLES, SCORES_A[n], strict=True):
            send(round_, school, role, score, statement)
    send(round_, lonely, Role.IB, 1, statement)
    send(round_, lonely, Role.JGZ, 5, statement)
    return {"west": west, "lonely": lonely, "round": round_}


def groups_of(gemeente, year):
    """The responses as the auditor takes them: one group per school, role and closing day."""
    people = {}
    for school_id, wijk_id, role, closed, person in Response.objects.filter(
        school__gemeente=gemeente, round__school_year=year, submitted_at__isnull=False
    ).values_list("school_id", "school__wijk_id", "role", "round__closes_on", "respondent_id"):
        people.setdefault((school_id, wijk_id, role, closed), set()).add(person)
    return [Group(*key, frozenset(persons)) for key, persons in people.items()]


def test_it_shows_the_roles_side_by_side_with_exact_figures(wijk, other_wijk, city, statement):
    west = area_results(wijk.gemeente, wijk, 2026)
    row = next(r for r in west.statements if r.key == statement.key)
    by_role = dict(zip([value for value, _label in west.roles], row.roles, strict=True))
    # Buurtteam 4, 4, 5; passend onderwijs 3, 3, 2; leerplicht 4, 2, 3 (three people each)
    assert (by_role[Role.BUURTTEAM].mean, by_role[Role.BUURTTEAM].spread) == (4.3, 0.5)
    assert (by_role[Role.PASSEND_ONDERWIJS].mean, by_role[Role.PASSEND_ONDERWIJS].count) == (2.7, 3)
    assert by_role[Role.LEERPLICHT].mean == 3.0
    # The spread between the schools whose own figures are shown: 3.2 and 3.4 (West 1 is withheld, see
    # the next test) -> 0.1 (population deviation)
    assert (row.between_schools, row.schools_counted) == (0.1, 2)
    assert west.respondents == 15


def test_a_group_of_two_is_withheld_and_so_is_what_would_give_it_away(wijk, other_wijk, city, statement):
    overvecht = area_results(wijk.gemeente, other_wijk, 2026)
    row = next(r for r in overvecht.statements if r.key == statement.key)
    assert all(not f.shown for f in row.roles) and not row.everyone.shown
    assert row.everyone.reason == FEW and row.everyone.mean is None and row.everyone.count == 0
    lonely = next(r for r in school_results(city["lonely"], 2026).statements if r.key == statement.key)
    assert lonely.now.reason == FEW
    # The city's total (shown, and also the sum of its shown roles) minus West's three schools would give
    # Overvecht's two people: one of West's schools is withheld, and West's total, IB and JGZ figures.
    made = decision(wijk.gemeente_id, 2026)
    west = [s.pk for s in city["west"]]
    assert made.withheld[("school", west[0])] == COMPLEMENT
    assert {("school", west[1]), ("school", west[2]), ("city", "all")} <= made.shown
    assert made.withheld[("wijk", wijk.pk, "all")] == COMPLEMENT
    # No combination of all the figures shown anywhere tells about fewer than three people.
    assert leaks(groups_of(wijk.gemeente, 2026), 3) == []


def test_the_page_says_why_a_figure_is_withheld(client, coordinator, wijk, other_wijk, city, statement):
    client.force_login(coordinator)
    body = client.get(URL, {"wijk": other_wijk.pk}).content.decode()
    assert "Evaluatieresultaten per rol" in body
    assert "niet getoond: minder dan 3 mensen" in body  # the cell, for screen readers
    assert 'id="withheld-reasons"' in body and "Niet getoond: minder dan 3 mensen." in body
    body = client.get(URL, {"wijk": wijk.pk}).content.decode()  # West's total: see the test above
    assert "niet getoond: het zou uit de andere cijfers te berekenen zijn" in body


def test_fewer_scores_than_people_is_withheld_as_such(wijk, statement):
    """Three people answered, one said 'weet niet': the group may be shown, two scores may not."""
    schools = [SchoolFactory(wijk=wijk) for _ in range(3)]
    round_ = answer_round(schools, 2026)
    for school in schools:
        for role, score in zip(ROLES, (3, 4, "?", "?", "?"), strict=True):
            send(round_, school, role, score, statement)
    row = next(r for r in school_results(schools[0], 2026).statements if r.key == statement.key)
    assert (row.now.reason, row.now.count, row.now.mean) == (SCORES, 2, None)
    west = area_results(wijk.gemeente, wijk, 2026)
    row = next(r for r in west.statements if r.key == statement.key)
    assert row.everyone.mean == 3.5 and row.everyone.count == 6


def test_last_year_beside_this_year(wijk, statement):
    schools = [SchoolFactory(wijk=wijk) for _ in range(3)]
    for year, score in ((2025, 2), (2026, 4)):
        round_ = answer_round(schools, year)
        for school in schools:
            for role in ROLES:
                send(round_, school, role, score, statement)
    row = next(r for r in area_results(wijk.gemeente, None, 2026).statements if r.key == statement.key)
    assert (row.everyone.mean, row.before.mean) == (4.0, 2.0)
    assert [f.mean for f in row.roles] == [4.0] * 5


def test_an_open_round_does_not_count(wijk, statement):
    schools = [SchoolFactory(wijk=wijk) for _ in range(3)]
    round_ = services.open_round(
        wijk.gemeente,
        2026,
        School.objects.filter(pk__in=[s.pk for s in schools]),
        dt.date(2026, 10, 20),
        dt.date(2026, 11, 20),
    )
    for school in schools:
        for role in ROLES:
            send(round_, school, role, 4, statement)
    results = area_results(wijk.gemeente, None, 2026)
    assert results.respondents == 0
    assert all(not row.everyone.shown for row in results.statements)


def test_who_sees_which_area(client, coordinator, wijk_coordinator, admin_user, wijk, other_wijk, city):
    client.force_login(coordinator)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"wijk": other_wijk.pk}).status_code == 200
    elsewhere = WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam"))
    assert client.get(URL, {"wijk": elsewhere.pk}).status_code == 404
    assert client.get(URL, {"gemeente": elsewhere.gemeente_id}).status_code == 404
    for bad in ("x", "-1", "١"):
        assert client.get(URL, {"wijk": bad}).status_code == 404
    assert client.get(URL, {"year": "2021"}).status_code == 404
    client.force_login(wijk_coordinator)  # Overvecht only: not the city, not West
    body = client.get(URL).content.decode()
    assert "Overvecht" in body and "Heel Utrecht" not in body
    assert client.get(URL, {"wijk": wijk.pk}).status_code == 404
    client.force_login(admin_user)
    assert client.get(URL, {"gemeente": elsewhere.gemeente_id}).status_code == 200


def test_others_are_refused_and_anonymous_sent_to_login(client, ib, partner, city):
    for user in (ib, partner):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_queries_do_not_grow_with_the_responses(
    client, coordinator, wijk, other_wijk, city, statement, django_assert_max_num_queries, stamp_queries
):
    client.force_login(coordinator)
    counts = []
    for extra in (0, 6):
        for _ in range(extra):
            school = SchoolFactory(wijk=wijk)
            city["round"].schools.add(school)
            for role in ROLES:
                send(city["round"], school, role, 3, statement)
        # The session, the user, MFA, the gemeenten and wijken in scope; per year the digest of the
        # responses (what the results are kept under), and, as nothing is kept yet, the responses (the
        # disclosure decision) and the figures per school and role; the statements; the respondents;
        # the access log row (issue 14); the session saved (savepoint, update, release). On PostgreSQL, per
        # year the gemeente's stamp before the digest.
        with django_assert_max_num_queries(18 + 2 * stamp_queries) as captured:
            assert client.get(URL).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_decision_is_made_once_per_state_of_the_responses(wijk, city, monkeypatch):
    from evaluations import results

    made = []
    real = results.shown_cells
    monkeypatch.setattr(results, "shown_cells", lambda groups, m: made.append(1) or real(groups, m))
    decision(wijk.gemeente_id, 2026)
    decision(wijk.gemeente_id, 2026)
    assert made == [1]
    school = SchoolFactory(wijk=wijk)
    city["round"].schools.add(school)
    send(city["round"], school, Role.IB, 3, services.default_version().items.first())
    decision(wijk.gemeente_id, 2026)
    assert made == [1, 1]


def test_per_action_line_on_the_page_and_the_dashboard(client, coordinator, wijk):
    """A line's figure pools its statements' scores; it is on the coordinator's dashboard too."""
    version = services.default_version()
    statements = version.items.filter(kind=ItemKind.STATEMENT, roles=[], action_line_number__isnull=False)
    number = next(n for n in range(1, 6) if statements.filter(action_line_number=n).count() >= 2)
    first, second = statements.filter(action_line_number=number).order_by("order")[:2]
    schools = [SchoolFactory(wijk=wijk) for _ in range(3)]
    round_ = answer_round(schools, 2026)
    for school in schools:
        for role in ROLES:
            person = send(round_, school, role, 4, first)
            services.save_answers(
                round_,
                school,
                person,
                role,
                {first.pk: (4, False, ""), second.pk: (2, False, "")},
                send=True,
                today=round_.opens_on,
            )
    (line,) = [line for line in area_results(wijk.gemeente, None, 2026).lines if line.number == number]
    assert (line.now.mean, line.now.count, line.before.shown) == (3.0, 30, False)
    client.force_login(coordinator)
    response = client.get(reverse("dashboard:index"))
    (table,) = [t for s in response.context["sections"] for t in s.tables if t.key == "evaluation-lines"]
    (row,) = [row for row in table.rows if row.label == f"Actielijn {number}"]
    assert row.values == [3.0, None] and row.url.startswith(URL)


def test_the_rounds_page_links_to_the_results(client, coordinator):
    client.force_login(coordinator)
    body = client.get(reverse("evaluations:rounds")).content.decode()
    assert f'href="{URL}">Resultaten per rol</a>' in body


def test_the_nightly_job_makes_the_decisions_before_a_page_asks(wijk, city, monkeypatch):
    from evaluations import results
    from evaluations.tasks import warm_results_task

    assert warm_results_task() == 2  # 2026 (its round closed in October) and 2025 beside it
    monkeypatch.setattr(results, "shown_cells", lambda groups, m: pytest.fail("made again"))
    area_results(wijk.gemeente, None, 2026)


def test_the_nightly_job_makes_last_years_pages_decisions_too(wijk, city, statement, monkeypatch):
    """On 4 December 2026, 402 days after last school year's round closed: a school's page of last year
    (2025, with 2024 beside it) finds its decisions made, as this year's does. (The job once took the
    rounds that closed in the last 400 days, and from that day on left last year's pages undecided.)"""
    from evaluations import results
    from evaluations.tasks import warm_results_task

    school = city["west"][0]
    last_year = answer_round(city["west"], 2025)
    for role, score in zip(ROLES, SCORES_A[1], strict=True):
        send(last_year, school, role, score, statement)
    with time_machine.travel(dt.datetime(2026, 12, 4, 3, 15, tzinfo=AMS), tick=False):
        assert warm_results_task() == 3  # 2026, 2025 and 2024 beside it
        monkeypatch.setattr(results, "shown_cells", lambda groups, m: pytest.fail("made at a visit"))
        for year in (2026, 2025):
            school_results(school, year)


def test_the_results_are_counted_once_per_state_of_the_responses(
    wijk, city, statement, django_assert_num_queries
):
    """What area_results reads is final once its rounds closed: asked again, two queries (the
    responses of both years, whose digests name the cached results), and counted anew once they change."""
    first = area_results(wijk.gemeente, wijk, 2026)
    with django_assert_num_queries(2):
        again = area_results(wijk.gemeente, wijk, 2026)
    assert again == first
    school = SchoolFactory(wijk=wijk)
    city["round"].schools.add(school)
    send(city["round"], school, Role.IB, 3, statement)
    assert area_results(wijk.gemeente, wijk, 2026).respondents == first.respondents + 1


def test_the_database_writes_the_digest_the_responses_are_kept_under(wijk, city, statement):
    """The digest a page asks for (on PostgreSQL written by the database itself) is the one the decision
    was kept under, for every kind of line: a school without a wijk, every role (passend_onderwijs sorts
    by code point), one person in two schools. Were they to differ, every visit would decide anew."""
    from evaluations.results import _digest, _digest_only

    unplaced = SchoolFactory(gemeente=wijk.gemeente, wijk=None)
    city["round"].schools.add(unplaced)
    twice = send(city["round"], unplaced, Role.PASSEND_ONDERWIJS, 4, statement)
    send(city["round"], city["west"][0], Role.PASSEND_ONDERWIJS, 2, statement, person=twice)
    for role in (Role.IB, Role.LEERPLICHT):
        send(city["round"], unplaced, role, 3, statement)
    digest, groups = _digest(wijk.gemeente_id, 2026)
    assert sum(len(group.people) for group in groups) == 21
    assert _digest_only(wijk.gemeente_id, 2026) == (digest, 21)
    assert _digest_only(wijk.gemeente_id, 2025) == (_digest(wijk.gemeente_id, 2025)[0], 0)


def test_a_kept_decision_costs_one_query(wijk, city, django_assert_num_queries):
    decision(wijk.gemeente_id, 2026)
    with django_assert_num_queries(1):
        decision(wijk.gemeente_id, 2026)
