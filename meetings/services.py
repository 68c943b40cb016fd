"""Writes about meetings: plan, move, cancel, log, close agreements. Each runs in one transaction; the
mails they cause are queued as Notification rows in that same transaction and sent by the sweep."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import EllipsisType

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpa.audit import audit_created
from kpa.models import User
from kpa.outbox.models import Notification
from kpa.privacy import validate_no_pupil_data as _validate_text
from meetings import selectors
from meetings.dates import local_day, validate_new_date
from meetings.models import (
    AgendaItem,
    AgendaTemplate,
    Agreement,
    AgreementStatus,
    CaseworkCount,
    CaseworkTheme,
    CollectiveQuestion,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    NotificationKind,
)
from schools.models import School, SchoolHoliday

DEFAULT_AGENDA = [
    "Opening en vaststellen agenda",
    "Casuïstiekronde (geanonimiseerd, aantallen per thema)",
    "Collectieve vragen van de school",
    "Afspraken van de vorige keer",
    "Preventie en JGZ",
    "Verzuim, thuiszitters en leerplicht",
    "Rondvraag en volgende afspraak",
]


def known_user_emails(addresses: set[str]) -> set[str]:
    """Which of these e-mail addresses belong to KPA users (those may appear in free text)."""
    lowered = {a.lower() for a in addresses}
    return set(User.objects.filter(email__in=lowered).values_list("email", flat=True))


def validate_no_pupil_data(text: str) -> None:
    """The privacy guard for every free text that a meeting write stores."""
    _validate_text(text, known_emails=known_user_emails)


def agenda_template_items(school: School) -> list[str]:
    template = (
        AgendaTemplate.objects.filter(gemeente_id=school.gemeente_id).first()
        or AgendaTemplate.objects.filter(gemeente__isnull=True).first()
    )
    return template.item_list() if template else list(DEFAULT_AGENDA)


def _queue(
    meeting: Meeting,
    kind: str,
    recipients: Iterable[User],
    *,
    key_part: str,
    payload_for: Callable[[User], dict] | None = None,
) -> None:
    """Queue one mail per recipient; the unique key makes queuing the same mail twice a no-op."""
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"{kind}:{meeting.uid}:{key_part}:{person.pk}",
                kind=kind,
                recipient=person,
                meeting=meeting,
                due_at=now,
                payload={"sequence": meeting.sequence, **(payload_for(person) if payload_for else {})},
            )
            for person in recipients
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(_kick_sender)


def _queue_series_invitations(series: MeetingSeries, first_meetings: dict[User, Meeting]) -> None:
    """ONE invitation per person for the whole series (or, for someone who joined later, the rest of it),
    not one per meeting. `first_meetings` names, per person, the first meeting of the series they are
    newly invited to: the row hangs on it and its key names it, so queuing it twice is a no-op while
    someone who leaves and comes back is invited again. What the mail lists is read when it is sent."""
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"{NotificationKind.SERIES_INVITATION}:{series.uid}:{meeting.uid}:{person.pk}",
                kind=NotificationKind.SERIES_INVITATION,
                recipient=person,
                meeting=meeting,
                due_at=now,
                payload={"series": series.pk},
            )
            for person, meeting in first_meetings.items()
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(_kick_sender)


def _kick_sender() -> None:
    """Ask a worker to send now rather than at the next sweep. If the broker is down this does nothing:
    the rows are in the database and the beat sweep sends them once it is back."""
    from kpa.tasks import outbox_send_due_task

    with contextlib.suppress(Exception):  # the sweep is the guarantee; this is only a shortcut
        outbox_send_due_task.apply_async(retry=False)


def _check_times(
    starts_at: dt.datetime, ends_at: dt.datetime | None, *, previous: dt.datetime | None = None
) -> None:
    if starts_at != previous:  # a new time lies in the window; a stored one that stays is not judged again
        try:
            validate_new_date(local_day(starts_at))
        except ValidationError as error:
            raise ValidationError({"starts_at": error.messages}) from error
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


@transaction.atomic
def meeting_schedule(
    *,
    school: School,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    location: str = "",
    online_url: str = "",
    kind: str = MeetingKind.KPO,
    created_by: User | None = None,
    series: MeetingSeries | None = None,
) -> Meeting:
    """Plan one meeting: the team of that day is invited, the agenda comes from the template. A meeting
    of a series is not invited on its own: meeting_series_schedule invites to the whole series at once."""
    _check_times(starts_at, ends_at)
    validate_no_pupil_data(location)
    validate_no_pupil_data(online_url)  # the link goes out in every invitation and the feed
    meeting = Meeting(
        school=school,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online_url=online_url,
        kind=kind,
        created_by=created_by,
        series=series,
        original_starts_at=starts_at if series is not None else None,
    )
    meeting.full_clean()
    meeting.save()
    members = selectors.team_members(school.pk, on=timezone.localdate(starts_at))
    invitees = Invitee.objects.bulk_create(
        [Invitee(meeting=meeting, person=p, role=role) for p, role in members]
    )
    agenda = AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=i, title=t)
            for i, t in enumerate(agenda_template_items(school))
        ]
    )
    audit_created([*invitees, *agenda])  # bulk_create skips the audit trail's signals
    if series is None:
        _queue(meeting, NotificationKind.INVITATION, [p for p, _role in members], key_part="0")
    return meeting


def series_dates(
    *, first: dt.datetime, until: dt.date, interval_weeks: int, region: str
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Every `interval_weeks` weeks from `first` up to `until`, in Amsterdam wall-clock time (so 09:00
    stays 09:00 across daylight saving); dates in a school holiday of the region are skipped.
    Returns (planned, skipped)."""
    if interval_weeks < 1:
        raise ValidationError({"interval_weeks": _("Choose an interval of at least one week.")})
    try:
        validate_new_date(until)
    except ValidationError as error:
        raise ValidationError({"until": error.messages}) from error
    local_first = timezone.localtime(first)
    holidays = (
        list(
            SchoolHoliday.objects.filter(
                region=region, end_date__gte=local_first.date(), start_date__lte=until
            )
        )
        if region
        else []
    )
    planned, skipped = [], []
    day = local_first.date()
    while day <= until:
        naive = dt.datetime.combine(day, local_first.time().replace(tzinfo=None))
        moment = timezone.make_aware(naive)
        if any(h.start_date <= day <= h.end_date for h in holidays):
            skipped.append(moment)
        else:
            planned.append(moment)
        day += dt.timedelta(weeks=interval_weeks)
    return planned, skipped


