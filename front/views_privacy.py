"""The privacy pages everyone can find in the footer (issue 14): the verwerkingsregister (AVG art. 30), the
privacy statement and "Wat mag ik delen?", the help on free text.

The register is built from the registry of personal data (kpa.personal_data), so a model an app registers
is on it without a change here; the facts per gemeente (its verwerkingsverantwoordelijke and privacy
convenant) are the gemeente's own fields, shown for the gemeenten in the user's scope. The statement and
the help are public: a privacy statement must be readable before anyone signs in."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpa import personal_data
from kpa.personal_data import Processing, Retention
from partners.scope import gemeenten_visible_to

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a dev dependency: for the type checker only

GEMEENTEN_PER_PAGE = 50
GEMEENTE_FIELDS = (
    "name",
    "code",
    "privacy_controller",
    "privacy_covenant",
    "privacy_covenant_url",
    "privacy_covenant_since",
)


@dataclasses.dataclass(frozen=True)
class RegisterLine:
    """One model on the register: its data in words, and what the registry says of it."""

    label: str
    data: list[str]
    purpose: StrOrPromise
    legal_basis: StrOrPromise
    visible_to: StrOrPromise
    retention: Retention | None
    anonymisation: StrOrPromise


@dataclasses.dataclass(frozen=True)
class RegisterGroup:
    """One processing (Processing.group) and the models it spans."""

    name: str
    lines: list[RegisterLine]


def _field_label(model: type[Model], name: str) -> str:
    """A field as the register names it: its verbose name (a model's for a reverse relation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
    label = getattr(field, "verbose_name", None)
    if label is None and field.related_model is not None:
        label = field.related_model._meta.verbose_name_plural
    return str(label or name.replace("_", " "))


def _retention(key: str) -> Retention | None:
    try:
        return personal_data.retention(key)
    except KeyError:
        return None  # a policy not registered (yet): the register says so instead of failing


def _line(processing: Processing) -> RegisterLine:
    model = processing.model_class
    data = list(dict.fromkeys(_field_label(model, name) for name in processing.fields))
    return RegisterLine(
        label=processing.label,
        data=data,
        purpose=processing.purpose,
        legal_basis=processing.legal_basis,
        visible_to=processing.visible_to,
        retention=_retention(processing.retention),
        anonymisation=processing.anonymisation,
    )


def register_groups() -> list[RegisterGroup]:
    """Every registered model, grouped per processing in the order the apps registered them."""
    groups: dict[str, list[RegisterLine]] = {}
    for processing in personal_data.processings():
        groups.setdefault(str(processing.group), []).append(_line(processing))
    return [RegisterGroup(name=name, lines=lines) for name, lines in groups.items()]


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The verwerkingsregister: per gemeente in scope who is responsible and which convenant applies (a page
    of GEMEENTEN_PER_PAGE: an admin sees all 342), then every processing of personal data."""
    gemeenten = gemeenten_visible_to(request.user).only(*GEMEENTE_FIELDS).order_by("name", "pk")
    page = Paginator(gemeenten, GEMEENTEN_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "groups": register_groups()}
    return render(request, "front/privacy_register.html", context)


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """The privacy statement (privacyverklaring), public."""
    context = {
        "retentions": personal_data.retentions(),
        "min_group": settings.KPA_EVALUATION_MIN_GROUP,  # the smallest group evaluation results are shown of
    }
    return render(request, "front/privacy_statement.html", context)


@require_GET
def sharing(request: HttpRequest) -> HttpResponse:
    """The help "Wat mag ik delen?": what belongs in the free-text fields and what does not, public."""
    return render(request, "front/privacy_sharing.html")
