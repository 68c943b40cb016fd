"""Answering the process evaluation (issue 13): the respondent's list of what to answer, and the form per
round and school. Only a respondent of that school in that round reaches the form (else 404); once the
round has closed the form is refused."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from evaluations import selectors, services
from evaluations.forms import UNKNOWN, AnswerForm, field_name
from evaluations.models import Response, Round
from evaluations.results import school_results as results_for_school
from kpa.accesslog import access_record
from kpa.models import AccessAction
from partners.scope import get_school_for_user
from schools.years import school_year_start

YEARS_OFFERED = 5  # this school year and four before


@login_required
@require_GET
def my_evaluations(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "evaluations/mine.html", {"rows": selectors.open_rounds_for(request.user, today)})


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    today = timezone.localdate()
    round_ = get_object_or_404(Round.objects.select_related("version", "gemeente"), pk=round_pk)
    seat = selectors.seat_for(request.user, round_, school_pk, today)
    if seat is None:
        raise Http404
    school = seat.school
    is_open = round_.is_open_on(today)
    if request.method == "POST" and not is_open:
        raise PermissionDenied(_("This evaluation round is closed: answers can no longer be changed."))
    items = [item for item in round_.version.items.order_by("order") if item.is_asked_of(seat.role)]
    response = Response.objects.filter(round=round_, school=school, respondent=request.user).first()
    initial = {}
    if response is not None:
        for a in response.answers.all():
            initial[a.item_id] = UNKNOWN if a.unknown else (str(a.score) if a.score else a.text)
    sending = request.method == "POST" and "send" in request.POST
    form = AnswerForm(request.POST or None, items=items, initial_answers=initial, sending=sending)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answers(
                round_, school, request.user, seat.role, form.answers(), send=sending, today=today
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if sending:
                messages.success(
                    request, _("Your answers are sent. You can change them until the round closes.")
                )
                return redirect("evaluations:mine")
            messages.success(request, _("Your answers are saved. Come back to finish them."))
            return redirect("evaluations:answer", round_pk=round_.pk, school_pk=school.pk)
    sections = [
        (section, [form[field_name(item)] for item in group])
        for section, group in groupby(items, key=lambda item: item.section)
    ]
    context = {
        "round": round_,
        "school": school,
        "form": form,
        "sections": sections,
        "response": response,
        "is_open": is_open,
    }
    return render(request, "evaluations/answer.html", context)


@login_required
@require_GET
def school_results(request: HttpRequest, school_pk: int) -> HttpResponse:
    """A school's results of a school year (?year=2026; this one by default, the last five offered): for
    those who see the school (its team, its coordinators, admins), out of scope 404."""
    school = get_school_for_user(request.user, school_pk)
    current = school_year_start(timezone.localdate()).year
    years = list(range(current, current - YEARS_OFFERED, -1))
    chosen = request.GET.get("year", "").strip()
    if chosen and (not chosen.isdigit() or int(chosen) not in years):
        raise Http404
    year = int(chosen) if chosen else current
    results = results_for_school(school, year)
    access_record(
        actor=request.user,
        action=AccessAction.VIEW,
        what="evaluation-results",
        school_id=school.pk,
        detail={"school": school.pk, "year": year},
    )
    sections = [
        (section, list(rows)) for section, rows in groupby(results.statements, key=lambda row: row.section)
    ]
    context = {"school": school, "year": year, "years": years, "results": results, "sections": sections}
    return render(request, "evaluations/school_results.html", context)
