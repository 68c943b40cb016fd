"""An activity under way (planned or running) without a progress update for 60 days is stale: flagged on its
line page and its own page. The clock is pinned in every test."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from programme import selectors
from programme.models import Activity, ActivityStatus
from tests.programme.factories import ActivityFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

MADE = dt.datetime(2026, 8, 3, 10, tzinfo=dt.UTC)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def made(line4):
    """Activities made on 3 August 2026, one with an update on 1 September."""
    with time_machine.travel(MADE, tick=False):
        updated = ActivityFactory(line=line4, title="Bijgewerkt", status=ActivityStatus.RUNNING)
        ProgressUpdateFactory(activity=updated, date=dt.date(2026, 9, 1))
        ProgressUpdateFactory(activity=updated, date=dt.date(2026, 8, 10))
        silent = ActivityFactory(line=line4, title="Stil", status=ActivityStatus.PLANNED)
        for status in (ActivityStatus.IDEA, ActivityStatus.DONE, ActivityStatus.STOPPED):
            ActivityFactory(line=line4, title=f"Status {status}", status=status)
    return updated, silent


def stale_titles() -> set[str]:
    return {a.title for a in selectors.with_last_update(Activity.objects.all()) if a.is_stale}


def test_it_counts_60_days_from_the_last_update_or_else_from_the_start(made):
    with time_machine.travel(at(dt.date(2026, 10, 1)), tick=False):  # 59 days after 3 August
        assert stale_titles() == set()
    with time_machine.travel(at(dt.date(2026, 10, 2)), tick=False):  # 60 days: the silent one
        assert stale_titles() == {"Stil"}
    with time_machine.travel(at(dt.date(2026, 10, 30)), tick=False):  # 59 days after 1 September
        assert stale_titles() == {"Stil"}
    with time_machine.travel(at(dt.date(2026, 10, 31)), tick=False):
        assert stale_titles() == {"Stil", "Bijgewerkt"}


def test_an_update_makes_it_fresh_again_and_only_work_under_way_goes_stale(made):
    updated, silent = made
    ProgressUpdateFactory(activity=silent, date=dt.date(2026, 11, 20))
    with time_machine.travel(at(dt.date(2026, 12, 1)), tick=False):
        assert stale_titles() == {"Bijgewerkt"}
        Activity.objects.filter(pk=updated.pk).update(status=ActivityStatus.DONE)
        assert stale_titles() == set()


def test_it_reads_the_day_in_utrecht(made):
    # 1 October 2026 22:30 UTC is already 2 October in Utrecht: the silent activity's 60th day.
    with time_machine.travel(dt.datetime(2026, 10, 1, 22, 30, tzinfo=dt.UTC), tick=False):
        assert stale_titles() == {"Stil"}


def test_the_line_and_activity_pages_flag_a_stale_activity(client, coordinator, made, line4):
    updated, silent = made
    client.force_login(coordinator)
    with time_machine.travel(at(dt.date(2026, 10, 15)), tick=False):
        response = client.get(reverse("programme:line-detail", args=[line4.pk]))
        assert [a.title for a in response.context["stale"]] == ["Stil"]
        assert "60 dagen geen update" in response.content.decode()
        page = client.get(reverse("programme:activity-detail", args=[silent.pk])).content.decode()
        assert "60 dagen geen update" in page
        page = client.get(reverse("programme:activity-detail", args=[updated.pk])).content.decode()
        assert "60 dagen geen update" not in page
