"""The register of personal data (AVG art. 30) and the retention policies: what KPA holds about people,
why, for whom, for how long, and how it goes.

The core knows no app. Each app declares its own models in its `personal_data.py` and registers them from
its AppConfig.ready() (kpa registers its own models and the third-party ones it installs: allauth's
addresses, authenticators and sessions, Django's sessions, the audit trail):

    personal_data.register(Processing(model="meetings.Invitee", fields=("person", "replaced_by"), ...))
    personal_data.register_retention(Retention(key="meeting_content", setting="KPA_KEEP_...", ...))

Everything that treats personal data as a whole is built from this register, so a model registered here
is covered by all of it and a model left out is caught by a test (tests/kpa/test_personal_data.py walks
every installed model):
- the verwerkingsregister page and the retention page (kpa.views_privacy);
- the inzage export of one person (kpa.inzage): every row `people` links to them;
- anonymisation (kpa.anonymise): rows linked to the person are kept (pointing at the pseudonym) or deleted,
  per `on_leave`, and the person's name and addresses are replaced in every `free_text` field;
- the nightly purge (kpa.retention): each Retention's `purge`.

A field that holds personal data but is no relation to a person (a free-text name, an IP address) is
marked where it is defined, with `personal(models.CharField(...))`, so the walk finds it too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

from django.apps import apps
from django.conf import settings
from django.db.models import Field, Model, Q

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

    from kpa.models import User

PERSONAL_ATTRIBUTE = "kpa_personal"


def personal[F: Field](field: F) -> F:
    """Mark a model field as personal data that is no relation to a person (a name typed as text)."""
    setattr(field, PERSONAL_ATTRIBUTE, True)
    return field


def is_marked_personal(field: Any) -> bool:
    return bool(getattr(field, PERSONAL_ATTRIBUTE, False))


@dataclasses.dataclass(frozen=True)
class Processing:
    """One model's personal data, one line of the verwerkingsregister.

    fields: the fields that hold personal data (relations to people included), named as on the model.
    people: lookups from the model to the person a row is of or by ("person", "owner", "pk" for the User
        itself); the inzage export and anonymisation find a person's rows through them. Empty: the rows
        name nobody through a relation (their free text may, see free_text).
    free_text: text fields where people may be named in passing (minutes, an agreement); anonymisation
        replaces a leaver's name and addresses there with their pseudonym.
    on_leave: what anonymisation does with the rows `people` links to the person: "keep" (history stays
        readable, now naming the pseudonym), "delete", or "custom" (the app's or kpa's own code does it;
        `anonymisation` says what).
    retention: the key of the Retention that governs the rows (see register_retention).
    export_fields: what the inzage export shows of a row (default: id and `fields`).
    rows: for the inzage export, the person's rows when `people` cannot say it (the audit entries about
        a person, say). Defaults to the rows `people` links to them.
    """

    model: str  # "app_label.ModelName"
    group: StrOrPromise  # the processing it belongs to, as the register names it
    fields: tuple[str, ...]
    people: tuple[str, ...]
    purpose: StrOrPromise
    legal_basis: StrOrPromise
    visible_to: StrOrPromise
    retention: str
    anonymisation: StrOrPromise
    on_leave: Literal["keep", "delete", "custom"] = "keep"
    free_text: tuple[str, ...] = ()
    export_fields: tuple[str, ...] = ()
    rows: Callable[[User], QuerySet] | None = None

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    @property
    def label(self) -> str:
        return str(self.model_class._meta.verbose_name_plural)

    def person_filter(self, person: User) -> Q | None:
        if not self.people:
            return None
        query = Q()
        for lookup in self.people:
            query |= Q(**{lookup: person.pk})
        return query

    def rows_of(self, person: User) -> QuerySet | None:
        """The rows this model holds of or by the person (None: it links to nobody)."""
        if self.rows is not None:
            return self.rows(person)
        query = self.person_filter(person)
        if query is None:
            return None
        return self.model_class._default_manager.filter(query).distinct()

    def shown_fields(self) -> tuple[str, ...]:
        pk = self.model_class._meta.pk.name
        return self.export_fields or (pk, *(f for f in self.fields if f != pk))


# (cutoff, dry_run) -> how many rows of each kind went (or would go), by a readable name ("agreements").
# The cutoff is now minus the policy's days.
Purge = Callable[[dt.datetime, bool], dict[str, int]]


@dataclasses.dataclass(frozen=True)
class Retention:
    """One kind of data and how long it is kept: `setting` (a whole number of days, from the environment)
    or `default_days`. The nightly purge (kpa.retention) calls `purge` with now minus that many days."""

    key: str
    label: StrOrPromise
    setting: str
    default_days: int
    rule: StrOrPromise  # what happens to it when its time is up, as the retention page says it
    why: StrOrPromise  # why this long: the reason behind the default
    purge: Purge
    order: int = 100  # the purge runs policies in this order (content before the audit entries about it)

    @property
    def days(self) -> int:
        return int(getattr(settings, self.setting, self.default_days))


_processings: dict[str, Processing] = {}
_retentions: dict[str, Retention] = {}


def register(*processings: Processing) -> None:
    for processing in processings:
        _processings[processing.model.lower()] = processing


def register_retention(*retentions: Retention) -> None:
    for retention in retentions:
        _retentions[retention.key] = retention


def processings() -> list[Processing]:
    return list(_processings.values())


def processing_for(model: type[Model] | str) -> Processing | None:
    label = model if isinstance(model, str) else model._meta.label
    return _processings.get(label.lower())


def retentions() -> list[Retention]:
    return sorted(_retentions.values(), key=lambda r: (r.order, r.key))


def retention(key: str) -> Retention:
    return _retentions[key]


def person_fields(model: type[Model]) -> list[str]:
    """The fields of a model that the register must name: relations to people and fields marked personal."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # reverse relations: the other model declares them
        related = getattr(field, "related_model", None)
        if (field.is_relation and related is user_model) or is_marked_personal(field):
            found.append(field.name)
    return found


def unregistered(models: Iterable[type[Model]] | None = None) -> list[str]:
    """Models holding personal data that the register misses, or whose personal fields it does not name:
    "app.Model" or "app.Model.field". The walk of every installed model the tests make."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    missing = []
    for model in models if models is not None else apps.get_models():
        needed = person_fields(model)
        entry = processing_for(model)
        if model is user_model and entry is None:
            missing.append(model._meta.label)
            continue
        if not needed:
            continue
        if entry is None:
            missing.append(model._meta.label)
            continue
        missing.extend(f"{model._meta.label}.{name}" for name in needed if name not in entry.fields)
    return missing
