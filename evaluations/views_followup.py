"""From results to action (evaluations.followup): plan the team's procesevaluatie conversation, and make
an agreement from a result that comes back on the next KPO's agenda. For whoever plans the school's
meetings; in scope but not allowed 403, out of scope (or a school year not offered) 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluations import followup
from evaluations.forms_followup import ConversationPlanForm, ResultAgreementForm
from evaluations.views import YEARS_OFFERED
from meetings import selectors as meeting_selectors
from meetings.forms_plan import apply_service_error
from meetings.models import MeetingKind
from meetings.views_plan import SAVE_ANYWAY
from partners.scope import get_school_for_user
from schools.models import School
from schools.years import school_year_start


def _school_and_year(request: HttpRequest, school_pk: int, year: int) -> School:
    school = get_school_for_user(request.user, school_pk)  # out of scope: 404
    current = school_year_start(timezone.localdate()).year
    if not current - YEARS_OFFERED < year <= current:
        raise Http404
    if not followup.may_follow_up(request.user, school):
        raise PermissionDenied
    return school


def _results_url(school: School, year: int) -> str:
    return f"{reverse('evaluations:school-results', args=[school.pk])}?year={year}"


@login_required
@require_http_methods(["GET", "POST"])
def conversation_plan(request: HttpRequest, school_pk: int, year: int) -> HttpResponse:
    """The meeting planner, for a meeting of the kind procesevaluatie about the results of `year`."""
    school = _school_and_year(request, school_pk, year)
    form = ConversationPlanForm(request.POST or None, school_id=school.pk)
    context = {
        "school": school,
        "year": year,
        "year_label": followup.school_year_label(year),
        "kind": MeetingKind.PROCESS_EVALUATION.label,
        "topic": followup.conversation_title(year),
        "results_url": _results_url(school, year),
        "form": form,
    }
    template = "evaluations/followup_plan.html"
    if request.method != "POST" or not form.is_valid():
        return render(request, template, context)
    warnings = form.warnings()
    if warnings and SAVE_ANYWAY not in request.POST:
        return render(request, template, context | {"warnings": warnings})
    data = form.cleaned_data
    try:
        meeting = followup.evaluation_meeting_schedule(
            school=school,
            year=year,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location=data["location"],
            online_url=data["online_url"],
            created_by=request.user,
        )
    except ValidationError as error:
        apply_service_error(form, error)
        return render(request, template, context)
    messages.success(request, _("The meeting is planned and the team is invited."))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def result_agreement(request: HttpRequest, school_pk: int, year: int, key: str) -> HttpResponse:
    """An agreement from one statement's result, on the agenda of the school's next planned KPO."""
    school = _school_and_year(request, school_pk, year)
    statement = followup.statement_for(school, year, key)
    if statement is None:
        raise Http404
    form = ResultAgreementForm(request.POST or None, team=meeting_selectors.team_members(school.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = followup.evaluation_agreement_create(
                school=school,
                year=year,
                statement=statement,
                description=data["description"],
                owner=data["owner"],
                due_date=data["due_date"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            starts = timezone.localtime(agreement.meeting.starts_at)
            messages.success(
                request,
                _("The agreement is on the agenda of the KPO of %(date)s.")
                % {"date": date_format(starts, "l j F Y")},
            )
            return redirect(_results_url(school, year))
    context = {
        "school": school,
        "year": year,
        "year_label": followup.school_year_label(year),
        "statement": statement,
        "next_kpo": followup.next_meeting(request.user, school, MeetingKind.KPO),
        "results_url": _results_url(school, year),
        "form": form,
    }
    return render(request, "evaluations/followup_agreement.html", context)