SERIES_MAX = 60


def series_preview(
    *, first: dt.datetime, until: dt.date, interval_weeks: int, region: str
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """The dates a series would get, with the limits it is held to: what the preview shows is what
    meeting_series_schedule saves."""
    planned, skipped = series_dates(first=first, until=until, interval_weeks=interval_weeks, region=region)
    if not planned:
        raise ValidationError({"until": _("No meeting falls in this period outside the school holidays.")})
    if len(planned) > SERIES_MAX:
        raise ValidationError({"until": _("A series has at most 60 meetings; choose a shorter period.")})
    return planned, skipped


@dataclass(frozen=True)
class SeriesResult:
    series: MeetingSeries
    meetings: list[Meeting]
    skipped: list[dt.datetime]


@transaction.atomic
def meeting_series_schedule(
    *,
    school: School,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    interval_weeks: int,
    until: dt.date,
    location: str = "",
    online_url: str = "",
    created_by: User | None = None,
) -> SeriesResult:
    planned, skipped = series_preview(
        first=first_starts_at, until=until, interval_weeks=interval_weeks, region=school.holiday_region
    )
    series = MeetingSeries.objects.create(school=school, interval_weeks=interval_weeks, created_by=created_by)
    meetings = [
        meeting_schedule(
            school=school,
            starts_at=start,
            ends_at=start + duration,
            location=location,
            online_url=online_url,
            created_by=created_by,
            series=series,
        )
        for start in planned
    ]
    first_meetings: dict[User, Meeting] = {}
    for invitee in (
        Invitee.objects.filter(meeting__series=series)
        .select_related("person", "meeting")
        .order_by("meeting__starts_at", "pk")
    ):
        first_meetings.setdefault(invitee.person, invitee.meeting)
    _queue_series_invitations(series, first_meetings)
    return SeriesResult(series=series, meetings=meetings, skipped=skipped)


def _invitees(meeting: Meeting) -> list[User]:
    return [i.person for i in meeting.invitees.select_related("person")]


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    location: str,
    online_url: str,
) -> Meeting:
    """Move or change a planned meeting: SEQUENCE goes up and every invitee gets the update. Reminders
    for the old time are never sent (their key names the time they were for)."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be changed."))
    _check_times(starts_at, ends_at, previous=meeting.starts_at)
    validate_no_pupil_data(location)
    validate_no_pupil_data(online_url)  # the link goes out in every invitation and the feed
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    meeting.refresh_from_db()
    changed = (meeting.starts_at, meeting.ends_at, meeting.location, meeting.online_url) != (
        starts_at,
        ends_at,
        location,
        online_url,
    )
    if not changed:
        return meeting
    # The update mail says what the time was: the time each invitee was last told, which is the one an
    # earlier update still waiting to go out was about to replace (that one is superseded by this one).
    previous = {"previous_starts_at": meeting.starts_at.isoformat()}
    told = {
        row.recipient_id: row.payload["previous_starts_at"]
        for row in Notification.objects.filter(
            kind=NotificationKind.UPDATE, meeting=meeting, sent_at=None, skipped_at=None
        ).only("recipient_id", "payload")
        if "previous_starts_at" in (row.payload or {})
    }
    meeting.starts_at, meeting.ends_at, meeting.location, meeting.online_url = (
        starts_at,
        ends_at,
        location,
        online_url,
    )
    meeting.sequence += 1
    meeting.rescheduled_at = timezone.now()
    meeting.full_clean()
    meeting.save()
    _queue(
        meeting,
        NotificationKind.UPDATE,
        _invitees(meeting),
        key_part=str(meeting.sequence),
        payload_for=lambda person: {"previous_starts_at": told[person.pk]} if person.pk in told else previous,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    meeting.refresh_from_db()
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    _queue(meeting, NotificationKind.CANCELLATION, _invitees(meeting), key_part=str(meeting.sequence))
    return meeting


@dataclass
class QuestionInput:
    """A new collective question of a log: its text, and optionally its theme and action line."""

    text: str
    theme: str = ""
    action_line_id: int | None = None


def _check_action_line(school, action_line_id: int | None) -> None:
    """An agreement or question serves a line of its school's own programme, never another gemeente's."""
    if (
        action_line_id is not None
        and not selectors.action_lines_for_school(school).filter(pk=action_line_id).exists()
    ):
        raise ValidationError(_("Choose one of the action lines of this school's programme."))


def _check_theme(theme: str) -> None:
    if theme and theme not in CaseworkTheme.values:
        raise ValidationError(_("Choose one of the themes."))


@dataclass
class AgreementInput:
    description: str
    owner: User
    due_date: dt.date
    action_line_id: int | None = None


@transaction.atomic
def meeting_log_save(
    *,
    meeting: Meeting,
    attendance: dict[int, tuple[str, str]],
    minutes: str,
    casework: dict[str, int],
    new_questions: list[str | QuestionInput],
    new_agreements: list[AgreementInput],
    answered_questions: dict[int, str] | None = None,
    complete: bool = False,
) -> Meeting:
    """Save the log of a meeting, in part or whole. `attendance` maps invitee id to (attendance,
    replaced_by). Every free text is checked for pupil data first; nothing is saved when one fails.
    Owners of agreements must be on the school's team."""
    questions = [q if isinstance(q, QuestionInput) else QuestionInput(text=q) for q in new_questions]
    texts = [minutes, *(q.text for q in questions), *(a.description for a in new_agreements)]
    texts += list((answered_questions or {}).values()) + [r for _a, r in attendance.values()]
    for text in texts:
        validate_no_pupil_data(text)
    for new in questions:
        _check_theme(new.theme)
        _check_action_line(meeting.school, new.action_line_id)
    for agreement in new_agreements:
        _check_action_line(meeting.school, agreement.action_line_id)
    # The team is read only when there is an owner to check (most saves of a log add no agreement).
    team = {p.pk for p, _role in selectors.team_members(meeting.school_id)} if new_agreements else set()
    for agreement in new_agreements:
        validate_new_date(agreement.due_date)
        if agreement.owner.pk not in team:
            raise ValidationError(
                _("%(person)s is not on the team of this school, so cannot own an agreement.")
                % {"person": agreement.owner}
            )
    # Lock the meeting and work on its current state: a move or cancel in the meantime is not undone.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if complete and meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; it cannot be logged as held."))
    if complete and meeting.starts_at > timezone.now():
        raise ValidationError(_("A meeting can be finished only once it has started."))
    invitees = {i.pk: i for i in meeting.invitees.all()}
    for invitee_id, (state, replaced_by) in attendance.items():
        invitee = invitees.get(invitee_id)
        if invitee is not None and (invitee.attendance, invitee.replaced_by) != (state, replaced_by):
            invitee.attendance, invitee.replaced_by = state, replaced_by
            invitee.save(update_fields=["attendance", "replaced_by"])  # one by one: the audit trail
    meeting.minutes = minutes
    # Only what changed is written: a log saved again with the same counts (the usual case: the counts are
    # typed once, the minutes more often) asks one query here instead of five per theme. Read under the
    # meeting's lock, which every save of a log takes first.
    stored = dict(CaseworkCount.objects.filter(meeting=meeting).values_list("theme", "count"))
    if set(stored) - set(casework):
        CaseworkCount.objects.filter(meeting=meeting).exclude(theme__in=list(casework)).delete()
    for theme, count in casework.items():
        if count and stored.get(theme) != count:
            CaseworkCount.objects.update_or_create(meeting=meeting, theme=theme, defaults={"count": count})
        elif not count and theme in stored:
            CaseworkCount.objects.filter(meeting=meeting, theme=theme).delete()
    # A form sent twice (a double click, a reload) adds nothing twice.
    for new in questions:
        if new.text.strip():
            CollectiveQuestion.objects.get_or_create(
                school=meeting.school,
                meeting=meeting,
                text=new.text.strip(),
                defaults={"theme": new.theme, "action_line_id": new.action_line_id},
            )
    answered = {pk: a.strip() for pk, a in (answered_questions or {}).items() if a.strip()}
    for question in CollectiveQuestion.objects.filter(pk__in=list(answered), school_id=meeting.school_id):
        question.answer, question.answered_at = answered[question.pk], timezone.now()
        question.save(update_fields=["answer", "answered_at"])
    for a in new_agreements:
        Agreement.objects.get_or_create(
            school=meeting.school,
            meeting=meeting,
            description=a.description.strip(),
            owner=a.owner,
            due_date=a.due_date,
            defaults={"action_line_id": a.action_line_id},
        )
    if complete:
        meeting.logged_at = meeting.logged_at or timezone.now()
        if meeting.status == MeetingStatus.PLANNED:
            meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "logged_at", "status", "updated_at"])
    return meeting


