"""Reads about meetings and agreements, each starting from the user's scope: from the user, or from a
school or meeting the caller found in that scope (partners.scope.get_school_for_user,
get_meeting_for_user), whose meetings and agreements are in scope through it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Case, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kpa.models import User
from meetings.dates import DEFAULT_DURATION
from meetings.models import (
    Agreement,
    AgreementStatus,
    CollectiveQuestion,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from partners.models import Assignment
from partners.scope import can_edit_school, schools_visible_to, seats_make_scope, through_schools
from programme.models import ActionLine
from schools.models import School


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """The meetings of the schools in the user's scope (partners.scope)."""
    return through_schools(user, Meeting.objects.all())


def get_meeting_for_user(user: User, pk: int) -> Meeting:
    return get_object_or_404(meetings_visible_to(user).select_related("school", "school__wijk"), pk=pk)


def get_meeting_to_log(user: User, pk: int) -> tuple[Meeting, bool]:
    """The meeting `pk` in the user's scope (404 when it is not) and whether they may log it
    (partners.scope.can_edit_school). Where a seat that lets them log also puts the school in their scope
    (seats_make_scope), the meeting is first read by its key and the seat checked: two plain queries,
    where the scoped read takes PostgreSQL longer to plan than to run; only when they may not log it does
    the scoped read decide between 404 and 403. Anyone else gets the scoped read first."""
    if not seats_make_scope(user):
        meeting = get_meeting_for_user(user, pk)
        return meeting, can_edit_school(user, meeting.school)
    meeting = get_object_or_404(Meeting.objects.select_related("school", "school__wijk"), pk=pk)
    if can_edit_school(user, meeting.school):
        return meeting, True
    return get_meeting_for_user(user, pk), False


def meetings_of_school(school: School) -> QuerySet[Meeting]:
    """The meetings of a school the caller found in the user's scope (partners.scope.get_school_for_user):
    what belongs to a school in scope is in scope, so they are not narrowed by the scope again (which asks
    PostgreSQL for the user's seats once more in every query)."""
    return Meeting.objects.filter(school=school)


def agreements_of_school(school: School) -> QuerySet[Agreement]:
    """The agreements of a school the caller found in the user's scope (as meetings_of_school)."""
    return Agreement.objects.filter(school=school)


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    return through_schools(user, Agreement.objects.all())


def agreements_in_reach(user: User) -> QuerySet[Agreement]:
    """Agreements of the schools a user sees, and their own wherever they are (a partner who left a school
    still closes what they promised there)."""
    return Agreement.objects.filter(Q(school__in=schools_visible_to(user).values("pk")) | Q(owner=user))


def my_recently_done_agreements(user: User, since: dt.datetime) -> QuerySet[Agreement]:
    """The user's own agreements marked done since a moment, newest first."""
    return (
        Agreement.objects.filter(owner=user, status=AgreementStatus.DONE, done_at__gte=since)
        .select_related("school", "meeting", "action_line")
        .order_by("-done_at", "-pk")
    )


def agreements_of_meeting_or_earlier(meeting: Meeting) -> QuerySet[Agreement]:
    """The school's agreements made at `meeting` or at an earlier meeting (carried onto it). The meeting
    comes from the user's scope, so these are too."""
    return Agreement.objects.filter(school_id=meeting.school_id, meeting__starts_at__lte=meeting.starts_at)


def questions_of_meeting_or_earlier(meeting: Meeting) -> QuerySet[CollectiveQuestion]:
    """The school's collective questions asked at `meeting` or at an earlier meeting (carried onto it)."""
    return CollectiveQuestion.objects.filter(
        school_id=meeting.school_id, meeting__starts_at__lte=meeting.starts_at
    )


