"""Forms of the log screen, 'Mijn afspraken' and the agenda template. They check input only (with the
privacy guard per field, so an error lands next to what was typed); the writes are meetings.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.models import User
from meetings.dates import validate_new_date
from meetings.models import ActionLine, Attendance, CaseworkTheme, Invitee
from meetings.privacy import PrivacyCheckedFormMixin
from partners.manage_forms import DateInput
from partners.models import Role

CASEWORK_MAX = 99
AGENDA_ITEM_MAX = 300  # AgendaItem.title
NEW_QUESTION_ROWS = 2
NEW_AGREEMENT_ROWS = 3


def casework_field_name(theme: str) -> str:
    return f"casework_{theme}"


class MeetingLogForm(PrivacyCheckedFormMixin, forms.Form):
    """The minutes and the casework counts: one number per theme, never a description of a child."""

    privacy_checked_fields = ("minutes",)

    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was discussed and decided. Never write down anything that identifies a pupil."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        count_errors = {
            "invalid": _("Fill in a number: casework is counted, never described."),
            "min_value": _("Fill in a number from 0 to %(max)s.") % {"max": CASEWORK_MAX},
            "max_value": _("Fill in a number from 0 to %(max)s.") % {"max": CASEWORK_MAX},
        }
        for theme in CaseworkTheme:
            self.fields[casework_field_name(theme.value)] = forms.IntegerField(
                label=theme.label,
                required=False,
                min_value=0,
                max_value=CASEWORK_MAX,
                error_messages=count_errors,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def casework_fields(self) -> list[forms.BoundField]:
        return [self[casework_field_name(theme.value)] for theme in CaseworkTheme]

    def casework(self) -> dict[str, int]:
        """{theme: count} for every theme; 0 (or empty) removes a count."""
        return {
            theme.value: self.cleaned_data.get(casework_field_name(theme.value)) or 0
            for theme in CaseworkTheme
        }


class AttendanceForm(PrivacyCheckedFormMixin, forms.Form):
    """Whether one invitee came, and who came instead when they were replaced."""

    privacy_checked_fields = ("replaced_by",)

    state = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    replaced_by = forms.CharField(label=_("Replaced by"), max_length=200, required=False)

    def __init__(self, *args, invitee: Invitee, **kwargs) -> None:
        kwargs.setdefault("prefix", f"attendance-{invitee.pk}")
        kwargs.setdefault("initial", {"state": invitee.attendance, "replaced_by": invitee.replaced_by})
        super().__init__(*args, **kwargs)
        self.invitee = invitee

    def clean(self) -> dict:
        data = super().clean()
        state, replaced_by = data.get("state"), (data.get("replaced_by") or "").strip()
        data["replaced_by"] = replaced_by
        if state == Attendance.REPLACED and not replaced_by and "replaced_by" not in self.errors:
            self.add_error("replaced_by", _("Fill in who came instead."))
        elif replaced_by and state and state != Attendance.REPLACED:
            self.add_error("replaced_by", _('Choose "Replaced" as attendance, or leave "Replaced by" empty.'))
        return data


class QuestionAnswerForm(PrivacyCheckedFormMixin, forms.Form):
    """The answer to a collective question carried from an earlier meeting (empty: still open)."""

    privacy_checked_fields = ("answer",)

    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, question, **kwargs) -> None:
        kwargs.setdefault("prefix", f"answer-{question.pk}")
        super().__init__(*args, **kwargs)
        self.question = question


class NewQuestionForm(PrivacyCheckedFormMixin, forms.Form):
    """One row for a new collective question: about the school as a whole, never about one pupil."""

    privacy_checked_fields = ("text",)

    text = forms.CharField(
        label=_("New collective question"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, number: int, **kwargs) -> None:
        kwargs.setdefault("prefix", f"question-{number}")
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("New collective question %(number)s") % {"number": number}


class TeamMemberField(forms.ChoiceField):
    """A person of the school's team today; the choices are built once for every row of the page."""

    def __init__(self, *, team: list[tuple[User, str]], **kwargs) -> None:
        self.people = {str(person.pk): person for person, _role in team}
        choices = [("", _("Choose a team member"))] + [
            (str(person.pk), f"{person} ({Role(role).label if role in Role.values else role})")
            for person, role in team
        ]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.people.get(value) if value else None


