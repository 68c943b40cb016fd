"""Closing the PDCA loop of the process evaluation (issue 13): the team discusses a school's results in a
procesevaluatie meeting, and turns a result into an agreement that comes back on the next KPO's agenda.

Rules decided here:

- **Who.** Whoever plans and logs the school's meetings (partners.scope.can_edit_school: its IB-er today,
  and admins) plans the conversation and makes agreements from a result; the rest of the team and the
  coordinators read the results (403 on these pages), anyone out of scope gets 404.
- **The conversation** is a normal meeting of the kind "procesevaluatie", planned with the meeting
  planner's form and meetings.services.meeting_schedule: the team of that day is invited, it is in
  everyone's calendar feed and gets the reminders. The first item of its agenda names what it is about
  ("Procesevaluatie 2026–2027: de resultaten bespreken"), above the agenda the meeting got from the
  template. Nothing links the meeting to a round: the results page shows whoever may plan the school's
  next planned procesevaluatie meeting (instead of the link to plan one), whichever year it discusses,
  so no model or migration is needed.
- **An agreement from a result** belongs to the school's **next planned KPO** (the first KPO, not
  cancelled or held, from now on): a meetings Agreement needs a meeting, and the meeting where the team
  will take it up is the honest one (never a meeting that has been: its log would say it was agreed
  there). On that KPO's agenda an item "Afspraak uit de procesevaluatie: <what>" is added at the end,
  carrying the agreement (AgendaItem.carried_agreement) with the statement and school year in its notes:
  that is the mark that it comes from the evaluation. Every KPO after it carries the agreement by itself
  while it is open (meetings.selectors.carried_items). Without a planned KPO nothing is saved: the form
  says to plan a KPO first and keeps what was typed.
- The agreement is checked as the log checks one, and a little stricter: a description on one line
  (kpa.validators), at most DESCRIPTION_MAX characters, through the privacy guard; an owner on the team
  today; a due date from today to the end of the next school year (no date that has passed: this is a
  new agreement). A form sent twice (a double click) adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.models import Item, ItemKind
from kpa.models import User
from kpa.validators import validate_one_line
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.dates import validate_planned_date
from meetings.models import AgendaItem, Agreement, Meeting, MeetingKind
from partners.scope import can_edit_school, through_schools
from schools.models import School

DESCRIPTION_MAX = 500
AGENDA_TITLE_MAX = 300  # AgendaItem.title
NO_KPO = gettext_lazy(
    "There is no KPO planned for this school yet. Plan one first, then make the agreement: "
    "what you typed here stays."
)


def school_year_label(year: int) -> str:
    return f"{year}–{year + 1}"


def may_follow_up(user: User, school: School) -> bool:
    """Plan the conversation and make agreements from results: the meetings app's rule for the school."""
    return can_edit_school(user, school)


def upcoming_of(school: School, kind: str) -> QuerySet[Meeting]:
    """The school's planned meetings of `kind` from now on, the first one first."""
    return Meeting.objects.upcoming().filter(school=school, kind=kind).order_by("starts_at", "pk")


def next_meeting(user: User, school: School, kind: str) -> Meeting | None:
    """The first of upcoming_of() within the user's scope."""
    return through_schools(user, upcoming_of(school, kind)).first()


@dataclass(frozen=True)
class FollowUp:
    """What the results page offers someone who may act for the school: the conversation already
    planned (if any) and the KPO where new agreements go. The others read results only (a coordinator
    or kernpartner finds the meeting in their own list and calendar), and cost the page one query."""

    may_act: bool
    conversation: Meeting | None = None
    next_kpo: Meeting | None = None


def follow_up_for(user: User, school: School) -> FollowUp:
    """One query (the user's IB seat) for those who may not act, three for those who may, whatever the
    number of statements."""
    if not may_follow_up(user, school):
        return FollowUp(may_act=False)
    return FollowUp(
        may_act=True,
        conversation=next_meeting(user, school, MeetingKind.PROCESS_EVALUATION),
        next_kpo=next_meeting(user, school, MeetingKind.KPO),
    )


