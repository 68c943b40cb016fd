"""Logging a meeting, 'Mijn afspraken' and the agenda template.

Views check input with the forms of meetings.forms_log and write through meetings.services, which checks
every text once more and saves a log all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kpa.access import require_coordination
from kpa.accesslog import access_record
from kpa.models import AccessAction
from meetings import selectors, services
from meetings.forms_log import (
    NEW_AGREEMENT_ROWS,
    NEW_QUESTION_ROWS,
    AgendaChoiceForm,
    AgendaTemplateForm,
    AgreementDoneForm,
    AttendanceForm,
    MeetingLogForm,
    NewAgreementForm,
    NewQuestionForm,
    QuestionAnswerForm,
    casework_field_name,
)
from meetings.models import (
    AgendaTemplate,
    Agreement,
    Attendance,
    Meeting,
    MeetingStatus,
)
from partners.scope import can_edit_school, gemeenten_visible_to
from schools.models import Gemeente

RECENTLY_DONE_DAYS = 30

# --- Logging a meeting -----------------------------------------------------------------------------------


@dataclass
class LogForms:
    """Every form of the log page; the page is saved only when all of them are valid."""

    log: MeetingLogForm
    attendance: list[AttendanceForm]
    answers: list[QuestionAnswerForm]
    new_questions: list[NewQuestionForm]
    new_agreements: list[NewAgreementForm]

    def all(self) -> list:
        return [self.log, *self.attendance, *self.answers, *self.new_questions, *self.new_agreements]

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.all()]  # validate every form, so each gets its errors
        return all(results)

    def has_errors(self) -> bool:
        return any(form.is_bound and form.errors for form in self.all())


def _log_forms(meeting: Meeting, data: QueryDict | None, *, invitees, carried_questions, team) -> LogForms:
    counts = {casework_field_name(c.theme): c.count for c in meeting.casework_counts.all()}
    action_lines = list(selectors.action_lines_for_school(meeting.school))
    return LogForms(
        log=MeetingLogForm(data, initial={"minutes": meeting.minutes, **counts}),
        attendance=[AttendanceForm(data, invitee=invitee) for invitee in invitees],
        answers=[QuestionAnswerForm(data, question=question) for question in carried_questions],
        new_questions=[
            NewQuestionForm(data, number=n, action_lines=action_lines)
            for n in range(1, NEW_QUESTION_ROWS + 1)
        ],
        new_agreements=[
            NewAgreementForm(data, number=n, team=team, action_lines=action_lines)
            for n in range(1, NEW_AGREEMENT_ROWS + 1)
        ],
    )


def _save_log(meeting: Meeting, forms: LogForms, *, complete: bool) -> None:
    services.meeting_log_save(
        meeting=meeting,
        attendance={
            f.invitee.pk: (f.cleaned_data["state"], f.cleaned_data["replaced_by"]) for f in forms.attendance
        },
        minutes=forms.log.cleaned_data["minutes"],
        casework=forms.log.casework(),
        new_questions=[
            services.QuestionInput(
                text=f.cleaned_data["text"],
                theme=f.cleaned_data["theme"],
                action_line_id=f.cleaned_data["action_line"],
            )
            for f in forms.new_questions
            if f.cleaned_data["text"]
        ],
        new_agreements=[
            services.AgreementInput(
                description=f.cleaned_data["description"],
                owner=f.cleaned_data["owner"],
                due_date=f.cleaned_data["due_date"],
                action_line_id=f.cleaned_data["action_line"],
            )
            for f in forms.new_agreements
            if f.filled
        ],
        answered_questions={
            f.question.pk: f.cleaned_data["answer"] for f in forms.answers if f.cleaned_data["answer"]
        },
        complete=complete,
    )


def loggable_meeting(request: HttpRequest, pk: int) -> Meeting:
    """A meeting the user may log (and so correct): out of scope 404, in scope but not its IB-er 403."""
    meeting, may_log = selectors.get_meeting_to_log(request.user, pk)
    if not may_log:
        raise PermissionDenied
    return meeting


def record_minutes_shown(request: HttpRequest, meeting: Meeting) -> None:
    """The access log: this page showed the meeting's log (minutes, attendance, casework counts, questions
    and agreements). The meeting page and the log page call it only when the meeting has a log to show."""
    access_record(
        actor=request.user,
        action=AccessAction.VIEW,
        what="meeting.minutes",
        school_id=meeting.school_id,
        detail={"meeting": meeting.pk},
    )


EVERYONE_PRESENT = "everyone_present"


def _everyone_present(data: QueryDict, invitees) -> QueryDict:
    """The page as typed, with everyone not recorded yet marked present (the "everyone present" button
    without JavaScript; with it, static/js/meeting-log.js does the same in the browser)."""
    data = data.copy()
    for invitee in invitees:
        name = f"attendance-{invitee.pk}-state"
        if data.get(name, Attendance.UNKNOWN) == Attendance.UNKNOWN:
            data[name] = Attendance.PRESENT
    return data


def _prefill(forms: LogForms, data: QueryDict) -> None:
    """Show what was sent without judging it yet: unbound forms whose initial values are the data."""
    for form in forms.all():
        form.initial = {
            name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
            for name, field in form.fields.items()
        }


@login_required
def meeting_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The log of one meeting: attendance, minutes, casework counts, collective questions and agreements.
    "Save (not finished)" keeps what was typed; "Save and finish" also marks the log complete; "Everyone
    present" only fills in the attendance and shows the page again, nothing saved."""
    meeting = loggable_meeting(request, pk)
    invitees = list(meeting.invitees.select_related("person").order_by("role", "person__last_name", "pk"))
    items = selectors.log_items(meeting)
    team = selectors.team_members(meeting.school_id)
    marking_present = request.method == "POST" and request.POST.get("action") == EVERYONE_PRESENT
    forms = _log_forms(
        meeting,
        request.POST if request.method == "POST" and not marking_present else None,
        invitees=invitees,
        carried_questions=items.carried_questions,
        team=team,
    )
    has_started = meeting.starts_at <= timezone.now()
    if request.method == "POST" and request.POST.get("action") == "finish" and not has_started:
        # said with the other errors, not only once everything else is right (the page offers no
        # "Save and finish" before the meeting, but a page opened earlier may still have it)
        forms.log.add_error(None, _("A meeting can be finished only once it has started."))
    if marking_present:
        _prefill(forms, _everyone_present(request.POST, invitees))
    elif request.method == "POST" and forms.is_valid():
        complete = request.POST.get("action") == "finish"
        try:
            _save_log(meeting, forms, complete=complete)
        except ValidationError as error:  # the service's last line of defence; nothing was saved
            forms.log.add_error(None, error.messages)
        else:
            if complete:
                messages.success(request, _("The log is saved and finished."))
                return redirect("meetings:detail", meeting.pk)
            messages.success(
                request, _("The log is saved. It is not finished yet: you can add more and finish it later.")
            )
            return redirect("meetings:log", meeting.pk)
    context = {
        "meeting": meeting,
        "school": meeting.school,
        "forms": forms,
        "has_errors": forms.has_errors(),
        "everyone_present": EVERYONE_PRESENT,
        "marked_present": marking_present,
        "is_cancelled": meeting.status == MeetingStatus.CANCELLED,
        "has_started": has_started,
        "agenda_items": list(meeting.agenda_items.all()),
        "carried_agreements": items.carried_agreements,
        "saved_questions": items.saved_questions,
        "saved_agreements": items.saved_agreements,
        "today": timezone.localdate(),
    }
    # Opening the page shows what was logged so far (a POST shows what was just typed: no new entry).
    if request.method == "GET" and (
        meeting.is_logged
        or meeting.minutes
        or context["saved_questions"]
        or context["saved_agreements"]
        or any(invitee.attendance != Attendance.UNKNOWN for invitee in invitees)
        or any(name != "minutes" for name in forms.log.initial)  # casework counts were recorded
    ):
        record_minutes_shown(request, meeting)
    return render(request, "meetings/meeting_log.html", context)


