"""The programme's mail, registered with the outbox (kpa.outbox): the weekly digest of stale activities.

Every trekker of an activity under way without an update for 60 days (programme.selectors.stale_activities)
gets one digest a week, from Monday 08:00 Europe/Amsterdam (for a day, as meetings' overdue digest): its key
is the ISO week and the person, so a sweep run twice plans it once. Right before sending it is checked
again: an activity updated (or finished, or given another trekker) in the meantime drops out, and with
none left the digest is not sent. What a batch needs is read in one query.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kpa.models import UserKind
from kpa.outbox import registry
from kpa.outbox.models import Notification
from kpa.outbox.registry import Kind, Mail
from programme.models import Activity
from programme.selectors import stale_activities

KIND = "stale_digest"
KEY_FORMAT = "stale_digest:{week}:{person}"
DIGEST_WEEKDAY, DIGEST_TIME = 0, dt.time(8, 0)  # Monday 08:00 Amsterdam
DIGEST_CATCH_UP = dt.timedelta(days=1)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def digest_moment(now: dt.datetime) -> dt.datetime:
    """Monday 08:00 Amsterdam of the week `now` is in."""
    local = now.astimezone(_zone())
    monday = local.date() - dt.timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    return timezone.make_aware(dt.datetime.combine(monday, DIGEST_TIME), _zone())


def digest_key(week: str, person_id: int) -> str:
    return KEY_FORMAT.format(week=week, person=person_id)


def stale_by_trekker(today: dt.date, trekkers: Sequence[int] | None = None) -> dict[int, list[Activity]]:
    """Stale activities per trekker: active coordinators of the activity's gemeente (the pages are theirs)."""
    activities = stale_activities(today).filter(
        trekker__is_active=True,
        trekker__kind=UserKind.COORDINATOR,
        trekker__gemeente_id=F("line__programme__gemeente_id"),
    )
    if trekkers is not None:
        activities = activities.filter(trekker_id__in=trekkers)
    found: dict[int, list[Activity]] = defaultdict(list)
    for activity in activities.select_related("line").order_by("line__number", "title", "pk"):
        assert activity.trekker_id is not None  # noqa: S101  (filtered on the trekker above)
        found[activity.trekker_id].append(activity)
    return found


def plan_stale_digests(now: dt.datetime | None = None) -> dict[str, int]:  # the outbox's planner
    """From Monday 08:00 (for a day): one digest row per trekker of stale activities for this ISO week."""
    now = now or timezone.now()
    moment = digest_moment(now)
    if not moment <= now < moment + DIGEST_CATCH_UP:
        return {"stale_digests": 0}
    year, week_number, _day = moment.date().isocalendar()
    week = f"{year}-W{week_number:02d}"
    trekkers = set(stale_by_trekker(timezone.localdate(now, _zone())))
    done = set(
        Notification.objects.filter(kind=KIND, key__startswith=f"stale_digest:{week}:").values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(key=digest_key(week, person), kind=KIND, recipient_id=person, due_at=moment, payload={})
        for person in sorted(trekkers - done)
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return {"stale_digests": len(rows)}


@dataclasses.dataclass
class _BatchContext:
    stale: dict[int, list[Activity]]

    @classmethod
    def load(cls, batch: Sequence[Notification], now: dt.datetime) -> _BatchContext:
        people = sorted({row.recipient_id for row in batch if row.kind == KIND})
        today = timezone.localdate(now, _zone())
        return cls(stale=stale_by_trekker(today, people) if people else {})


def why_not_send(notification: Notification, context: _BatchContext, now: dt.datetime) -> str:
    return "" if context.stale.get(notification.recipient_id) else "No stale activities any more."


def render(notification: Notification, context: _BatchContext) -> Mail:
    activities = context.stale[notification.recipient_id]
    return Mail(
        KIND,
        {
            "activities": [
                (a, settings.SITE_URL + reverse("programme:activity-detail", args=[a.pk])) for a in activities
            ],
            "count": len(activities),
        },
    )


def register_kinds() -> None:
    """Called from ProgrammeConfig.ready(): the digest's kind and its planner."""
    registry.register(
        Kind(
            name=KIND,
            key_format=KEY_FORMAT,
            load=_BatchContext.load,
            why_not_send=why_not_send,
            render=render,
        )
    )
    registry.register_planner(plan_stale_digests)
