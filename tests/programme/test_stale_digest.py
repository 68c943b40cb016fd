"""The weekly digest of stale activities to their trekker, through the outbox: planned once per trekker per
ISO week from Monday 08:00 Amsterdam, checked again before sending, in Dutch. The clock is pinned."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from kpa.outbox import registry
from kpa.outbox.models import Notification
from kpa.outbox.sender import send_due
from programme import notifications
from programme.models import ActivityStatus
from tests.programme.factories import ActivityFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

MADE = dt.datetime(2026, 8, 3, 10, tzinfo=dt.UTC)
MONDAY = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)  # Monday 23 November 2026, 08:00 in Amsterdam


@pytest.fixture
def stale(line4, coordinator, wijk_coordinator):
    with time_machine.travel(MADE, tick=False):
        quiet = ActivityFactory(line=line4, title="Jazzsingel", trekker=coordinator)
        ProgressUpdateFactory(activity=quiet, date=dt.date(2026, 9, 1))
        also = ActivityFactory(
            line=line4, title="OBO Klopvaart", trekker=coordinator, status=ActivityStatus.PLANNED
        )
        fresh = ActivityFactory(line=line4, title="Vers", trekker=wijk_coordinator)
        ProgressUpdateFactory(activity=fresh, date=dt.date(2026, 11, 1))
        ActivityFactory(line=line4, title="Klaar", trekker=wijk_coordinator, status=ActivityStatus.DONE)
        ActivityFactory(line=line4, title="Zonder trekker")
    return quiet, also


def run(now):
    with time_machine.travel(now, tick=False):
        planned = notifications.plan_stale_digests()
        sent = send_due()
    return planned["stale_digests"], sent


def test_it_is_registered_with_the_outbox():
    assert registry.get("stale_digest") is not None
    assert notifications.plan_stale_digests in registry.planners()


def test_it_sends_one_digest_a_week_to_the_trekker_from_monday_eight(stale, coordinator):
    assert run(MONDAY - dt.timedelta(minutes=1)) == (0, 0)  # Monday 07:59
    assert run(MONDAY) == (1, 1)
    assert run(MONDAY + dt.timedelta(hours=5)) == (0, 0)  # once a week
    assert run(MONDAY + dt.timedelta(days=1)) == (0, 0)  # Tuesday: not again
    row = Notification.objects.get(kind="stale_digest")
    assert (row.key, row.recipient) == (f"stale_digest:2026-W48:{coordinator.pk}", coordinator)
    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert message.subject == "2 activiteiten zonder update in 60 dagen"
    body = message.body
    assert "Je bent trekker van deze 2 activiteiten, die al 60 dagen geen voortgangsupdate hebben:" in body
    assert "Jazzsingel (actielijn 4)" in body and "OBO Klopvaart (actielijn 4)" in body
    assert f"/programma/activities/{stale[0].pk}/" in body
    assert "Vers" not in body and "Klaar" not in body
    assert run(MONDAY + dt.timedelta(days=7)) == (1, 1)  # the next week, still stale


def test_it_skips_the_digest_when_every_activity_was_updated_before_sending(stale):
    quiet, also = stale
    with time_machine.travel(MONDAY, tick=False):
        assert notifications.plan_stale_digests()["stale_digests"] == 1
        ProgressUpdateFactory(activity=quiet, date=dt.date(2026, 11, 23))
        also.status = ActivityStatus.STOPPED
        also.save()
        assert send_due() == 0  # skipped, not sent
    assert not mail.outbox
    assert Notification.objects.get(kind="stale_digest").skip_reason == "No stale activities any more."


def test_it_leaves_out_a_trekker_who_is_no_coordinator_of_the_gemeente_any_more(stale, coordinator):
    coordinator.is_active = False
    coordinator.save()
    assert run(MONDAY) == (0, 0)
