"""Writes about teams. Each is one transaction; the audit trail records every change to assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from kpa.models import User, UserKind
from partners.models import PARTNER_ROLES, SCHOOL_ROLES, Assignment, Role
from partners.signals import seats_handed_over, team_changed
from schools.models import School, Wijk

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # a dev dependency: for the type checker only

ONE_DAY = dt.timedelta(days=1)


def _overlapping_holders(
    *, school: School, role: str, start: dt.date, end: dt.date | None, exclude_pk: int | None = None
) -> QuerySet[Assignment]:
    """Holders (not stand-ins) of a role at a school whose period overlaps [start, end]."""
    qs = Assignment.objects.filter(school=school, role=role, is_stand_in=False).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    if end is not None:
        qs = qs.filter(start_date__lte=end)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("person")


def _refuse_overlap(assignment: Assignment) -> None:
    if assignment.is_stand_in:
        return  # stand-ins come on top of the holder
    clash = _overlapping_holders(
        school=assignment.school,
        role=assignment.role,
        start=assignment.start_date,
        end=assignment.end_date,
        exclude_pk=assignment.pk,
    ).first()
    if clash is not None:
        raise ValidationError(
            _(
                "%(person)s is already %(role)s at %(school)s from %(start)s%(until)s. A school has one "
                "holder per role at a time: end that assignment first, or add this person as a stand-in."
            )
            % {
                "person": clash.person,
                "role": clash.get_role_display(),
                "school": clash.school,
                "start": formats.date_format(clash.start_date),
                "until": _(" until %(date)s") % {"date": formats.date_format(clash.end_date)}
                if clash.end_date
                else "",
            },
            code="overlap",
        )


def _refuse_wrong_kind(assignment: Assignment) -> None:
    """School staff take the school's seats, kernpartners the four partner seats."""
    person = assignment.person
    if assignment.role in SCHOOL_ROLES and person.kind != UserKind.SCHOOL:
        raise ValidationError(
            _("%(person)s is not school staff, so cannot be %(role)s.")
            % {"person": person, "role": Role(assignment.role).label},
            code="wrong_kind",
        )
    if assignment.role in PARTNER_ROLES and person.kind != UserKind.KERNPARTNER:
        raise ValidationError(
            _("%(person)s is not a kernpartner, so cannot take the seat of %(role)s.")
            % {"person": person, "role": Role(assignment.role).label},
            code="wrong_kind",
        )


def _sync_meetings(school_ids: list[int]) -> None:
    """Tell the apps above (meetings: planned meetings invite the team of their day) that teams changed."""
    team_changed.send(sender=Assignment, school_ids=school_ids)


def _refuse_leaver(assignment: Assignment) -> None:
    """No new seat for someone who left (kpa.services.user_deactivate ends theirs)."""
    if assignment.pk is None and not assignment.person.is_active:
        raise ValidationError(
            _("%(person)s has left KPA (deactivated), so cannot take a seat.")
            % {"person": assignment.person},
            code="inactive",
        )


def validate_seat(assignment: Assignment) -> None:
    """The seat rules every write path keeps: someone still in KPA, the right kind of person, and one
    holder at a time."""
    _refuse_leaver(assignment)
    _refuse_wrong_kind(assignment)
    _refuse_overlap(assignment)


def _lock_school(school: School) -> None:
    """Serialise writes to one school's team, so two admins cannot both add a holder."""
    School.objects.select_for_update().filter(pk=school.pk).first()


@transaction.atomic
def assignment_create(
    *,
    person: User,
    school: School,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    is_stand_in: bool = False,
) -> Assignment:
    _lock_school(school)
    assignment = Assignment(
        person=person,
        school=school,
        role=role,
        start_date=start_date,
        end_date=end_date,
        is_stand_in=is_stand_in,
    )
    assignment.full_clean()
    validate_seat(assignment)
    assignment.save()
    _sync_meetings([school.pk])
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, end_date: dt.date) -> Assignment:
    if end_date < assignment.start_date:
        raise ValidationError(_("The end date cannot be before the start date."), code="end_before_start")
    _lock_school(assignment.school)
    assignment.end_date = end_date
    _refuse_overlap(assignment)  # a later end must not run into the next holder
    assignment.save(update_fields=["end_date"])
    _sync_meetings([assignment.school_id])
    return assignment


@dataclass(frozen=True)
class HandoverStep:
    """One assignment of the leaving person and what happens to it."""

    assignment_id: int
    school_id: int
    school_name: str
    role: str
    role_label: StrPromise  # the role's lazy label: translated when shown
    old_start: dt.date
    old_end: dt.date | None
    # "split": the old one ends the day before, the successor starts on the date; "move": not started
    # yet, so it moves whole; "skip": the successor already holds this role there, the old one just ends.
    action: str
    new_start: dt.date
    new_end: dt.date | None
    is_stand_in: bool


