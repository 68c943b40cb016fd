"""Planning and following meetings: the list, planning one meeting or a series, the meeting page, moving
and cancelling. Every write goes through meetings.services; every read starts from the user's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from kpa.access import can_see_coordination
from kpa.models import UserKind
from meetings import selectors, services
from meetings.filters import MeetingFilter
from meetings.forms_plan import MeetingPlanForm, MeetingUpdateForm, apply_service_error
from meetings.models import Attendance, Meeting, MeetingStatus
from meetings.views_log import record_minutes_shown
from partners.models import PARTNER_ROLES, Role
from partners.scope import can_edit_school, get_school_for_user, schools_where_ib

UPCOMING_PER_PAGE = 50
SAVE_ANYWAY = "save_anyway"  # the button under a warning: the IB-er has read it and saves all the same
RECENT_PAST = 5
# The IB-er first, then the kernpartners in their usual order, then the school leader.
ROLE_ORDER = {role: n for n, role in enumerate([Role.IB, *PARTNER_ROLES, Role.SCHOOLLEIDER])}


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def coming_first(meetings: QuerySet[Meeting], now) -> QuerySet[Meeting]:
    """The meetings from `now` on in date order (the next one first), then the earlier ones newest first."""
    coming = Q(starts_at__gte=now)
    return meetings.annotate(
        has_been=Case(When(coming, then=Value(False)), default=Value(True), output_field=BooleanField()),
        coming_at=Case(When(coming, then=F("starts_at"))),
        been_at=Case(When(~coming, then=F("starts_at"))),
    ).order_by("has_been", F("coming_at").asc(), F("been_at").desc(), "pk")


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The user's upcoming meetings across their schools, the next one first, and the last few held.
    With a filter filled in (wijk, school, period, status, kind, log) it lists every meeting in scope that
    matches instead: in date order from the start of the period; without one what is coming first, the
    next one first (as without filters), then what has been, the newest first."""
    user = request.user
    now = timezone.now()
    visible = selectors.meetings_visible_to(user).select_related("school")
    # The filters are the coordinators' (and admins'): across a wijk or gemeente, a list of what is
    # coming is not enough. Someone at a handful of schools has no use for them.
    meeting_filter = None
    if can_see_coordination(user):
        meeting_filter = MeetingFilter(
            request.GET, queryset=visible.select_related("school__wijk"), request=request
        )
    filtering = meeting_filter is not None and meeting_filter.is_filtering()
    recent: list[Meeting] = []
    if meeting_filter is not None and filtering:
        found = meeting_filter.qs if meeting_filter.is_valid() else visible.none()
        ascending = bool(meeting_filter.form.cleaned_data.get("date_from"))
        found = found.order_by("starts_at", "pk") if ascending else coming_first(found, now)
        page = Paginator(found, UPCOMING_PER_PAGE).get_page(request.GET.get("page"))
    else:
        upcoming = visible.filter(status=MeetingStatus.PLANNED, starts_at__gte=now).order_by(
            "starts_at", "pk"
        )
        page = Paginator(upcoming, UPCOMING_PER_PAGE).get_page(request.GET.get("page"))
        recent = list(
            visible.filter(starts_at__lt=now)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at", "-pk")[:RECENT_PAST]
        )
    # The schools where this person is the IB-er today: a "Plan a KPO" link each. Admins, who may plan
    # everywhere, plan from the school page instead of a list of every school in the country.
    plannable = []
    if user.kind != UserKind.ADMIN:
        plannable = list(schools_where_ib(user).order_by("name", "pk"))
    context = {
        "page": page,
        "recent": recent,
        "plannable": plannable,
        "filter": meeting_filter,
        "filtering": filtering,
    }
    return render(request, "meetings/meeting_list.html", context)


def _editable_school(request: HttpRequest, school_pk: int):
    school = get_school_for_user(request.user, school_pk)
    if not can_edit_school(request.user, school):
        raise PermissionDenied
    return school