class NewAgreementForm(PrivacyCheckedFormMixin, forms.Form):
    """One row for a new agreement: what, who (on the team today), by when, and optionally its action line.
    An empty row is ignored; a row that is partly filled in must be complete."""

    privacy_checked_fields = ("description",)

    description = forms.CharField(
        label=_("Agreement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    past_due_ok = forms.BooleanField(label=_("Save anyway, with a due date that has passed"), required=False)

    def __init__(
        self, *args, number: int, team: list[tuple[User, str]], action_lines: list[ActionLine], **kwargs
    ) -> None:
        kwargs.setdefault("prefix", f"agreement-{number}")
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["owner"] = TeamMemberField(
            label=_("Owner"),
            team=team,
            required=False,
            error_messages={
                "invalid_choice": _(
                    "Choose someone who is on the team of this school today: only they can own an agreement."
                )
            },
        )
        self.fields["action_line"] = forms.TypedChoiceField(
            label=_("Action line (optional)"),
            choices=[("", _("No action line"))] + [(str(line.pk), str(line)) for line in action_lines],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.order_fields(["description", "owner", "due_date", "action_line"])
        self.filled = False  # set by clean(): whether anything was typed in this row
        self.asks_past_due = False  # set by clean(): the template then shows "Save anyway"

    def clean(self) -> dict:
        data = super().clean()
        self.filled = bool(
            data.get("description")
            or data.get("owner")
            or data.get("due_date")
            or data.get("action_line")
            or self.errors
        )
        if not self.filled:
            return data
        if not data.get("description") and "description" not in self.errors:
            self.add_error("description", _("Describe what was agreed."))
        if data.get("owner") is None and "owner" not in self.errors:
            self.add_error("owner", _("Choose who will do this."))
        if data.get("due_date") is None and "due_date" not in self.errors:
            self.add_error("due_date", _("Fill in the date by which this is done."))
        elif data.get("due_date") is not None:
            self._check_due_date(data["due_date"], confirmed=data.get("past_due_ok"))
        return data

    def _check_due_date(self, due_date: dt.date, *, confirmed: bool) -> None:
        """In the window of meetings.dates; a date already passed only when "Save anyway" is ticked (a
        late log may record what was due last week; a typo in the year is caught)."""
        try:
            validate_new_date(due_date)
        except ValidationError as error:
            self.add_error("due_date", error)
            return
        if due_date < timezone.localdate() and not confirmed:
            self.asks_past_due = True
            self.add_error(
                "due_date", _("This date has passed. Check it, or tick “Save anyway” to keep this date.")
            )


class AgreementDoneForm(PrivacyCheckedFormMixin, forms.Form):
    """Mark one agreement done, with a short note on how."""

    privacy_checked_fields = ("note",)

    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        help_text=_("A short note on what was done."),
    )

    def __init__(self, *args, agreement, **kwargs) -> None:
        kwargs.setdefault("prefix", f"done-{agreement.pk}")
        super().__init__(*args, **kwargs)
        self.agreement = agreement


class AgendaTemplateForm(PrivacyCheckedFormMixin, forms.Form):
    """The default KPO agenda: one item per line."""

    privacy_checked_fields = ("items",)

    items = forms.CharField(
        label=_("Agenda items"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=10_000,
        help_text=_("One item per line. New meetings get these items on their agenda."),
    )

    def clean_items(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not lines:
            raise ValidationError(_("Write at least one agenda item."), code="empty")
        too_long = [number for number, line in enumerate(lines, start=1) if len(line) > AGENDA_ITEM_MAX]
        if too_long:
            raise ValidationError(
                _("Item %(number)s is longer than %(max)s characters; make it shorter."),
                code="too_long",
                params={"number": too_long[0], "max": AGENDA_ITEM_MAX},
            )
        return "\n".join(lines)

    def item_list(self) -> list[str]:
        return self.cleaned_data["items"].splitlines()