def handover_plan(*, from_person: User, to_person: User, on: dt.date) -> list[HandoverStep]:
    """What "everything X does moves to Y from date D" would change, without changing it."""
    if from_person.pk == to_person.pk:
        raise ValidationError(_("Choose a successor other than the person who leaves."), code="same_person")
    _refuse_leaver(Assignment(person=to_person))
    for role in Assignment.objects.filter(person=from_person).values_list("role", flat=True).distinct():
        _refuse_wrong_kind(Assignment(person=to_person, role=role))
    mine = (
        Assignment.objects.filter(person=from_person)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("school")
        .order_by("school__name", "role", "start_date")
    )
    # When the successor already has (or will have) the same seat: from which date, per seat.
    successor_from: dict[tuple[int, str, bool], list[tuple[dt.date, dt.date]]] = {}
    for a in Assignment.objects.filter(person=to_person).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    ):
        successor_from.setdefault((a.school_id, a.role, a.is_stand_in), []).append(
            (a.start_date, a.end_date or dt.date.max)
        )
    steps = []
    for a in mine:
        new_start = max(a.start_date, on)
        new_end = a.end_date
        theirs = [
            p for p in successor_from.get((a.school_id, a.role, a.is_stand_in), []) if p[1] >= new_start
        ]
        first_start = min((start for start, _end in theirs), default=None)
        if first_start is not None and first_start <= new_start:
            action = "skip"  # the successor already sits there from the handover date
        else:
            action = "move" if a.start_date >= on else "split"
            if first_start is not None:  # they take the seat later: hand over only the gap until then
                new_end = min(a.end_date or dt.date.max, first_start - ONE_DAY)
        steps.append(
            HandoverStep(
                assignment_id=a.pk,
                school_id=a.school_id,
                school_name=a.school.name,
                role=a.role,
                role_label=Role(a.role).label,
                old_start=a.start_date,
                old_end=a.end_date,
                action=action,
                new_start=new_start,
                new_end=new_end,
                is_stand_in=a.is_stand_in,
            )
        )
    return steps


@transaction.atomic
def handover_apply(*, from_person: User, to_person: User, on: dt.date) -> list[HandoverStep]:
    """Apply the handover in one go; history stays (the old assignments are ended, not deleted)."""
    steps = handover_plan(from_person=from_person, to_person=to_person, on=on)
    by_id = Assignment.objects.select_for_update().in_bulk([s.assignment_id for s in steps])
    for step in steps:
        old = by_id[step.assignment_id]
        if step.action == "skip":
            old.end_date = on - ONE_DAY if old.start_date < on else old.start_date
            old.save(update_fields=["end_date"])
        elif step.action == "move":
            old.person = to_person
            old.end_date = step.new_end
            old.save(update_fields=["person", "end_date"])
        else:
            old.end_date = on - ONE_DAY
            old.save(update_fields=["end_date"])
            Assignment.objects.create(
                person=to_person,
                school_id=old.school_id,
                role=old.role,
                start_date=step.new_start,
                end_date=step.new_end,
                is_stand_in=old.is_stand_in,
            )
    school_ids = sorted({step.school_id for step in steps})
    _sync_meetings(school_ids)
    seats_handed_over.send(
        sender=Assignment, from_person=from_person, to_person=to_person, on=on, school_ids=school_ids
    )
    return steps


@transaction.atomic
def school_move_wijk(*, school: School, wijk: Wijk) -> School:
    if wijk.gemeente_id != school.gemeente_id:
        raise ValidationError(
            _("A school can only move to a wijk of its own municipality."), code="other_gemeente"
        )
    school.wijk = wijk
    school.save(update_fields=["wijk"])
    return school


@dataclass(frozen=True)
class BulkResult:
    created: list[Assignment]
    skipped: list[tuple[School, str]]


@transaction.atomic
def wijk_assign_person(
    *, wijk: Wijk, person: User, role: str, start_date: dt.date, is_stand_in: bool = False
) -> BulkResult:
    """Assign one person to a role at every school of a wijk; schools where the role is taken are skipped
    with the reason, the others get the assignment."""
    created, skipped = [], []
    for school in School.objects.filter(wijk=wijk, is_active=True).order_by("name"):
        try:
            with transaction.atomic():
                created.append(
                    assignment_create(
                        person=person,
                        school=school,
                        role=role,
                        start_date=start_date,
                        is_stand_in=is_stand_in,
                    )
                )
        except ValidationError as error:
            skipped.append((school, " ".join(error.messages)))
    return BulkResult(created=created, skipped=skipped)
