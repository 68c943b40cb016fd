"""What programme holds about people, and how long (kpa.personal_data; registered from
ProgrammeConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from kpa import personal_data
from kpa.personal_data import Processing, Retention
from kpa.retention import delete_rows
from programme.models import ProgressUpdate

GROUP = _("Programme and action lines")
KEEP = "progress_updates"
BASIS = _("Public task (AVG art. 6(1)(e)): the gemeente's youth policy.")


def purge_progress_updates(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Progress updates written before the cutoff go (their indicator values with them, by cascade)."""
    counts: dict[str, int] = {}
    delete_rows(ProgressUpdate.objects.filter(created_at__lt=cutoff), dry_run, counts)
    return counts


def register() -> None:
    personal_data.register_retention(
        Retention(
            key=KEEP,
            label=_("Progress updates of activities"),
            setting="KPA_KEEP_PROGRESS_UPDATES_DAYS",
            default_days=1825,
            rule=_("An update written this many days ago is deleted, with its copies in the audit trail."),
            why=_("Five years: the length of a programme and its evaluation."),
            purge=purge_progress_updates,
            order=50,
        ),
    )
    personal_data.register(
        Processing(
            model="programme.Activity",
            group=GROUP,
            fields=("trekker", "responsible"),
            people=("trekker", "responsible"),
            purpose=_("Who leads an activity of the programme and who is finally responsible."),
            legal_basis=BASIS,
            visible_to=_("Coordinators and administrators; kernpartners of the schools it concerns."),
            retention="accounts",
            anonymisation=_("Kept; the person becomes the pseudonym, names in the text are replaced."),
            free_text=(
                "description",
                "steps_taken",
                "steps_planned",
                "other_partners",
                "intended_results",
                "steering",
                "accountability",
                "communication",
                "money",
            ),
            export_fields=("id", "title", "status"),
        ),
        Processing(
            model="programme.ProgressUpdate",
            group=GROUP,
            fields=("author", "text"),
            people=("author",),
            purpose=_("Reporting progress on an activity (plan-do-check-act)."),
            legal_basis=BASIS,
            visible_to=_("Coordinators and administrators."),
            retention=KEEP,
            anonymisation=_("Kept; the author becomes the pseudonym, names in the text are replaced."),
            free_text=("text",),
            export_fields=("id", "activity", "created_at", "text"),
        ),
    )
