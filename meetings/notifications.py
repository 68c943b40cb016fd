"""Sending what is due from the Notification outbox.

A row is claimed with SELECT … FOR UPDATE SKIP LOCKED in a short transaction of its own, checked again
(is the meeting still planned at the time the reminder names, is the person still active and on the
team?), mailed, and marked sent in that same transaction; so two workers never send the same row, and a
worker killed mid-sweep leaves its row unsent for the next one (PostgreSQL releases the lock when the
connection dies). SQLite has no row locks, but its writers take the database lock in turn
(transaction_mode IMMEDIATE), which gives the same guarantee with one sender at a time.

So no mail is lost, and a mail in flight when its worker dies may go out twice: a worker killed after the
SMTP server took the mail and before the mark committed leaves the row unsent, and the next sweep sends
it again, with the same Message-ID (message_id, from the row's key), so the repeat is recognisably the
same message.

An SMTP failure marks nothing sent: attempts goes up, last_error is kept, and the row is due again after
2**attempts minutes; after MAX_ATTEMPTS it is given up (skipped_at, skip_reason).

Everything else the checks and mails need (the people, meetings, team today, invitees, overdue
agreements) is read once per batch of BATCH rows. A row costs its own short transaction with two
statements, the claim (which reads again what the checks depend on) and the mark; never a lookup per
recipient.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import time
from collections import Counter, defaultdict
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kpa import emails
from kpa.models import User
from meetings import reminders
from meetings.models import (
    Agreement,
    Invitee,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationKind,
)
from partners.models import Assignment, Role

logger = logging.getLogger(__name__)

BATCH = 100
MAX_ATTEMPTS = 8
CALENDAR_KINDS = {NotificationKind.INVITATION, NotificationKind.UPDATE, NotificationKind.CANCELLATION}
# The attachment is named for what it does (the mail's text names it too).
ICS_FILENAMES = {
    NotificationKind.INVITATION: "uitnodiging.ics",
    NotificationKind.SERIES_INVITATION: "uitnodiging-reeks.ics",
    NotificationKind.UPDATE: "wijziging.ics",
    NotificationKind.CANCELLATION: "annulering.ics",
}
SENT, SKIPPED, FAILED, BUSY = "sent", "skipped", "failed", "busy"  # what became of one row


def is_reminder(kind: str) -> bool:
    return kind.startswith("before_") and kind.endswith("d")


# What the claim reads again under the lock: the state every check depends on.
FRESH_FIELDS = (
    "attempts",
    "recipient__is_active",
    "meeting__status",
    "meeting__starts_at",
    "meeting__sequence",
    "meeting__logged_at",
)


@dataclasses.dataclass(frozen=True)
class _Candidate:
    pk: int
    key: str
    kind: str
    payload: dict
    recipient_id: int
    meeting_id: int | None
    school_id: int | None


@dataclasses.dataclass
class _BatchContext:
    """What the checks and mails of one batch need, read in a fixed number of queries."""

    today: dt.date
    people: dict[int, User]
    meetings: dict[int, Meeting]  # with .school
    team: set[tuple[int, int]]  # (school_id, person_id) active today
    ibs: set[tuple[int, int]]  # (school_id, person_id) with the IB role today
    invitees: dict[int, list[User]]  # meeting_id -> invited people
    overdue: dict[int, list[Agreement]]  # owner_id -> overdue agreements
    # series_id -> its meetings (with .school, .series and ._invited: the invited people), for series
    # invitations
    series: dict[int, list[Meeting]] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, batch: list[_Candidate], now: dt.datetime) -> _BatchContext:
        today = timezone.localdate(now, reminders.local_zone())
        people = User.objects.in_bulk({c.recipient_id for c in batch})
        meeting_ids = {c.meeting_id for c in batch if c.meeting_id}
        meetings = (
            Meeting.objects.select_related("school", "series").in_bulk(meeting_ids) if meeting_ids else {}
        )
        team: set[tuple[int, int]] = set()
        ibs: set[tuple[int, int]] = set()
        on_team = [
            c for c in batch if c.school_id and (is_reminder(c.kind) or c.kind == NotificationKind.LOG_NUDGE)
        ]
        if on_team:
            for school_id, person_id, role in (
                Assignment.objects.active(today)
                .filter(
                    school_id__in={c.school_id for c in on_team},
                    person_id__in={c.recipient_id for c in on_team},
                )
                .values_list("school_id", "person_id", "role")
            ):
                team.add((school_id, person_id))
                if role == Role.IB:
                    ibs.add((school_id, person_id))
        invitees: dict[int, list[User]] = defaultdict(list)
        invited_to = {c.meeting_id for c in batch if c.kind in CALENDAR_KINDS or is_reminder(c.kind)}
        if invited_to:
            for invitee in (
                Invitee.objects.filter(meeting_id__in=invited_to).select_related("person").order_by("pk")
            ):
                invitees[invitee.meeting_id].append(invitee.person)
        overdue: dict[int, list[Agreement]] = defaultdict(list)
        owners = {c.recipient_id for c in batch if c.kind == NotificationKind.OVERDUE_DIGEST}
        if owners:
            for agreement in (
                reminders.overdue_agreements(today)
                .filter(owner_id__in=owners)
                .select_related("school")
                .order_by("due_date", "pk")
            ):
                overdue[agreement.owner_id].append(agreement)
        series: dict[int, list[Meeting]] = defaultdict(list)
        series_ids = {c.payload.get("series") for c in batch if c.kind == NotificationKind.SERIES_INVITATION}
        if series_ids:
            invited: dict[int, list[User]] = defaultdict(list)
            for invitee in (
                Invitee.objects.filter(meeting__series_id__in=series_ids)
                .select_related("person")
                .order_by("pk")
            ):
                invited[invitee.meeting_id].append(invitee.person)
            for meeting in (
                Meeting.objects.filter(series_id__in=series_ids)
                .select_related("school", "series")
                .order_by("starts_at", "pk")
            ):
                meeting._invited = invited.get(meeting.pk, [])  # type: ignore[attr-defined]
                series[meeting.series_id].append(meeting)
        return cls(
            today=today,
            people=people,
            meetings=meetings,
            team=team,
            ibs=ibs,
            invitees=invitees,
            overdue=overdue,
            series=series,
        )


def send_due(limit: int = 500, *, seconds: float | None = None) -> int:
    """Send up to `limit` due notifications, stopping early after `seconds`. Returns how many were sent.
    Safe to run in any number of workers at once: each row is claimed under a lock and re-checked."""
    deadline = None if seconds is None else time.monotonic() + seconds
    sent = tried = 0
    while tried < limit and (deadline is None or time.monotonic() < deadline):
        size = min(BATCH, limit - tried)
        now = timezone.now()
        batch = [
            _Candidate(*row)
            for row in Notification.objects.due(now)
            .order_by("due_at", "pk")
            .values_list("pk", "key", "kind", "payload", "recipient_id", "meeting_id", "meeting__school_id")[
                :size
            ]
        ]
        if not batch:
            break
        context = _BatchContext.load(batch, now)
        outcomes: Counter[str] = Counter()
        for candidate in batch:
            outcomes[_send_one(candidate, context)] += 1
            if deadline is not None and time.monotonic() >= deadline:
                break
        sent += outcomes[SENT]
        tried += len(batch)
        if len(batch) < size or outcomes[BUSY] == outcomes.total():
            break  # nothing more is due, or all that is due is being sent by other workers right now
    return sent


def sweep(*, seconds: float = 50.0, limit: int = 100_000) -> dict[str, int]:
    """One beat run: plan what has come due, then send what is due for at most `seconds` (the next run
    goes on where this one stopped)."""
    planned = reminders.plan_due()
    sent = send_due(limit, seconds=seconds)
    return {**planned, "sent": sent}


def _claim(candidate: _Candidate, context: _BatchContext, now: dt.datetime) -> Notification | None:
    """Lock the row if it is still due and no other worker holds it, and read again (in the same query)
    what the checks depend on: the recipient still active, the meeting's status, time, SEQUENCE and log.
    A meeting that changed since the batch was read is read again in full."""
    fresh = list(
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=candidate.pk, sent_at=None, skipped_at=None, due_at__lte=now)
        .values_list(*FRESH_FIELDS)[:1]
    )
    if not fresh:
        return None
    attempts, is_active, status, starts_at, sequence, logged_at = fresh[0]
    person = context.people[candidate.recipient_id]
    person.is_active = is_active
    meeting = context.meetings.get(candidate.meeting_id) if candidate.meeting_id else None
    if meeting is not None and (meeting.status, meeting.starts_at, meeting.sequence, meeting.logged_at) != (
        status,
        starts_at,
        sequence,
        logged_at,
    ):
        meeting = context.meetings[meeting.pk] = Meeting.objects.select_related("school", "series").get(
            pk=meeting.pk
        )
    return Notification(
        pk=candidate.pk,
        key=candidate.key,
        kind=candidate.kind,
        payload=candidate.payload,
        attempts=attempts,
        recipient=person,
        meeting=meeting,
    )


def _send_one(candidate: _Candidate, context: _BatchContext) -> str:
    now = timezone.now()
    with transaction.atomic():
        notification = _claim(candidate, context, now)
        if notification is None:
            return BUSY  # another worker has it now, or it was sent, skipped or postponed meanwhile
        reason = why_not_send(notification, context, now)
        if reason:
            Notification.objects.filter(pk=notification.pk).update(skipped_at=now, skip_reason=reason)
            logger.info("Skipped notification %s: %s", notification.key, reason)
            return SKIPPED
        try:
            _deliver(notification, context)
        except Exception as error:  # SMTP, network or rendering: nothing was sent
            _record_failure(notification, error, now)
            return FAILED
        Notification.objects.filter(pk=notification.pk).update(
            sent_at=timezone.now(), attempts=notification.attempts + 1, last_error=""
        )
        return SENT


def _record_failure(notification: Notification, error: Exception, now: dt.datetime) -> None:
    attempts = notification.attempts + 1
    message = f"{type(error).__name__}: {error}"[:500]
    if attempts >= MAX_ATTEMPTS:
        changes = {"skipped_at": now, "skip_reason": f"Gave up after {attempts} failed attempts."}
        logger.error("Gave up on notification %s: %s", notification.key, message)
    else:
        changes = {"due_at": now + dt.timedelta(minutes=2**attempts)}
        logger.warning(
            "Notification %s failed (attempt %s), retrying: %s", notification.key, attempts, message
        )
    Notification.objects.filter(pk=notification.pk).update(attempts=attempts, last_error=message, **changes)


def planned_start(notification: Notification) -> dt.datetime | None:
    """The meeting time a reminder was planned for (its key names it too)."""
    raw = (notification.payload or {}).get("starts_at")
    if not raw:
        # before_7d:<uid>:<iso time>:<person>
        raw = notification.key.split(":", 2)[-1].rsplit(":", 1)[0]
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return None


def why_not_send(notification: Notification, context: _BatchContext, now: dt.datetime) -> str:
    """Why this mail must not go out any more ("" when it may). Checked under the row lock."""
    person, meeting, kind = notification.recipient, notification.meeting, notification.kind
    if not person.is_active:
        return "Recipient is no longer active."
    if not person.email:
        return "Recipient has no e-mail address."
    if kind == NotificationKind.OVERDUE_DIGEST:
        return "" if context.overdue.get(person.pk) else "No overdue agreements any more."
    if meeting is None:
        return "The meeting no longer exists."
    if kind == NotificationKind.SERIES_INVITATION:
        if not any(
            m.status == MeetingStatus.PLANNED and m.starts_at > now
            for m in series_meetings_of(notification, context)
        ):
            return "Nothing of the series is still to come for this person."
        return ""
    invited = any(p.pk == person.pk for p in context.invitees.get(meeting.pk, ()))
    if kind in CALENDAR_KINDS:
        if kind != NotificationKind.CANCELLATION:
            if meeting.status == MeetingStatus.CANCELLED:
                return "The meeting was cancelled."
            if (notification.payload or {}).get("sequence", meeting.sequence) < meeting.sequence:
                return "Superseded by a later change of the meeting."
            if meeting.starts_at <= now:
                return "The meeting has already started."
        return "" if invited else "No longer invited."
    if is_reminder(kind):
        if meeting.status != MeetingStatus.PLANNED:
            return f"The meeting is {meeting.status}, not planned."
        if planned_start(notification) != meeting.starts_at:
            return "The meeting was moved; this reminder was for its old time."
        if meeting.starts_at <= now:
            return "The meeting has already started."
        if not invited:
            return "No longer invited."
        if (meeting.school_id, person.pk) not in context.team:
            return "No longer on the school's team."
        return ""
    if kind == NotificationKind.LOG_NUDGE:
        if meeting.logged_at is not None:
            return "The meeting has been logged."
        if meeting.status == MeetingStatus.CANCELLED:
            return "The meeting was cancelled."
        if (meeting.school_id, person.pk) not in context.ibs:
            return "No longer IB-er of the school."
        return ""
    return f"Unknown kind {kind!r}."


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def series_meetings_of(notification: Notification, context: _BatchContext) -> list[Meeting]:
    """The meetings of the series of a series invitation that its recipient is invited to."""
    person = notification.recipient
    return [
        m
        for m in context.series.get((notification.payload or {}).get("series"), ())
        if any(p.pk == person.pk for p in m._invited)  # type: ignore[attr-defined]
    ]


def school_year_start(day: dt.date) -> dt.date:
    """The 1 August that starts the school year of `day` (a school year runs 1 August - 31 July)."""
    return dt.date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def subject_date_format(starts_at: dt.datetime, today: dt.date) -> str:
    """How a mail subject writes the meeting's date: with the year when it is not in this school year."""
    same_year = school_year_start(timezone.localdate(starts_at)) == school_year_start(today)
    return "l j F" if same_year else "l j F Y"


