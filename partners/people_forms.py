"""Inviting a person: the admin chooses their kind, organisation and, for a coordinator, gemeente and wijk."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kpa.models import User, UserKind
from kpa.validators import validate_one_line
from partners.models import Organisation
from schools.models import Gemeente, Wijk


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=100, validators=[validate_one_line])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[validate_one_line])
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind of user"), choices=UserKind.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    gemeente = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Gemeente.objects.all(),
        required=False,
        help_text=_("Required for coordinators."),
    )
    wijk = forms.ModelChoiceField(
        label=_("Wijk"),
        queryset=Wijk.objects.select_related("gemeente"),
        required=False,
        help_text=_("For a wijk coordinator; leave empty for the whole municipality."),
    )

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
