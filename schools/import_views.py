"""DUO register import and postcode-to-wijk mapping screens (admins only)."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from kpa.access import require_manager
from schools.duo import DuoFormatError
from schools.import_forms import DuoUploadForm, PlaceSchoolForm, PostcodeAreasForm
from schools.import_jobs import duo_import_cancel, duo_import_confirm, duo_upload_store
from schools.importer import (
    duo_import,
    postcode_area_remove,
    postcode_areas_save,
    school_place,
    schools_place_by_postcode,
)
from schools.models import DuoImport, DuoImportStatus, Gemeente, PostcodeArea, School, Wijk

PREVIEW_MAX_ERRORS = 200
RECENT_IMPORTS = 10


def _import_for(request: HttpRequest, pk: UUID) -> DuoImport:
    """An import for an admin: every admin reads how an import went; an upload that is not confirmed yet
    is its uploader's alone (404 for anyone else)."""
    job = DuoImport.objects.select_related("created_by").defer("data").filter(pk=pk).first()
    if job is None or (job.status == DuoImportStatus.UPLOADED and job.created_by_id != request.user.pk):
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def duo_upload(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = DuoUploadForm(request.POST, request.FILES) if request.method == "POST" else DuoUploadForm()
    if request.method == "POST" and form.is_valid():
        job = duo_upload_store(
            data=form.cleaned_data["file"],
            file_name=request.FILES["file"].name,
            gemeente=form.cleaned_data["gemeente"],
            sector=form.cleaned_data["sector"],
            by=request.user,
        )
        return redirect("schools:import-preview", pk=job.pk)
    recent = (
        DuoImport.objects.exclude(status=DuoImportStatus.UPLOADED)
        .select_related("created_by")
        .defer("data")
        .order_by("-created_at")[:RECENT_IMPORTS]
    )
    return render(request, "schools/import_upload.html", {"form": form, "recent": recent})


@login_required
@require_http_methods(["GET", "POST"])
def duo_preview(request: HttpRequest, pk: UUID) -> HttpResponse:
    """What the import would do (an upload not yet confirmed), then its progress and its result."""
    require_manager(request.user)
    job = _import_for(request, pk)
    if job.status != DuoImportStatus.UPLOADED:
        if request.method == "POST":  # confirmed or cancelled in another tab: show how it stands
            return redirect("schools:import-preview", pk=job.pk)
        return render(request, "schools/import_status.html", {"job": job, "sector_label": _sector_label(job)})
    if request.method == "POST" and request.POST.get("action") == "cancel":
        duo_import_cancel(job=job)
        messages.info(request, _("The import is cancelled; nothing was changed."))
        return redirect("schools:import")
    if request.method == "POST" and request.POST.get("action") == "confirm":
        duo_import_confirm(job=job)
        return redirect("schools:import-preview", pk=job.pk)
    try:
        report = duo_import(
            data=bytes(job.data),  # read here, for the preview only (the progress page asks once a second)
            gemeente=job.gemeente or None,
            default_sector=job.sector or None,
            dry_run=True,
        )
    except DuoFormatError as error:  # checked at upload; only a changed parser could get here
        duo_import_cancel(job=job)
        messages.error(request, str(error))
        return redirect("schools:import")
    return render(
        request,
        "schools/import_preview.html",
        {
            "report": report,
            "errors": report.errors[:PREVIEW_MAX_ERRORS],
            "more_errors": max(report.rejected - PREVIEW_MAX_ERRORS, 0),
            "unplaced_count": len(report.unplaced),
            "options": {"gemeente": job.gemeente, "sector": job.sector},
            "sector_label": _sector_label(job),
        },
    )


def _sector_label(job: DuoImport) -> str:
    return str(dict(DuoUploadForm.base_fields["sector"].choices).get(job.sector, ""))


@login_required
@require_GET
def duo_progress(request: HttpRequest, pk: UUID) -> JsonResponse:
    """How far a confirmed import is, for the progress bar (static/js/import-progress.js)."""
    require_manager(request.user)
    job = _import_for(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "finished": job.is_finished,
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def postcode_areas(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    gemeenten = list(Gemeente.objects.all())
    gemeente = _gemeente_from(request, gemeenten)
    if gemeente is None:
        return render(request, "schools/postcode_areas.html", {"gemeente": None})
    wijken = list(
        Wijk.objects.filter(gemeente=gemeente).prefetch_related(
            Prefetch("postcode_areas", queryset=PostcodeArea.objects.order_by("postcode4"))
        )
    )
    here = f"{reverse('schools:postcode-areas')}?gemeente={gemeente.pk}"
    action = request.POST.get("action")
    form = PostcodeAreasForm(request.POST if action == "save" else None, gemeente=gemeente, wijken=wijken)
    if action == "save" and form.is_valid():
        result = postcode_areas_save(gemeente=gemeente, mapping=form.cleaned_data["lines"])
        messages.success(
            request,
            _("Postcode areas saved: %(added)d added, %(moved)d moved, %(unchanged)d unchanged.")
            % {"added": result.added, "moved": result.moved, "unchanged": result.unchanged},
        )
        return redirect(here)
    if action == "place":
        placed = schools_place_by_postcode(gemeente=gemeente)
        messages.success(
            request,
            ngettext(
                "%(count)d school is placed in the wijk of its postcode area.",
                "%(count)d schools are placed in the wijk of their postcode area.",
                placed,
            )
            % {"count": placed},
        )
        return redirect(here)
    if action == "remove":
        code = request.POST.get("postcode4", "")
        if postcode_area_remove(gemeente=gemeente, postcode4=code):
            messages.success(request, _("Postcode area %(code)s is removed.") % {"code": code})
        return redirect(here)
    unplaced = School.objects.filter(gemeente=gemeente, wijk=None)
    placeable = (
        unplaced.annotate(code=Substr("postcode", 1, 4))
        .filter(code__in=PostcodeArea.objects.filter(gemeente=gemeente).values("postcode4"))
        .count()
    )
    return render(
        request,
        "schools/postcode_areas.html",
        {
            "gemeente": gemeente,
            "gemeenten": gemeenten,
            "wijken": wijken,
            "form": form,
            "placeable": placeable,
            "unplaced": unplaced.count(),
        },
    )


def _gemeente_from(request: HttpRequest, gemeenten: list[Gemeente]) -> Gemeente | None:
    """The municipality chosen with ?gemeente=<pk>; the first one when none is chosen; 404 when unknown."""
    chosen = request.GET.get("gemeente")
    if not chosen:
        return gemeenten[0] if gemeenten else None
    for gemeente in gemeenten:
        if str(gemeente.pk) == chosen:
            return gemeente
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def unplaced_schools(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    gemeenten = list(Gemeente.objects.all())
    chosen = request.GET.get("gemeente", "")
    gemeente = _gemeente_from(request, gemeenten) if chosen else None
    if request.method == "POST":
        form = PlaceSchoolForm(request.POST)
        if form.is_valid():
            school, wijk = form.cleaned_data["school"], form.cleaned_data["wijk"]
            school_place(school=school, wijk=wijk)
            messages.success(
                request,
                _("%(school)s is placed in wijk %(wijk)s.") % {"school": school.name, "wijk": wijk.name},
            )
        else:
            for error in form.non_field_errors():
                messages.error(request, error)
        return redirect(request.get_full_path())
    schools = School.objects.filter(wijk=None).select_related("gemeente").order_by("gemeente__name", "name")
    if gemeente is not None:
        schools = schools.filter(gemeente=gemeente)
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    wijken_by_gemeente: dict[int, list[Wijk]] = defaultdict(list)
    for wijk in Wijk.objects.filter(gemeente_id__in={school.gemeente_id for school in page}):
        wijken_by_gemeente[wijk.gemeente_id].append(wijk)
    rows = [(school, wijken_by_gemeente.get(school.gemeente_id, [])) for school in page]
    return render(
        request,
        "schools/unplaced_schools.html",
        {"page": page, "rows": rows, "gemeenten": gemeenten, "gemeente": gemeente},
    )