def statement_for(school: School, year: int, key: str) -> Item | None:
    """The statement `key` as the results page of the school year shows it: asked of the school in a
    round of that year or the year before, the newest wording. None when it is no such statement."""
    return (
        Item.objects.filter(
            key=key,
            kind=ItemKind.STATEMENT,
            version__rounds__schools=school,
            version__rounds__school_year__in=[year, year - 1],
        )
        .order_by("-version__rounds__school_year", "-version__rounds__opens_on", "-pk")
        .first()
    )


def conversation_title(year: int) -> str:
    return _("Process evaluation %(year)s: discuss the results") % {"year": school_year_label(year)}


@transaction.atomic
def evaluation_meeting_schedule(
    *,
    school: School,
    year: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    location: str,
    online_url: str,
    created_by: User,
) -> Meeting:
    """Plan the team's procesevaluatie conversation about the results of school year `year`: a normal
    meeting (invitations, calendar, reminders), its topic the first item of its agenda."""
    meeting = meeting_services.meeting_schedule(
        school=school,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online_url=online_url,
        kind=MeetingKind.PROCESS_EVALUATION,
        created_by=created_by,
    )
    # The meeting was made a moment ago in this transaction: its agenda moves down one place.
    meeting.agenda_items.update(position=F("position") + 1)
    topic = AgendaItem(meeting=meeting, position=0, title=conversation_title(year))
    topic.full_clean()
    topic.save()
    return meeting


def _field_error(field: str, error: ValidationError) -> ValidationError:
    return ValidationError({field: error.messages})


def check_description(description: str) -> str:
    """The agreement's text, stripped, or a ValidationError on `description` (empty, too long, more than
    one line, a pupil's identifier)."""
    text = description.strip()
    if not text:
        raise ValidationError({"description": _("Describe what was agreed.")})
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError(
            {
                "description": _("Make the agreement shorter: at most %(limit_value)s characters.")
                % {"limit_value": DESCRIPTION_MAX}
            }
        )
    try:
        validate_one_line(text)
        meeting_services.validate_no_pupil_data(text)
    except ValidationError as error:
        raise _field_error("description", error) from error
    return text


@transaction.atomic
def evaluation_agreement_create(
    *,
    school: School,
    year: int,
    statement: Item,
    description: str,
    owner: User,
    due_date: dt.date,
) -> Agreement:
    """Make an agreement from a result: on the agenda of the school's next planned KPO (module docstring).
    Raises ValidationError, by field where it is one, and nothing is saved."""
    text = check_description(description)
    try:
        validate_planned_date(due_date)
    except ValidationError as error:
        raise _field_error("due_date", error) from error
    if owner.pk not in {person.pk for person, _role in meeting_selectors.team_members(school.pk)}:
        raise ValidationError(
            {
                "owner": _("%(person)s is not on the team of this school, so cannot own an agreement.")
                % {"person": owner}
            }
        )
    # Locked: a KPO cancelled meanwhile is not chosen, and two agreements for it are made one by one.
    kpo = upcoming_of(school, MeetingKind.KPO).select_for_update().first()
    if kpo is None:
        raise ValidationError(NO_KPO, code="no_kpo")
    existing = Agreement.objects.filter(
        school=school, meeting=kpo, description=text, owner=owner, due_date=due_date
    ).first()
    if existing is not None:  # the same form sent twice
        return existing
    agreement = Agreement(school=school, meeting=kpo, description=text, owner=owner, due_date=due_date)
    agreement.full_clean()
    agreement.save()
    title = _("Agreement from the process evaluation: %(agreement)s") % {"agreement": text}
    item = meeting_services.agenda_item_add(meeting=kpo, title=Truncator(title).chars(AGENDA_TITLE_MAX))
    item.carried_agreement = agreement
    item.notes = _("Statement (process evaluation %(year)s): %(statement)s") % {
        "year": school_year_label(year),
        "statement": statement.text,
    }
    item.save(update_fields=["carried_agreement", "notes"])
    return agreement
