"""The dashboard's figures are kept for KPA_DASHBOARD_CACHE_SECONDS (front/views_dashboard.py): a second
visit is served from the cache in a few queries, the page says when the figures were counted, "count them
now" counts them again, they are counted again once the time is up, and one scope never sees another's."""

from __future__ import annotations

import datetime as dt
from unittest.mock import Mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
URL = reverse("dashboard:index")
# The process-evaluation section's results (evaluations.results.area_results) are kept under a digest of
# the responses, apart from the dashboard's cache: counted again, the dashboard asks only the two digest
# queries of them, not their other six (the responses of both years, to decide on, the figures of both
# years, statements, respondents). They are still the current ones: other responses, another digest.
EVALUATION_KEPT = 6


@pytest.fixture(autouse=True)
def kept(settings):
    settings.KPA_DASHBOARD_CACHE_SECONDS = 120


@pytest.fixture
def clock():
    """The clock at NOW, moved by the test (signing in happens at NOW too, so the session is fresh)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def visit(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_visit_is_served_from_the_cache_and_says_when_it_was_counted(
    client, coordinator, school, clock
):
    client.force_login(coordinator)
    first, counted = visit(client)
    clock.shift(60)
    SchoolFactory(wijk=school.wijk, name="Nieuwe school")  # in the figures once they are counted again
    second, from_cache = visit(client)
    assert second.context["sections_html"] == first.context["sections_html"]
    assert second.context["counted_at"] == first.context["counted_at"] == NOW
    assert from_cache < counted - 15  # the figures' own queries are not made again
    assert "Cijfers geteld om 10:00; na 2 minuten worden ze opnieuw geteld." in second.content.decode()

    clock.shift(30)
    fresh, recounted = visit(client, fresh="1")  # "Nu opnieuw tellen"
    assert fresh.context["sections_html"] != first.context["sections_html"]
    assert fresh.context["counted_at"] == NOW + dt.timedelta(seconds=90)
    assert recounted == counted - EVALUATION_KEPT


def test_the_figures_are_counted_again_when_their_time_is_up(client, coordinator, school, clock):
    client.force_login(coordinator)
    first, _queries = visit(client)
    SchoolFactory(wijk=school.wijk, name="Nieuwe school")
    clock.shift(121)
    later, _queries = visit(client)
    assert later.context["sections_html"] != first.context["sections_html"]
    assert later.context["counted_at"] == NOW + dt.timedelta(seconds=121)


def test_one_scope_never_gets_anothers_figures(
    client, coordinator, wijk_coordinator, school, other_school, clock
):
    client.force_login(coordinator)
    city, _queries = visit(client)
    client.force_login(wijk_coordinator)
    own, _queries = visit(client)
    assert "West" in city.context["sections_html"] and "Overvecht" in city.context["sections_html"]
    assert "Overvecht" in own.context["sections_html"]
    assert "West" not in own.context["sections_html"]  # the city's figures were in the cache: not served


def test_without_keeping_the_page_has_no_counted_at_line(client, coordinator, school, settings, clock):
    settings.KPA_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(coordinator)
    first, counted = visit(client)
    _second, again = visit(client)
    assert again == counted - EVALUATION_KEPT
    assert "Cijfers geteld om" not in first.content.decode()


class QueuedCounts:
    """The dashboard's background count, recorded instead of sent to a broker."""

    def __init__(self, monkeypatch, fail: bool = False):
        from front.tasks import dashboard_count_task

        self.calls: list[dict] = []
        self.fail = fail
        monkeypatch.setattr(dashboard_count_task, "apply_async", self.apply_async)

    def apply_async(self, kwargs, retry):
        if self.fail:
            raise ConnectionRefusedError("no broker")
        self.calls.append(kwargs)

    def run(self):
        from front.tasks import dashboard_count_task

        for kwargs in self.calls:
            dashboard_count_task.run(**kwargs)


def test_the_national_figures_are_counted_by_a_worker_once_their_time_is_up(
    client, admin_user, school, clock, monkeypatch
):
    """Counting every gemeente takes seconds at national scale: the visit that finds them old shows them
    (saying so) and asks a worker, once, to count them again; the next visit has the new figures."""
    queued = QueuedCounts(monkeypatch)
    client.force_login(admin_user)
    first, _queries = visit(client, gemeente="all")
    SchoolFactory(wijk=school.wijk, name="Nieuwe school")
    clock.shift(121)
    old, _queries = visit(client, gemeente="all")
    assert old.context["sections_html"] == first.context["sections_html"]
    assert old.context["counted_at"] == NOW
    assert "Cijfers geteld om 10:00; ze worden nu opnieuw geteld." in old.content.decode()
    visit(client, gemeente="all")
    assert queued.calls == [{"user_id": admin_user.pk, "gemeente": "all", "year": None, "language": "nl"}]

    clock.shift(5)
    queued.run()
    new, _queries = visit(client, gemeente="all")
    assert new.context["sections_html"] != first.context["sections_html"]
    assert new.context["counted_at"] == NOW + dt.timedelta(seconds=126)
    assert "na 2 minuten worden ze opnieuw geteld" in new.content.decode()


