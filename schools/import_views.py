"""DUO register import and postcode-to-wijk mapping screens (admins only)."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kpa.access import require_manager
from schools.duo import DuoFormatError
from schools.import_forms import DuoUploadForm, PlaceSchoolForm, PostcodeAreasForm
from schools.importer import (
    duo_import,
    postcode_area_remove,
    postcode_areas_save,
    school_place,
    schools_place_by_postcode,
)
from schools.models import Gemeente, PostcodeArea, School, Wijk

UPLOAD_ID_RE = re.compile(r"[0-9a-f]{32}")
UPLOADS_SESSION_KEY = "duo_uploads"  # upload id -> {"gemeente": ..., "sector": ...}
UPLOAD_MAX_AGE = 24 * 60 * 60  # seconds an unconfirmed upload is kept on disk
PREVIEW_MAX_ERRORS = 200


def _uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _remove_stale_uploads() -> None:
    folder = _uploads_dir()
    if not folder.is_dir():
        return
    limit = time.time() - UPLOAD_MAX_AGE
    for path in folder.glob("*.csv"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:  # removed by a parallel request meanwhile
            continue


def _upload_for(request: HttpRequest, upload_id: str) -> tuple[Path, dict]:
    """The stored file and options of an upload made in this session; 404 for anything else."""
    if not UPLOAD_ID_RE.fullmatch(upload_id):
        raise Http404
    options = request.session.get(UPLOADS_SESSION_KEY, {}).get(upload_id)
    path = _uploads_dir() / f"{upload_id}.csv"
    if options is None or not path.is_file():
        raise Http404
    return path, options


def _forget_upload(request: HttpRequest, upload_id: str, path: Path) -> None:
    path.unlink(missing_ok=True)
    uploads = dict(request.session.get(UPLOADS_SESSION_KEY, {}))
    uploads.pop(upload_id, None)
    request.session[UPLOADS_SESSION_KEY] = uploads


@login_required
@require_http_methods(["GET", "POST"])
def duo_upload(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = DuoUploadForm(request.POST, request.FILES) if request.method == "POST" else DuoUploadForm()
    if request.method == "POST" and form.is_valid():
        _remove_stale_uploads()
        upload_id = uuid4().hex
        folder = _uploads_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{upload_id}.csv").write_bytes(form.cleaned_data["file"])
        uploads = dict(request.session.get(UPLOADS_SESSION_KEY, {}))
        uploads[upload_id] = {key: form.cleaned_data[key] for key in ("gemeente", "sector")}
        request.session[UPLOADS_SESSION_KEY] = uploads
        return redirect("schools:import-preview", upload_id=upload_id)
    return render(request, "schools/import_upload.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def duo_preview(request: HttpRequest, upload_id: str) -> HttpResponse:
    require_manager(request.user)
    path, options = _upload_for(request, upload_id)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        _forget_upload(request, upload_id, path)
        messages.info(request, _("The import is cancelled; nothing was changed."))
        return redirect("schools:import")
    confirm = request.method == "POST" and request.POST.get("action") == "confirm"
    try:
        report = duo_import(
            data=path.read_bytes(),
            gemeente=options["gemeente"] or None,
            default_sector=options["sector"] or None,
            dry_run=not confirm,
        )
    except DuoFormatError as error:  # checked at upload; only a changed parser could get here
        _forget_upload(request, upload_id, path)
        messages.error(request, str(error))
        return redirect("schools:import")
    if confirm:
        _forget_upload(request, upload_id, path)
        messages.success(
            request,
            _(
                "The school register is imported: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(rejected)d rejected."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
            },
        )
        if report.unplaced:
            messages.warning(
                request,
                ngettext(
                    "%(count)d school has no wijk yet: place it below.",
                    "%(count)d schools have no wijk yet: place them below.",
                    len(report.unplaced),
                )
                % {"count": len(report.unplaced)},
            )
        return redirect("schools:unplaced")
    return render(
        request,
        "schools/import_preview.html",
        {
            "report": report,
            "errors": report.errors[:PREVIEW_MAX_ERRORS],
            "more_errors": max(report.rejected - PREVIEW_MAX_ERRORS, 0),
            "unplaced_count": len(report.unplaced),
            "options": options,
            "sector_label": dict(DuoUploadForm.base_fields["sector"].choices).get(options["sector"], ""),
        },
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
