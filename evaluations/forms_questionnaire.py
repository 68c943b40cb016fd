"""The coordinator's questionnaire editor (issue 13): a version's title, one form per question (text,
section, order, the roles asked, action line, remove), and a form to add a statement or open question.

The item forms are one per item with the item's id in their prefix (item-<id>-text), as the meeting log
does: a POST can only name items of the version, and checking it costs no query per item."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from evaluations.models import Item, ItemKind, QuestionnaireVersion
from evaluations.selectors import RESPONDENT_ROLES
from partners.models import Role

ACTION_LINES = range(1, 6)  # the five action lines of the programme (DOMAIN.md)
ROLE_CHOICES = [(role.value, Role(role).label) for role in RESPONDENT_ROLES]


def roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Asked of"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone answers it."),
    )


def action_line_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Action line"),
        choices=[("", _("No action line")), *((n, str(n)) for n in ACTION_LINES)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class VersionForm(forms.ModelForm):
    class Meta:
        model = QuestionnaireVersion
        fields = ["title"]


class ItemForm(forms.ModelForm):
    """One question of the version; its key and kind stay as they are."""

    roles = roles_field()
    action_line_number = action_line_field()
    remove = forms.BooleanField(label=_("Remove"), required=False)

    class Meta:
        model = Item
        fields = ["text", "section", "order", "roles", "action_line_number"]
        widgets = {"order": forms.NumberInput(attrs={"min": 1})}

    def __init__(self, *args, **kwargs) -> None:
        item: Item = kwargs["instance"]
        kwargs.setdefault("prefix", f"item-{item.pk}")
        super().__init__(*args, **kwargs)
        order = self.fields["order"]
        order.validators = [v for v in order.validators if not isinstance(v, MinValueValidator)]
        order.validators.append(MinValueValidator(1))
        self.kind_label = ItemKind(item.kind).label
        # Named in the error summary by the question's place as the page shows it.
        self.summary_prefix = _("Question %(number)s") % {"number": item.order}

    @property
    def removed(self) -> bool:
        return bool(self.cleaned_data.get("remove"))

    def changes(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QuestionnaireEditor:
    """The version form and the item forms, valid together or not at all."""

    NO_STATEMENT = _("Keep at least one statement: a questionnaire without statements has no scores.")

    def __init__(self, version: QuestionnaireVersion, items: list[Item], data=None) -> None:
        self.version_form = VersionForm(data, instance=version, prefix="version")
        self.item_forms = [ItemForm(data, instance=item) for item in items]
        self.non_field_errors: list[str] = []

    @property
    def forms(self) -> list[forms.Form]:
        return [self.version_form, *self.item_forms]

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.forms]  # every form checked, to show all errors
        valid = all(results)
        if valid and not any(
            form.instance.kind == ItemKind.STATEMENT for form in self.item_forms if not form.removed
        ):
            self.non_field_errors.append(str(self.NO_STATEMENT))
            valid = False
        return valid

    def add_error(self, message: str) -> None:
        self.non_field_errors.append(message)

    @property
    def intro(self) -> str:
        return " ".join(self.non_field_errors)

    @property
    def has_errors(self) -> bool:
        return bool(self.non_field_errors) or any(form.errors for form in self.forms)

    def changes(self) -> dict[int, dict[str, object]]:
        return {form.instance.pk: form.changes() for form in self.item_forms if not form.removed}

    def removed(self) -> set[int]:
        return {form.instance.pk for form in self.item_forms if form.removed}


class NewItemForm(forms.Form):
    """A statement or open question to add at the end; its key is made from the text unless given."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.STATEMENT, widget=forms.RadioSelect
    )
    text = Item._meta.get_field("text").formfield(label=_("Text of the question"))
    section = Item._meta.get_field("section").formfield(
        help_text=_("The heading it appears under; an existing one or a new one.")
    )
    roles = roles_field()
    action_line_number = action_line_field()
    key = forms.SlugField(
        label=_("Key (optional)"),
        max_length=Item._meta.get_field("key").max_length,
        required=False,
        help_text=_(
            "Leave empty to make one from the text. Give the key of an earlier question to compare its "
            "results over the years."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
