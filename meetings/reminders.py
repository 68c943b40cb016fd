"""Planning what has come due: meetings' planner, registered with the outbox (meetings.notifications.
register_kinds). The beat sweep (kpa.tasks.outbox_sweep_task, every minute) calls `plan_due(now)`, which
turns the reminder rules into outbox rows, then sends what is due (kpa.outbox.sender.send_due).

- Invitees get a reminder settings.KPA_REMINDER_DAYS (7 and 1 unless configured: any whole days) days
  before a meeting, at the meeting's
  Amsterdam wall-clock time: a 09:00 meeting gets its reminders at 09:00 even when the clocks changed in
  between. Only for planned meetings, only to invitees who are active and on the school's team today.
- The IB-er(s) of the school today get a nudge when a meeting passed two days ago without a log.
- Every owner of overdue agreements gets one digest a week, from Monday 08:00.

Each row's unique key names what it is for (a reminder's key names the meeting's time), so planning the
same thing twice creates nothing, and a moved meeting gets new reminders while the old time's are never
created, or skipped at sending if they already were. All reads are a fixed number of queries per sweep
(per chunk of meetings), never one per recipient.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kpa.outbox.models import Notification
from meetings.models import Agreement, Invitee, Meeting, MeetingStatus, NotificationKind
from partners.models import Assignment, Role

logger = logging.getLogger(__name__)

# A rule missed by a stopped beat is still planned this long after its moment; after that it is dropped
# (a later reminder, nudge or digest comes instead).
REMINDER_CATCH_UP = dt.timedelta(days=1)
NUDGE_AFTER_DAYS = 2
NUDGE_CATCH_UP = dt.timedelta(days=7)
DIGEST_WEEKDAY, DIGEST_TIME = 0, dt.time(8, 0)  # Monday 08:00 Amsterdam
DIGEST_CATCH_UP = dt.timedelta(days=1)
# A wall-clock day is 23, 24 or 25 hours: widen UTC windows by this much and decide exactly in Python.
DST_MARGIN = dt.timedelta(hours=2)
CHUNK = 1000  # meetings per IN (...) list
BULK_BATCH = 1000

# Each kind's key: what makes two rows the same mail. A reminder's names the meeting's time, so a reminder
# for a time the meeting no longer has is another row (its prefix is the form reminders were first keyed
# with, so rows planned before the kinds became data are recognised and never planned twice).
KEY_FORMATS = {
    NotificationKind.INVITATION: "invitation:{uid}:{part}:{person}",
    NotificationKind.UPDATE: "update:{uid}:{part}:{person}",
    NotificationKind.CANCELLATION: "cancellation:{uid}:{part}:{person}",
    NotificationKind.SERIES_INVITATION: "series_invitation:{series_uid}:{uid}:{person}",
    NotificationKind.REMINDER: "before_{days}d:{uid}:{starts_at}:{person}",
    NotificationKind.LOG_NUDGE: "log_nudge:{uid}:{person}",
    NotificationKind.OVERDUE_DIGEST: "overdue_digest:{week}:{person}",
}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def shift_wall_clock(moment: dt.datetime, days: int) -> dt.datetime:
    """The same Amsterdam wall-clock time `days` days later (earlier when negative)."""
    zone = local_zone()
    naive = moment.astimezone(zone).replace(tzinfo=None) + dt.timedelta(days=days)
    return timezone.make_aware(naive, zone)


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def reminder_key(days: int, meeting_uid, starts_at: dt.datetime, person_id: int) -> str:
    """Names the meeting's time, so a reminder for a time the meeting no longer has is a different row."""
    return KEY_FORMATS[NotificationKind.REMINDER].format(
        days=days, uid=meeting_uid, starts_at=utc_iso(starts_at), person=person_id
    )


def log_nudge_key(meeting_uid, person_id: int) -> str:
    return KEY_FORMATS[NotificationKind.LOG_NUDGE].format(uid=meeting_uid, person=person_id)


def digest_week(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(week: str, owner_id: int) -> str:
    return KEY_FORMATS[NotificationKind.OVERDUE_DIGEST].format(week=week, person=owner_id)


def reminder_days() -> tuple[int, ...]:
    """The configured days before a meeting, largest first: (7, 1) unless configured otherwise."""
    return tuple(sorted({int(d) for d in settings.KPA_REMINDER_DAYS}, reverse=True))


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_due(now: dt.datetime | None = None) -> dict[str, int]:  # the outbox's planner
    """Create the Notification rows that have come due at `now`. Returns how many were new, by rule.
    Running it twice (or in two processes at once) creates nothing more: keys are unique."""
    now = now or timezone.now()
    planned = {
        "reminders": plan_reminders(now),
        "log_nudges": plan_log_nudges(now),
        "overdue_digests": plan_overdue_digests(now),
    }
    if any(planned.values()):
        logger.info("Planned notifications: %s", planned)
    return planned


def _create(rows: list[Notification]) -> int:
    """Insert, ignoring keys that exist (another sweep got there first). Returns the rows attempted."""
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BULK_BATCH)
    return len(rows)


def _existing_keys(meeting_ids: Iterable[int], kinds: Iterable[str]) -> set[str]:
    return set(
        Notification.objects.filter(meeting_id__in=list(meeting_ids), kind__in=list(kinds)).values_list(
            "key", flat=True
        )
    )


