"""Forms of the log screen, 'Mijn afspraken' and the agenda template. They check input only (with the
privacy guard per field, so an error lands next to what was typed); the writes are meetings.services."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.models import User
from kpa.privacy import PrivacyCheckedFormMixin
from meetings.dates import validate_new_date
from meetings.models import ActionLine, Agreement, Attendance, CaseworkTheme, CollectiveQuestion, Invitee
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
    # Rendered with |as_crispy_field in a compact row under column headings: each label is there for
    # screen readers and the error summary only.
    helper = FormHelper()
    helper.label_class = "visually-hidden"

    state = forms.ChoiceField(
        label=_("Attendance"),
        choices=Attendance.choices,
        widget=forms.Select(attrs={"class": "form-select-sm", "data-attendance": "state"}),
    )
    replaced_by = forms.CharField(
        label=_("Replaced by"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control-sm", "data-attendance": "replaced-by"}),
    )

    def __init__(self, *args, invitee: Invitee, **kwargs) -> None:
        kwargs.setdefault("prefix", f"attendance-{invitee.pk}")
        kwargs.setdefault("initial", {"state": invitee.attendance, "replaced_by": invitee.replaced_by})
        super().__init__(*args, **kwargs)
        self.invitee = invitee
        # One compact row per invitee: each control is named after the person (the row shows the name
        # once, with the column headings), so the error summary and a screen reader say whose it is.
        person = str(invitee.person)
        self.role_label = Role(invitee.role).label if invitee.role in Role.values else invitee.role
        self.fields["state"].label = _("Attendance of %(person)s") % {"person": person}
        self.fields["replaced_by"].label = _("Replaced by (instead of %(person)s)") % {"person": person}

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


def theme_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Theme (optional)"),
        choices=[("", _("No theme")), *CaseworkTheme.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the themes.")},
    )


class NewQuestionForm(PrivacyCheckedFormMixin, forms.Form):
    """One row for a new collective question: about the school as a whole, never about one pupil; with an
    optional theme and action line, so the coordinator sees what schools raise. A theme or line without
    a question is refused (nothing of the row is lost)."""

    privacy_checked_fields = ("text",)

    text = forms.CharField(
        label=_("New collective question"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, number: int, action_lines: list[ActionLine], **kwargs) -> None:
        kwargs.setdefault("prefix", f"question-{number}")
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("New collective question %(number)s") % {"number": number}
        self.fields["theme"] = theme_field()
        self.fields["action_line"] = action_line_field(action_lines)

    def clean(self) -> dict:
        data = super().clean()
        if (
            (data.get("theme") or data.get("action_line"))
            and not data.get("text")
            and "text" not in self.errors
        ):
            self.add_error("text", _("Write the question, or leave its theme and action line empty."))
        return data


class TeamMemberField(forms.ChoiceField):
    """A person of the school's team today; the choices are built once for every row of the page."""

    def __init__(self, *, team: list[tuple[User, str]], keep: User | None = None, **kwargs) -> None:
        """`keep`: an agreement's current owner, offered even when they are no longer on the team (so
        correcting a date does not force a new owner)."""
        self.people = {str(person.pk): person for person, _role in team}
        choices = [("", _("Choose a team member"))] + [
            (str(person.pk), f"{person} ({Role(role).label if role in Role.values else role})")
            for person, role in team
        ]
        if keep is not None and str(keep.pk) not in self.people:
            self.people[str(keep.pk)] = keep
            choices.append((str(keep.pk), _("%(person)s (not on the team today)") % {"person": keep}))
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.people.get(value) if value else None


def owner_field(team: list[tuple[User, str]], *, keep: User | None = None, required=False) -> TeamMemberField:
    return TeamMemberField(
        label=_("Owner"),
        team=team,
        keep=keep,
        required=required,
        error_messages={
            "required": _("Choose who will do this."),
            "invalid_choice": _(
                "Choose someone who is on the team of this school today: only they can own an agreement."
            ),
        },
    )


