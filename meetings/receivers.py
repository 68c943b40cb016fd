"""How meetings hears what the apps below it tell (connected in MeetingsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from meetings.services import invitees_sync
from partners.signals import team_changed


@receiver(team_changed, dispatch_uid="meetings.invitees_sync")
def sync_invitees_on_team_change(sender: Any, *, school_ids: list[int], **kwargs: Any) -> None:
    """Planned meetings invite the team of their day: a change to a team changes who is invited."""
    invitees_sync(school_ids=school_ids)