def _meeting_context(meeting: Meeting, notification: Notification | None = None) -> dict:
    previous = (notification.payload or {}).get("previous_starts_at") if notification else None
    previous_starts_at = dt.datetime.fromisoformat(previous) if previous else None
    return {
        "previous_starts_at": previous_starts_at if previous_starts_at != meeting.starts_at else None,
        "subject_date_format": subject_date_format(meeting.starts_at, timezone.localdate()),
        "meeting": meeting,
        "school": meeting.school,
        "kind": meeting.get_kind_display(),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "location": meeting.location,
        "online_url": meeting.online_url,
        "url": _absolute(reverse("meetings:detail", args=[meeting.pk])),
    }


def _calendar_attachment(meeting: Meeting, kind: str, attendees: list[User], url: str) -> tuple:
    from meetings.ics import meeting_calendar  # written alongside; imported when first needed

    method = "CANCEL" if kind == NotificationKind.CANCELLATION else "REQUEST"
    content = meeting_calendar(
        meeting,
        method=method,
        attendees=attendees,
        organizer_email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        url=url,
    )
    return (ICS_FILENAMES[kind], content, f"text/calendar; method={method}")


def _series_invitation(notification: Notification, context: _BatchContext) -> tuple[dict, tuple]:
    """The mail context and the attachment of a series invitation: the meetings of the series the
    recipient is invited to and not cancelled, as one series event."""
    from meetings.ics import series_calendar

    meetings = [m for m in series_meetings_of(notification, context) if m.status != MeetingStatus.CANCELLED]
    attendees: dict[int, User] = {}
    for meeting in meetings:
        attendees.update((p.pk, p) for p in meeting._invited if p.is_active)  # type: ignore[attr-defined]
    content = series_calendar(
        meetings,
        attendees=list(attendees.values()),
        organizer_email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        base_url=settings.SITE_URL,
    )
    first = meetings[0]
    mail_context = _meeting_context(first) | {
        "meetings": meetings,
        "count": len(meetings),
        "interval_weeks": first.series.interval_weeks,
        "url": _absolute(reverse("meetings:list")),
    }
    attachment = (
        ICS_FILENAMES[NotificationKind.SERIES_INVITATION],
        content,
        "text/calendar; method=REQUEST",
    )
    return mail_context, attachment


