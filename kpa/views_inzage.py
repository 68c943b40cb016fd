"""Inzage (AVG art. 15) under /privacy/: a person reads and downloads everything KPA holds about them, and
an admin produces the same for anyone. Every page and every download is written to the access log
(action INZAGE, the person as its subject), so the FG can see who asked for whose data and when.

The data comes from kpa.inzage, which builds it from the register of personal data."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpa.access import can_manage
from kpa.accesslog import access_record
from kpa.inzage import inzage_for, inzage_json
from kpa.models import AccessAction, User


def _person_for_admin(user: User, pk: int) -> User:
    """The person whose inzage an admin produces. Anyone else gets 404 before the id is looked at, so
    they cannot learn whether it exists."""
    if not can_manage(user):
        raise Http404
    return get_object_or_404(User, pk=pk)


def _page(request: HttpRequest, person: User, *, download_url: str) -> HttpResponse:
    sections = inzage_for(person)
    access_record(actor=request.user, action=AccessAction.INZAGE, what="inzage", subject=person)
    context = {
        "person": person,
        "sections": sections,
        "own": person.pk == request.user.pk,
        "produced_at": timezone.now(),
        "download_url": download_url,
    }
    return render(request, "kpa/inzage.html", context)


def _download(request: HttpRequest, person: User, filename: str) -> HttpResponse:
    data = inzage_json(person)
    access_record(actor=request.user, action=AccessAction.INZAGE, what="inzage.json", subject=person)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{filename}-{timezone.localdate():%Y-%m-%d}.json"'
    )
    return response


@require_GET
@login_required
def inzage(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data."""
    return _page(request, request.user, download_url=reverse("privacy:inzage-json"))


@require_GET
@login_required
def inzage_download(request: HttpRequest) -> HttpResponse:
    return _download(request, request.user, "kpa-mijn-gegevens")


@require_GET
@login_required
def inzage_person(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin produces someone's inzage (at their request, or the FG's)."""
    person = _person_for_admin(request.user, pk)
    return _page(request, person, download_url=reverse("privacy:inzage-person-json", args=[person.pk]))


@require_GET
@login_required
def inzage_person_download(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for_admin(request.user, pk)
    return _download(request, person, f"kpa-gegevens-{person.pk}")
