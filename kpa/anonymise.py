"""Anonymising a person who left, in place: their history stays readable, naming a pseudonym.

Foreign keys to people are PROTECT (or SET_NULL), so a person is never deleted: meetings they attended,
agreements they owned and answers they gave keep pointing at the same row, which from then on is
"Oud-gebruiker <id>" with an address that cannot receive mail and no password. Built from the register
(kpa.personal_data), so a model registered there is covered:

- rows `people` links to the person are kept (now naming the pseudonym) or deleted, per `on_leave`
  (sessions, authenticators, addresses, invitations, calendar feed, unsent and sent mails);
- in every `free_text` field of every registered model, and in the audit trail's copies (`changes`,
  `changes_text`, `object_repr`, `actor_email`, the admin history's `object_repr` and `change_message`),
  the person's full name, e-mail addresses and phone number are replaced by the pseudonym;
- the audit entries about the person's own account lose the old values of its personal fields, and the
  entries of their own actions lose the IP address they came from.

What it cannot do, on purpose: a first or a last name alone in free text ("Jan zei ...") is not replaced,
as it cannot be told from a colleague of the same name. The free-text guard (kpa.privacy) and the help page
on what to share ask people to write roles, not names.

A person must have left first (kpa.services.user_deactivate); the nightly purge anonymises everyone who left
longer ago than the "accounts" retention (KPA_KEEP_INACTIVE_ACCOUNT_DAYS).
"""

from __future__ import annotations

import json
import re
from typing import Any

from allauth.usersessions.models import UserSession
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import JSONField, Model, Q
from django.utils import timezone

from kpa import personal_data
from kpa.models import User
from kpa.retention import CHUNK, add, delete_rows

PSEUDONYM = "Oud-gebruiker {pk}"
PSEUDONYM_EMAIL = "oud-gebruiker-{pk}@anoniem.invalid"  # .invalid: a name that can never resolve (RFC 2606)
SCRUBBED = "[geanonimiseerd]"
PERSONAL_USER_FIELDS = ("email", "first_name", "last_name", "phone", "password")


def pseudonym(person: User) -> str:
    return PSEUDONYM.format(pk=person.pk)


def old_values(person: User) -> list[str]:
    """What identifies the person in text: their full name (first and last name both, now and as the audit
    trail of their account says they were before), e-mail addresses (allauth may hold older ones, the audit
    trail earlier ones) and phone numbers. Longest first, so "Jan de Vries-Bakker" goes before "Jan de
    Vries". A name of one part only ("Leerplicht") is not looked for: it would match ordinary words."""
    from allauth.account.models import EmailAddress

    firsts, lasts = {person.first_name.strip()}, {person.last_name.strip()}
    values = {person.email, person.phone.strip()}
    values |= set(EmailAddress.objects.filter(user=person).values_list("email", flat=True))
    user_type = ContentType.objects.get_for_model(User)
    history = LogEntry.objects.filter(content_type=user_type, object_pk=str(person.pk)).values_list(
        "changes", flat=True
    )
    for changes in history.iterator(chunk_size=CHUNK):
        if not isinstance(changes, dict):
            continue
        for name, into in (
            ("first_name", firsts),
            ("last_name", lasts),
            ("email", values),
            ("phone", values),
        ):
            for value in changes.get(name) or ():
                if isinstance(value, str) and value not in ("None", SCRUBBED):
                    into.add(value.strip())
    values |= {f"{first} {last}" for first in firsts for last in lasts if first and last}
    return sorted((v for v in values if len(v) >= 4), key=len, reverse=True)


def _pattern(values: list[str]) -> re.Pattern[str]:
    """The values as whole words: "Jan Bos" is not found in "Jan Bosman", "jan@x.nl" not in "jan@x.nlx"
    nor in "ajan@x.nl" (a sentence's full stop after an address still ends it)."""
    alternatives = "|".join(re.escape(v) for v in values)
    return re.compile(rf"(?<![\w@.\-])(?:{alternatives})(?![\w@\-]|\.\w)", re.IGNORECASE)


