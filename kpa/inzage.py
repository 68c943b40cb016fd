"""Inzage (AVG art. 15): everything KPA holds about one person, as a readable page and as JSON.

Built from the register of personal data (kpa.personal_data) and nothing else: for every registered model,
the rows `Processing.rows_of(person)` gives, with the fields `Processing.shown_fields()` names. A model
registered there is in the inzage without a line here; this module knows no model.

- `inzage_for(person)`: one `Section` per processing group, holding per model with rows of the person its
  name, purpose, legal basis, who sees it, retention, and the rows as {field's verbose name: readable text}
  (times in Europe/Amsterdam, choices by their label, a relation by the related object's str()).
- `inzage_json(person)`: the same, machine-readable: field names as keys, JSON values (times ISO 8601 with
  the Amsterdam offset, choices by their stored value, a relation as {"id", "label"}).

Queries stay fixed per model however many rows it has: a shown relation is fetched with its rows
(`select_related`, and beyond it the non-null relations its str() may read, two steps deep, the way
`select_related()` without arguments does), a many-valued one with one `prefetch_related` query.

Secrets never leave KPA, not even to the person they belong to: fields named in `DENY` are left out of
every row, and keys named in it are dropped from inside JSON values (the audit trail's copies, an outbox
payload). They are keys to an account, not data about someone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import Field, Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpa import personal_data

if TYPE_CHECKING:
    from kpa.models import User
    from kpa.personal_data import Processing

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Never shown, never exported. A bare name counts on every model and as a key inside JSON values;
# "app_label.Model.field" on that model only (where the bare name is an ordinary word elsewhere).
DENY = frozenset(
    {
        "password",  # the password hash (kpa.User)
        "token",  # the secret address of a calendar feed (meetings.CalendarFeed)
        "token_hash",  # an invitation link's hash (kpa.Invitation)
        "secret",  # a TOTP secret (inside mfa.Authenticator.data)
        "seed",  # the seed of recovery codes (inside mfa.Authenticator.data)
        "session_key",  # whoever has it is signed in (sessions.Session, usersessions.UserSession)
        "session_data",  # a session's contents (sessions.Session)
        "mfa.Authenticator.data",  # the TOTP secret and the recovery codes
        "account.EmailConfirmation.key",  # a pending e-mail confirmation link
    }
)

# How far beyond a shown relation its own non-null relations are fetched with it, for its str().
STR_DEPTH = 2


@dataclasses.dataclass(frozen=True)
class ModelData:
    """One registered model's rows of the person."""

    model: str  # "app_label.ModelName"
    name: str  # its verbose name (plural)
    purpose: str
    legal_basis: str
    visible_to: str
    retention: str  # the retention policy's label
    columns: list[str]  # the fields' verbose names, in the order of each row
    rows: list[dict[str, str]]  # {column: readable value}
    more: int = 0  # rows left off the page (at most PAGE_ROWS are shown; the JSON holds them all)


@dataclasses.dataclass(frozen=True)
class Section:
    """One processing group of the register (as the verwerkingsregister names it)."""

    group: str
    models: list[ModelData]


@dataclasses.dataclass(frozen=True)
class _Column:
    name: str  # as registered: a field, a path through to-one relations ("response__school"), or "id"
    label: str
    kind: Literal["value", "one", "many", "generic", "attribute"]
    field: Any  # the model field at the end of the path (None for a plain attribute)
    parts: tuple[str, ...]  # the attributes to follow from a row


def _denied(model: type[Model], name: str) -> bool:
    return name in DENY or f"{model._meta.label}.{name}" in DENY


def _column(model: type[Model], name: str) -> _Column | None:
    """What a registered field name is, or None when it is denied."""
    parts = name.split("__")
    current = model
    field: Any = None
    followed: list[str] = []
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            if part in ("id", "pk"):
                field = current._meta.pk  # a model whose key is not called "id" (sessions.Session)
            elif last and hasattr(current, part):
                if _denied(current, part):
                    return None
                label = capfirst(part.replace("_", " "))
                return _Column(name, label, "attribute", None, (*followed, part))
            else:
                raise ImproperlyConfigured(
                    f"The register names {name!r} for {model._meta.label}, which has no such field."
                ) from None
        if _denied(current, field.name):
            return None
        followed.append(field.name)
        if not last:
            if not (field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model):
                raise ImproperlyConfigured(
                    f"The register names {name!r} for {model._meta.label}: only to-one relations can be "
                    "followed in a path."
                )
            current = field.related_model
    if isinstance(field, GenericForeignKey):
        kind = "generic"
    elif field.is_relation and (field.many_to_many or field.one_to_many):
        kind = "many"
    elif field.is_relation:
        kind = "one"
    else:
        kind = "value"
    label = getattr(field, "verbose_name", None) or field.name.replace("_", " ")
    return _Column(name, capfirst(str(label)), kind, field, tuple(followed))


def _columns(processing: Processing) -> list[_Column]:
    model = processing.model_class
    found = [_column(model, name) for name in processing.shown_fields()]
    return [column for column in found if column is not None]


def _labels(columns: list[_Column]) -> list[str]:
    """The columns' headings; two fields with the same verbose name are told apart by their names."""
    labels = [column.label for column in columns]
    return [
        f"{label} ({column.name})" if labels.count(label) > 1 else label
        for label, column in zip(labels, columns, strict=True)
    ]


