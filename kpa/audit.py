"""Rows made with `bulk_create` in the audit trail, as if each had been saved on its own.

`bulk_create` sends no `post_save`, so django-auditlog writes no CREATE entry for them (invitees and agenda
items are made that way when a meeting is planned). `audit_created` writes the entries auditlog's
`log_create` receiver would have written, in one `bulk_create` of LogEntry, reusing auditlog's own code:

- the changes: `auditlog.diff.model_instance_diff(None, obj)`, as the receiver computes them (so include,
  exclude and mask rules of the registration hold);
- the other fields (content type, object pk and id, `object_repr`, serialized data, correlation id):
  `LogEntryManager.log_create`, run on a manager whose `create` hands back the unsaved entry;
- the actor, its e-mail and the remote address: auditlog puts them on an entry in a `pre_save` receiver
  of LogEntry that `set_actor` / `AuditlogMiddleware` connect for the current context (auditlog.context).
  `bulk_create` sends no `pre_save` either, so it is sent here for each entry, exactly as `save()` would.

Like auditlog's receivers it writes nothing under `auditlog.context.disable_auditlog()`, nothing for a model
not registered with auditlog and nothing for an object without changes. It does not send auditlog's
`pre_log`/`post_log` signals (KPA listens to neither). Call it right after the `bulk_create`, in the same
transaction, with the objects it returned (they have their primary keys on PostgreSQL and SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog import get_logentry_model
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.registry import auditlog
from django.conf import settings
from django.db import router
from django.db.models import Model
from django.db.models.signals import pre_save


def _unsaved_entries_manager():
    """auditlog's LogEntry manager, but `create` returns the entry unsaved (for one bulk_create)."""
    log_entry = get_logentry_model()

    class UnsavedEntries(type(log_entry.objects)):
        def create(self, **kwargs):
            return self.model(**kwargs)

    manager = UnsavedEntries()
    manager.model = log_entry
    return manager


def audit_created(objects: Iterable[Model]) -> list:
    """Write a CREATE LogEntry for each object just made with bulk_create (of a model auditlog logs),
    with the actor and remote address of the current auditlog context. Returns the entries written."""
    if auditlog_disabled.get():
        return []
    log_entry = get_logentry_model()
    entries_manager = _unsaved_entries_manager()
    entries = []
    for obj in objects:
        if not auditlog.contains(type(obj)):
            continue
        if obj.pk is None:
            raise ValueError(f"{obj!r} has no primary key: audit it after it was created.")
        changes = model_instance_diff(None, obj, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES)
        if not changes:
            continue
        entry = entries_manager.log_create(obj, action=log_entry.Action.CREATE, changes=changes)
        using = router.db_for_write(log_entry, instance=entry)
        pre_save.send(sender=log_entry, instance=entry, raw=False, using=using, update_fields=None)
        entries.append(entry)
    if not entries:
        return []
    return log_entry.objects.bulk_create(entries)