def _replace_deep(value: Any, pattern: re.Pattern[str], by: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(by, value)
    if isinstance(value, list):
        return [_replace_deep(v, pattern, by) for v in value]
    if isinstance(value, dict):
        return {k: _replace_deep(v, pattern, by) for k, v in value.items()}
    return value


def _contains_any(field: str, values: list[str], json_field: bool = False) -> Q:
    """The rows whose field may hold a value (a superset: _pattern decides)."""
    query = Q()
    for value in values:
        query |= Q(**{f"{field}__icontains": value})
        escaped = json.dumps(value)[1:-1]  # how SQLite's JSON text holds "é" (\u00e9)
        if json_field and escaped != value:
            query |= Q(**{f"{field}__icontains": escaped})
    return query


class _Writer:
    """Rows changed in a loop, written back CHUNK at a time (memory stays bounded); counts what it wrote."""

    def __init__(self, model: type[Model], fields: list[str]) -> None:
        self.model, self.fields, self.rows, self.written = model, fields, [], 0

    def add(self, row: Model) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> int:
        if self.rows:
            self.model._default_manager.bulk_update(self.rows, self.fields)
            self.written += len(self.rows)
            self.rows = []
        return self.written


def _replace_in_free_text(
    values: list[str], pattern: re.Pattern[str], by: str, counts: dict[str, int]
) -> None:
    """In every free-text field of the register (a JSON field too, such as an access entry's filters),
    written back in batches, only where something was replaced."""
    for processing in personal_data.processings():
        model = processing.model_class
        for field in processing.free_text:
            json_field = isinstance(model._meta.get_field(field), JSONField)
            rows = model._default_manager.filter(_contains_any(field, values, json_field)).only("pk", field)
            writer = _Writer(model, [field])
            for row in rows.iterator(chunk_size=CHUNK):
                before = getattr(row, field)
                after = _replace_deep(before, pattern, by)
                if after != before:
                    setattr(row, field, after)
                    writer.add(row)
            add(counts, model, writer.flush())


AUDIT_FIELDS = ["object_repr", "changes", "changes_text", "additional_data", "actor_email"]


def _scrub_audit(
    person: User, values: list[str], pattern: re.Pattern[str], by: str, counts: dict[str, int]
) -> None:
    """The audit trail's copies: entries about the person's own account lose its personal values, every
    entry that mentions them has them replaced, and their own entries lose the IP address they came from
    (one UPDATE, however many). Read in batches; only changed entries are written."""
    user_type = ContentType.objects.get_for_model(User)
    own = LogEntry.objects.filter(actor=person)
    own_count = own.exclude(remote_addr=None, actor_email=PSEUDONYM_EMAIL.format(pk=person.pk)).update(
        remote_addr=None, remote_port=None, actor_email=PSEUDONYM_EMAIL.format(pk=person.pk)
    )
    about_person = Q(content_type=user_type, object_pk=str(person.pk))
    mentions = (
        _contains_any("changes", values, json_field=True)
        | _contains_any("changes_text", values)
        | _contains_any("object_repr", values)
        | _contains_any("actor_email", values)
        | _contains_any("additional_data", values, json_field=True)
    )
    writer = _Writer(LogEntry, AUDIT_FIELDS)
    for entry in (
        LogEntry.objects.filter(about_person | mentions)
        .only("pk", "content_type_id", "object_pk", *AUDIT_FIELDS)
        .iterator(chunk_size=CHUNK)
    ):
        before = [getattr(entry, name) for name in AUDIT_FIELDS]
        if entry.content_type_id == user_type.pk and entry.object_pk == str(person.pk):
            entry.object_repr = by
            if isinstance(entry.changes, dict):
                entry.changes = {
                    name: [SCRUBBED, SCRUBBED] if name in PERSONAL_USER_FIELDS else value
                    for name, value in entry.changes.items()
                }
        entry.changes = _replace_deep(entry.changes, pattern, by)
        entry.changes_text = pattern.sub(by, entry.changes_text)
        entry.object_repr = pattern.sub(by, entry.object_repr)
        entry.additional_data = _replace_deep(entry.additional_data, pattern, by)
        entry.actor_email = pattern.sub(by, entry.actor_email or "") or entry.actor_email
        if [getattr(entry, name) for name in AUDIT_FIELDS] != before:
            writer.add(entry)
    scrubbed = writer.flush()
    admin_writer = _Writer(AdminLogEntry, ["object_repr", "change_message"])
    admin_entries = AdminLogEntry.objects.filter(
        Q(content_type=user_type, object_id=str(person.pk))
        | _contains_any("object_repr", values)
        | _contains_any("change_message", values)
    )
    for admin_entry in admin_entries.iterator(chunk_size=CHUNK):
        before_admin = (admin_entry.object_repr, admin_entry.change_message)
        if admin_entry.content_type_id == user_type.pk and admin_entry.object_id == str(person.pk):
            admin_entry.object_repr = by
        admin_entry.object_repr = pattern.sub(by, admin_entry.object_repr)
        admin_entry.change_message = pattern.sub(by, admin_entry.change_message)
        if (admin_entry.object_repr, admin_entry.change_message) != before_admin:
            admin_writer.add(admin_entry)
    add(counts, LogEntry, max(own_count, scrubbed))  # the two sets overlap: at least this many changed
    add(counts, AdminLogEntry, admin_writer.flush())


@transaction.atomic
def person_anonymise(person: User, *, dry_run: bool = False) -> dict[str, int]:
    """Anonymise one person who left (see the module's docstring). Returns what changed per kind of row;
    a dry run counts and changes nothing. Anonymising twice does nothing the second time."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        return {}
    if person.is_active:
        raise ValueError("Deactivate a person (kpa.services.user_deactivate) before anonymising them.")
    counts: dict[str, int] = {}
    values = old_values(person)
    by = pseudonym(person)
    pattern = _pattern(values) if values else None
    with disable_auditlog():
        for session in UserSession.objects.filter(user=person):
            if not dry_run:
                session.end()
        for processing in personal_data.processings():
            if processing.on_leave == "delete":
                rows = processing.rows_of(person)
                if rows is not None:
                    delete_rows(rows, dry_run, counts)
        if pattern is not None:
            _replace_in_free_text(values, pattern, by, counts)
            _scrub_audit(person, values, pattern, by, counts)
        User.objects.filter(pk=person.pk).update(
            first_name="",
            last_name=by,
            email=PSEUDONYM_EMAIL.format(pk=person.pk),
            phone="",
            password=make_password(None),
            is_active=False,
            anonymised_at=timezone.now(),
        )
    add(counts, User, 1)
    if dry_run:
        transaction.set_rollback(True)
    return counts
