"""The admin's screens for wijken, schools, organisations and who is assigned where (/manage/).

Every view asks `require_manager` first; writes to teams go through partners.services, whose
ValidationErrors are shown on the form with everything typed kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpa.access import require_manager
from partners import services
from partners.manage_forms import (
    AssignmentEndForm,
    AssignmentForm,
    HandoverForm,
    OrganisationForm,
    SchoolForm,
    SchoolMoveForm,
    WijkAssignForm,
    WijkForm,
    add_service_error,
)
from partners.models import Assignment, Organisation, Role, active_on
from partners.scope import assignments_visible_to, schools_visible_to, wijken_visible_to
from partners.selectors import Seat, Team, teams_for_schools
from schools.models import School
from schools.selectors import active_schools_per_wijk

# --- Wijken ------------------------------------------------------------------------------------------


@login_required
def wijk_list(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    # By gemeente, and within two gemeenten of the same name (names are not unique) each one's wijken
    # together: the list writes a table per run of one gemeente's wijken.
    wijken = (
        wijken_visible_to(request.user)
        .select_related("gemeente")
        .order_by("gemeente__name", "gemeente_id", "name", "pk")
    )
    page = Paginator(wijken, 100).get_page(request.GET.get("page"))
    # The active schools of this page's wijken only, in one grouped query: counting every wijk of the
    # country to show a hundred of them made the page (and its count) scan all schools.
    counts = active_schools_per_wijk([wijk.pk for wijk in page])
    for wijk in page:
        wijk.school_count = counts.get(wijk.pk, 0)
    return render(request, "manage/wijk_list.html", {"page": page, "form": WijkForm()})


@login_required
def wijk_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = WijkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wijk = form.save()
        messages.success(request, _("Wijk %(wijk)s added.") % {"wijk": wijk})
        return redirect("manage:wijk-detail", wijk.pk)
    return render(request, "manage/wijk_form.html", {"form": form, "wijk": None})


@login_required
def wijk_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    wijk = get_object_or_404(wijken_visible_to(request.user), pk=pk)
    title = str(wijk)
    form = WijkForm(request.POST or None, instance=wijk)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("manage:wijk-detail", wijk.pk)
    return render(request, "manage/wijk_form.html", {"form": form, "wijk": wijk, "title": title})


@dataclass
class SchoolRow:
    school: School
    team: Team


@login_required
def wijk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The schools of a wijk with today's kernpartner coverage; and one person to all its schools at once."""
    require_manager(request.user)
    wijk = get_object_or_404(wijken_visible_to(request.user).select_related("gemeente"), pk=pk)
    form = WijkAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.wijk_assign_person(wijk=wijk, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            _report_bulk_result(request, result)
            return redirect("manage:wijk-detail", wijk.pk)
    schools = list(schools_visible_to(request.user).filter(wijk=wijk).order_by("-is_active", "name"))
    teams = teams_for_schools(s.pk for s in schools)  # one query for all schools of the page
    rows = [SchoolRow(school=s, team=teams[s.pk]) for s in schools]
    return render(
        request,
        "manage/wijk_detail.html",
        {
            "wijk": wijk,
            "rows": rows,
            "form": form,
            "complete": sum(row.team.is_complete for row in rows if row.school.is_active),
            "active": sum(row.school.is_active for row in rows),
        },
    )


def _report_bulk_result(request: HttpRequest, result: services.BulkResult) -> None:
    count = len(result.created)
    messages.success(
        request,
        ngettext("%(count)d assignment created.", "%(count)d assignments created.", count) % {"count": count},
    )
    for school, reason in result.skipped:
        messages.warning(request, _("Skipped %(school)s: %(reason)s") % {"school": school, "reason": reason})


# --- Schools -----------------------------------------------------------------------------------------


@login_required
def school_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    initial = {}
    wijk_pk = request.GET.get("wijk", "")
    if wijk_pk.isdigit():
        wijk = wijken_visible_to(request.user).filter(pk=int(wijk_pk)).first()
        if wijk is not None:
            initial = {"wijk": wijk, "gemeente": wijk.gemeente_id}
    form = SchoolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        school = form.save()
        messages.success(request, _("School %(school)s added.") % {"school": school})
        return redirect("manage:school-team", school.pk)
    return render(request, "manage/school_form.html", {"form": form, "school": None})


@login_required
def school_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's details. A change of wijk is a move, and goes through the service that moves it."""
    require_manager(request.user)
    school = get_object_or_404(schools_visible_to(request.user).select_related("wijk"), pk=pk)
    title, old_wijk_id = school.name, school.wijk_id
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        new_wijk = form.cleaned_data["wijk"]
        moves = new_wijk is not None and new_wijk.pk != old_wijk_id
        try:
            with transaction.atomic():
                school = form.save(commit=False)
                if moves:
                    school.wijk_id = old_wijk_id
                school.save()
                if moves:
                    services.school_move_wijk(school=school, wijk=new_wijk)
        except ValidationError as error:
            form.add_error("wijk", error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("manage:school-team", school.pk)
    return render(request, "manage/school_form.html", {"form": form, "school": school, "title": title})


@login_required
def school_move(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    school = get_object_or_404(schools_visible_to(request.user).select_related("wijk", "gemeente"), pk=pk)
    form = SchoolMoveForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_move_wijk(school=school, wijk=form.cleaned_data["wijk"])
        except ValidationError as error:
            form.add_error("wijk", error)
        else:
            messages.success(
                request,
                _("%(school)s now belongs to wijk %(wijk)s.") % {"school": school, "wijk": school.wijk},
            )
            return redirect("manage:school-team", school.pk)
    return render(request, "manage/school_move.html", {"form": form, "school": school})


# --- Teams: the role slots of one school ----------------------------------------------------------------


@dataclass
class CurrentRow:
    assignment: Assignment
    end_form: AssignmentEndForm


@dataclass
class Slot:
    seat: Seat
    current: list[CurrentRow] = field(default_factory=list)
    future: list[Assignment] = field(default_factory=list)
    past: list[Assignment] = field(default_factory=list)


def _team_context(
    school: School, *, add_form: AssignmentForm, end_form: AssignmentEndForm | None = None
) -> dict:
    """The six slots with today's holders and stand-ins (from the roster selector), and each slot's
    history and future, in two queries whatever the size of the history."""
    today = timezone.localdate()
    team = teams_for_schools([school.pk], on=today)[school.pk]
    others: dict[str, tuple[list[Assignment], list[Assignment]]] = {r: ([], []) for r in Role.values}
    history = (
        school.assignments.exclude(active_on(today))  # the school comes from the user's scope
        .select_related("person", "person__organisation")
        .order_by("-start_date", "-pk")
    )
    for a in history:
        future, past = others[a.role]
        (future if a.start_date > today else past).append(a)
    slots = []
    for seat in team.seats:
        future, past = others[seat.role]
        rows = [
            CurrentRow(
                assignment=a,
                end_form=end_form
                if end_form is not None and end_form.assignment.pk == a.pk
                else AssignmentEndForm(assignment=a),
            )
            for a in seat.holders + seat.stand_ins
        ]
        slots.append(
            Slot(seat=seat, current=rows, future=sorted(future, key=lambda a: a.start_date), past=past)
        )
    return {
        "school": school,
        "slots": slots,
        "team": team,
        "form": add_form,
        "move_form": SchoolMoveForm(school=school),
        "today": today,
    }


@login_required
def school_team(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    school = get_object_or_404(schools_visible_to(request.user).select_related("wijk", "gemeente"), pk=pk)
    role = request.GET.get("role")
    initial = {"start_date": timezone.localdate()}
    if role in Role.values:
        initial["role"] = role
    form = AssignmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(school=school, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(person)s added as %(role)s.")
                % {"person": assignment.person, "role": assignment.get_role_display()},
            )
            return redirect("manage:school-team", school.pk)
    return render(request, "manage/school_team.html", _team_context(school, add_form=form))


@login_required
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    assignment = get_object_or_404(assignments_visible_to(request.user).select_related("person"), pk=pk)
    form = AssignmentEndForm(request.POST, assignment=assignment)
    if form.is_valid():
        end_date = form.cleaned_data["end_date"]
        try:
            services.assignment_end(assignment=assignment, end_date=end_date)
        except ValidationError as error:
            form.add_error("end_date", error)
        else:
            messages.success(
                request,
                _("%(person)s is %(role)s until %(date)s.")
                % {
                    "person": assignment.person,
                    "role": assignment.get_role_display(),
                    "date": formats.date_format(end_date),
                },
            )
            return redirect("manage:school-team", assignment.school_id)
    school = get_object_or_404(
        schools_visible_to(request.user).select_related("wijk", "gemeente"), pk=assignment.school_id
    )
    context = _team_context(
        school, add_form=AssignmentForm(initial={"start_date": timezone.localdate()}), end_form=form
    )
    return render(request, "manage/school_team.html", context)


# --- Organisations -----------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    organisations = Organisation.objects.annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    ).order_by("name")
    query = request.GET.get("q", "").strip()
    if query:
        organisations = organisations.filter(name__icontains=query)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "manage/organisation_list.html", {"page": page, "query": query})


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        messages.success(request, _("Organisation %(name)s added.") % {"name": organisation})
        return redirect("manage:organisation-list")
    return render(request, "manage/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    organisation = get_object_or_404(Organisation, pk=pk)
    title = str(organisation)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("manage:organisation-list")
    return render(
        request, "manage/organisation_form.html", {"form": form, "organisation": organisation, "title": title}
    )


# --- Handover ------------------------------------------------------------------------------------------


def plan_fingerprint(steps: list[services.HandoverStep]) -> str:
    """A digest of a plan, carried from the preview to the confirmation: what is applied must be what was
    shown, so a plan that changed in between is shown again instead of applied."""
    return hashlib.sha256(repr(steps).encode()).hexdigest()


class PlanChanged(Exception):
    pass


def _apply_as_previewed(*, fingerprint: str, **data) -> list[services.HandoverStep] | None:
    """Apply the handover only if its plan is still the one previewed; else change nothing."""
    try:
        with transaction.atomic():
            steps = services.handover_apply(**data)
            if plan_fingerprint(steps) != fingerprint:
                raise PlanChanged
    except PlanChanged:
        return None
    return steps


@login_required
def handover(request: HttpRequest) -> HttpResponse:
    """Everything X does moves to Y from date D: a preview of every assignment affected, then one
    confirmation. History stays: the service ends old assignments rather than deleting them."""
    require_manager(request.user)
    # ?from_person=<id>: the deactivation page's link fills in who leaves (the form's own choices check it),
    # from today.
    leaving = request.GET.get("from_person")
    initial = {"from_person": leaving, "on": timezone.localdate()} if leaving else {}
    form = HandoverForm(request.POST or None, initial=initial)
    steps: list[services.HandoverStep] | None = None
    changed = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "confirm":
                applied = _apply_as_previewed(fingerprint=request.POST.get("plan", ""), **data)
                if applied is not None:
                    _report_handover(request, applied, **data)
                    return redirect("manage:handover")
                changed = True
            steps = services.handover_plan(**data)
        except ValidationError as error:
            add_service_error(form, error)
    context = {"form": form, "steps": steps, "changed": changed}
    if steps is not None:
        on = form.cleaned_data["on"]
        context.update(
            plan=plan_fingerprint(steps),
            day_before=on - dt.timedelta(days=1),
            from_person=form.cleaned_data["from_person"],
            to_person=form.cleaned_data["to_person"],
            on=on,
        )
    return render(request, "manage/handover.html", context)


def _report_handover(request: HttpRequest, steps: list[services.HandoverStep], **data) -> None:
    moved = sum(step.action != "skip" for step in steps)
    ended = len(steps) - moved
    names = {
        "leaver": data["from_person"],
        "successor": data["to_person"],
        "date": formats.date_format(data["on"]),
    }
    messages.success(
        request,
        ngettext(
            "%(count)d assignment of %(leaver)s handed over to %(successor)s from %(date)s.",
            "%(count)d assignments of %(leaver)s handed over to %(successor)s from %(date)s.",
            moved,
        )
        % {"count": moved, **names},
    )
    if ended:
        messages.info(
            request,
            ngettext(
                "%(count)d assignment ended without handover: %(successor)s already had that role there.",
                "%(count)d assignments ended without handover: %(successor)s already had that role there.",
                ended,
            )
            % {"count": ended, **names},
        )
