"""What evaluations holds about people, and how long (kpa.personal_data; registered from
EvaluationsConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Answer, Response, ResultsArchive
from kpa import personal_data
from kpa.personal_data import Processing, Retention
from kpa.retention import add, blank_rows, delete_rows

GROUP = _("Process evaluations")
OPEN_ANSWERS = "evaluation_open_answers"
SCORES = "evaluation_scores"
BASIS = _("Public task (AVG art. 6(1)(e)): evaluating the kernpartner approach, as the covenant agrees.")
RESULTS_SEEN_BY = _(
    "Nobody sees one person's answers: results show groups of at least three people (see the results "
    "pages). The respondent sees their own answers."
)


def purge_open_answers(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Open answers of rounds that closed before the cutoff's Amsterdam day are emptied. The scores stay:
    they are the figures compared year over year, only ever shown in groups (evaluations.disclosure)."""
    counts: dict[str, int] = {}
    day = timezone.localdate(cutoff)
    blank_rows(
        Answer.objects.filter(response__round__closes_on__lt=day).exclude(text=""),
        {"text": ""},
        dry_run,
        counts,
    )
    return counts


def purge_scores(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """The answers of school years that ended (31 July) before the cutoff's Amsterdam day go, with the
    responses naming who gave them; first each gemeente's year is kept as figures (results.year_archive),
    so every results page, download and the dashboard show that year as before."""
    from evaluations.results import year_archive

    counts: dict[str, int] = {}
    day = timezone.localdate(cutoff)  # the pages look for the same years: results.may_be_archived
    years = (
        Response.objects.filter(round__school_year__lt=day.year)
        .values_list("round__gemeente_id", "round__school_year")
        .distinct()
        .order_by("round__gemeente_id", "round__school_year")
    )
    for gemeente_id, year in years:
        if not dt.date(year + 1, 8, 1) < day:
            continue
        add(counts, ResultsArchive, 1)
        if not dry_run:
            year_archive(gemeente_id, year)
        of_year = {"round__gemeente_id": gemeente_id, "round__school_year": year}
        delete_rows(
            Answer.objects.filter(**{f"response__{k}": v for k, v in of_year.items()}), dry_run, counts
        )
        delete_rows(Response.objects.filter(**of_year), dry_run, counts)
    return counts


def register() -> None:
    personal_data.register_retention(
        Retention(
            key=OPEN_ANSWERS,
            label=_("Open answers of process evaluations"),
            setting="KPA_KEEP_EVALUATION_TEXT_DAYS",
            default_days=730,
            rule=_(
                "Open answers of a round that closed this many days ago are emptied, with their copies in "
                "the audit trail. The scores stay for the results year over year, linked to the account "
                "until it is anonymised."
            ),
            why=_("Two years: the follow-up of this year's results and the comparison with the next year."),
            purge=purge_open_answers,
            order=30,
        ),
        Retention(
            key=SCORES,
            label=_("Scores of process evaluations"),
            setting="KPA_KEEP_EVALUATION_SCORES_DAYS",
            default_days=1825,
            rule=_(
                "This many days after a school year ended (31 July) its results are kept as figures (the "
                "totals per statement, school and role, and the decision which of them may be shown); the "
                "answers and who gave them are deleted. Every results page shows that year as before."
            ),
            why=_("Five years: a programme's length; the figures stay for the comparison over the years."),
            purge=purge_scores,
            order=31,
        ),
    )
    personal_data.register(
        Processing(
            model="evaluations.Response",
            group=GROUP,
            fields=("respondent", "school", "role", "submitted_at"),
            people=("respondent",),
            purpose=_("The yearly process evaluation of the KPO: who answered for which school."),
            legal_basis=BASIS,
            visible_to=RESULTS_SEEN_BY,
            retention=SCORES,
            anonymisation=_("Kept for the results; the respondent becomes the pseudonym."),
            export_fields=("id", "round", "school", "role", "submitted_at"),
        ),
        Processing(
            model="evaluations.Answer",
            group=GROUP,
            fields=("score", "unknown", "text"),
            people=("response__respondent",),
            purpose=_("The answers to the statements and open questions of the process evaluation."),
            legal_basis=BASIS,
            visible_to=RESULTS_SEEN_BY,
            retention=SCORES,
            anonymisation=_(
                "Kept for the results; names in open answers are replaced by the pseudonym, open answers are "
                "emptied after their own period."
            ),
            free_text=("text",),
            export_fields=("id", "response", "item", "score", "unknown", "text"),
        ),
        Processing(
            model="evaluations.Round",
            group=GROUP,
            fields=("opened_by",),
            people=("opened_by",),
            purpose=_("Who opened an evaluation round by hand."),
            legal_basis=BASIS,
            visible_to=_("Coordinators and administrators."),
            retention="accounts",
            anonymisation=_("Kept; the person becomes the pseudonym."),
            export_fields=("id", "school_year", "opens_on", "closes_on"),
        ),
        Processing(
            model="evaluations.QuestionnaireVersion",
            group=GROUP,
            fields=("created_by",),
            people=("created_by",),
            purpose=_("Who made a version of the questionnaire."),
            legal_basis=BASIS,
            visible_to=_("Coordinators and administrators."),
            retention="accounts",
            anonymisation=_("Kept; the person becomes the pseudonym."),
            export_fields=("id", "title", "created_at"),
        ),
    )