@transaction.atomic
def agreement_complete(*, agreement: Agreement, note: str = "") -> Agreement:
    validate_no_pupil_data(note)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == AgreementStatus.OPEN:  # closing twice keeps the first note
        agreement.status, agreement.done_at, agreement.done_note = (
            AgreementStatus.DONE,
            timezone.now(),
            note.strip(),
        )
        agreement.save(update_fields=["status", "done_at", "done_note"])  # save(): the audit trail sees it
    return agreement


# Corrections after the log: each object is saved or deleted one by one, so the audit trail records it.


@transaction.atomic
def agreement_update(
    *, agreement: Agreement, description: str, owner: User, due_date: dt.date, action_line_id: int | None
) -> Agreement:
    """Correct an agreement. A new owner must be on the school's team today; the owner it has may stay."""
    validate_no_pupil_data(description)
    agreement = Agreement.objects.select_for_update().select_related("school").get(pk=agreement.pk)
    if action_line_id != agreement.action_line_id:  # a line kept stays, even if its programme changed
        try:
            _check_action_line(agreement.school, action_line_id)
        except ValidationError as error:
            raise ValidationError({"action_line": error.messages}) from error
    if due_date != agreement.due_date:  # a new date lies in the window; the stored one may stay
        try:
            validate_new_date(due_date)
        except ValidationError as error:
            raise ValidationError({"due_date": error.messages}) from error
    team = {p.pk for p, _role in selectors.team_members(agreement.school_id)}
    if owner.pk != agreement.owner_id and owner.pk not in team:
        raise ValidationError(
            {
                "owner": _("%(person)s is not on the team of this school, so cannot own an agreement.")
                % {"person": owner}
            }
        )
    agreement.description, agreement.owner, agreement.due_date, agreement.action_line_id = (
        description.strip(),
        owner,
        due_date,
        action_line_id,
    )
    agreement.save(update_fields=["description", "owner", "due_date", "action_line"])
    return agreement


