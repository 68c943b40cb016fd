"""The coordinator's side of the process evaluation (issue 13): the rounds of the gemeente with how many
answered, opening a round by hand, and the yearly evaluation moment. Coordinators and admins (others
403, as the other coordinator pages); a coordinator of one wijk sees the rounds that ask its schools and
opens rounds for them; the moment is the city-wide coordinator's."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from evaluations import services
from evaluations.forms_rounds import MomentForm, RoundForm
from evaluations.models import EvaluationMoment, Round
from kpa.access import require_coordination
from partners.scope import schools_visible_to
from schools.years import school_year_start

ROUNDS_PER_PAGE = 50


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    require_coordination(request.user)
    asks_mine = Round.schools.through.objects.filter(
        round_id=OuterRef("pk"), school__in=schools_visible_to(request.user).values("pk")
    )
    rounds = (
        Round.objects.filter(Exists(asks_mine))
        .select_related("gemeente", "version")
        .annotate(
            school_count=Count("schools", distinct=True),
            sent=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True),
        )
        .order_by("-opens_on", "-pk")
    )
    page = Paginator(rounds, ROUNDS_PER_PAGE).get_page(request.GET.get("page"))
    gemeente = request.user.gemeente
    context = {
        "page": page,
        "today": timezone.localdate(),
        "can_open": gemeente is not None,
        "can_set_moment": gemeente is not None and not request.user.wijk_id,
    }
    return render(request, "evaluations/round_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_open(request: HttpRequest) -> HttpResponse:
    """A coordinator opens a round for schools of their gemeente (an admin, who has none, is refused)."""
    require_coordination(request.user)
    gemeente = request.user.gemeente
    if gemeente is None:
        raise PermissionDenied
    form = RoundForm(request.POST or None, user=request.user, gemeente=gemeente)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        round_ = services.open_round(
            gemeente,
            school_year_start(data["opens_on"]).year,
            form.chosen_schools(),
            data["opens_on"],
            data["closes_on"],
            user=request.user,
        )
        messages.success(
            request,
            _("The round is open for %(count)s schools; their teams get an e-mail.")
            % {"count": round_.schools.count()},
        )
        return redirect("evaluations:rounds")
    return render(request, "evaluations/round_form.html", {"form": form, "gemeente": gemeente})


@login_required
@require_http_methods(["GET", "POST"])
def moment_update(request: HttpRequest) -> HttpResponse:
    """The city-wide coordinator sets when their gemeente's round opens by itself each school year."""
    require_coordination(request.user)
    gemeente = request.user.gemeente
    if gemeente is None or request.user.wijk_id:
        raise PermissionDenied
    moment = EvaluationMoment.objects.filter(gemeente=gemeente).first() or EvaluationMoment(gemeente=gemeente)
    if moment.pk is None:
        month, day = (int(part) for part in settings.KPA_EVALUATION_MOMENT.split("-"))
        moment.month, moment.day, moment.weeks_open = month, day, settings.KPA_EVALUATION_WEEKS
    form = MomentForm(request.POST or None, instance=moment)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The evaluation moment is saved."))
        return redirect("evaluations:rounds")
    return render(request, "evaluations/moment_form.html", {"form": form, "gemeente": gemeente})
