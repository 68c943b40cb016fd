"""A school's evaluation results (issue 13) taken out of the page: an XLSX download and a printable page.

The same figures as the results page (evaluations.results.school_results) with the same rules: the
school through partners.scope (out of scope 404, anonymous to the login), `?year=` one of the school
years the page offers (else 404). A withheld figure is withheld here too: its cell says why, never the
number. Every cell goes through kpa.exports (no text becomes a formula); every download is logged.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluations.results import SCORES, Figure, SchoolResults, reason_text
from evaluations.results import school_results as results_for_school
from evaluations.views import YEARS_OFFERED
from kpa.accesslog import access_record
from kpa.exports import Cell, Row, table_response
from kpa.models import AccessAction
from partners.scope import get_school_for_user
from schools.models import School
from schools.years import school_year_start


def _school_and_year(request: HttpRequest, school_pk: int) -> tuple[School, int]:
    """The school (in the user's scope, else 404) and the school year asked for with ?year= (this one
    by default; one of the YEARS_OFFERED the results page offers, else 404)."""
    school = get_school_for_user(request.user, school_pk)
    current = school_year_start(timezone.localdate()).year
    chosen = request.GET.get("year", "").strip()
    if not chosen:
        return school, current
    if not chosen.isdigit() or not current - YEARS_OFFERED < int(chosen) <= current:
        raise Http404
    return school, int(chosen)


def withheld_text(figure: Figure, minimum: int) -> str:
    """What a withheld figure's cell says: why, in words (evaluations.results.reason_text)."""
    return _("not shown (%(reason)s)") % {"reason": reason_text(figure.reason, minimum)}


def _number(figure: Figure, value: float | None, minimum: int) -> Cell:
    return value if figure.shown else withheld_text(figure, minimum)


def results_table(school: School, year: int, results: SchoolResults) -> tuple[Row, list[Row]]:
    """The header and rows of the download: a row per statement, then the respondents, then the open
    answers (without names, in the order results gives them) or why they are withheld."""
    minimum = results.minimum
    header = [
        _("Section"),
        _("Statement"),
        _("Scores"),
        _("Mean"),
        _("Spread"),
        _("Apart"),
        _("Mean %(y)s–%(next)s") % {"y": year - 1, "next": year},
    ]
    rows: list[Row] = [
        [
            row.section,
            row.text,
            row.now.count if row.now.shown or row.now.reason == SCORES else "",
            _number(row.now, row.now.mean, minimum),
            _number(row.now, row.now.spread, minimum),
            _("Apart") if row.now.shown and row.now.diverges else "",
            _number(row.before, row.before.mean, minimum),
        ]
        for row in results.statements
    ]
    rows += [
        [],
        [_("School"), school.name],
        [_("School year"), f"{year}–{year + 1}"],
        [_("People who sent their answers"), results.respondents],
        [_("People who sent their answers the year before"), results.respondents_before],
        [],
        [_("Open answers")],
    ]
    if results.open_withheld:
        rows.append(
            [
                _(
                    "The open answers are shown once at least %(minimum)s people of the team have sent "
                    "their answers."
                )
                % {"minimum": minimum}
            ]
        )
    for question, answers in results.open_answers:
        rows += [[question, text] for text in answers] or [[question, _("No answers.")]]
    return header, rows


@login_required
@require_GET
def school_results_xlsx(request: HttpRequest, school_pk: int) -> HttpResponse:
    """The school's results of a school year as one XLSX sheet (kpa.exports). The export is logged."""
    school, year = _school_and_year(request, school_pk)
    results = results_for_school(school, year)
    header, rows = results_table(school, year, results)
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what="evaluation-results.xlsx",
        school_id=school.pk,
        detail={"school": school.pk, "year": year},
    )
    return table_response(
        "xlsx",
        filename=f"procesevaluatie-{slugify(school.brin_vestiging)}-{year}-{year + 1}",
        header=header,
        rows=rows,
        sheet_title=_("Process evaluation"),
    )


@login_required
@require_GET
def school_results_print(request: HttpRequest, school_pk: int) -> HttpResponse:
    """The school's results of a school year on one printable page (no navigation on paper). The page
    is made to be printed, so it is logged as an export."""
    school, year = _school_and_year(request, school_pk)
    results = results_for_school(school, year)
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what="evaluation-results.print",
        school_id=school.pk,
        detail={"school": school.pk, "year": year},
    )
    minimum = results.minimum
    # Per statement: the row, and for a withheld figure the words that say why (read on paper, where
    # the page's "–" with a tooltip would say nothing).
    lines = [
        (
            row,
            "" if row.now.shown else withheld_text(row.now, minimum),
            "" if row.before.shown else withheld_text(row.before, minimum),
        )
        for row in results.statements
    ]
    sections = [(section, list(group)) for section, group in groupby(lines, key=lambda line: line[0].section)]
    context = {
        "school": school,
        "year": year,
        "results": results,
        "sections": sections,
        "printed_at": timezone.localtime(),
    }
    return render(request, "evaluations/school_results_print.html", context)
