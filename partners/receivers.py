"""How partners hears what the core tells it (connected in PartnersConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kpa.models import User
from kpa.signals import person_deactivated
from partners import seat_summary, services
from partners.models import Assignment
from partners.signals import team_changed
from schools.models import School

ONE_DAY = dt.timedelta(days=1)


@receiver(person_deactivated, dispatch_uid="partners.seats_end_on_leaving")
def end_seats_on_leaving(sender: Any, *, person: User, on: dt.date, **kwargs: Any) -> None:
    """A person who leaves KPA gives up every seat they hold on `on` (today) or would hold later, as of
    that day, so the roster shows the gap the same day and offers it like any vacancy:

    - a seat held before `on` ends the day before (history stays: they held it until then), through
      partners.services.assignment_end, which tells meetings (team_changed) so planned meetings from `on`
      on no longer invite them;
    - a seat that starts on `on` or later was never held: it is deleted (the audit trail keeps a copy).

    All of the person's seats in one go, inside user_deactivate's transaction. The schools are locked
    first, in one order, as the services lock a school before changing its team."""
    still_held = Q(person_id=person.pk) & (Q(end_date__isnull=True) | Q(end_date__gte=on))
    school_ids = set(Assignment.objects.filter(still_held).values_list("school_id", flat=True))
    if not school_ids:
        return
    list(School.objects.select_for_update().filter(pk__in=school_ids).order_by("pk").values_list("pk"))
    seats = list(Assignment.objects.filter(still_held).select_related("school").order_by("school_id", "pk"))
    never_held = [seat for seat in seats if seat.start_date >= on]
    for seat in seats:
        if seat.start_date < on:
            _end(seat, on - ONE_DAY)
    if never_held:
        Assignment.objects.filter(pk__in=[seat.pk for seat in never_held]).delete()
        team_changed.send(sender=Assignment, school_ids=sorted({seat.school_id for seat in never_held}))


def _end(seat: Assignment, end_date: dt.date) -> None:
    try:
        services.assignment_end(assignment=seat, end_date=end_date)
    except ValidationError as error:
        if getattr(error, "code", None) != "overlap":
            raise
        # Two seats of this person at once in the same role (made before the one-holder rule, or by a
        # direct import) make assignment_end refuse: ending a seat earlier can never cause an overlap.
        seat.end_date = end_date
        seat.save(update_fields=["end_date"])
        team_changed.send(sender=Assignment, school_ids=[seat.school_id])


@receiver(post_save, sender=Assignment, dispatch_uid="partners.seat_summary_on_save")
@receiver(post_delete, sender=Assignment, dispatch_uid="partners.seat_summary_on_delete")
def seat_summary_on_write(sender: Any, *, instance: Assignment, **kwargs: Any) -> None:
    """Every seat written or deleted one by one (services, the Django admin, factories, a queryset's
    delete) marks its school's seat summary to be counted again (partners.seat_summary)."""
    seat_summary.seats_changed([instance.school_id])