def action_line_field(action_lines: list[ActionLine]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Action line (optional)"),
        choices=[("", _("No action line"))] + [(str(line.pk), str(line)) for line in action_lines],
        coerce=int,
        empty_value=None,
        required=False,
    )


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
        self.summary_prefix = _("New agreement %(number)s") % {"number": number}
        self.fields["owner"] = owner_field(team)
        self.fields["action_line"] = action_line_field(action_lines)
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


class AgendaChoiceForm(forms.Form):
    """An administrator's choice of whose agenda template to edit (sent with GET): the default for every
    gemeente without an agenda of its own, or one gemeente's."""

    gemeente = forms.ChoiceField(label=_("Agenda of"), required=False)

    def __init__(self, *args, gemeenten: list, default_choice: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gemeente"].choices = [
            (default_choice, _("Default for every municipality without its own agenda"))
        ] + [(str(gemeente.pk), gemeente.name) for gemeente in gemeenten]


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


# --- Correcting what was saved ---------------------------------------------------------------------------


class AgreementForm(PrivacyCheckedFormMixin, forms.Form):
    """Correct a saved agreement: what, who (on the team today, or its owner as it is), by when."""

    privacy_checked_fields = ("description",)

    description = forms.CharField(
        label=_("Agreement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe what was agreed.")},
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=DateInput(),
        error_messages={"required": _("Fill in the date by which this is done.")},
    )
    past_due_ok = forms.BooleanField(label=_("Save anyway, with a due date that has passed"), required=False)

    def __init__(
        self,
        *args,
        agreement: Agreement,
        team: list[tuple[User, str]],
        action_lines: list[ActionLine],
        **kwargs,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "description": agreement.description,
                "owner": str(agreement.owner_id),
                "due_date": agreement.due_date,
                "action_line": agreement.action_line_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["owner"] = owner_field(team, keep=agreement.owner, required=True)
        self.fields["action_line"] = action_line_field(action_lines)
        self.order_fields(["description", "owner", "due_date", "past_due_ok", "action_line"])
        self.asks_past_due = False  # set by clean(): the template then shows "Save anyway"

    def clean(self) -> dict:
        data = super().clean()
        due_date = data.get("due_date")
        if due_date is not None and due_date != self.agreement.due_date and "due_date" not in self.errors:
            # A new date lies in the window, and one already passed is saved only with "Save anyway"
            # (as for a new agreement); the date it has may stay as it is.
            try:
                validate_new_date(due_date)
            except ValidationError as error:
                self.add_error("due_date", error)
            else:
                if due_date < timezone.localdate() and not data.get("past_due_ok"):
                    self.asks_past_due = True
                    self.add_error(
                        "due_date",
                        _("This date has passed. Check it, or tick “Save anyway” to keep this date."),
                    )
        return data


class QuestionForm(PrivacyCheckedFormMixin, forms.Form):
    """Correct a saved collective question and its answer (an empty answer leaves it open)."""

    privacy_checked_fields = ("text", "answer")

    text = forms.CharField(
        label=_("Collective question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the question.")},
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty while the question is open: it comes back at the next meeting."),
    )

    def __init__(self, *args, question: CollectiveQuestion, action_lines: list[ActionLine], **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "text": question.text,
                "answer": question.answer,
                "theme": question.theme,
                "action_line": question.action_line_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["theme"] = theme_field()
        if question.action_line_id and question.action_line_id not in {line.pk for line in action_lines}:
            action_lines = [*action_lines, question.action_line]  # a line it has may stay
        self.fields["action_line"] = action_line_field(action_lines)
        self.order_fields(["text", "theme", "action_line", "answer"])


class AgendaItemForm(PrivacyCheckedFormMixin, forms.Form):
    """One item added to the agenda of one meeting."""

    privacy_checked_fields = ("title",)

    title = forms.CharField(
        label=_("New agenda item"),
        max_length=AGENDA_ITEM_MAX,
        error_messages={
            "required": _("Write the agenda item."),
            "max_length": _("Make the item shorter: at most %(limit_value)s characters."),
        },
    )
