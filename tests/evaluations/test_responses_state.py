"""The stamp of a gemeente's evaluation responses (evaluations.models.ResponsesState, migration 0005): on
PostgreSQL its triggers give the gemeente a new stamp with every change that could change which of its
responses count or how they are grouped, however the change is made, and the results pages find the
digest of the responses under it instead of scanning them. On SQLite (no triggers) there are no stamps and
every visit digests the responses: the same figures, the same decisions.

The hardest case is a change made past Django (raw SQL, QuerySet.update): a page visited before it must not
show, after it, a figure the change made too small to show."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from evaluations.models import Answer, Response, ResponsesState, Round
from evaluations.results import area_results, decision, school_results
from partners.models import Role
from schools.models import School
from tests.evaluations import test_area_results as area_tests
from tests.evaluations.test_area_results import send
from tests.factories import GemeenteFactory, SchoolFactory, WijkFactory

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = connection.vendor == "postgresql"
clock, statement, city = (
    area_tests.clock,
    area_tests.statement,
    area_tests.city,
)  # the fixtures of those tests


def stamp(gemeente_id):
    return ResponsesState.objects.filter(gemeente_id=gemeente_id).values_list("stamp", flat=True).first()


def delete_past_django(responses) -> None:
    """Deleted by raw SQL: no signal, no delete(), no cascade of Django's."""
    with connection.cursor() as cursor:
        for pk in [response.pk for response in responses]:
            cursor.execute("DELETE FROM evaluations_answer WHERE response_id = %s", [pk])
            cursor.execute("DELETE FROM evaluations_response WHERE id = %s", [pk])


def shown(school, year=2026) -> bool:
    return school_results(school, year).statements[0].now.shown


def test_the_database_keeps_a_stamp_only_on_postgresql(wijk, city):
    if ON_POSTGRESQL:
        assert stamp(wijk.gemeente_id) is not None  # the responses sent gave it one
    else:
        assert not ResponsesState.objects.exists()


def differ(new, old) -> bool:
    """A new stamp on PostgreSQL; on SQLite none at all, before or after (nothing kept to go stale)."""
    return new != old if ON_POSTGRESQL else new is old is None


class TestEveryChangeGivesANewStamp:
    """On PostgreSQL, checked in CI's second pass (where PostgreSQL is required, not optional)."""

    def test_a_response_sent_changed_or_deleted(self, wijk, city, statement):
        gemeente = wijk.gemeente_id
        before = stamp(gemeente)
        school = city["west"][0]
        send(city["round"], school, Role.IB, 2, statement)
        sent = stamp(gemeente)
        assert differ(sent, before)
        Response.objects.filter(school=school, role=Role.IB).update(role=Role.JGZ)  # no signal, no save()
        changed = stamp(gemeente)
        assert differ(changed, sent)
        with connection.cursor() as cursor:  # past Django altogether
            cursor.execute("DELETE FROM evaluations_answer")
            cursor.execute("DELETE FROM evaluations_response WHERE school_id = %s", [school.pk])
        assert differ(stamp(gemeente), changed)

    def test_a_school_moved_to_another_wijk_or_gemeente(self, wijk, other_wijk, city):
        gemeente = wijk.gemeente_id
        before = stamp(gemeente)
        School.objects.filter(pk=city["west"][0].pk).update(wijk=other_wijk)
        moved = stamp(gemeente)
        assert differ(moved, before)
        elsewhere = GemeenteFactory(code="0307", name="Amersfoort")
        School.objects.filter(pk=city["west"][1].pk).update(gemeente=elsewhere, wijk=None)
        assert differ(stamp(gemeente), moved)
        assert differ(stamp(elsewhere.pk), None)  # its new school's responses count there now

    def test_a_rounds_dates_or_school_year(self, wijk, city):
        gemeente = wijk.gemeente_id
        before = stamp(gemeente)
        Round.objects.filter(pk=city["round"].pk).update(closes_on=city["round"].closes_on.replace(day=29))
        dated = stamp(gemeente)
        assert differ(dated, before)
        Round.objects.filter(pk=city["round"].pk).update(school_year=2025)
        assert differ(stamp(gemeente), dated)

    def test_in_the_same_transaction(self, wijk, city):
        """A page that reads the new stamp reads the changed responses with it: both are committed at once."""
        before = stamp(wijk.gemeente_id)
        with transaction.atomic():
            Response.objects.filter(school=city["west"][0]).update(role=Role.LEERPLICHT)
            assert differ(stamp(wijk.gemeente_id), before)

    def test_not_a_change_that_leaves_the_responses_as_they_are(self, wijk, city):
        """A school renamed, a round's opening day, a new school and a new round: nothing to digest anew."""
        gemeente = wijk.gemeente_id
        before = stamp(gemeente)
        School.objects.filter(pk=city["west"][0].pk).update(name="Een andere naam")
        Round.objects.filter(pk=city["round"].pk).update(opens_on=city["round"].opens_on.replace(day=2))
        SchoolFactory(wijk=wijk)
        assert stamp(gemeente) == before

    def test_only_the_gemeenten_whose_responses_changed(self, wijk, city, statement):
        elsewhere = WijkFactory(gemeente=GemeenteFactory(code="0307", name="Amersfoort"))
        SchoolFactory(wijk=elsewhere)  # a school of its own, with no responses
        kept = "00000000-0000-0000-0000-000000000001"
        ResponsesState.objects.create(gemeente=elsewhere.gemeente, stamp=kept)
        send(city["round"], city["west"][0], Role.IB, 4, statement)
        assert str(stamp(elsewhere.gemeente_id)) == kept

    def test_a_kept_digest_reads_the_stamp_not_the_responses(self, wijk, city):
        decision(wijk.gemeente_id, 2026)
        with CaptureQueriesContext(connection) as queries:
            decision(wijk.gemeente_id, 2026)
        assert len(queries) == 1
        table = "evaluations_responsesstate" if ON_POSTGRESQL else "evaluations_response"
        assert f'FROM "{table}"' in queries[0]["sql"]


