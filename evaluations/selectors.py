"""Who answers a round, for which school (issue 13).

A school's respondents are its team on the day: the IB-er and the four kernpartners with a seat there
(partners.models.Assignment active that day), active accounts only. Decided and documented here:

- **Stand-ins do not answer.** A stand-in (`is_stand_in`) covers a seat for a while; the evaluation asks
  how the team works over the year, which the person whose seat it is can tell. A stand-in who holds the
  seat on the day as its only holder is still a stand-in: that seat's view is missing that year.
- **School leaders do not answer.** The questionnaire is the team's (the IB-er and the four kernpartners,
  DOMAIN.md's "every team member and the IB-er"); a school leader is not a member of the KPO team.

Someone with seats at five schools answers five times: one response per round, school and person.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from evaluations.models import Response, Round
from kpa.models import User
from partners.models import PARTNER_ROLES, Assignment, Role

RESPONDENT_ROLES = (Role.IB, *PARTNER_ROLES)


def respondent_seats(round_: Round, day: dt.date) -> QuerySet[Assignment]:
    """The seats whose holders answer `round_` on `day`: one row per person, school and role."""
    return Assignment.objects.active(day).filter(
        school__in=round_.schools.all(),
        role__in=RESPONDENT_ROLES,
        is_stand_in=False,
        person__is_active=True,
    )


def seats_of(user: User, day: dt.date) -> QuerySet[Assignment]:
    """The user's own answering seats on `day` (at any school)."""
    return Assignment.objects.active(day).filter(
        person=user, role__in=RESPONDENT_ROLES, is_stand_in=False, person__is_active=True
    )


def open_rounds_for(user: User, day: dt.date) -> list[tuple[Round, Assignment, Response | None]]:
    """What the user answers now: per open round and school where they hold an answering seat, their
    seat and their response so far (None before they start), the round closing first first."""
    seats = {seat.school_id: seat for seat in seats_of(user, day).select_related("school")}
    if not seats:
        return []
    rounds = (
        Round.objects.filter(opens_on__lte=day, closes_on__gte=day, schools__in=list(seats))
        .prefetch_related("schools")
        .distinct()
        .order_by("closes_on", "pk")
    )
    responses = {
        (r.round_id, r.school_id): r
        for r in Response.objects.filter(respondent=user, round__in=rounds, school_id__in=list(seats))
    }
    found = []
    for round_ in rounds:
        for school in sorted(round_.schools.all(), key=lambda s: (s.name, s.pk)):
            if school.pk in seats:
                found.append((round_, seats[school.pk], responses.get((round_.pk, school.pk))))
    return found


def seat_for(user: User, round_: Round, school_id: int, day: dt.date) -> Assignment | None:
    """The user's answering seat at the school, when the round asks that school; else None."""
    if not round_.schools.filter(pk=school_id).exists():
        return None
    return seats_of(user, day).filter(school_id=school_id).order_by("-start_date", "-pk").first()
