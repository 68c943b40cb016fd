"""How meetings hears what the apps below it tell (connected in MeetingsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from kpa.models import User
from kpa.signals import person_deactivated
from meetings.models import Agreement, CalendarFeed
from meetings.services import invitees_sync
from partners.signals import seats_handed_over, team_changed


@receiver(team_changed, dispatch_uid="meetings.invitees_sync")
def sync_invitees_on_team_change(sender: Any, *, school_ids: list[int], **kwargs: Any) -> None:
    """Planned meetings invite the team of their day: a change to a team changes who is invited."""
    invitees_sync(school_ids=school_ids)


@receiver(person_deactivated, dispatch_uid="meetings.calendar_feed_delete")
def delete_calendar_feed_on_leaving(sender: Any, *, person: User, **kwargs: Any) -> None:
    """A person who leaves KPA: their calendar address stops working (the feed already refuses an inactive
    owner; without its row the secret is gone too). Their place on planned meetings went with their seats:
    partners ended those and sent team_changed, and invitees_sync above took them off."""
    CalendarFeed.objects.filter(user_id=person.pk).delete()


@receiver(seats_handed_over, dispatch_uid="meetings.agreements_hand_over")
def hand_over_open_agreements(
    sender: Any, *, from_person: User, to_person: User, school_ids: list[int], **kwargs: Any
) -> None:
    """A handover moves the leaver's open agreements at those schools to the successor, so none is left
    with someone who has gone (nobody would be reminded of it). Done ones keep their owner: history. Saved
    one by one, so the audit trail records each change of owner."""
    for agreement in Agreement.objects.open().filter(owner=from_person, school_id__in=school_ids):
        agreement.owner = to_person
        agreement.save(update_fields=["owner"])
