"""Correcting what a log recorded: agreements and collective questions (edit, remove) and the agenda of one
meeting (add, move, remove).

Each is reached through a meeting the user may log (views_log.loggable_meeting: out of scope 404, not its
IB-er 403). An agreement or question made at that meeting, or at an earlier one of the school (carried onto
this meeting while open), can be corrected there. Removing what was carried from an earlier meeting asks
first, on a page of its own. The writes are meetings.services, one save() or delete() per object, so the
audit trail (meetings/audit.py) records each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import selectors, services
from meetings.forms_log import AgendaItemForm, AgreementForm, QuestionForm
from meetings.models import AgendaItem, Meeting
from meetings.views_log import loggable_meeting

CONFIRM = "confirm"


def _log_url(meeting: Meeting, anchor: str) -> str:
    return f"{reverse('meetings:log', args=[meeting.pk])}#{anchor}"


def _apply_service_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _carried_from(meeting: Meeting, obj) -> Meeting | None:
    """The earlier meeting `obj` was carried from onto `meeting`, or None when it is this meeting's own."""
    if isinstance(obj, AgendaItem):
        carried = obj.carried_agreement or obj.carried_question
        return carried.meeting if carried is not None else None
    return obj.meeting if obj.meeting_id != meeting.pk else None


def _is_carried(meeting: Meeting, obj) -> bool:
    return _carried_from(meeting, obj) is not None


def _delete(request: HttpRequest, meeting: Meeting, obj, *, title: str, back: str, done: str):
    """GET asks; POST removes, except what was carried from an earlier meeting: that needs the confirm
    page's own button (a POST without it shows the confirm page)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    origin = _carried_from(meeting, obj)
    if request.method == "GET" or (origin is not None and request.POST.get(CONFIRM) != "yes"):
        context = {
            "meeting": meeting,
            "school": meeting.school,
            "text": obj.title
            if isinstance(obj, AgendaItem)
            else getattr(obj, "description", None) or obj.text,
            "is_agenda_item": isinstance(obj, AgendaItem),
            "title": title,
            "origin": origin,
            "back": back,
            "confirm": CONFIRM,
        }
        return render(request, "meetings/meeting_content_delete.html", context)
    services.meeting_content_delete(obj=obj)
    messages.success(request, done)
    return redirect(back)


@login_required
def agreement_update(request: HttpRequest, pk: int, agreement_pk: int) -> HttpResponse:
    """Correct an agreement of this meeting or one carried onto it: what, owner, due date, action line."""
    meeting = loggable_meeting(request, pk)
    agreement = get_object_or_404(
        selectors.agreements_of_meeting_or_earlier(meeting).select_related("owner", "meeting"),
        pk=agreement_pk,
    )
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        agreement=agreement,
        team=selectors.team_members(meeting.school_id),
        action_lines=list(selectors.action_lines_for_school(meeting.school)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_update(
                agreement=agreement,
                description=data["description"],
                owner=data["owner"],
                due_date=data["due_date"],
                action_line_id=data["action_line"],
            )
        except ValidationError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("The agreement is changed."))
            return redirect(_log_url(meeting, "agreements-heading"))
    context = {
        "meeting": meeting,
        "school": meeting.school,
        "form": form,
        "agreement": agreement,
        "is_carried": _is_carried(meeting, agreement),
    }
    return render(request, "meetings/agreement_update.html", context)


@login_required
def agreement_delete(request: HttpRequest, pk: int, agreement_pk: int) -> HttpResponse:
    meeting = loggable_meeting(request, pk)
    agreement = get_object_or_404(
        selectors.agreements_of_meeting_or_earlier(meeting).select_related("owner", "meeting"),
        pk=agreement_pk,
    )
    return _delete(
        request,
        meeting,
        agreement,
        title=_("Remove an agreement"),
        back=_log_url(meeting, "agreements-heading"),
        done=_('Agreement "%(agreement)s" is removed.') % {"agreement": agreement},
    )


@login_required
def question_update(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Correct a collective question of this meeting or one carried onto it, and its answer."""
    meeting = loggable_meeting(request, pk)
    question = get_object_or_404(
        selectors.questions_of_meeting_or_earlier(meeting).select_related("meeting", "action_line"),
        pk=question_pk,
    )
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        question=question,
        action_lines=list(selectors.action_lines_for_school(meeting.school)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.collective_question_update(
                question=question,
                text=data["text"],
                answer=data["answer"],
                theme=data["theme"],
                action_line_id=data["action_line"],
            )
        except ValidationError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("The collective question is changed."))
            return redirect(_log_url(meeting, "questions-heading"))
    context = {
        "meeting": meeting,
        "school": meeting.school,
        "form": form,
        "question": question,
        "is_carried": _is_carried(meeting, question),
    }
    return render(request, "meetings/question_update.html", context)


@login_required
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    meeting = loggable_meeting(request, pk)
    question = get_object_or_404(
        selectors.questions_of_meeting_or_earlier(meeting).select_related("meeting"), pk=question_pk
    )
    return _delete(
        request,
        meeting,
        question,
        title=_("Remove a collective question"),
        back=_log_url(meeting, "questions-heading"),
        done=_('Collective question "%(question)s" is removed.') % {"question": question},
    )


@login_required
def agenda_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda of this one meeting: add an item, move one up or down. What is carried from earlier
    meetings (open agreements, unanswered questions) is listed as it is today, with links to correct it."""
    meeting = loggable_meeting(request, pk)
    form = AgendaItemForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add" and form.is_valid():
            try:
                services.agenda_item_add(meeting=meeting, title=form.cleaned_data["title"])
            except ValidationError as error:
                _apply_service_error(form, error)
            else:
                messages.success(request, _("The item is added to the agenda of this meeting."))
                return redirect("meetings:agenda-update", meeting.pk)
        elif action in ("up", "down"):
            item = get_object_or_404(meeting.agenda_items, pk=request.POST.get("item") or 0)
            services.agenda_item_move(item=item, up=action == "up")
            return redirect(f"{reverse('meetings:agenda-update', args=[meeting.pk])}#item-{item.pk}")
        elif action != "add":
            return HttpResponseBadRequest()
    carried_agreements, carried_questions = selectors.carried_items(meeting)
    context = {
        "meeting": meeting,
        "school": meeting.school,
        "form": form,
        "items": list(meeting.agenda_items.order_by("position", "pk")),
        "carried_agreements": carried_agreements,
        "carried_questions": carried_questions,
        "today": timezone.localdate(),
    }
    return render(request, "meetings/meeting_agenda.html", context)


@login_required
def agenda_item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = loggable_meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items.all(), pk=item_pk)
    return _delete(
        request,
        meeting,
        item,
        title=_("Remove an agenda item"),
        back=reverse("meetings:agenda-update", args=[meeting.pk]),
        done=_('"%(item)s" is removed from the agenda of this meeting.') % {"item": item},
    )
