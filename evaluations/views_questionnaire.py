"""The coordinator's questionnaire versions (issue 13): the gemeente's versions and the default, a new
version copied from the current one, and the editor of a version no round uses yet.

Who: the city-wide coordinator of a gemeente, as for its evaluation moment (views_rounds.moment_update);
a wijk coordinator, an admin (who has no gemeente) and school staff or kernpartners get 403. A version of
another gemeente does not exist for them (404). The default questionnaire can be read, never changed.

Which version a round asks: the gemeente's newest (services.current_version), else the newest default,
the moment the round opens. A new version is therefore the one the next round asks from the moment it is
made, also while its questions are still being changed; the pages say so. Once a round uses a version its
questions stay: the editor shows it read-only and refuses a POST (403)."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from evaluations import services
from evaluations.forms_questionnaire import NewItemForm, QuestionnaireEditor
from evaluations.models import QuestionnaireVersion, Round
from kpa.access import require_coordination
from partners.models import Role
from schools.models import Gemeente


def _gemeente_of(request: HttpRequest) -> Gemeente:
    """The gemeente whose questionnaire the user keeps: a city-wide coordinator's; others 403."""
    require_coordination(request.user)
    gemeente = request.user.gemeente
    if gemeente is None or request.user.wijk_id:
        raise PermissionDenied
    return gemeente


def _versions_for(gemeente: Gemeente) -> QuerySet[QuestionnaireVersion]:
    """The versions the gemeente's coordinator sees: its own and the default ones."""
    return QuestionnaireVersion.objects.filter(Q(gemeente=gemeente) | Q(gemeente=None))


def _rounds_of(gemeente: Gemeente) -> Prefetch:
    """Per version, the rounds of this gemeente that ask it (a default version's rounds elsewhere are
    other gemeenten' business)."""
    rounds = Round.objects.filter(gemeente=gemeente).order_by("-opens_on", "-pk")
    return Prefetch("rounds", queryset=rounds, to_attr="rounds_here")


@login_required
@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    gemeente = _gemeente_of(request)
    services.default_version()  # written again if a flush emptied the table
    versions = list(
        _versions_for(gemeente)
        .select_related("based_on", "created_by")
        .prefetch_related(_rounds_of(gemeente))
        .order_by("-number", "pk")
    )
    own = [version for version in versions if version.gemeente_id]
    defaults = [version for version in versions if not version.gemeente_id]
    current = own[0] if own else defaults[0]  # as services.current_version
    context = {
        "gemeente": gemeente,
        "own": own,
        "defaults": defaults,
        "current": current,
        # Only the newest version is ever asked: a copy of one no round used yet would be a second draft.
        "draft": current if current.gemeente_id and not current.rounds_here else None,
    }
    return render(request, "evaluations/questionnaire_list.html", context)


@login_required
def version_create(request: HttpRequest) -> HttpResponse:
    """A new version, copied from the current one, opened in the editor (POST only)."""
    gemeente = _gemeente_of(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    current = services.current_version(gemeente)
    if current.gemeente_id and not current.is_used:
        # A second click, or a second tab: the draft there is the one the next round asks.
        messages.info(
            request, _("No round uses version %(number)s yet: change that one.") % {"number": current.number}
        )
        return redirect("evaluations:questionnaire-update", pk=current.pk)
    version = services.new_version(current, gemeente, request.user)
    messages.success(
        request,
        _("Version %(number)s is a copy of the current questionnaire: change its questions here.")
        % {"number": version.number},
    )
    return redirect("evaluations:questionnaire-update", pk=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of a version no round uses; read-only (and POST 403) for a used or default version.
    A POST with `add` adds a question; else it saves the title and every question at once."""
    gemeente = _gemeente_of(request)
    version = get_object_or_404(_versions_for(gemeente).select_related("based_on", "created_by"), pk=pk)
    rounds = version.rounds.all() if version.gemeente_id else version.rounds.filter(gemeente=gemeente)
    rounds_here = list(rounds.order_by("-opens_on", "-pk"))
    editable = bool(version.gemeente_id) and not rounds_here
    if request.method == "POST" and not editable:
        raise PermissionDenied("a round uses this version" if version.gemeente_id else "the default version")
    items = list(version.items.order_by("order", "pk"))
    editor = QuestionnaireEditor(version, items) if editable else None
    new_item = NewItemForm(initial={"section": items[-1].section if items else ""}) if editable else None
    if request.method == "POST" and "add" in request.POST:
        new_item = NewItemForm(request.POST)
        if new_item.is_valid():
            try:
                item = services.questionnaire_item_add(version=version, **new_item.cleaned_data)
            except ValidationError as error:
                _add_errors(new_item, error)
            else:
                messages.success(request, _("The question is added at the end."))
                url = reverse("evaluations:questionnaire-update", kwargs={"pk": version.pk})
                return redirect(f"{url}#item-{item.pk}")
    elif request.method == "POST":
        editor = QuestionnaireEditor(version, items, request.POST)
        if editor.is_valid():
            try:
                services.questionnaire_version_update(
                    version=version,
                    title=editor.version_form.cleaned_data["title"],
                    changes=editor.changes(),
                    removed=editor.removed(),
                )
            except ValidationError as error:
                for message in error.messages:
                    editor.add_error(message)
            else:
                messages.success(request, _("The questionnaire is saved."))
                return redirect("evaluations:questionnaire-update", pk=version.pk)
    labels = dict(Role.choices)
    for item in items:
        item.asked_of = [labels.get(role, role) for role in item.roles]
    current = services.current_version(gemeente)
    context = {
        "gemeente": gemeente,
        "version": version,
        "rounds": rounds_here,
        "editable": editable,
        "is_current": current.pk == version.pk,
        "current": current,
        "sections": [(section, list(group)) for section, group in groupby(items, key=attrgetter("section"))],
        "editor": editor,
        "new_item": new_item,
    }
    return render(request, "evaluations/questionnaire_form.html", context)


def _add_errors(form: NewItemForm, error: ValidationError) -> None:
    """A service's refusal on the form: on its field where the form has one, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