def my_open_agreements(user: User, today: dt.date | None = None) -> QuerySet[Agreement]:
    """'Mijn afspraken': the user's open agreements across all schools, overdue ones first."""
    today = today or timezone.localdate()
    return (
        Agreement.objects.filter(owner=user, status=AgreementStatus.OPEN)
        .select_related("school", "meeting", "action_line")
        .annotate(
            overdue=Case(
                When(due_date__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("overdue", "due_date", "pk")
    )


def carried_items(meeting: Meeting) -> tuple[list[Agreement], list[CollectiveQuestion]]:
    """Open agreements and unanswered collective questions of the school's earlier meetings: they come
    back on this meeting's agenda by themselves until they are done or answered (log_items decides)."""
    items = log_items(meeting)
    return items.carried_agreements, items.carried_questions


class LogItems(NamedTuple):
    carried_agreements: list[Agreement]
    carried_questions: list[CollectiveQuestion]
    saved_agreements: list[Agreement]  # made at this meeting
    saved_questions: list[CollectiveQuestion]


def log_items(meeting: Meeting) -> LogItems:
    """What the log page lists besides its forms: carried_items, and the agreements and collective
    questions made at this meeting. Two queries instead of four, each list in its model's order."""
    earlier = Q(school_id=meeting.school_id, meeting__starts_at__lt=meeting.starts_at)
    agreements = list(
        Agreement.objects.filter(
            Q(meeting=meeting) | (earlier & Q(status=AgreementStatus.OPEN))
        ).select_related("owner", "meeting", "action_line")
    )
    questions = list(
        CollectiveQuestion.objects.filter(
            Q(meeting=meeting) | (earlier & Q(answered_at=None))
        ).select_related("meeting", "action_line")
    )
    return LogItems(
        carried_agreements=[a for a in agreements if a.meeting_id != meeting.pk],
        carried_questions=[q for q in questions if q.meeting_id != meeting.pk],
        saved_agreements=[a for a in agreements if a.meeting_id == meeting.pk],
        saved_questions=[q for q in questions if q.meeting_id == meeting.pk],
    )


def overlapping_meetings(
    *, school_id: int, slots: list[tuple[dt.datetime, dt.datetime]], exclude_pk: int | None = None
) -> dict[dt.datetime, list[Meeting]]:
    """For each (start, end) slot, by its start: the school's meetings that are not cancelled and whose
    time overlaps it (a meeting without an end time counts as 90 minutes). One query for all slots."""
    if not slots:
        return {}
    first, last = min(start for start, _end in slots), max(end for _start, end in slots)
    overlapping = (
        Meeting.objects.filter(school_id=school_id, starts_at__lt=last)
        .filter(Q(ends_at__gt=first) | Q(ends_at__isnull=True, starts_at__gt=first - DEFAULT_DURATION))
        .exclude(status=MeetingStatus.CANCELLED)
    )
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    candidates = list(overlapping.order_by("starts_at", "pk"))
    found: dict[dt.datetime, list[Meeting]] = {}
    for start, end in slots:
        for meeting in candidates:
            if meeting.starts_at < end and (meeting.ends_at or meeting.starts_at + DEFAULT_DURATION) > start:
                found.setdefault(start, []).append(meeting)
    return found


def team_members(school_id: int, on: dt.date | None = None) -> list[tuple[User, str]]:
    """(person, role) of everyone on the school's team on a date, one row per person (first role)."""
    seen: dict[int, tuple[User, str]] = {}
    for a in (
        Assignment.objects.active(on)
        .filter(school_id=school_id, person__is_active=True)
        .select_related("person")
        .order_by("role", "start_date")
    ):
        seen.setdefault(a.person_id, (a.person, a.role))
    return list(seen.values())


def next_kpo_by_school(school_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """The next planned KPO per school, in one query (on PostgreSQL the schools as one array: kpa.lookups)."""
    rows = (
        Meeting.objects.filter(
            school_id__any=list(school_ids),
            kind=MeetingKind.KPO,
            status=MeetingStatus.PLANNED,
            starts_at__gte=timezone.now(),
        )
        .values("school_id")
        .annotate(next_at=Min("starts_at"))
    )
    return {row["school_id"]: row["next_at"] for row in rows}


def action_lines_for_school(school: School) -> QuerySet[ActionLine]:
    """The lines an agreement or a collective question of this school can serve: those of the programme of
    its gemeente and sector, and the lines not yet in a programme (made by meetings 0002 before programmes
    existed, until programme 0003 or seed_demo puts them in Utrecht's)."""
    return ActionLine.objects.filter(
        Q(programme__gemeente_id=school.gemeente_id, programme__sector=school.sector) | Q(programme=None)
    ).order_by("number", "pk")


def questions_visible_to(user: User) -> QuerySet[CollectiveQuestion]:
    """The collective questions of the schools in the user's scope (partners.scope)."""
    return through_schools(user, CollectiveQuestion.objects.all())


NO_ROLE = ""  # the owner of an agreement who never held a seat at its school


def agreement_owner_role() -> Coalesce:
    """The role of an agreement's owner at the agreement's school: the seat they took last there (today's
    or a past one), NO_ROLE when they never held one. One rule for the dashboard's figures by role and
    the agreements list's filter by role, so that the two agree."""
    last_seat = Subquery(
        Assignment.objects.filter(person_id=OuterRef("owner_id"), school_id=OuterRef("school_id"))
        .order_by("-start_date", "-pk")
        .values("role")[:1]
    )
    return Coalesce(last_seat, Value(NO_ROLE))


def agreements_list_for(user: User) -> QuerySet[Agreement]:
    """The agreements of the schools in the user's scope, each with its owner's role at the school
    (`owner_role`), with what the list shows of them, the newest meeting first."""
    return (
        agreements_visible_to(user)
        .annotate(owner_role=agreement_owner_role())
        .select_related("school__wijk", "meeting", "owner", "action_line")
        .order_by("-meeting__starts_at", "due_date", "-pk")
    )
