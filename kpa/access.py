"""Who may see and change what: the one place every view asks.

Scope rules:
- an admin sees everything;
- a coordinator sees the schools of their wijk, or of their whole gemeente when no wijk is set;
- school staff and kernpartners see the schools where they hold an assignment today.

Out of scope answers 404 (the object might as well not exist); in scope but not allowed answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from kpa.models import User, UserKind

if TYPE_CHECKING:
    from schools.models import School, Wijk


def _active_assignments(user: User):
    from partners.models import Assignment

    return Assignment.objects.active().filter(person_id=user.pk)


def schools_visible_to(user: User, queryset: QuerySet[School] | None = None) -> QuerySet[School]:
    from schools.models import School

    qs = School.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.kind == UserKind.ADMIN:
        return qs
    if user.kind == UserKind.COORDINATOR:
        if user.wijk_id:
            return qs.filter(wijk_id=user.wijk_id)
        if user.gemeente_id:
            return qs.filter(gemeente_id=user.gemeente_id)
        return qs.none()
    return qs.filter(Exists(_active_assignments(user).filter(school_id=OuterRef("pk"))))


def wijken_visible_to(user: User, queryset: QuerySet[Wijk] | None = None) -> QuerySet[Wijk]:
    from schools.models import Wijk

    qs = Wijk.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.kind == UserKind.ADMIN:
        return qs
    if user.kind == UserKind.COORDINATOR:
        if user.wijk_id:
            return qs.filter(pk=user.wijk_id)
        return qs.filter(gemeente_id=user.gemeente_id) if user.gemeente_id else qs.none()
    return qs.filter(Exists(schools_visible_to(user).filter(wijk_id=OuterRef("pk"))))


def people_visible_to(user: User, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """People whose name and contact details this user may see: those who share a school with them
    today (and the coordinators of those wijken), everyone in scope for coordinators, all for admins."""
    from partners.models import Assignment

    qs = User.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.kind == UserKind.ADMIN:
        return qs
    schools = schools_visible_to(user)
    shares_school = Exists(
        Assignment.objects.active().filter(person_id=OuterRef("pk"), school__in=schools.values("pk"))
    )
    if user.kind == UserKind.COORDINATOR:
        wijken = wijken_visible_to(user).values("pk")
        return qs.filter(shares_school | Q(kind=UserKind.COORDINATOR, wijk__in=wijken) | Q(pk=user.pk))
    return qs.filter(shares_school | Q(pk=user.pk))


def get_school_for_user(user: User, pk: int) -> School:
    return get_object_or_404(schools_visible_to(user).select_related("wijk", "gemeente"), pk=pk)


def can_manage(user: User) -> bool:
    """Functional administration: wijken, schools, organisations, people and assignments."""
    return user.is_authenticated and user.is_admin


def require_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied


def can_edit_school(user: User, school: School) -> bool:
    """Who may plan and log a school's meetings: its IB-er(s) today, and admins. A school leader, the
    kernpartners and coordinators read; they do not write the school's log."""
    from partners.models import Role

    if not user.is_authenticated or not user.is_active:
        return False
    if user.kind == UserKind.ADMIN:
        return True
    return _active_assignments(user).filter(school_id=school.pk, role=Role.IB).exists()


def can_see_coordination(user: User) -> bool:
    return user.is_authenticated and (user.is_admin or user.is_coordinator)


def require_coordination(user: User) -> None:
    if not can_see_coordination(user):
        raise PermissionDenied