def test_the_national_figures_are_counted_in_the_visit_without_a_broker_or_when_long_out_of_date(
    client, admin_user, school, clock, monkeypatch, settings
):
    queued = QueuedCounts(monkeypatch, fail=True)
    client.force_login(admin_user)
    visit(client, gemeente="all")
    clock.shift(121)
    down, _queries = visit(client, gemeente="all")
    assert down.context["counted_at"] == NOW + dt.timedelta(seconds=121)  # counted: no worker to ask
    assert not down.context["recounting"]

    queued.fail = False
    clock.shift(settings.KPA_DASHBOARD_STALE_SECONDS)
    late, _queries = visit(client, gemeente="all")
    assert late.context["counted_at"] == NOW + dt.timedelta(
        seconds=121 + settings.KPA_DASHBOARD_STALE_SECONDS
    )
    assert queued.calls == []  # too old to show: counted in the visit


def test_a_background_count_keeps_to_the_users_scope(client, admin_user, coordinator, school, clock):
    """The worker counts what the dashboard of that user shows: a coordinator's own gemeente, never the
    national view, whatever is asked for; a person no longer active gets nothing counted."""
    from front.tasks import dashboard_count_task

    dashboard_count_task.run(user_id=coordinator.pk, gemeente=None, year=None, language="nl")
    client.force_login(coordinator)
    shown, queries = visit(client)
    assert shown.context["counted_at"] == NOW  # from the worker's count: no counting in the visit
    assert queries < 15
    admin_user.is_active = False
    admin_user.save()
    with CaptureQueriesContext(connection) as queries:
        dashboard_count_task.run(user_id=admin_user.pk, gemeente="all", year=None, language="nl")
    assert len(queries) == 1  # the person, no longer active: nothing counted


def test_a_background_count_leaves_the_other_cores_to_the_pages(admin_user, school, clock, monkeypatch):
    """On PostgreSQL the worker counts in a transaction of its own (durable) without parallel workers (a
    national count in parallel took every core of the database for seconds, and with them the pages of
    that moment), set for that transaction only (SET LOCAL). On SQLite it counts outside a transaction,
    which there (IMMEDIATE) would hold the write lock for the whole count. Not a transactional test: its
    flush would empty what the migrations seeded (the action lines) for the tests after it."""
    from django.db import transaction

    from front import views_dashboard
    from front.tasks import dashboard_count_task

    postgresql = connection.vendor == "postgresql"

    def setting() -> str | None:
        if not postgresql:
            return None
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]

    assert setting() != "0"
    seen = []
    counting = views_dashboard.count_sections

    def count_sections(*args):
        seen.append((len(connection.atomic_blocks), setting()))
        return counting(*args)

    monkeypatch.setattr(views_dashboard, "count_sections", count_sections)
    outside = len(connection.atomic_blocks)  # the test's own
    with CaptureQueriesContext(connection) as queries:
        dashboard_count_task.run(user_id=admin_user.pk, gemeente="all", year=None, language="nl")

    assert seen == ([(outside + 1, "0")] if postgresql else [(outside, None)])
    set_local = [q["sql"] for q in queries if q["sql"].startswith("SET")]
    assert set_local == (["SET LOCAL max_parallel_workers_per_gather = 0"] if postgresql else [])
    if postgresql:
        # Inside another transaction the setting would outlive the count: refused, not half kept.
        with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
            views_dashboard.count_for(user_id=admin_user.pk, gemeente="all", year=None, language="nl")


def test_a_failed_background_count_lets_the_next_visit_ask_again(
    client, admin_user, school, clock, monkeypatch
):
    """A count that fails leaves no mark that it is running: the page would otherwise say the figures
    are being counted while nothing counts them, and no visit would ask a worker again until the mark
    expired."""
    from front import views_dashboard

    queued = QueuedCounts(monkeypatch)
    client.force_login(admin_user)
    visit(client, gemeente="all")
    clock.shift(121)
    visit(client, gemeente="all")
    assert len(queued.calls) == 1

    counting = views_dashboard.count_sections
    monkeypatch.setattr(views_dashboard, "count_sections", Mock(side_effect=RuntimeError("no database")))
    with pytest.raises(RuntimeError):
        queued.run()
    monkeypatch.setattr(views_dashboard, "count_sections", counting)

    visit(client, gemeente="all")
    assert len(queued.calls) == 2  # asked again
