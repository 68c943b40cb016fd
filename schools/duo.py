"""Parse DUO's open-data CSV files of school locations (primary, special and secondary education).

No database: the import service turns `DuoSchool` rows into School rows. Every row is checked against the
model fields that will store it (their max_length and validators, such as names being one line), so a row
that the database or the models would refuse is a row error here, in the command, the upload preview and
the confirmed import alike.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from _csv import Reader

    from django.db.models import Field

# Our field -> DUO column names that carry it (compared case-insensitively, "-"/"_" read as spaces).
# The first alias is the name we show when the column is missing; the first one present in a file wins.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "brin": ("INSTELLINGSCODE", "BRIN NUMMER", "BRINNUMMER", "BRIN"),
    "vestiging": ("VESTIGINGSCODE", "VESTIGINGSNUMMER"),
    "name": ("VESTIGINGSNAAM",),
    "street": ("STRAATNAAM",),
    "house_number": ("HUISNUMMER-TOEVOEGING", "HUISNUMMER"),
    "postcode": ("POSTCODE",),
    "city": ("PLAATSNAAM", "PLAATS"),
    "gemeente_code": ("GEMEENTENUMMER", "GEMEENTECODE"),
    "gemeente_name": ("GEMEENTENAAM", "GEMEENTE"),
    "bestuur": ("BEVOEGD GEZAG NAAM", "NAAM BEVOEGD GEZAG"),
    "phone": ("TELEFOONNUMMER", "TELEFOON"),
    "holiday_region": ("VAKANTIEREGIO",),
    "po_type": ("SOORT PRIMAIR ONDERWIJS", "SOORT PO"),  # primary and special education files
    "vo_structure": ("ONDERWIJSSTRUCTUUR",),  # only secondary education files have it
}
REQUIRED_FIELDS = ("brin", "vestiging", "name", "postcode", "gemeente_code")

# SOORT PRIMAIR ONDERWIJS (lower case) -> sector. "(V)SO" is a combined SO/VSO location, filed as SO.
PO_TYPE_SECTORS = {
    "bao": "PO",
    "bo": "PO",
    "sbo": "SBO",
    "sbao": "SBO",
    "so": "SO",
    "vso": "VSO",
    "(v)so": "SO",
    "so/vso": "SO",
    "so-vso": "SO",
}
SECTORS = ("PO", "SBO", "SO", "VO", "VSO")
HOLIDAY_REGIONS = ("noord", "midden", "zuid")
# DuoSchool field -> (model, field) that stores it: each value must pass that field's length and validators.
STORED_AS: dict[str, tuple[str, str]] = {
    "brin": ("School", "brin"),
    "vestiging": ("School", "vestiging"),
    "name": ("School", "name"),
    "street": ("School", "street"),
    "postcode": ("School", "postcode"),
    "city": ("School", "city"),
    "bestuur": ("School", "bestuur"),
    "phone": ("School", "phone"),
    "gemeente_code": ("Gemeente", "code"),
    "gemeente_name": ("Gemeente", "name"),
}

BRIN_RE = re.compile(r"\d{2}[A-Z0-9]{2}")
POSTCODE_RE = re.compile(r"([1-9]\d{3})\s*([A-Z]{2})")
GEMEENTE_CODE_RE = re.compile(r"(?:GM)?(\d{1,4})")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class DuoFormatError(ValueError):
    """The file as a whole cannot be read: nothing of it is imported."""


@dataclass(frozen=True)
class DuoSchool:
    brin: str
    vestiging: str
    name: str
    sector: str
    street: str
    postcode: str
    city: str
    gemeente_code: str
    gemeente_name: str
    bestuur: str
    phone: str
    holiday_region: str


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the file; the header is line 1
    reason: str


@dataclass
class ParseResult:
    rows: list[DuoSchool] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class _RowProblem(Exception):
    """One row is wrong; its message becomes a RowError."""


def parse_duo_csv(
    data: bytes, *, gemeente: str | None = None, default_sector: str | None = None
) -> ParseResult:
    """Parse a DUO locations file; keep only rows in `gemeente` (name or CBS code) when given.

    `default_sector` is the sector for files (or cells) that do not say it themselves.
    Raises DuoFormatError when the file cannot be read at all; bad rows end up in `errors`.
    """
    if default_sector is not None and default_sector not in SECTORS:
        raise ValueError(f"default_sector must be one of {SECTORS}, not {default_sector!r}")
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        return _parse(reader, _gemeente_filter(gemeente), default_sector)
    except csv.Error as error:  # e.g. a NUL byte: the rest of the file cannot be trusted
        raise DuoFormatError(
            _("Line %(line)d cannot be read: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error


def _is_older_primary_file(header: list[str]) -> bool:
    return any(" ".join(cell.split()).upper() == "BRIN NUMMER" for cell in header)


def _parse(reader: Reader, wanted: tuple[str | None, str] | None, default_sector: str | None) -> ParseResult:
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise DuoFormatError(_("The file is empty."))
    columns = _map_columns(header)
    if default_sector is None and _is_older_primary_file(header):
        default_sector = "PO"  # the older primary-education file lists only primary schools (bao)
    if "po_type" not in columns and "vo_structure" not in columns and default_sector is None:
        raise DuoFormatError(_("The file does not say which kind of school each location is."))
    if wanted and wanted[0] is None and "gemeente_name" not in columns:
        raise _missing_columns(["gemeente_name"])

    result = ParseResult()
    first_line: dict[tuple[str, str], int] = {}
    line = reader.line_num + 1  # where the next record starts (a quoted cell may span lines)
    for record in reader:
        start, line = line, reader.line_num + 1
        cells = [" ".join(cell.split()) for cell in record]  # also folds line breaks and double spaces
        if not any(cells):
            continue  # blank line
        try:
            values = _values(cells, header, columns)
            if wanted and not _in_gemeente(values, wanted):
                continue
            school = _school(values, default_sector)
            key = (school.brin, school.vestiging)
            if key in first_line:
                raise _RowProblem(
                    _("Location %(code)s already appears on line %(line)d.")
                    % {"code": school.brin + school.vestiging, "line": first_line[key]}
                )
        except _RowProblem as problem:
            result.errors.append(RowError(line=start, reason=str(problem)))
            continue
        first_line[key] = start
        result.rows.append(school)
    return result


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined become U+FFFD instead of failing a national file.
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str) -> str:
    header = text.partition("\n")[0]
    return ";" if header.count(";") >= header.count(",") else ","


def _normalize_column(name: str) -> str:
    return " ".join(name.upper().replace("-", " ").replace("_", " ").split())


def _map_columns(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(_normalize_column(name), index)
    columns: dict[str, int] = {}
    for our_field, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if (index := positions.get(_normalize_column(alias))) is not None:
                columns[our_field] = index
                break
    if missing := [our_field for our_field in REQUIRED_FIELDS if our_field not in columns]:
        raise _missing_columns(missing)
    return columns


def _missing_columns(our_fields: list[str]) -> DuoFormatError:
    names = ", ".join(COLUMN_ALIASES[our_field][0] for our_field in our_fields)
    message = ngettext(
        "The file has no column %(columns)s.", "The file has no columns %(columns)s.", len(our_fields)
    )
    return DuoFormatError(message % {"columns": names})


def _values(cells: list[str], header: list[str], columns: dict[str, int]) -> dict[str, str]:
    # A trailing separator on a row (extra empty cells) is harmless; any other difference shifts columns.
    if len(cells) < len(header) or any(cells[len(header) :]):
        raise _RowProblem(
            _("The row has %(found)d columns instead of %(expected)d.")
            % {"found": len(cells), "expected": len(header)}
        )
    values = {our_field: cells[index] for our_field, index in columns.items()}
    if any(CONTROL_RE.search(value) for value in values.values()):
        raise _RowProblem(_("The row contains a control character (such as NUL)."))
    return values


def _gemeente_code(value: str) -> str | None:
    match = GEMEENTE_CODE_RE.fullmatch(value.upper())
    return match.group(1).zfill(4) if match else None


def _gemeente_filter(gemeente: str | None) -> tuple[str | None, str] | None:
    if gemeente is None or not gemeente.strip():
        return None
    return _gemeente_code(gemeente.strip()), gemeente.strip().casefold()


def _in_gemeente(values: dict[str, str], wanted: tuple[str | None, str]) -> bool:
    code, name = wanted
    if code is not None:
        return _gemeente_code(values["gemeente_code"]) == code
    return values.get("gemeente_name", "").casefold() == name


def _school(values: dict[str, str], default_sector: str | None) -> DuoSchool:
    brin, vestiging = _brin_vestiging(values["brin"].upper(), values["vestiging"].upper())
    name = values["name"]
    if not name:
        raise _RowProblem(_("The location has no name."))
    if not values["postcode"]:
        raise _RowProblem(_("The location has no postcode."))
    postcode = POSTCODE_RE.fullmatch(values["postcode"].upper())
    if not postcode:
        raise _RowProblem(_("“%(value)s” is not a valid postcode.") % {"value": values["postcode"]})
    gemeente_code = _gemeente_code(values["gemeente_code"])
    if gemeente_code is None:
        raise _RowProblem(
            _("“%(value)s” is not a valid municipality code.") % {"value": values["gemeente_code"]}
        )
    school = DuoSchool(
        brin=brin,
        vestiging=vestiging,
        name=name,
        sector=_sector(values, default_sector),
        street=" ".join(part for part in (values.get("street"), values.get("house_number")) if part),
        postcode=f"{postcode.group(1)} {postcode.group(2)}",
        city=values.get("city", ""),
        gemeente_code=gemeente_code,
        gemeente_name=values.get("gemeente_name", ""),
        bestuur=values.get("bestuur", ""),
        phone=values.get("phone", ""),
        holiday_region=_holiday_region(values.get("holiday_region", "")),
    )
    _check_storable(school)
    return school


@functools.cache
def _stored_fields() -> dict[str, Field]:
    from django.apps import apps

    return {
        our_field: apps.get_model("schools", model_name)._meta.get_field(field_name)
        for our_field, (model_name, field_name) in STORED_AS.items()
    }


def _check_storable(school: DuoSchool) -> None:
    """Raise a row problem for a value that its model field would refuse (too long, not one line...)."""
    for our_field, model_field in _stored_fields().items():
        value = getattr(school, our_field)
        column = COLUMN_ALIASES[our_field][0]
        limit = model_field.max_length
        if limit is not None and len(value) > limit:
            raise _RowProblem(
                _("%(column)s is longer than %(limit)d characters.") % {"column": column, "limit": limit}
            )
        try:
            model_field.run_validators(value)
        except ValidationError as error:
            raise _RowProblem(
                _("%(column)s: %(reason)s") % {"column": column, "reason": " ".join(error.messages)}
            ) from error


def _brin_vestiging(brin: str, vestiging: str) -> tuple[str, str]:
    """Read a vestigingscode given whole ("16PA00") or as a suffix ("00", "0")."""
    if len(vestiging) == 6:
        if brin and brin != vestiging[:4]:
            raise _RowProblem(
                _("Location code %(code)s does not belong to BRIN code %(brin)s.")
                % {"code": vestiging, "brin": brin}
            )
        brin, vestiging = vestiging[:4], vestiging[4:]
    elif vestiging.isdigit() and len(vestiging) <= 2:
        vestiging = vestiging.zfill(2)
    else:
        raise _RowProblem(_("“%(value)s” is not a valid location code.") % {"value": vestiging})
    if not BRIN_RE.fullmatch(brin):
        raise _RowProblem(_("“%(value)s” is not a valid BRIN code.") % {"value": brin})
    if not vestiging.isdigit():
        raise _RowProblem(_("“%(value)s” is not a valid location code.") % {"value": vestiging})
    return brin, vestiging


def _sector(values: dict[str, str], default_sector: str | None) -> str:
    if values.get("po_type"):
        sector = PO_TYPE_SECTORS.get(values["po_type"].casefold())
        if sector is None:
            raise _RowProblem(_("Unknown school type “%(value)s”.") % {"value": values["po_type"]})
        return sector
    if "vo_structure" in values:
        # Praktijkonderwijs (PRO) is secondary education by law, so it stays VO; only VSO differs.
        structure = values["vo_structure"].upper()
        return "VSO" if "VSO" in re.split(r"[^A-Z]+", structure) else "VO"
    if default_sector is None:
        raise _RowProblem(_("The row does not say which kind of school it is."))
    return default_sector


def _holiday_region(value: str) -> str:
    """Read "Noord", "REGIO ZUID", ... as "noord", "zuid"; blank or unknown is ""."""
    words = re.split(r"\W+", value.casefold())
    return next((region for region in HOLIDAY_REGIONS if region in words), "")
