"""The nightly purge: every retention policy of the register (kpa.personal_data.retentions()) applied, with
the copies the audit trail holds of what goes.

Each policy's `purge(cutoff, dry_run)` selects what is older than its cutoff (now minus the policy's days)
and removes or blanks it, counting per kind of row. The helpers below do the part every policy shares:
when a row goes or is blanked, the audit trail's entries about it go too (their `changes` and
`object_repr` are copies of what was removed: old minutes, a name). A dry run selects and counts the same
rows and changes nothing.

`purge()` is what the Celery task (kpa.tasks.purge_task, nightly in the beat schedule) and `manage.py purge`
run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from kpa import personal_data

logger = logging.getLogger(__name__)

CHUNK = 500  # primary keys per IN (...) list: well under SQLite's limit on variables


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def audit_copies(model: type[Model], pks: Iterable[Any]) -> tuple[QuerySet, QuerySet]:
    """The audit trail's entries (django-auditlog's, and the Django admin's history) about these rows."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    keys = [str(pk) for pk in pks]
    return (
        LogEntry.objects.filter(content_type=content_type, object_pk__in=keys),
        AdminLogEntry.objects.filter(content_type=content_type, object_id__in=keys),
    )


def delete_audit_copies(model: type[Model], pks: list[Any], dry_run: bool, counts: dict[str, int]) -> None:
    """Delete (or, dry, count) the audit entries about these rows; counted under the entries' model."""
    for chunk in _chunks(pks):
        for entries in audit_copies(model, chunk):
            number = entries.count() if dry_run else entries.delete()[0]
            add(counts, entries.model, number)


def delete_rows(queryset: QuerySet, dry_run: bool, counts: dict[str, int]) -> list[Any]:
    """Delete the rows and the audit entries about them; counts them in `counts` by model label ("meetings.
    Agreement"). Returns the primary keys."""
    return _apply(queryset, dry_run, counts, lambda rows: rows.delete())


def blank_rows(
    queryset: QuerySet, values: dict[str, Any], dry_run: bool, counts: dict[str, int]
) -> list[Any]:
    """Set `values` (empty text) on the rows and delete the audit entries about them (they hold the old
    text). Counted like delete_rows."""
    return _apply(queryset, dry_run, counts, lambda rows: rows.update(**values))


def _apply(
    queryset: QuerySet, dry_run: bool, counts: dict[str, int], write: Callable[[QuerySet], Any]
) -> list[Any]:
    """The rows' primary keys, counted; unless dry, `write` on them in chunks; then their audit copies."""
    model = queryset.model
    pks = list(queryset.values_list("pk", flat=True))
    if pks:
        add(counts, model, len(pks))
        if not dry_run:
            for chunk in _chunks(pks):
                write(model._default_manager.filter(pk__in=chunk))
        delete_audit_copies(model, pks, dry_run, counts)
    return pks


def add(counts: dict[str, int], model: type[Model], number: int) -> None:
    if number:
        counts[model._meta.label] = counts.get(model._meta.label, 0) + number


def label(key: str) -> str:
    """A count's key ("meetings.Agreement") as people read it ("afspraken")."""
    return str(apps.get_model(key)._meta.verbose_name_plural)


class PartlyPurged(Exception):
    """Raised by a policy that did what it could and failed for some rows (one leaver's anonymisation, say):
    what it did stays, the errors are reported."""

    def __init__(self, counts: dict[str, int], errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.counts, self.errors = counts, errors


@dataclasses.dataclass(frozen=True)
class Outcome:
    retention: personal_data.Retention
    cutoff: dt.datetime
    counts: dict[str, int]
    errors: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def purge(
    now: dt.datetime | None = None, *, dry_run: bool = False, keys: Iterable[str] = ()
) -> list[Outcome]:
    """Apply every retention policy (or those named in `keys`), each in its own transaction, in the
    register's order. A dry run runs the same selections inside a transaction it rolls back, so not even a
    policy that could not help writing changes anything. A policy that fails is logged and reported in its
    Outcome's errors and the others still run: one bad row must not stop every night's purge. The cutoff
    is the same Amsterdam wall-clock time `days` days before now, whatever daylight saving did between."""
    now = now or timezone.now()
    wanted = set(keys)
    outcomes = []
    for retention in personal_data.retentions():
        if wanted and retention.key not in wanted:
            continue
        cutoff = timezone.localtime(now) - dt.timedelta(days=retention.days)
        errors: list[str] = []
        counts: dict[str, int] = {}
        try:
            # The audit trail does not log the purge's own deletes: those entries would copy what goes.
            with transaction.atomic(), disable_auditlog():
                try:
                    counts = retention.purge(cutoff, dry_run)
                except PartlyPurged as partly:
                    counts, errors = partly.counts, partly.errors
                if dry_run:
                    transaction.set_rollback(True)
        except Exception as error:
            logger.exception("Retention policy %s failed.", retention.key)
            counts, errors = {}, [f"{type(error).__name__}: {error}"]
        outcomes.append(Outcome(retention, cutoff, {k: v for k, v in counts.items() if v}, tuple(errors)))
        if not dry_run and any(counts.values()):
            logger.info("Purged %s (before %s): %s", retention.key, cutoff.isoformat(), counts)
    return outcomes
