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