def _deliver(notification: Notification, context: _BatchContext) -> None:
    person, meeting, kind = notification.recipient, notification.meeting, notification.kind
    mail_context: dict = {"recipient": person}
    attachments: list[tuple] = []
    if kind == NotificationKind.OVERDUE_DIGEST:
        name = "overdue_digest"
        agreements = context.overdue[person.pk]
        mail_context |= {
            "agreements": agreements,
            "count": len(agreements),
            "url": _absolute(reverse("meetings:my-agreements")),
        }
    else:
        assert meeting is not None  # noqa: S101  (why_not_send refused rows without a meeting)
        mail_context |= _meeting_context(meeting, notification)
        if kind == NotificationKind.SERIES_INVITATION:
            name = f"meeting_{kind}"
            series_context, attachment = _series_invitation(notification, context)
            mail_context |= series_context
            attachments.append(attachment)
        elif kind in CALENDAR_KINDS:
            name = f"meeting_{kind}"
            attendees = [p for p in context.invitees.get(meeting.pk, ()) if p.is_active]
            attachments.append(_calendar_attachment(meeting, kind, attendees, mail_context["url"]))
        elif is_reminder(kind):
            name = "reminder"
            mail_context["days"] = (notification.payload or {}).get("days") or int(kind[7:-1])
        else:
            name = "log_nudge"
            mail_context["log_url"] = _absolute(reverse("meetings:log", args=[meeting.pk]))
    emails.send_template_mail(
        name,
        to=[person.email],
        context=mail_context,
        attachments=attachments,
        headers={"Message-ID": message_id(notification.key)},
    )


def message_id(key: str) -> str:
    """The Message-ID of the mail of the outbox row with this key: the same each time the row is sent.
    A worker that dies after the SMTP server took a mail and before the row is marked sent leaves it due,
    and the next one sends it again; the repeat then carries the same Message-ID, so a reader, a mail
    client or an archive can tell it is the same message. The domain is the sender's
    (DEFAULT_FROM_EMAIL), else SITE_URL's host."""
    _local, at, domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")
    if not (at and domain):
        domain = urlsplit(settings.SITE_URL).hostname or "kpa.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