@transaction.atomic
def collective_question_update(
    *,
    question: CollectiveQuestion,
    text: str,
    answer: str,
    theme: str | None = None,
    action_line_id: int | EllipsisType | None = ...,
) -> CollectiveQuestion:
    """Correct a question and its answer: an answer closes it, an empty answer opens it again. A theme
    or action line not given is kept."""
    validate_no_pupil_data(text)
    validate_no_pupil_data(answer)
    question = CollectiveQuestion.objects.select_for_update().select_related("school").get(pk=question.pk)
    if theme is not None:
        _check_theme(theme)
        question.theme = theme
    if action_line_id is not ...:
        _check_action_line(question.school, action_line_id)
        question.action_line_id = action_line_id
    answer = answer.strip()
    question.text, question.answer = text.strip(), answer
    if not answer:
        question.answered_at = None
    elif question.answered_at is None:
        question.answered_at = timezone.now()
    question.save(update_fields=["text", "answer", "answered_at", "theme", "action_line"])
    return question


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, title: str) -> AgendaItem:
    """Add an item at the end of one meeting's agenda (the gemeente's template stays as it is)."""
    validate_no_pupil_data(title)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    last = meeting.agenda_items.order_by("-position").first()
    item = AgendaItem(meeting=meeting, position=last.position + 1 if last else 0, title=title.strip())
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool) -> None:
    """Swap an item with the one before (up) or after it on its meeting's agenda."""
    Meeting.objects.select_for_update().filter(pk=item.meeting_id).first()
    items = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(items):
        return
    items[index], items[other_index] = items[other_index], items[index]
    for position, each in enumerate(items):  # also mends equal or missing positions
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