def _editable_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    if not can_edit_school(request.user, meeting.school):
        raise PermissionDenied
    return meeting


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request: HttpRequest, school_pk: int) -> HttpResponse:
    """Plan one meeting, or a series: a series is shown as a preview first (the dates it plans and the
    dates it skips for school holidays) and is only saved once confirmed."""
    school = _editable_school(request, school_pk)
    form = MeetingPlanForm(request.POST or None, school_id=school.pk)
    context = {"school": school, "form": form}
    if request.method != "POST" or not form.is_valid() or "edit" in request.POST:
        return render(request, "meetings/meeting_plan.html", context)
    data = form.cleaned_data
    warnings = form.warnings()
    if warnings and SAVE_ANYWAY not in request.POST:
        return render(request, "meetings/meeting_plan.html", context | {"warnings": warnings})
    if not data["repeat"]:
        try:
            meeting = services.meeting_schedule(
                school=school,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                online_url=data["online_url"],
                created_by=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return render(request, "meetings/meeting_plan.html", context)
        messages.success(request, _("The meeting is planned and the team is invited."))
        return redirect("meetings:detail", pk=meeting.pk)

    series_args = {
        "first": data["starts_at"],
        "until": data["until"],
        "interval_weeks": data["interval_weeks"],
    }
    if "confirm" not in request.POST:
        try:
            planned, skipped = services.series_preview(**series_args, region=school.holiday_region)
        except ValidationError as error:
            apply_service_error(form, error)
            return render(request, "meetings/meeting_plan.html", context)
        duration = data["ends_at"] - data["starts_at"]
        clashes = selectors.overlapping_meetings(
            school_id=school.pk, slots=[(moment, moment + duration) for moment in planned]
        )
        context |= {
            "preview": True,
            "planned": planned,
            "planned_rows": [(moment, clashes.get(moment, [])) for moment in planned],
            "clash_count": len(clashes),
            "skipped": skipped,
            "duration_minutes": int((data["ends_at"] - data["starts_at"]).total_seconds() // 60),
        }
        return render(request, "meetings/meeting_plan.html", context)
    try:
        result = services.meeting_series_schedule(
            school=school,
            first_starts_at=series_args["first"],
            duration=data["ends_at"] - data["starts_at"],
            interval_weeks=series_args["interval_weeks"],
            until=series_args["until"],
            location=data["location"],
            online_url=data["online_url"],
            created_by=request.user,
        )
    except ValidationError as error:
        apply_service_error(form, error)
        return render(request, "meetings/meeting_plan.html", context)
    n_planned, n_skipped = len(result.meetings), len(result.skipped)
    text = ngettext(
        "One meeting is planned and the team is invited.",
        "%(count)s meetings are planned and the team is invited.",
        n_planned,
    ) % {"count": n_planned}
    if n_skipped:
        text += " " + ngettext(
            "%(count)s date was skipped for a school holiday.",
            "%(count)s dates were skipped for a school holiday.",
            n_skipped,
        ) % {"count": n_skipped}
    messages.success(request, text)
    return redirect("meetings:detail", pk=result.meetings[0].pk)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Time and place, who is invited, the agenda with what is carried over, and the log once there."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    invitees = sorted(
        meeting.invitees.select_related("person", "person__organisation"),
        key=lambda i: (ROLE_ORDER.get(i.role, len(ROLE_ORDER)), i.person.last_name, i.person.first_name),
    )
    for invitee in invitees:
        invitee.role_label = role_label(invitee.role)
    agenda = list(meeting.agenda_items.all())
    carried_agreements, carried_questions = selectors.carried_items(meeting)
    # An item the log already put on this agenda is not listed a second time.
    on_agenda_agreements = {item.carried_agreement_id for item in agenda}
    on_agenda_questions = {item.carried_question_id for item in agenda}
    can_edit = can_edit_school(request.user, meeting.school)
    context = {
        "meeting": meeting,
        "school": meeting.school,
        "invitees": invitees,
        "agenda": agenda,
        "carried_agreements": [a for a in carried_agreements if a.pk not in on_agenda_agreements],
        "carried_questions": [q for q in carried_questions if q.pk not in on_agenda_questions],
        "casework": list(meeting.casework_counts.order_by("theme")),
        "questions": list(meeting.collective_questions.all()),
        "agreements": list(meeting.agreements.select_related("owner", "action_line")),
        "can_edit": can_edit,
        "is_planned": meeting.status == MeetingStatus.PLANNED,
        "is_cancelled": meeting.status == MeetingStatus.CANCELLED,
        "has_started": meeting.starts_at <= timezone.now(),
        "today": timezone.localdate(),
    }
    context["has_log"] = bool(
        meeting.is_logged
        or meeting.minutes
        or context["casework"]
        or context["questions"]
        or context["agreements"]
        or any(i.attendance != Attendance.UNKNOWN for i in invitees)
    )
    if context["has_log"]:
        record_minutes_shown(request, meeting)
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a meeting or change its place or link; the invitees get the update by mail."""
    meeting = _editable_meeting(request, pk)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, _("This meeting is cancelled, so it can no longer be changed."))
        return redirect("meetings:detail", pk=meeting.pk)
    form = MeetingUpdateForm(request.POST or None, meeting=meeting)
    context = {"meeting": meeting, "school": meeting.school, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warnings = form.warnings()
        if warnings and SAVE_ANYWAY not in request.POST:
            return render(request, "meetings/meeting_update.html", context | {"warnings": warnings})
        sequence = meeting.sequence
        try:
            meeting = services.meeting_update(
                meeting=meeting,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                online_url=data["online_url"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return render(request, "meetings/meeting_update.html", context)
        if meeting.sequence == sequence:
            messages.info(request, _("Nothing was changed."))
        else:
            messages.success(request, _("The meeting is changed and the invitees get the update."))
        return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/meeting_update.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET), then cancel (POST); the invitees get the cancellation by mail."""
    meeting = _editable_meeting(request, pk)
    if meeting.status != MeetingStatus.PLANNED:
        if meeting.status == MeetingStatus.CANCELLED:
            messages.error(request, _("This meeting is already cancelled."))
        else:
            messages.error(request, _("This meeting has been held, so it can no longer be cancelled."))
        return redirect("meetings:detail", pk=meeting.pk)
    if request.method == "POST":
        services.meeting_cancel(meeting=meeting)
        messages.success(request, _("The meeting is cancelled and the invitees are told."))
        return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting, "school": meeting.school})
