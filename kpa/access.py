"""Role checks: what a user may do by their kind alone, without looking at data.

Which schools, wijken, people and meetings a user sees (scope) is partners.scope, the one module every
view asks about data. Out of scope answers 404; in scope but not allowed answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kpa.models import User


def can_manage(user: User) -> bool:
    """Functional administration: wijken, schools, organisations, people and assignments."""
    return user.is_authenticated and user.is_admin


def require_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied


def can_see_coordination(user: User) -> bool:
    return user.is_authenticated and (user.is_admin or user.is_coordinator)


def require_coordination(user: User) -> None:
    if not can_see_coordination(user):
        raise PermissionDenied
