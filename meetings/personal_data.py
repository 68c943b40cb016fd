"""What meetings holds about people, and how long (kpa.personal_data; registered from
MeetingsConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpa import personal_data
from kpa.personal_data import Processing, Retention
from kpa.retention import blank_rows, delete_rows
from meetings.models import (
    AgendaItem,
    Agreement,
    AgreementStatus,
    CollectiveQuestion,
    Invitee,
    Meeting,
)

GROUP = _("KPO meetings")
PURPOSE = _("Preparing, holding and following up the KPO of a school with its kernpartners.")
BASIS = _("Public task (AVG art. 6(1)(e)): the school's duty of care and the partners' statutory tasks.")
TEAM = _("The school's IB-er and kernpartners, its coordinators and the administrators.")
CONTENT = "meeting_content"


def purge_meeting_content(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """What was said and agreed at meetings that started before the cutoff: the minutes, place and link
    are blanked, agenda items, the invitees (attendance) and the agreements and questions go, except an
    agreement still open or a question not yet answered (live work, kept until done). The meeting itself
    (school, date, kind, status) and its casework counts stay: the dashboard counts KPOs and casework by
    theme year over year."""
    counts: dict[str, int] = {}
    old = Meeting.objects.filter(starts_at__lt=cutoff)
    blank_rows(
        old.filter(~Q(minutes="") | ~Q(location="") | ~Q(online_url="")),
        {"minutes": "", "location": "", "online_url": ""},
        dry_run,
        counts,
    )
    delete_rows(AgendaItem.objects.filter(meeting__starts_at__lt=cutoff), dry_run, counts)
    delete_rows(Invitee.objects.filter(meeting__starts_at__lt=cutoff), dry_run, counts)
    delete_rows(
        Agreement.objects.filter(meeting__starts_at__lt=cutoff).exclude(status=AgreementStatus.OPEN),
        dry_run,
        counts,
    )
    delete_rows(
        CollectiveQuestion.objects.filter(meeting__starts_at__lt=cutoff, answered_at__isnull=False),
        dry_run,
        counts,
    )
    return counts


def register() -> None:
    personal_data.register_retention(
        Retention(
            key=CONTENT,
            label=_("Meeting minutes, attendance, agreements and collective questions"),
            setting="KPA_KEEP_MEETING_CONTENT_DAYS",
            default_days=730,
            rule=_(
                "Of a meeting this many days ago: the minutes, place and link are emptied; agenda items, "
                "attendance, agreements that are done and questions that are answered are deleted, with "
                "their copies in the audit trail. The meeting's date and its casework counts by theme stay."
            ),
            why=_(
                "Two years: the team looks back at last school year's agreements and questions, the "
                "dashboard compares a year with the one before; older content has no purpose left."
            ),
            purge=purge_meeting_content,
            order=20,
        ),
    )
    personal_data.register(
        Processing(
            model="meetings.Meeting",
            group=GROUP,
            fields=("created_by", "minutes", "location", "online_url"),
            people=("created_by",),
            purpose=PURPOSE,
            legal_basis=BASIS,
            visible_to=TEAM,
            retention=CONTENT,
            anonymisation=_("Kept; the planner becomes the pseudonym, names in the minutes are replaced."),
            free_text=("minutes", "location"),
            export_fields=("id", "school", "kind", "starts_at", "status", "location", "created_by"),
        ),
        Processing(
            model="meetings.MeetingSeries",
            group=GROUP,
            fields=("created_by",),
            people=("created_by",),
            purpose=PURPOSE,
            legal_basis=BASIS,
            visible_to=TEAM,
            retention=CONTENT,
            anonymisation=_("Kept; the planner becomes the pseudonym."),
        ),
        Processing(
            model="meetings.Invitee",
            group=GROUP,
            fields=("person", "role", "attendance", "replaced_by"),
            people=("person",),
            purpose=_("Inviting the team and recording who attended a KPO."),
            legal_basis=BASIS,
            visible_to=TEAM,
            retention=CONTENT,
            anonymisation=_("Kept; the person becomes the pseudonym, a name in 'replaced by' is replaced."),
            free_text=("replaced_by",),
            export_fields=("id", "meeting", "role", "attendance", "replaced_by"),
        ),
        Processing(
            model="meetings.AgendaItem",
            group=GROUP,
            fields=("title", "notes"),
            people=(),
            purpose=PURPOSE,
            legal_basis=BASIS,
            visible_to=TEAM,
            retention=CONTENT,
            anonymisation=_("Names in the text are replaced by the pseudonym."),
            free_text=("title", "notes"),
        ),
        Processing(
            model="meetings.Agreement",
            group=GROUP,
            fields=("owner", "description", "done_note"),
            people=("owner",),
            purpose=_("Agreements of the KPO: what, who and by when, and following them up."),
            legal_basis=BASIS,
            visible_to=TEAM,
            retention=CONTENT,
            anonymisation=_("Kept; the owner becomes the pseudonym, names in the text are replaced."),
            free_text=("description", "done_note"),
            export_fields=("id", "school", "description", "due_date", "status", "done_note"),
        ),
        Processing(
            model="meetings.CollectiveQuestion",
            group=GROUP,
            fields=("text", "answer"),
            people=(),
            purpose=_("The school's questions to its partners, not about one pupil."),
            legal_basis=BASIS,
            visible_to=TEAM,
            retention=CONTENT,
            anonymisation=_("Names in the text are replaced by the pseudonym."),
            free_text=("text", "answer"),
        ),
        Processing(
            model="meetings.CalendarFeed",
            group=GROUP,
            fields=("user", "token"),
            people=("user",),
            purpose=_("A personal calendar feed of one's meetings behind a secret address."),
            legal_basis=BASIS,
            visible_to=_("The person (the address is secret)."),
            retention="accounts",
            anonymisation=_("Deleted when the person leaves."),
            on_leave="delete",
            export_fields=("id", "created_at"),
        ),
    )
