"""The roster (every school in scope with its team, gaps and next KPO), its streamed export, the page of
heavy loads, and the school page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import batched

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from front.filters import SchoolFilter
from front.selectors import roster_lines, roster_rows
from kpa.access import can_see_coordination, require_coordination
from kpa.accesslog import access_record
from kpa.exports import table_stream_response
from kpa.models import AccessAction
from meetings.models import MeetingStatus
from meetings.selectors import agreements_of_school, meetings_of_school
from partners.models import PARTNER_ROLES, Role
from partners.scope import can_edit_school, get_school_for_user, schools_visible_to
from partners.selectors import heavy_loads, seat_holders
from schools.models import School
from schools.selectors import vacancy_contacts

PAGE_SIZE = 50
# The roster's filters the heavy-loads page shows (the others it keeps from the roster's link).
HEAVY_LOAD_FILTERS = ("gemeente", "wijk")


class CountedPaginator(Paginator):
    """A paginator that asks `count` for the number of objects, rather than the list's own count()."""

    def __init__(self, object_list, per_page, *, count: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def _filtered(request: HttpRequest) -> SchoolFilter:
    # The rows name the wijk, not the gemeente: joining the gemeenten made a filtered page of the national
    # roster 0.9 ms slower (PostgreSQL walks the schools in name order, each one's gemeente joined).
    schools = schools_visible_to(request.user).select_related("wijk").order_by("name", "pk")
    return SchoolFilter(request.GET, queryset=schools, request=request)


@login_required
@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """The roster: every school in scope with its team today, its gaps and its next KPO."""
    school_filter = _filtered(request)
    paginator = CountedPaginator(school_filter.qs, PAGE_SIZE, count=school_filter.count)
    page = paginator.get_page(request.GET.get("page"))
    coordinating = can_see_coordination(request.user)
    context = {
        "filter": school_filter,
        "page": page,
        "rows": roster_lines(list(page)),
        "partner_roles": [Role(r) for r in PARTNER_ROLES],
        "coordinating": coordinating,
        "query": request.GET.urlencode(),
    }
    return render(request, "front/school_list.html", context)


@login_required
@require_GET
def heavy_load_list(request: HttpRequest) -> HttpResponse:
    """People serving unusually many of the roster's schools (in scope, with the roster's filters), for
    coordinators and admins. Its own page, no longer a panel of the roster: for an admin it counts every
    active seat of the country, which no roster page should wait for. The page offers the wijk filter;
    the roster's other filters come along in the query string from the roster's link."""
    require_coordination(request.user)
    school_filter = _filtered(request)
    shown = [field for field in school_filter.form if field.name in HEAVY_LOAD_FILTERS]
    carried = [
        (field.name, value)
        for field in school_filter.form
        if field.name not in HEAVY_LOAD_FILTERS
        for value in request.GET.getlist(field.name)
        if value
    ]
    context = {
        "heavy": heavy_loads(school_filter.qs),
        "fields": shown,
        "carried": carried,
        "roster_query": request.GET.urlencode(),
    }
    return render(request, "front/heavy_loads.html", context)


@login_required
@require_GET
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's team today, its next meetings and KPO history, and its open agreements."""
    school = get_school_for_user(request.user, pk)
    row = roster_rows([school])[0]
    contacts = vacancy_contacts([school])[school.pk]
    now = timezone.now()
    meetings = meetings_of_school(school)  # the school is in scope: so are its meetings and agreements
    upcoming = list(
        meetings.filter(status=MeetingStatus.PLANNED, starts_at__gte=now).order_by("starts_at", "pk")[:5]
    )
    history = list(meetings.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:10])
    open_agreements = list(
        agreements_of_school(school).open().select_related("owner", "meeting").order_by("due_date", "pk")
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


# The roster export reads this many schools at a time (their rows, then their teams: two queries), so
# its queries grow with the chunks and its memory stays that of one chunk, whatever the country's size.
EXPORT_CHUNK = 100
EXPORT_ROLES = [Role.IB, *PARTNER_ROLES]


def _export_header() -> list[str]:
    header = [
        _("BRIN"),
        _("Location"),
        _("School"),
        _("Sector"),
        _("Wijk"),
        _("Municipality"),
        _("School board"),
    ]
    for role in EXPORT_ROLES:
        header += [str(role.label), _("%(role)s e-mail") % {"role": role.label}]
    header.append(_("Vacant roles"))
    return header


def _export_rows(request: HttpRequest, school_ids: list[int]) -> Iterator[list[str]]:
    """The rows of the schools, in the order of `school_ids`, read EXPORT_CHUNK schools at a time while
    the download runs: after the view has returned, so in the request's language taken here."""
    language = translation.get_language()
    schools = schools_visible_to(request.user).select_related("wijk", "gemeente")

    def rows() -> Iterator[list[str]]:
        for chunk in batched(school_ids, EXPORT_CHUNK, strict=False):
            with translation.override(language):
                written = _chunk_rows(schools.filter(pk__in=chunk), chunk)
            yield from written

    return rows()


def _chunk_rows(schools: QuerySet[School], chunk: tuple[int, ...]) -> list[list[str]]:
    by_pk = {s.pk: s for s in schools}
    holders = seat_holders(chunk)
    rows = []
    for pk in chunk:
        s = by_pk.get(pk)
        if s is None:  # gone between the list of ids and its chunk
            continue
        seats = holders[pk]
        row = [s.brin, s.vestiging, s.name, s.sector, str(s.wijk or ""), str(s.gemeente), s.bestuur]
        for role in EXPORT_ROLES:
            row.append("; ".join(name for name, _email in seats[role]))
            row.append("; ".join(email for _name, email in seats[role]))
        row.append("; ".join(str(Role(r).label) for r in PARTNER_ROLES if not seats[r]))
        rows.append(row)
    return rows


@login_required
@require_GET
def school_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The filtered roster as CSV or XLSX, for coordinators and admins. Every export is logged, with the
    school when the roster is of one school only.

    The filters run once, for the ids of the schools in their order (one query; its list is what the
    access log counts); the rows are read in chunks while the file is written (kpa.exports streams the
    CSV, and writes the XLSX to a temporary file): the national roster never sits in memory."""
    require_coordination(request.user)
    school_ids = list(_filtered(request).qs.values_list("pk", flat=True))
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what=f"roster.{fmt}",
        school_id=school_ids[0] if len(school_ids) == 1 else None,
        detail={"filters": request.GET.dict(), "rows": len(school_ids)},
    )
    return table_stream_response(
        fmt,
        filename=f"kpa-rooster-{timezone.localdate().isoformat()}",
        header=_export_header(),
        rows=_export_rows(request, school_ids),
        sheet_title=_("Roster"),
    )
