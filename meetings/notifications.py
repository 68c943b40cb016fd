"""The mails of meetings, registered with the outbox (kpa.outbox) as kinds: invitation, update,
cancellation, series invitation, reminder, log nudge and overdue digest. For each: its key's format,
what to check again right before sending (why_not_send: is the meeting still planned at the time the
reminder names, is the person still invited, on the team, the IB-er?), and how to render it (template
triple, context, .ics attachment). Everything the checks and mails of a batch need (the meetings, team
today, invitees, overdue agreements, series) is read once per batch by _BatchContext.load, in a fixed
number of queries; never a lookup per recipient. Sending, retrying and marking are the outbox's.

A reminder's days before the meeting and the time it was planned for are fields of its payload, so any
day in settings.KPA_REMINDER_DAYS is a reminder like any other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kpa.models import User
from kpa.outbox import registry
from kpa.outbox.models import Notification
from kpa.outbox.registry import Kind, Mail
from meetings import reminders
from meetings.models import Agreement, Invitee, Meeting, MeetingStatus, NotificationKind
from partners.models import Assignment, Role
from schools.years import school_year_start

CALENDAR_KINDS = {NotificationKind.INVITATION, NotificationKind.UPDATE, NotificationKind.CANCELLATION}
# The attachment is named for what it does (the mail's text names it too).
ICS_FILENAMES = {
    NotificationKind.INVITATION: "uitnodiging.ics",
    NotificationKind.SERIES_INVITATION: "uitnodiging-reeks.ics",
    NotificationKind.UPDATE: "wijziging.ics",
    NotificationKind.CANCELLATION: "annulering.ics",
}


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
    # (kind, meeting_id, previous_starts_at) -> the Mail every invitee of that meeting gets in this batch
    # (the same text but for the name, and the same .ics): made once, merged by the outbox (Mail.merge_key)
    shared_mails: dict[tuple, Mail] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, batch: Sequence[Notification], now: dt.datetime) -> _BatchContext:
        """Read after the batch was claimed, so the checks see the state as it is now. Each row gets its
        meeting (with .school and .series) from here, not by a query of its own."""
        today = timezone.localdate(now, reminders.local_zone())
        people = {c.recipient_id: c.recipient for c in batch}  # the claim read them
        meeting_ids = {c.meeting_id for c in batch if c.meeting_id}
        meetings = (
            Meeting.objects.select_related("school", "series").in_bulk(meeting_ids) if meeting_ids else {}
        )
        for c in batch:
            if c.meeting_id:
                c.meeting = meetings.get(c.meeting_id)
        team: set[tuple[int, int]] = set()
        ibs: set[tuple[int, int]] = set()
        on_team = [
            c
            for c in batch
            if c.meeting is not None and c.kind in (NotificationKind.REMINDER, NotificationKind.LOG_NUDGE)
        ]
        if on_team:
            for school_id, person_id, role in (
                Assignment.objects.active(today)
                .filter(
                    school_id__in={c.meeting.school_id for c in on_team},
                    person_id__in={c.recipient_id for c in on_team},
                )
                .values_list("school_id", "person_id", "role")
            ):
                team.add((school_id, person_id))
                if role == Role.IB:
                    ibs.add((school_id, person_id))
        invitees: dict[int, list[User]] = defaultdict(list)
        invited_to = {
            c.meeting_id for c in batch if c.kind in CALENDAR_KINDS or c.kind == NotificationKind.REMINDER
        }
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


def planned_start(notification: Notification) -> dt.datetime | None:
    """The meeting time a reminder was planned for (a field of its payload)."""
    raw = (notification.payload or {}).get("starts_at")
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def why_not_send(notification: Notification, context: _BatchContext, now: dt.datetime) -> str:
    """Why this mail must not go out any more ("" when it may). Checked after the claim, with the batch's
    context read after it; the outbox itself refuses an inactive recipient or one without an address."""
    person, meeting, kind = notification.recipient, notification.meeting, notification.kind
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
    if kind == NotificationKind.REMINDER:
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
    mail_context = _meeting_context(first) | {  # "Agenda en details": the first meeting's page
        "meetings": meetings,
        "count": len(meetings),
        "interval_weeks": first.series.interval_weeks,
    }
    attachment = (
        ICS_FILENAMES[NotificationKind.SERIES_INVITATION],
        content,
        "text/calendar; method=REQUEST",
    )
    return mail_context, attachment


def render(notification: Notification, context: _BatchContext) -> Mail:
    """The mail of one row (it passed why_not_send)."""
    person, meeting, kind = notification.recipient, notification.meeting, notification.kind
    payload = notification.payload or {}
    if kind == NotificationKind.OVERDUE_DIGEST:
        agreements = context.overdue[person.pk]
        return Mail(
            "overdue_digest",
            {
                "agreements": agreements,
                "count": len(agreements),
                "url": _absolute(reverse("meetings:my-agreements")),
            },
        )
    assert meeting is not None  # noqa: S101  (why_not_send refused rows without a meeting)
    if kind == NotificationKind.SERIES_INVITATION:  # its meetings are the recipient's own: not shared
        mail_context = _meeting_context(meeting, notification)
        series_context, attachment = _series_invitation(notification, context)
        return Mail(f"meeting_{kind}", mail_context | series_context, [attachment])
    group = (kind, meeting.pk, payload.get("previous_starts_at"), payload.get("days"))
    mail = context.shared_mails.get(group)
    if mail is None:
        mail = context.shared_mails[group] = _shared_mail(notification, context, group)
    return mail


def _shared_mail(notification: Notification, context: _BatchContext, group: tuple) -> Mail:
    """The mail of a meeting that each of its recipients of this kind gets alike (but for the name)."""
    meeting, kind = notification.meeting, notification.kind
    assert meeting is not None  # noqa: S101
    mail_context = _meeting_context(meeting, notification)
    if kind in CALENDAR_KINDS:
        attendees = [p for p in context.invitees.get(meeting.pk, ()) if p.is_active]
        attachment = _calendar_attachment(meeting, kind, attendees, mail_context["url"])
        return Mail(f"meeting_{kind}", mail_context, [attachment], merge_key=group)
    if kind == NotificationKind.REMINDER:
        return Mail("reminder", mail_context | {"days": notification.payload["days"]}, merge_key=group)
    return Mail(
        "log_nudge",
        mail_context | {"log_url": _absolute(reverse("meetings:log", args=[meeting.pk]))},
        merge_key=group,
    )


def outbox_kind(name: str) -> Kind:
    """Meetings' entry of the registry for this kind."""
    return Kind(
        name=name,
        key_format=reminders.KEY_FORMATS[name],
        load=_BatchContext.load,
        why_not_send=why_not_send,
        render=render,
    )


def register_kinds() -> None:
    """Called from MeetingsConfig.ready(): meetings' kinds and its planner (reminders, nudges, digests)."""
    registry.register(*(outbox_kind(name) for name in NotificationKind))
    registry.register_planner(reminders.plan_due)
