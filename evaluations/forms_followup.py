"""Forms of the PDCA follow-up of the process evaluation (evaluations.followup): the meeting planner's
own form for the conversation, and an agreement made from a result. They check input only; the writes
(and the same checks once more) are evaluations.followup's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.followup import DESCRIPTION_MAX
from kpa.models import User
from kpa.privacy import PrivacyCheckedFormMixin
from kpa.validators import validate_one_line
from meetings.dates import validate_planned_date
from meetings.forms_log import owner_field
from meetings.forms_plan import MeetingPlanForm
from partners.manage_forms import DateInput

SERIES_FIELDS = ("repeat", "interval_weeks", "until")


class ConversationPlanForm(MeetingPlanForm):
    """The meeting planner's form for one meeting: the conversation is held once, never as a series."""

    def __init__(self, *args, school_id: int, **kwargs) -> None:
        super().__init__(*args, school_id=school_id, **kwargs)
        for name in SERIES_FIELDS:
            del self.fields[name]


class ResultAgreementForm(PrivacyCheckedFormMixin, forms.Form):
    """What the team will do about a result, who does it (on the team today), and by when."""

    privacy_checked_fields = ("description",)

    description = forms.CharField(
        label=_("Agreement"),
        max_length=DESCRIPTION_MAX,
        validators=[validate_one_line],
        help_text=_("What the team will do about this result, on one line."),
        error_messages={
            "required": _("Describe what was agreed."),
            "max_length": _("Make the agreement shorter: at most %(limit_value)s characters."),
        },
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=DateInput(),
        validators=[validate_planned_date],
        error_messages={"required": _("Fill in the date by which this is done.")},
    )

    def __init__(self, *args, team: list[tuple[User, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(team, required=True)
        self.order_fields(["description", "owner", "due_date"])