def plan_reminders(now: dt.datetime) -> int:
    """The d-day reminder of a planned meeting is due from its moment (the meeting's wall-clock time d
    days before) until REMINDER_CATCH_UP later or the next reminder's moment. It is not sent when the
    meeting was planned or changed after that moment: the invitation or update just told them."""
    days = reminder_days()
    horizon = now + dt.timedelta(days=days[0]) + DST_MARGIN
    candidates = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, starts_at__gt=now, starts_at__lte=horizon
    ).values_list("pk", "uid", "school_id", "starts_at", "rescheduled_at")
    due: list[tuple[int, object, int, dt.datetime, int, dt.datetime]] = []
    for pk, uid, school_id, starts_at, rescheduled_at in candidates.iterator(chunk_size=2000):
        moments = [shift_wall_clock(starts_at, -d) for d in days]
        for i, (d, moment) in enumerate(zip(days, moments, strict=True)):
            until = min(moment + REMINDER_CATCH_UP, moments[i + 1] if i + 1 < len(days) else starts_at)
            if moment <= now < until and rescheduled_at < moment:
                due.append((pk, uid, school_id, starts_at, d, moment))
                break
    created = 0
    today = timezone.localdate(now, local_zone())
    for chunk in _chunks(due):
        meeting_ids = [row[0] for row in chunk]
        school_ids = {row[2] for row in chunk}
        invitees: dict[int, list[int]] = defaultdict(list)
        for meeting_id, person_id in Invitee.objects.filter(
            meeting_id__in=meeting_ids, person__is_active=True
        ).values_list("meeting_id", "person_id"):
            invitees[meeting_id].append(person_id)
        on_team = set(
            Assignment.objects.active(today)
            .filter(school_id__in=school_ids, person__is_active=True)
            .values_list("school_id", "person_id")
        )
        existing = _existing_keys(meeting_ids, [NotificationKind.REMINDER])
        rows = []
        for meeting_id, uid, school_id, starts_at, d, moment in chunk:
            for person_id in invitees[meeting_id]:
                key = reminder_key(d, uid, starts_at, person_id)
                if key in existing or (school_id, person_id) not in on_team:
                    continue
                rows.append(
                    Notification(
                        key=key,
                        kind=NotificationKind.REMINDER,
                        recipient_id=person_id,
                        meeting_id=meeting_id,
                        due_at=moment,
                        payload={"days": d, "starts_at": utc_iso(starts_at)},
                    )
                )
        created += _create(rows)
    return created


def plan_log_nudges(now: dt.datetime) -> int:
    """A meeting that is not cancelled and has no log two days (wall clock) after it started: its
    school's IB-er(s) of today get a nudge, once. Missed for more than NUDGE_CATCH_UP: dropped."""
    latest = now - dt.timedelta(days=NUDGE_AFTER_DAYS) + DST_MARGIN
    earliest = latest - NUDGE_CATCH_UP - 2 * DST_MARGIN
    due = []
    for pk, uid, school_id, starts_at in (
        Meeting.objects.filter(starts_at__gte=earliest, starts_at__lte=latest, logged_at=None)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("pk", "uid", "school_id", "starts_at")
    ):
        moment = shift_wall_clock(starts_at, NUDGE_AFTER_DAYS)
        if moment <= now < moment + NUDGE_CATCH_UP:
            due.append((pk, uid, school_id, moment))
    created = 0
    today = timezone.localdate(now, local_zone())
    for chunk in _chunks(due):
        ibs: dict[int, set[int]] = defaultdict(set)
        for school_id, person_id in (
            Assignment.objects.active(today)
            .filter(role=Role.IB, school_id__in={row[2] for row in chunk}, person__is_active=True)
            .values_list("school_id", "person_id")
        ):
            ibs[school_id].add(person_id)
        existing = _existing_keys([row[0] for row in chunk], [NotificationKind.LOG_NUDGE])
        rows = [
            Notification(
                key=log_nudge_key(uid, person_id),
                kind=NotificationKind.LOG_NUDGE,
                recipient_id=person_id,
                meeting_id=pk,
                due_at=moment,
            )
            for pk, uid, school_id, moment in chunk
            for person_id in sorted(ibs[school_id])
            if log_nudge_key(uid, person_id) not in existing
        ]
        created += _create(rows)
    return created


def digest_moment(now: dt.datetime) -> dt.datetime:
    """Monday 08:00 Amsterdam of the week `now` is in."""
    zone = local_zone()
    local = now.astimezone(zone)
    monday = local.date() - dt.timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    return timezone.make_aware(dt.datetime.combine(monday, DIGEST_TIME), zone)


def overdue_agreements(today: dt.date):
    """Open agreements past their due date whose owner is active and still on that school's team."""
    return (
        Agreement.objects.overdue(today)
        .filter(owner__is_active=True)
        .filter(
            Exists(
                Assignment.objects.active(today).filter(
                    person_id=OuterRef("owner_id"), school_id=OuterRef("school_id")
                )
            )
        )
    )


def plan_overdue_digests(now: dt.datetime) -> int:
    """From Monday 08:00 (for a day): one digest row per owner of overdue agreements for this ISO week."""
    moment = digest_moment(now)
    if not moment <= now < moment + DIGEST_CATCH_UP:
        return 0
    week = digest_week(moment.date())
    today = timezone.localdate(now, local_zone())
    owners = set(overdue_agreements(today).values_list("owner_id", flat=True).distinct())
    if not owners:
        return 0
    done = set(
        Notification.objects.filter(
            kind=NotificationKind.OVERDUE_DIGEST, key__startswith=digest_key(week, 0)[:-1]
        ).values_list("recipient_id", flat=True)
    )
    rows = [
        Notification(
            key=digest_key(week, owner_id),
            kind=NotificationKind.OVERDUE_DIGEST,
            recipient_id=owner_id,
            due_at=moment,
            payload={"week": week},
        )
        for owner_id in sorted(owners - done)
    ]
    return _create(rows)