def meeting_content_delete(*, obj: Agreement | CollectiveQuestion | AgendaItem) -> None:
    """Remove an agreement, a collective question or an agenda item (one delete(): the audit trail)."""
    obj.delete()


@transaction.atomic
def invitees_sync(*, school_ids: Iterable[int]) -> None:
    """Keep the invitees of planned future meetings in line with the team of their day, after a change
    to a team: a newcomer (a successor, a new stand-in) is added and gets the invitation; someone who is
    no longer on the team that day is taken off, so no update or reminder reaches them."""
    series_newcomers: dict[MeetingSeries, dict[User, Meeting]] = defaultdict(dict)
    for meeting in (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("series")
        .filter(school_id__in=list(school_ids), status=MeetingStatus.PLANNED, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    ):
        members = selectors.team_members(meeting.school_id, on=timezone.localdate(meeting.starts_at))
        team = {person.pk: (person, role) for person, role in members}
        invited = set(meeting.invitees.values_list("person_id", flat=True))
        meeting.invitees.exclude(person_id__in=list(team)).delete()
        newcomers = [team[pk] for pk in team.keys() - invited]
        if newcomers:
            audit_created(
                Invitee.objects.bulk_create(
                    [Invitee(meeting=meeting, person=p, role=role) for p, role in newcomers]
                )
            )
            series = meeting.series if meeting.is_series_occurrence else None
            if series is not None:
                # One invitation for the rest of the series, hung on the first meeting they join.
                for person, _role in newcomers:
                    series_newcomers[series].setdefault(person, meeting)
                continue
            _queue(
                meeting,
                NotificationKind.INVITATION,
                [p for p, _role in newcomers],
                key_part=str(meeting.sequence),
            )
    for series, first_meetings in series_newcomers.items():
        _queue_series_invitations(series, first_meetings)
