"""The upload form of the school holiday import (admins only)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schools.holidays import HolidayFormatError, parse_holidays_json

MAX_UPLOAD_SIZE = 512 * 1024  # one school year is a few kB, every year since 2013 well under 100 kB
SHOWN_ROW_ERRORS = 5  # a file without one importable holiday shows this many of its reasons


class HolidayUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of school holidays"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        help_text=_(
            "The JSON file of school holidays from opendata.rijksoverheid.nl, for one school year or "
            "several, as you downloaded it."
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise ValidationError(
                gettext("The file is %(size)s; a file of school holidays is at most %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_SIZE)}
            )
        data = upload.read()
        try:
            parsed = parse_holidays_json(data)
        except HolidayFormatError as error:
            raise ValidationError(str(error)) from error
        if not parsed.rows:
            reasons = [
                ValidationError(f"{error.where}: {error.reason}")
                for error in parsed.errors[:SHOWN_ROW_ERRORS]
            ]
            raise ValidationError(
                [ValidationError(gettext("The file has no school holidays that can be imported.")), *reasons]
            )
        return data