def test_a_figure_made_too_small_past_django_is_withheld_at_once(wijk, city):
    """West 2's five people are shown; three of their responses are deleted by raw SQL (no signal, no
    save()) after the page was visited and its decision kept: the two left are withheld on the next
    visit."""
    school = city["west"][1]
    assert shown(school)
    assert shown(school)  # now from what was kept
    delete_past_django(Response.objects.filter(school=school).order_by("pk")[:3])
    assert not shown(school)


def test_a_decision_changed_past_django_is_made_anew(wijk, other_wijk, city):
    """The hardest case: a change past Django that leaves every live count at the minimum or above, yet
    changes what may be shown (three of West 3's five responses deleted by raw SQL: its two left must
    not be worked out from West's figures minus West 1's and West 2's). Every results page visited after
    it shows what a decision made from nothing shows."""
    gemeente = wijk.gemeente
    before = decision(gemeente.pk, 2026)

    def pages():
        schools = [*city["west"], city["lonely"]]
        return [school_results(s, 2026) for s in schools] + [
            area_results(gemeente, area, 2026) for area in (wijk, other_wijk, None)
        ]

    pages()  # visited: digests, decisions and figures kept
    delete_past_django(Response.objects.filter(school=city["west"][2]).order_by("pk")[:3])
    after_the_change = pages()
    cache.clear()
    assert decision(gemeente.pk, 2026).shown != before.shown  # the change does change what may be shown
    assert after_the_change == pages()


def test_a_wijk_regrouped_by_a_bulk_update_is_counted_anew(wijk, other_wijk, city):
    """Two of West's schools moved to Overvecht by QuerySet.update (as an import might): the area pages
    visited before count them where they are now."""
    assert area_results(wijk.gemeente, wijk, 2026).respondents == 15
    assert area_results(wijk.gemeente, other_wijk, 2026).respondents == 2
    School.objects.filter(pk__in=[s.pk for s in city["west"][1:]]).update(wijk=other_wijk)
    assert area_results(wijk.gemeente, wijk, 2026).respondents == 5
    assert area_results(wijk.gemeente, other_wijk, 2026).respondents == 12


def test_answers_past_django_on_a_kept_page(wijk, city):
    """Answers are not in the digest (the decision rests on who answered, not what): their figures are
    read on every visit, so a changed score shows at once, kept digest or not."""
    school = city["west"][1]
    mean = school_results(school, 2026).statements[0].now.mean
    Answer.objects.filter(response__school=school).update(score=5)
    assert school_results(school, 2026).statements[0].now.mean == 5.0 != mean
