"""The programme's pages: programmes, a programme's lines, a line with its speerpunten and activities, an
activity with its timeline of progress updates, and the forms that add and change them. Every read starts
from programme.selectors (built on partners.scope): out of scope 404, in scope but not allowed 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kpa.access import require_coordination
from kpa.models import UserKind
from partners.scope import schools_visible_to
from programme import selectors, services
from programme.forms import (
    ActivityForm,
    LineForm,
    ProgrammeForm,
    ProgressUpdateChangeForm,
    ProgressUpdateForm,
)
from programme.models import Activity, ActivityStatus, IndicatorValue, ProgressUpdate, Speerpunt


def _can_create_programme(user) -> bool:
    return user.is_admin or (user.is_coordinator and not user.wijk_id and bool(user.gemeente_id))


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    require_coordination(request.user)
    programmes = selectors.programmes_visible_to(request.user).select_related("gemeente")
    programmes = programmes.annotate(line_count=Count("lines", distinct=True)).order_by(
        "gemeente__name", "sector"
    )
    context = {"programmes": list(programmes), "can_create": _can_create_programme(request.user)}
    return render(request, "programme/programme_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    if not _can_create_programme(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        programme = form.save()
        messages.success(request, _("The programme is made. Add its action lines."))
        return redirect("programme:detail", pk=programme.pk)
    return render(request, "programme/programme_form.html", {"form": form})


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The lines, each with its speerpunten and how many of its activities (in view) stand where."""
    programme = selectors.get_programme_for_user(request.user, pk)
    visible = selectors.activities_visible_to(request.user).values("pk")
    counted = {
        status: Count("activities", filter=Q(activities__in=visible, activities__status=status))
        for status in ActivityStatus
    }
    lines = (
        programme.lines.annotate(**{f"n_{status}": n for status, n in counted.items()})
        .prefetch_related(Prefetch("speerpunten", queryset=Speerpunt.objects.order_by("order")))
        .order_by("number")
    )
    rows = [
        (line, [(status.label, getattr(line, f"n_{status}")) for status in ActivityStatus]) for line in lines
    ]
    context = {
        "programme": programme,
        "rows": rows,
        "statuses": ActivityStatus,
        "can_edit": selectors.can_edit_programme(request.user, programme),
    }
    return render(request, "programme/programme_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(request.user, pk)
    if not selectors.can_edit_programme(request.user, programme):
        raise PermissionDenied
    form = LineForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        line = services.line_save(line=form.instance, speerpunten=form.cleaned_data["speerpunten"])
        messages.success(request, _("Action line “%(line)s” is added.") % {"line": line})
        return redirect("programme:line-detail", pk=line.pk)
    return render(request, "programme/line_form.html", {"programme": programme, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def line_update(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.get_line_for_user(request.user, pk)
    if line.programme is None or not selectors.can_edit_programme(request.user, line.programme):
        raise PermissionDenied
    form = LineForm(request.POST or None, instance=line, programme=line.programme)
    if request.method == "POST" and form.is_valid():
        services.line_save(line=form.instance, speerpunten=form.cleaned_data["speerpunten"])
        messages.success(request, _("The changes are saved."))
        return redirect("programme:line-detail", pk=line.pk)
    context = {"programme": line.programme, "form": form, "line": line}
    return render(request, "programme/line_form.html", context)


@login_required
@require_GET
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A line: its speerpunten, and under each the activities in view, stale ones flagged."""
    line = selectors.get_line_for_user(request.user, pk)
    activities = selectors.with_last_update(
        selectors.activities_visible_to(request.user).filter(line=line).select_related("trekker")
    ).prefetch_related("wijken")
    today = timezone.localdate()
    by_speerpunt: dict[int | None, list[Activity]] = {}
    for activity in activities.order_by("speerpunt__order", "title", "pk"):
        activity.stale = activity.is_stale_on(today)
        by_speerpunt.setdefault(activity.speerpunt_id, []).append(activity)
    speerpunten = [(s, by_speerpunt.get(s.pk, [])) for s in line.speerpunten.order_by("order")]
    context = {
        "line": line,
        "programme": line.programme,
        "speerpunten": speerpunten,
        "without_speerpunt": by_speerpunt.get(None, []),
        "stale": [a for group in by_speerpunt.values() for a in group if a.stale],
        "can_add": line.programme is not None and selectors.can_add_activity(request.user, line.programme),
        "can_edit": line.programme is not None and selectors.can_edit_programme(request.user, line.programme),
    }
    return render(request, "programme/line_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.get_line_for_user(request.user, pk)
    if line.programme is None or not selectors.can_add_activity(request.user, line.programme):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, line=line, user=request.user)
    if request.method == "POST" and form.is_valid():
        activity = services.activity_save(form=form)
        messages.success(request, _("Activity “%(title)s” is added.") % {"title": activity.title})
        return redirect("programme:activity-detail", pk=activity.pk)
    return render(request, "programme/activity_form.html", {"line": line, "form": form, "activity": None})


def _editable_activity(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.get_activity_for_user(request.user, pk)
    if not selectors.can_edit_activity(request.user, activity):
        raise PermissionDenied
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def activity_update(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_activity(request, pk)
    form = ActivityForm(request.POST or None, instance=activity, line=activity.line, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.activity_save(form=form)
        messages.success(request, _("The changes are saved."))
        return redirect("programme:activity-detail", pk=activity.pk)
    context = {"line": activity.line, "form": form, "activity": activity}
    return render(request, "programme/activity_form.html", context)


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The activity and its timeline: progress updates newest first, with the values measured on them."""
    user = request.user
    activity = selectors.get_activity_for_user(user, pk)
    updates = activity.updates.select_related("author").prefetch_related(
        Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator"))
    )
    indicators = activity.indicators.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("date", "pk"))
    )
    # Schools outside the user's scope are not named (a wijk coordinator sees those of their wijk).
    schools = schools_visible_to(user, activity.schools.all()).order_by("name")
    context = {
        "activity": activity,
        "line": activity.line,
        "programme": activity.line.programme,
        "updates": list(updates),
        "indicators": list(indicators),
        "wijken": list(activity.wijken.order_by("name")),
        "schools": list(schools),
        "hidden_schools": user.kind == UserKind.COORDINATOR and activity.schools.count() > len(schools),
        "organisations": list(activity.organisations.order_by("name")),
        "stale": activity.is_stale,
        "can_edit": selectors.can_edit_activity(user, activity),
    }
    return render(request, "programme/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_activity(request, pk)
    form = ProgressUpdateForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.progress_update_add(
            activity=activity,
            date=data["date"],
            text=data["text"],
            phase=data["phase"],
            light=data["light"],
            is_success=data["is_success"],
            author=request.user,
            indicator=data.get("indicator"),
            value=data.get("value"),
        )
        messages.success(request, _("The progress update is saved."))
        return redirect("programme:activity-detail", pk=activity.pk)
    return render(request, "programme/update_form.html", {"activity": activity, "form": form})


# Correcting and removing a progress update: for those who may change its activity (as adding one).


def _editable_update(request: HttpRequest, pk: int) -> ProgressUpdate:
    """An update of an activity in view (else 404) that the user may change (else 403)."""
    visible = ProgressUpdate.objects.filter(
        activity__in=selectors.activities_visible_to(request.user).values("pk")
    )
    update = get_object_or_404(visible, pk=pk)
    update.activity = _editable_activity(request, update.activity_id)
    return update


@login_required
@require_http_methods(["GET", "POST"])
def update_update(request: HttpRequest, pk: int) -> HttpResponse:
    update = _editable_update(request, pk)
    activity = update.activity
    form = ProgressUpdateChangeForm(request.POST or None, update=update)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.progress_update_change(
            update=update,
            date=data["date"],
            text=data["text"],
            phase=data["phase"],
            light=data["light"],
            is_success=data["is_success"],
            indicator=data.get("indicator"),
            value=data.get("value"),
        )
        messages.success(request, _("The progress update is changed."))
        return redirect("programme:activity-detail", pk=activity.pk)
    context = {"activity": activity, "update": update, "form": form}
    return render(request, "programme/update_update.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def update_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks; POST removes the update and the values measured with it."""
    update = _editable_update(request, pk)
    activity = update.activity
    if request.method == "GET":
        context = {
            "activity": activity,
            "update": update,
            "values": list(update.indicator_values.select_related("indicator")),
        }
        return render(request, "programme/update_delete.html", context)
    services.progress_update_delete(update=update)
    messages.success(request, _("The progress update is removed."))
    return redirect("programme:activity-detail", pk=activity.pk)