# --- Mijn afspraken --------------------------------------------------------------------------------------


@dataclass
class AgreementRow:
    agreement: Agreement
    form: AgreementDoneForm
    is_overdue: bool = field(default=False)


def _render_my_agreements(
    request: HttpRequest, *, bound_form: AgreementDoneForm | None = None
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    rows = []
    for agreement in selectors.my_open_agreements(user, today):
        form = bound_form if bound_form and bound_form.agreement.pk == agreement.pk else None
        rows.append(
            AgreementRow(
                agreement=agreement,
                form=form or AgreementDoneForm(agreement=agreement),
                is_overdue=agreement.due_date < today,
            )
        )
    # Someone closing another person's agreement (an IB-er, an admin) sees their form in error on its own.
    other_row = None
    if bound_form is not None and not any(row.form is bound_form for row in rows):
        agreement = bound_form.agreement
        other_row = AgreementRow(agreement=agreement, form=bound_form, is_overdue=agreement.due_date < today)
    since = timezone.now() - dt.timedelta(days=RECENTLY_DONE_DAYS)
    recently_done = list(selectors.my_recently_done_agreements(user, since))
    context = {
        "rows": rows,
        "other_row": other_row,
        "overdue_count": sum(row.is_overdue for row in rows),
        "recently_done": recently_done,
        "recently_done_days": RECENTLY_DONE_DAYS,
        "today": today,
    }
    return render(request, "meetings/my_agreements.html", context)


@login_required
def my_agreements(request: HttpRequest) -> HttpResponse:
    """'Mijn afspraken': the user's open agreements across all schools, overdue ones first."""
    return _render_my_agreements(request)


@login_required
def agreement_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an agreement done with a short note: its owner, the school's IB-er, or an admin.
    Out of scope 404 (first), then POST only (405), then in scope but not allowed 403."""
    user = request.user
    agreement = get_object_or_404(
        selectors.agreements_in_reach(user).select_related("school", "meeting", "action_line", "owner"), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if agreement.owner_id != user.pk and not can_edit_school(user, agreement.school):
        raise PermissionDenied
    form = AgreementDoneForm(request.POST, agreement=agreement)
    if form.is_valid():
        try:
            services.agreement_complete(agreement=agreement, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error("note", error)
        else:
            messages.success(request, _('Agreement "%(agreement)s" is done.') % {"agreement": agreement})
            next_url = request.POST.get("next", "")
            if next_url and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect("meetings:my-agreements")
    return _render_my_agreements(request, bound_form=form)


# --- The agenda template ---------------------------------------------------------------------------------


DEFAULT_CHOICE = "default"


def _agenda_gemeente(request: HttpRequest) -> tuple[Gemeente | None, list[Gemeente]]:
    """Which gemeente's agenda is edited: a coordinator's own; an admin chooses one (or the default for
    every gemeente without its own agenda) with ?gemeente=<pk>."""
    user = request.user
    if not user.is_admin:
        if user.gemeente_id is None:  # a coordinator without a gemeente has no agenda of their own
            raise PermissionDenied
        return user.gemeente, []
    gemeenten = list(gemeenten_visible_to(user).order_by("name"))
    chosen = request.GET.get("gemeente", DEFAULT_CHOICE)
    if chosen == DEFAULT_CHOICE:
        return None, gemeenten
    gemeente = next((g for g in gemeenten if str(g.pk) == chosen), None)
    if gemeente is None:
        raise Http404
    return gemeente, gemeenten


def _effective_agenda(gemeente: Gemeente | None) -> tuple[AgendaTemplate | None, list[str]]:
    """The gemeente's own template (if any) and the items its new meetings get."""
    own = AgendaTemplate.objects.filter(gemeente=gemeente).first()
    if own is not None:
        return own, own.item_list()
    default = AgendaTemplate.objects.filter(gemeente__isnull=True).first() if gemeente is not None else None
    return None, default.item_list() if default else list(services.DEFAULT_AGENDA)


@login_required
def agenda_template(request: HttpRequest) -> HttpResponse:
    """Coordinators edit the default KPO agenda of their gemeente; admins also the one for all gemeenten."""
    require_coordination(request.user)
    gemeente, gemeenten = _agenda_gemeente(request)
    own, items = _effective_agenda(gemeente)
    form = AgendaTemplateForm(request.POST or None, initial={"items": "\n".join(items)})
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            if own is not None:
                own.delete()
            messages.success(request, _("The agenda is back to the default."))
            return redirect(request.get_full_path())
        if form.is_valid():
            if own is None:
                AgendaTemplate.objects.create(gemeente=gemeente, items=form.cleaned_data["items"])
            else:
                own.items = form.cleaned_data["items"]
                own.save(update_fields=["items", "updated_at"])
            messages.success(request, _("The agenda is saved. New meetings get these items."))
            return redirect(request.get_full_path())
    context = {
        "form": form,
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "is_admin": request.user.is_admin,
        "has_own": own is not None,
        "choice_form": AgendaChoiceForm(
            gemeenten=gemeenten,
            default_choice=DEFAULT_CHOICE,
            initial={"gemeente": str(gemeente.pk) if gemeente else DEFAULT_CHOICE},
        ),
    }
    return render(request, "meetings/agenda_template.html", context)
