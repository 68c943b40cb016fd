"""Forms of the DUO import and the postcode-to-wijk screens (admins only)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schools.duo import DuoFormatError, parse_duo_csv
from schools.models import Gemeente, School, Sector, Wijk

MAX_UPLOAD_SIZE = 20 * 1024 * 1024  # the national file is about 3 MB
# A spreadsheet saved as .xlsx/.ods (zip), an old .xls (OLE2) or a PDF instead of the CSV file.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")
# "3531 West", "3531,West", "3531;West", "3531<tab>West"
AREA_LINE_RE = re.compile(r"(?P<code>\S+?)\s*(?:[,;\t]|\s)\s*(?P<wijk>\S.*)")
POSTCODE4_RE = re.compile(r"[1-9]\d{3}")


class DuoUploadForm(forms.Form):
    file = forms.FileField(
        label=_("DUO file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "The CSV file of school locations from DUO's open data (primary, special or secondary "
            "education), as you downloaded it."
        ),
    )
    gemeente = forms.CharField(
        label=_("Only this municipality"),
        required=False,
        max_length=100,
        help_text=_("Name or CBS code, e.g. Utrecht or 0344. Leave empty to import the whole file."),
    )
    sector = forms.ChoiceField(
        label=_("Sector for rows that do not say it"),
        required=False,
        choices=[("", _("As the file says")), *Sector.choices],
        help_text=_("Needed for the older primary-education file, which has no school type column."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise ValidationError(
                gettext("The file is %(size)s; a DUO file of school locations is at most %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_SIZE)}
            )
        data = upload.read()
        if data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:4096]:
            raise ValidationError(
                gettext(
                    "This is not a CSV file. Download the school locations from DUO as CSV, or save the "
                    "spreadsheet as CSV, and upload that file."
                )
            )
        return data

    def clean(self) -> dict:
        data = super().clean()
        if "file" not in data:
            return data
        data["gemeente"] = data.get("gemeente", "").strip()
        data["sector"] = data.get("sector") or ""
        try:
            parsed = parse_duo_csv(
                data["file"], gemeente=data["gemeente"] or None, default_sector=data["sector"] or None
            )
        except DuoFormatError as error:
            self.add_error("file", str(error))
            return data
        if not parsed.rows and not parsed.errors:
            if data["gemeente"]:
                self.add_error(
                    "gemeente",
                    gettext("The file has no school locations in “%(gemeente)s”.")
                    % {"gemeente": data["gemeente"]},
                )
            else:
                self.add_error("file", gettext("The file has no school locations."))
        return data


class PostcodeAreasForm(forms.Form):
    lines = forms.CharField(
        label=_("Postcode areas"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One area per line: the four digits of the postcode, then the name of the wijk, e.g. "
            "“3531 West” (a comma or semicolon in between is fine too). An area that is already mapped "
            "moves to the wijk you give."
        ),
    )

    def __init__(self, *args, gemeente: Gemeente, wijken: list[Wijk], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gemeente = gemeente
        self.wijken_by_name = {wijk.name.casefold(): wijk for wijk in wijken}

    def clean_lines(self) -> dict[str, Wijk]:
        mapping: dict[str, Wijk] = {}
        first_line: dict[str, int] = {}
        problems: list[ValidationError] = []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            code, wijk, reason = self._read_line(line.strip())
            if reason is None and code in mapping and mapping[code] != wijk:
                reason = gettext("postcode area %(code)s already has another wijk on line %(line)d.") % {
                    "code": code,
                    "line": first_line[code],
                }
            if reason is not None:
                message = gettext("Line %(line)d: %(reason)s") % {"line": number, "reason": reason}
                problems.append(ValidationError(message))
                continue
            mapping[code] = wijk
            first_line.setdefault(code, number)
        if problems:
            raise ValidationError(problems)
        if not mapping:
            raise ValidationError(gettext("Give at least one postcode area and its wijk."))
        return mapping

    def _read_line(self, line: str) -> tuple[str, Wijk | None, str | None]:
        """(postcode4, wijk, None) for a good line, or a reason why it is wrong as the third value."""
        match = AREA_LINE_RE.fullmatch(line)
        if not match:
            return "", None, gettext("give a postcode area and a wijk, e.g. “3531 West”.")
        code, wijk_name = match["code"], " ".join(match["wijk"].split())
        if not POSTCODE4_RE.fullmatch(code):
            return code, None, gettext("“%(value)s” is not a postcode area of four digits.") % {"value": code}
        wijk = self.wijken_by_name.get(wijk_name.casefold())
        if wijk is None:
            reason = gettext("%(gemeente)s has no wijk “%(wijk)s”.") % {
                "gemeente": self.gemeente.name,
                "wijk": wijk_name,
            }
            return code, None, reason
        return code, wijk, None


class PlaceSchoolForm(forms.Form):
    """One school from the list of schools without a wijk, and the wijk of its municipality to place it in."""

    school = forms.IntegerField(widget=forms.HiddenInput)
    wijk = forms.IntegerField(label=_("Wijk"))

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            raise ValidationError(gettext("Choose a wijk."))
        school = School.objects.select_related("gemeente").filter(pk=data["school"]).first()
        if school is None:
            raise ValidationError(gettext("This school no longer exists."))
        if school.wijk_id is not None:
            raise ValidationError(
                gettext("%(school)s is already placed in a wijk.") % {"school": school.name}
            )
        wijk = Wijk.objects.filter(pk=data["wijk"], gemeente_id=school.gemeente_id).first()
        if wijk is None:
            raise ValidationError(
                gettext("Choose a wijk of %(gemeente)s.") % {"gemeente": school.gemeente.name}
            )
        data["school"], data["wijk"] = school, wijk
        return data
