"""Who sees and changes which programme, line and activity: built on partners.scope, never beside it.

- The programme is the coordinators' (DOMAIN: they "track the five action lines and their activities"):
  admins see every programme, a coordinator those of their gemeente (partners.scope.gemeenten_visible_to).
  School staff and kernpartners see none (a page of one answers 404, the list 403).
- A city-wide coordinator of the gemeente and admins change the programme: its lines and every activity.
- A wijk coordinator reads the gemeente's lines and the activities that run in the whole gemeente or touch
  their wijk (the wijk itself or a school in it); they add activities in their wijk and change those that
  run in their wijk only. What runs elsewhere only, they do not see (404).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kpa.access import can_see_coordination
from kpa.models import User, UserKind
from partners.scope import gemeenten_visible_to, schools_visible_to, wijken_visible_to
from programme.models import STALE_AFTER, UNDER_WAY, ActionLine, Activity, Programme, ProgressUpdate


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    if not can_see_coordination(user):
        return Programme.objects.none()
    return Programme.objects.filter(gemeente__in=gemeenten_visible_to(user).values("pk"))


def lines_visible_to(user: User) -> QuerySet[ActionLine]:
    return ActionLine.objects.filter(programme__in=programmes_visible_to(user).values("pk"))


def _is_wijk_coordinator(user: User) -> bool:
    return user.kind == UserKind.COORDINATOR and bool(user.wijk_id)


def activities_visible_to(user: User) -> QuerySet[Activity]:
    qs = Activity.objects.filter(line__in=lines_visible_to(user).values("pk"))
    if not _is_wijk_coordinator(user):
        return qs
    in_wijk = Activity.wijken.through.objects.filter(
        activity_id=OuterRef("pk"), wijk__in=wijken_visible_to(user).values("pk")
    )
    at_school = Activity.schools.through.objects.filter(
        activity_id=OuterRef("pk"), school__in=schools_visible_to(user).values("pk")
    )
    return qs.filter(Q(citywide=True) | Exists(in_wijk) | Exists(at_school))


def with_last_update(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotated with the date and traffic light of the latest progress update (`last_update_on`,
    `last_light`): what `Activity.is_stale` and the line page read, in the activities' one query."""
    latest = ProgressUpdate.objects.filter(activity_id=OuterRef("pk")).order_by("-date", "-pk")
    return activities.annotate(
        last_update_on=Subquery(latest.values("date")[:1]), last_light=Subquery(latest.values("light")[:1])
    )


def running_between(first_day: dt.date, last_day: dt.date) -> Q:
    """The activities whose period overlaps [first_day, last_day] (a school year): started on or before its
    last day (without a start date: made before the day after it) and not ended before its first day. The
    dashboard's "activities of the year" and the activity list's filter by year."""
    made_before = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    started = Q(starts_on__lte=last_day) | Q(starts_on=None, created_at__lt=made_before)
    return started & (Q(ends_on=None) | Q(ends_on__gte=first_day))


def latest_light_between(first_day: dt.date, last_day: dt.date) -> Subquery:
    """The traffic light of an activity's latest progress update dated in [first_day, last_day] (None
    without one): the dashboard's light of a school year and the activity list's filter by light."""
    return Subquery(
        ProgressUpdate.objects.filter(activity_id=OuterRef("pk"), date__gte=first_day, date__lte=last_day)
        .order_by("-date", "-pk")
        .values("light")[:1]
    )


def get_programme_for_user(user: User, pk: int) -> Programme:
    return get_object_or_404(programmes_visible_to(user).select_related("gemeente"), pk=pk)


def get_line_for_user(user: User, pk: int) -> ActionLine:
    return get_object_or_404(lines_visible_to(user).select_related("programme__gemeente"), pk=pk)


def get_activity_for_user(user: User, pk: int) -> Activity:
    qs = activities_visible_to(user).select_related(
        "line__programme__gemeente", "speerpunt", "trekker", "responsible"
    )
    return get_object_or_404(with_last_update(qs), pk=pk)


def can_edit_programme(user: User, programme: Programme) -> bool:
    """Lines and every activity: admins, and the city-wide coordinators of the programme's gemeente."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return user.is_coordinator and not user.wijk_id and user.gemeente_id == programme.gemeente_id


def can_add_activity(user: User, programme: Programme) -> bool:
    """Those who edit the programme, and its gemeente's wijk coordinators (for their wijk)."""
    if can_edit_programme(user, programme):
        return True
    return user.is_coordinator and bool(user.wijk_id) and user.gemeente_id == programme.gemeente_id


def can_edit_activity(user: User, activity: Activity) -> bool:
    """Those who edit the programme; a wijk coordinator an activity that runs in their wijk only (not the
    whole gemeente, no other wijk, no school outside it)."""
    programme = activity.line.programme
    if programme is None:
        return bool(user.is_authenticated and user.is_admin)
    if can_edit_programme(user, programme):
        return True
    if not can_add_activity(user, programme) or activity.citywide:
        return False
    wijken = {w.pk for w in activity.wijken.all()}
    school_wijken = {s.wijk_id for s in activity.schools.all()}
    return bool(wijken | school_wijken) and wijken | school_wijken <= {user.wijk_id}


def stale_activities(today: dt.date) -> QuerySet[Activity]:
    """Activities under way (planned or running) whose latest update, or else their making, is 60 days or
    more before `today` (Europe/Amsterdam days): the query behind `Activity.is_stale`."""
    cutoff = today - STALE_AFTER
    made_by = timezone.make_aware(dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time()))
    return with_last_update(Activity.objects.filter(status__in=UNDER_WAY)).filter(
        Q(last_update_on__lte=cutoff) | Q(last_update_on=None, created_at__lt=made_by)
    )
