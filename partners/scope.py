"""Scope: who sees which schools, wijken, people and assignments. The one place every view asks.

Scope rules:
- an admin sees everything;
- a coordinator sees the schools of their wijk, or of their whole gemeente when no wijk is set;
- school staff and kernpartners see the schools where they hold an assignment today.

What belongs to a school (meetings, agreements, ...) is in scope through its school: `through_schools`
narrows any such queryset; the apps above (meetings) build their own `..._visible_to` on it.

Out of scope answers 404 (the object might as well not exist); in scope but not allowed answers 403.
Role checks that need no data (can_manage, can_see_coordination) live in kpa.access.
"""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from kpa.models import User, UserKind
from partners.models import Assignment, Organisation, Role
from schools.models import Gemeente, School, Wijk


def _is_signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _active_assignments(user: User) -> QuerySet[Assignment]:
    return Assignment.objects.active().filter(person_id=user.pk)


def schools_visible_to(user: User, queryset: QuerySet[School] | None = None) -> QuerySet[School]:
    qs = School.objects.all() if queryset is None else queryset
    if not _is_signed_in(user):
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
    qs = Wijk.objects.all() if queryset is None else queryset
    if not _is_signed_in(user):
        return qs.none()
    if user.kind == UserKind.ADMIN:
        return qs
    if user.kind == UserKind.COORDINATOR:
        if user.wijk_id:
            return qs.filter(pk=user.wijk_id)
        return qs.filter(gemeente_id=user.gemeente_id) if user.gemeente_id else qs.none()
    return qs.filter(Exists(schools_visible_to(user).filter(wijk_id=OuterRef("pk"))))


def gemeenten_visible_to(user: User) -> QuerySet[Gemeente]:
    """The gemeenten of the schools in scope; all of them for an admin; a coordinator's own."""
    qs = Gemeente.objects.all()
    if not _is_signed_in(user):
        return qs.none()
    if user.kind == UserKind.ADMIN:
        return qs
    if user.kind == UserKind.COORDINATOR:
        return qs.filter(pk=user.gemeente_id) if user.gemeente_id else qs.none()
    return qs.filter(Exists(schools_visible_to(user).filter(gemeente_id=OuterRef("pk"))))


def people_visible_to(user: User, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """People whose name and contact details this user may see: those who share a school with them
    today (and the coordinators of those wijken), everyone in scope for coordinators, all for admins."""
    qs = User.objects.all() if queryset is None else queryset
    if not _is_signed_in(user):
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


def through_schools[M: Model](user: User, queryset: QuerySet[M], field: str = "school") -> QuerySet[M]:
    """`queryset` narrowed to the rows whose school (`field`) is in the user's scope. An admin's scope is
    every school: the rows are not narrowed at all, as a `school IN (every school)` makes PostgreSQL join
    the whole country's schools to, say, 335,000 meetings before it can take the next 25 by date."""
    if _is_signed_in(user) and user.kind == UserKind.ADMIN:
        return queryset
    return queryset.filter(**{f"{field}__in": schools_visible_to(user).values("pk")})


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """Assignments (past, present and future) at the schools in scope."""
    return through_schools(user, Assignment.objects.all())


def organisations_in_scope(user: User) -> QuerySet[Organisation]:
    """Organisations with someone at a school in scope today; every organisation for an admin.

    Found from the scope's schools outward: their assignments today (assignment_school_role_idx), those
    people's organisation (users by primary key). Asked the other way round, per organisation "has it
    someone at a school in scope?" (an EXISTS on the organisation), PostgreSQL hashed all people and
    assignments of the country for every question (13 ms at 10,000 schools, whatever the scope)."""
    if _is_signed_in(user) and user.kind == UserKind.ADMIN:
        return Organisation.objects.all()
    employers = (
        Assignment.objects.active()
        .filter(school__in=schools_visible_to(user).values("pk"), person__organisation__isnull=False)
        .order_by()
        .values("person__organisation_id")
    )
    return Organisation.objects.filter(pk__in=employers)


def get_school_for_user(user: User, pk: int) -> School:
    return get_object_or_404(schools_visible_to(user).select_related("wijk", "gemeente"), pk=pk)


def seats_make_scope(user: User) -> bool:
    """Whether the user's scope is the schools of their seats (school staff and kernpartners), or holds
    them (admins): then a seat that lets them edit a school (can_edit_school) also puts it in their scope.
    Not for a coordinator, whose scope is their wijk or gemeente whatever seats they hold."""
    return _is_signed_in(user) and user.kind != UserKind.COORDINATOR


def can_edit_school(user: User, school: School) -> bool:
    """Who may plan and log a school's meetings: its IB-er(s) today, and admins. A school leader, the
    kernpartners and coordinators read; they do not write the school's log."""
    if not _is_signed_in(user):
        return False
    if user.kind == UserKind.ADMIN:
        return True
    return _active_assignments(user).filter(school_id=school.pk, role=Role.IB).exists()


def schools_where_ib(user: User) -> QuerySet[School]:
    """The schools where the user is the IB-er today (the schools they plan and log for)."""
    is_ib = _active_assignments(user).filter(school_id=OuterRef("pk"), role=Role.IB)
    return schools_visible_to(user).filter(Exists(is_ib))
