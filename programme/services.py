"""Writes of the programme: each service validates (full_clean) and saves in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from kpa.audit import audit_created
from kpa.models import User
from programme import seed
from programme.models import (
    ActionLine,
    Activity,
    Indicator,
    IndicatorValue,
    Programme,
    ProgressUpdate,
    Speerpunt,
)
from schools.models import Gemeente

if TYPE_CHECKING:
    from programme.forms import ActivityForm


@transaction.atomic
def utrecht_programme_ensure() -> Programme | None:
    """Utrecht's PO programme with the five lines of seed 000, made if need be (the data migration made
    it already if gemeente 0344 existed then); None while there is no gemeente 0344."""
    return seed.install(
        gemeente_model=Gemeente, programme_model=Programme, line_model=ActionLine, speerpunt_model=Speerpunt
    )


@transaction.atomic
def line_save(*, line: ActionLine, speerpunten: list[str] | None = None) -> ActionLine:
    """Save a line and, given `speerpunten`, make its speerpunten these texts in this order: the n-th keeps
    its row (and the activities under it) with the n-th text, new ones are added, those past the end are
    removed (the form refuses to remove one with activities)."""
    line.full_clean(validate_constraints=False)
    line.save()
    if speerpunten is None:
        return line
    current = list(line.speerpunten.order_by("order"))
    for speerpunt, text in zip(current, speerpunten, strict=False):
        if speerpunt.text != text:
            speerpunt.text = text
            speerpunt.save(update_fields=["text"])
    Speerpunt.objects.filter(pk__in=[s.pk for s in current[len(speerpunten) :]]).delete()
    Speerpunt.objects.bulk_create(
        Speerpunt(line=line, order=order, text=text)
        for order, text in enumerate(speerpunten, start=1)
        if order > len(current)
    )
    return line


@transaction.atomic
def activity_save(*, form: ActivityForm) -> Activity:
    """Save a valid activity form: the activity, its places, partners and indicators, all or nothing.
    Indicators no longer named are removed (the form refuses to remove one with measured values); new
    names are added."""
    activity = form.save()
    names = form.cleaned_data["indicators"]
    activity.indicators.exclude(name__in=names).delete()
    have = set(activity.indicators.values_list("name", flat=True))
    audit_created(  # bulk_create skips the audit trail's signals
        Indicator.objects.bulk_create(
            Indicator(activity=activity, name=name) for name in names if name not in have
        )
    )
    return activity


@transaction.atomic
def progress_update_add(
    *,
    activity: Activity,
    date: dt.date,
    text: str,
    phase: str,
    light: str,
    is_success: bool = False,
    author: User | None = None,
    indicator: Indicator | None = None,
    value: Decimal | None = None,
) -> ProgressUpdate:
    """A progress update, with the indicator's measured value on its date when given."""
    update = ProgressUpdate(
        activity=activity,
        date=date,
        text=text,
        phase=phase,
        light=light,
        is_success=is_success,
        author=author,
    )
    update.full_clean()
    update.save()
    if indicator is not None and value is not None:
        if indicator.activity_id != activity.pk:
            raise ValueError("The indicator belongs to another activity.")
        IndicatorValue.objects.create(indicator=indicator, date=date, value=value, update=update)
    return update


@transaction.atomic
def progress_update_change(
    *,
    update: ProgressUpdate,
    date: dt.date,
    text: str,
    phase: str,
    light: str,
    is_success: bool = False,
    indicator: Indicator | None = None,
    value: Decimal | None = None,
) -> ProgressUpdate:
    """Correct a progress update, keeping its measured value in step: the value it recorded takes the new
    indicator, value and date, is added when one is given now, and is removed when none is (each saved or
    removed on its own, so the audit trail has every change). The author stays who wrote it."""
    update.date, update.text, update.phase, update.light, update.is_success = (
        date,
        text,
        phase,
        light,
        is_success,
    )
    update.full_clean()
    update.save()
    recorded = list(update.indicator_values.order_by("pk"))
    if indicator is None or value is None:
        for measured in recorded:
            measured.delete()
        return update
    if indicator.activity_id != update.activity_id:
        raise ValueError("The indicator belongs to another activity.")
    if not recorded:
        IndicatorValue.objects.create(indicator=indicator, date=date, value=value, update=update)
        return update
    measured, *extra = recorded
    if (measured.indicator_id, measured.date, measured.value) != (indicator.pk, date, value):
        measured.indicator, measured.date, measured.value = indicator, date, value
        measured.full_clean()
        measured.save()
    for other in extra:
        other.delete()
    return update


@transaction.atomic
def progress_update_delete(*, update: ProgressUpdate) -> None:
    """Remove a progress update and the values measured with it (both kept in the audit trail)."""
    for measured in update.indicator_values.all():
        measured.delete()
    update.delete()
