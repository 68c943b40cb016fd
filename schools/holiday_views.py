"""The school holiday import (admins only): upload the Rijksoverheid file, check what it would change,
confirm. One address: the check is the answer to the upload, and its confirmation carries a token that
names the upload, kept in the session until it is imported or cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kpa.access import require_manager
from schools.holiday_forms import HolidayUploadForm
from schools.holidays import HolidayFormatError, normalise_name, school_holidays_import, school_year_of
from schools.models import HolidayRegion, SchoolHoliday
from schools.years import school_year_start

UPLOAD_SESSION_KEY = "holiday_upload"  # {"token": <hex>, "data": <the file's text>}
PREVIEW_MAX_ERRORS = 200


@login_required
@require_http_methods(["GET", "POST"])
def holiday_import(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    action = request.POST.get("action", "")
    if action == "cancel":
        pending = request.session.get(UPLOAD_SESSION_KEY) or {}
        if pending.get("token") == request.POST.get("token"):
            request.session.pop(UPLOAD_SESSION_KEY, None)
        messages.info(request, _("The import is cancelled; nothing was changed."))
        return redirect("schools:holiday-import")
    if action == "confirm":
        return _confirm(request)
    form = HolidayUploadForm(request.POST, request.FILES) if request.method == "POST" else HolidayUploadForm()
    if request.method == "POST" and form.is_valid():
        data: bytes = form.cleaned_data["file"]
        report = school_holidays_import(data=data, dry_run=True)
        token = uuid4().hex
        request.session[UPLOAD_SESSION_KEY] = {"token": token, "data": data.decode("utf-8-sig")}
        return render(
            request,
            "schools/holiday_import.html",
            {
                "report": report,
                "token": token,
                "errors": report.errors[:PREVIEW_MAX_ERRORS],
                "more_errors": max(report.rejected - PREVIEW_MAX_ERRORS, 0),
            },
        )
    return render(
        request,
        "schools/holiday_import.html",
        {"form": form, "years": _holidays_by_year(), "regions": HolidayRegion.choices},
    )


def _confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(UPLOAD_SESSION_KEY) or {}
    if not pending.get("token") or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("This check is no longer current: upload the file again."))
        return redirect("schools:holiday-import")
    request.session.pop(UPLOAD_SESSION_KEY, None)
    try:
        report = school_holidays_import(data=pending["data"].encode())
    except HolidayFormatError as error:  # checked at upload; only a changed parser could get here
        messages.error(request, str(error))
        return redirect("schools:holiday-import")
    messages.success(
        request,
        _(
            "The school holidays are imported: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(rejected)d rejected."
        )
        % {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        },
    )
    return redirect("schools:holiday-import")


@dataclass
class HolidayLine:
    """One holiday of a school year, with its dates in each region (None: the region does not have it)."""

    name: str
    by_region: dict[str, SchoolHoliday | None] = field(default_factory=dict)

    @property
    def cells(self) -> list[SchoolHoliday | None]:
        return [self.by_region.get(region) for region in HolidayRegion.values]


def _holidays_by_year() -> list[tuple[str, list[HolidayLine]]]:
    """The holidays from the current school year on, per school year and name, for the admin to check
    (one query)."""
    first = school_year_start(timezone.localdate())
    years: dict[str, dict[str, HolidayLine]] = {}
    for holiday in SchoolHoliday.objects.filter(end_date__gte=first).order_by("start_date", "region", "pk"):
        year = holiday.school_year or school_year_of(holiday.start_date)
        lines = years.setdefault(year, {})
        line = lines.setdefault(normalise_name(holiday.name).casefold(), HolidayLine(name=holiday.name))
        line.by_region.setdefault(holiday.region, holiday)
    return [(year, list(lines.values())) for year, lines in sorted(years.items())]
