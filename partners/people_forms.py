"""Inviting a person: the admin chooses their kind, organisation and, for a coordinator, gemeente and wijk."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kpa.models import User, UserKind
from kpa.validators import validate_one_line
from kpa.widgets import AutocompleteChoiceField, AutocompleteSelect, QuickSelect
from partners.area_filters import pk_of
from partners.models import Organisation
from schools.models import Gemeente, Wijk

CHOOSE_GEMEENTE_FIRST = _("Choose a municipality first.")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=100, validators=[validate_one_line])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[validate_one_line])
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind of user"), choices=UserKind.choices)
    organisation = AutocompleteChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=AutocompleteSelect("manage:search-organisations"),
    )
    gemeente = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Gemeente.objects.all(),
        required=False,
        help_text=_("Required for coordinators."),
        widget=QuickSelect,
    )
    wijk = forms.ModelChoiceField(
        label=_("Wijk"),
        queryset=Wijk.objects.none(),
        required=False,
        help_text=_("For a wijk coordinator; leave empty for the whole municipality."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wijken_of_the_gemeente()

    def _wijken_of_the_gemeente(self) -> None:
        """The wijk depends on the gemeente: its choices are the chosen gemeente's wijken (those of the only
        gemeente when there is one), else none, with a word to choose the gemeente first. A wijk sent without
        a gemeente still names its own (clean fills that in)."""
        wijk = self.fields["wijk"]
        if self.auto_id:  # autocomplete.js: choosing another gemeente empties the wijk
            self.fields["gemeente"].widget.attrs["data-clears"] = self.auto_id % self.add_prefix("wijk")
        gemeente = _pk(self["gemeente"].value())
        if gemeente is not None:
            wijk.error_messages["invalid_choice"] = _("This wijk is not in the chosen municipality.")
        sent_wijk = _pk(self.data.get(self.add_prefix("wijk"))) if self.is_bound else None
        if gemeente is None and sent_wijk is not None:
            gemeente = Wijk.objects.filter(pk=sent_wijk).values_list("gemeente_id", flat=True).first()
        if gemeente is None and not self["gemeente"].value():
            only = list(Gemeente.objects.values_list("pk", flat=True)[:2])
            gemeente = only[0] if len(only) == 1 else None
        if gemeente is None:
            wijk.help_text = f"{CHOOSE_GEMEENTE_FIRST} {wijk.help_text}"
            return
        wijk.queryset = Wijk.objects.filter(gemeente_id=gemeente).order_by("name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Someone with this e-mail address already has an account."))
        return email

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == UserKind.COORDINATOR:
            wijk, gemeente = data.get("wijk"), data.get("gemeente")
            if wijk and not gemeente:
                data["gemeente"] = wijk.gemeente
            elif not gemeente:
                self.add_error("gemeente", _("Choose the municipality this coordinator works for."))
            elif wijk and wijk.gemeente_id != gemeente.pk:
                self.add_error("wijk", _("This wijk is not in the chosen municipality."))
        else:
            data["gemeente"] = None
            data["wijk"] = None
        return data


def _pk(value) -> int | None:
    """A primary key from the form's data or initial, or None for anything else ("", "abc", 10**30)."""
    return value.pk if isinstance(value, Gemeente | Wijk) else pk_of(value)
