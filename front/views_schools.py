"""The roster (every school in scope with its team, gaps and next KPO), its export, and the school page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from front.filters import SchoolFilter
from front.selectors import roster_rows
from kpa.access import can_see_coordination, require_coordination
from kpa.accesslog import access_record
from kpa.exports import table_response
from kpa.models import AccessAction
from meetings.models import MeetingStatus
from meetings.selectors import agreements_visible_to, meetings_visible_to
from partners.models import PARTNER_ROLES, Role
from partners.scope import can_edit_school, get_school_for_user, schools_visible_to
from partners.selectors import heavy_loads, teams_for_schools
from schools.selectors import vacancy_contacts

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> SchoolFilter:
    schools = schools_visible_to(request.user).select_related("wijk", "gemeente").order_by("name", "pk")
    return SchoolFilter(request.GET, queryset=schools, request=request)


@login_required
@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """The roster: every school in scope with its team today, its gaps and its next KPO."""
    school_filter = _filtered(request)
    page = Paginator(school_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    coordinating = can_see_coordination(request.user)
    context = {
        "filter": school_filter,
        "page": page,
        "rows": roster_rows(list(page)),
        "partner_roles": [Role(r) for r in PARTNER_ROLES],
        "coordinating": coordinating,
        "heavy": heavy_loads(school_filter.qs) if coordinating else [],
        "query": request.GET.urlencode(),
    }
    return render(request, "front/school_list.html", context)


@login_required
@require_GET
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's team today, its next meetings and KPO history, and its open agreements."""
    school = get_school_for_user(request.user, pk)
    row = roster_rows([school])[0]
    contacts = vacancy_contacts([school])[school.pk]
    now = timezone.now()
    meetings = meetings_visible_to(request.user).filter(school=school)
    upcoming = list(
        meetings.filter(status=MeetingStatus.PLANNED, starts_at__gte=now).order_by("starts_at", "pk")[:5]
    )
    history = list(meetings.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:10])
    open_agreements = list(
        agreements_visible_to(request.user)
        .open()
        .filter(school=school)
        .select_related("owner", "meeting")
        .order_by("due_date", "pk")
    )
    if open_agreements:  # a school's agreements name their owners: the access log records the look
        access_record(
            actor=request.user,
            action=AccessAction.VIEW,
            what="agreements",
            school_id=school.pk,
            detail={"page": "school", "count": len(open_agreements)},
        )
    return render(
        request,
        "front/school_detail.html",
        {
            "school": school,
            "row": row,
            "team": row.team,
            "contacts": contacts,
            "upcoming_meetings": upcoming,
            "meeting_history": history,
            "open_agreements": open_agreements,
            "today": timezone.localdate(),
            "can_plan": can_edit_school(request.user, school),
        },
    )


EXPORT_COLUMNS = [
    "BRIN",
    "vestiging",
    "school",
    "sector",
    "wijk",
    "gemeente",
    "bestuur",
]


def _export_table(request: HttpRequest) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, the rows, and the ids of the schools in them (for the access log)."""
    schools = list(_filtered(request).qs)
    teams = teams_for_schools(s.pk for s in schools)
    role_order = [Role.IB, *PARTNER_ROLES]
    header = [
        _("BRIN"),
        _("Location"),
        _("School"),
        _("Sector"),
        _("Wijk"),
        _("Municipality"),
        _("School board"),
    ]
    for role in role_order:
        header += [str(role.label), _("%(role)s e-mail") % {"role": role.label}]
    header.append(_("Vacant roles"))
    rows = []
    for s in schools:
        seats = {seat.role: seat for seat in teams[s.pk].seats}
        row = [s.brin, s.vestiging, s.name, s.sector, str(s.wijk or ""), str(s.gemeente), s.bestuur]
        for role in role_order:
            people = seats[role].holders + seats[role].stand_ins
            row.append("; ".join(str(a.person) for a in people))
            row.append("; ".join(a.person.email for a in people))
        row.append("; ".join(str(seats[r].label) for r in PARTNER_ROLES if seats[r].is_vacant))
        rows.append(row)
    return header, rows, [s.pk for s in schools]


@login_required
@require_GET
def school_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered roster as CSV or XLSX, for coordinators and admins. Every export is logged, with the
    school when the roster is of one school only."""
    require_coordination(request.user)
    header, rows, school_ids = _export_table(request)
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what=f"roster.{fmt}",
        school_id=school_ids[0] if len(school_ids) == 1 else None,
        detail={"filters": request.GET.dict(), "rows": len(rows)},
    )
    return table_response(
        fmt,
        filename=f"kpa-rooster-{timezone.localdate().isoformat()}",
        header=header,
        rows=rows,
        sheet_title=_("Roster"),
    )