def _to_one_paths(model: type[Model], prefix: str, depth: int) -> list[str]:
    """`prefix` (a relation leading to `model`, or "" for `model` itself) and the non-null to-one
    relations beyond it, `depth` steps deep."""
    paths = [prefix] if prefix else []
    if depth == 0:
        return paths
    for field in model._meta.concrete_fields:
        if field.is_relation and (field.many_to_one or field.one_to_one) and not field.null:
            path = f"{prefix}__{field.name}" if prefix else field.name
            paths += _to_one_paths(field.related_model, path, depth - 1)
    return paths


def _optimised(rows: QuerySet, columns: list[_Column]) -> QuerySet:
    """The rows with what the columns show fetched along: a fixed number of queries, whatever the rows."""
    select: set[str] = set()
    prefetch: list[Any] = []
    for column in columns:
        through = column.name.split("__")[:-1]
        if through:
            select.add("__".join(through))
        if column.kind == "one":
            select.update(_to_one_paths(column.field.related_model, column.name, STR_DEPTH))
        elif column.kind == "many":
            related = column.field.related_model
            deeper = _to_one_paths(related, "", STR_DEPTH)
            prefetch.append(Prefetch(column.name, queryset=related._default_manager.select_related(*deeper)))
        elif column.kind == "generic":
            prefetch.append(column.name)
    if select:
        rows = rows.select_related(*sorted(select))
    if prefetch:
        rows = rows.prefetch_related(*prefetch)
    if not rows.ordered:
        rows = rows.order_by("pk")
    return rows


def _follow(row: Model, column: _Column) -> Any:
    value: Any = row
    for part in column.parts:
        if value is None:
            return None
        try:
            value = getattr(value, part)
        except ObjectDoesNotExist:  # a reverse one-to-one relation with nothing at its end
            return None
    if column.kind == "many":
        return list(value.all())
    if column.kind == "attribute" and callable(value):
        return value()
    return value


def _readable(column: _Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    field = column.field
    choices = getattr(field, "flatchoices", None) if isinstance(field, Field) else None
    if choices and not isinstance(value, list | dict):
        return str(dict(choices).get(value, value))
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, AMSTERDAM)
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column.kind == "many":
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(_json_value(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Model):
        return {"id": _json_value(value.pk), "label": str(value)}
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value, AMSTERDAM) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items() if key not in DENY}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return str(value)  # Decimal, UUID, an IP address: as written


def _retention_label(processing: Processing, short: bool = False) -> str:
    """The policy as a person reads it: its kind, how long, and what happens then (short: its kind)."""
    try:
        policy = personal_data.retention(processing.retention)
    except KeyError:
        return processing.retention
    if short:
        return str(policy.label)
    days = ngettext("%(days)s day", "%(days)s days", policy.days) % {"days": policy.days}
    return _("%(kind)s: %(days)s. %(rule)s") % {"kind": policy.label, "days": days, "rule": policy.rule}


# The page shows at most this many rows per model (an administrator's years of audit entries would make
# it unreadable); it says how many more there are, and the JSON download holds every row.
PAGE_ROWS = 200


@dataclasses.dataclass(frozen=True)
class _Found:
    processing: Processing
    columns: list[_Column]
    rows: list[Model]
    more: int = 0


def _found(person: User, limit: int | None = None) -> list[_Found]:
    """Per registered model, its rows of the person (models with none are left out); with a limit, at most
    that many, and how many more (counted only where the limit was reached: one query more there)."""
    found = []
    for processing in personal_data.processings():
        rows = processing.rows_of(person)
        if rows is None:
            continue
        columns = _columns(processing)
        more = 0
        if isinstance(rows, QuerySet):
            optimised = _optimised(rows, columns)
            if limit is not None:
                page = list(optimised[:limit])
                more = optimised.count() - limit if len(page) == limit else 0
                rows = page
            else:
                rows = optimised
        rows = list(rows)
        if rows:
            found.append(_Found(processing, columns, rows, more))
    return found


def inzage_for(person: User) -> list[Section]:
    """What KPA holds about `person`, grouped as the register groups it, for reading."""
    sections: dict[str, list[ModelData]] = {}
    for item in _found(person, limit=PAGE_ROWS):
        processing, columns = item.processing, item.columns
        labels = _labels(columns)
        rows = [
            {
                label: _readable(column, _follow(row, column))
                for label, column in zip(labels, columns, strict=True)
            }
            for row in item.rows
        ]
        sections.setdefault(str(processing.group), []).append(
            ModelData(
                model=processing.model,
                name=capfirst(str(processing.model_class._meta.verbose_name_plural)),
                purpose=str(processing.purpose),
                legal_basis=str(processing.legal_basis),
                visible_to=str(processing.visible_to),
                retention=_retention_label(processing),
                columns=labels,
                rows=rows,
                more=item.more,
            )
        )
    return [Section(group=group, models=models) for group, models in sections.items()]


def inzage_json(person: User) -> dict[str, Any]:
    """What KPA holds about `person`, machine-readable (AVG art. 15 and 20)."""
    processings = []
    for item in _found(person):
        processing = item.processing
        processings.append(
            {
                "model": processing.model,
                "name": str(processing.model_class._meta.verbose_name_plural),
                "group": str(processing.group),
                "purpose": str(processing.purpose),
                "legal_basis": str(processing.legal_basis),
                "visible_to": str(processing.visible_to),
                "retention": _retention_label(processing, short=True),
                "rows": [
                    {column.name: _json_value(_follow(row, column)) for column in item.columns}
                    for row in item.rows
                ],
            }
        )
    return {
        "person": {"id": person.pk, "name": str(person), "email": person.email},
        "generated_at": timezone.localtime(timezone.now(), AMSTERDAM).isoformat(),
        "processings": processings,
    }
