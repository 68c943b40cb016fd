"""Writing the access log: who opened or exported which personal data, and for which school or person.

Views call `access_record` right where they hand out the data (after the scope check passed), so an
entry means the data was shown or sent. The admin's page to read and export the log is kpa.views_accesslog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpa.models import AccessAction, AccessLog

if TYPE_CHECKING:
    from kpa.models import User


def access_record(
    *,
    actor: User,
    action: AccessAction | str,
    what: str,
    school_id: int | None = None,
    subject: User | None = None,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """One entry: `what` names the page or file ("meeting.minutes", "roster.csv"), `detail` what else
    identifies it (a meeting's id, the filters of an export)."""
    return AccessLog.objects.create(
        actor=actor if actor.is_authenticated else None,
        action=action,
        what=what[: AccessLog._meta.get_field("what").max_length],
        school_id=school_id,
        subject=subject,
        detail=detail or {},
    )
