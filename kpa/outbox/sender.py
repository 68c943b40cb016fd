"""Sending what is due from the outbox, a batch at a time.

One batch is one transaction: the due rows are claimed with ONE statement (SELECT … FOR UPDATE SKIP
LOCKED LIMIT n on PostgreSQL; on SQLite the transaction's write lock, BEGIN IMMEDIATE, makes the same
claim exclusive, one sender at a time), then each kind's `load` reads what the checks and mails of the
batch need, once for the batch and after the claim (so the checks see the state as it is now: a meeting
cancelled or a person taken off the team before the claim is never mailed). Each row is checked again
(the kind's why_not_send), rendered, and the batch goes out over ONE connection to the mail server; the
rows the server took are marked sent in ONE statement, the skipped ones in one, the failed ones in one,
and the transaction commits. A batch costs a fixed number of queries, whatever its size.

What is guaranteed: no mail is lost, and a mail is never sent again once its row is marked. Two workers
never send the same row (the claim). A worker that dies mid-batch leaves the rows of its batch unmarked
(PostgreSQL releases their locks when the connection dies), and the next sweep sends them: the mails of
that batch the server had already taken then go out a second time, with the same Message-ID
(message_id, from the row's key), so the repeat is recognisably the same message. settings.
KPA_OUTBOX_BATCH (100) bounds how many that can be.

An error from the mail server marks nothing sent: attempts goes up, last_error is kept, and the row is
due again after 2**attempts minutes; after MAX_ATTEMPTS it is given up (skipped_at, skip_reason). Sent
and skipped rows are pruned after settings.KPA_OUTBOX_KEEP_DAYS.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import time
from collections import defaultdict
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Case, CharField, DateTimeField, F, PositiveSmallIntegerField, Value, When
from django.utils import timezone

from kpa import emails, personal_data
from kpa.outbox import registry
from kpa.outbox.models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def batch_size() -> int:
    return int(getattr(settings, "KPA_OUTBOX_BATCH", 100))


def message_id(key: str) -> str:
    """The Message-ID of the mail of the outbox row with this key: the same each time the row is sent.
    A worker that dies after the SMTP server took a mail and before the row is marked sent leaves it due,
    and the next one sends it again; the repeat then carries the same Message-ID, so a reader, a mail
    client or an archive can tell it is the same message. The domain is the sender's
    (DEFAULT_FROM_EMAIL), else SITE_URL's host."""
    _local, at, domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")
    if not (at and domain):
        domain = urlsplit(settings.SITE_URL).hostname or "kpa.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def send_due(limit: int = 500, *, seconds: float | None = None) -> int:
    """Send up to `limit` due notifications, stopping early after `seconds`. Returns how many were sent.
    Safe to run in any number of workers at once: each batch is claimed, and re-checked after the claim."""
    deadline = None if seconds is None else time.monotonic() + seconds
    sent = tried = 0
    while tried < limit and (deadline is None or time.monotonic() < deadline):
        size = min(batch_size(), limit - tried)
        claimed, sent_now = send_batch(size, deadline=deadline)
        sent += sent_now
        tried += claimed
        if claimed < size:
            break  # nothing more is due, or all that is due is being sent by other workers right now
    return sent


def sweep(*, seconds: float = 50.0, limit: int = 100_000) -> dict[str, int]:
    """One beat run: every registered planner turns what has come due into rows, then what is due is
    sent for at most `seconds` (the next run goes on where this one stopped), and old rows are pruned."""
    now = timezone.now()
    planned: dict[str, int] = {}
    for planner in registry.planners():
        planned |= planner(now)
    sent = send_due(limit, seconds=seconds)
    prune(now)
    return {**planned, "sent": sent}


def prune(now: dt.datetime | None = None) -> int:
    """Delete rows sent or given up more than KPA_OUTBOX_KEEP_DAYS ago (the sent-log is kept that long):
    the outbox's retention policy (kpa.personal_data_kpa.purge_outbox), which the nightly purge applies
    too. A planner never plans for so long ago, so no key it checks is lost."""
    from kpa.personal_data_kpa import purge_outbox

    keep = dt.timedelta(days=personal_data.retention("outbox").days)
    return sum(purge_outbox((now or timezone.now()) - keep, False).values())


def send_batch(size: int, *, deadline: float | None = None) -> tuple[int, int]:
    """Claim, check, send and mark one batch of at most `size` due rows. Returns (claimed, sent)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.due(now)
            .select_related("recipient")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "pk")[:size]
        )
        if not rows:
            return 0, 0
        skipped: dict[int, str] = {}
        failed: dict[int, tuple[Notification, Exception]] = {}
        messages = _render(rows, now, skipped, failed)
        sent = _deliver(messages, failed, deadline)
        done = timezone.now()
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                sent_at=done, attempts=F("attempts") + 1, last_error=""
            )
        if skipped:
            _mark_skipped(skipped, done)
        if failed:
            _record_failures(list(failed.values()), done)
    return len(rows), len(sent)


def _render(
    rows: list[Notification],
    now: dt.datetime,
    skipped: dict[int, str],
    failed: dict[int, tuple[Notification, Exception]],
) -> list[tuple[Notification, EmailMessage]]:
    """Each row checked again by its kind and rendered; the kinds sharing a loader share one load."""
    kinds: dict[int, registry.Kind] = {}
    by_loader: dict[registry.Loader, list[Notification]] = defaultdict(list)
    for row in rows:
        kind = registry.get(row.kind)
        if kind is None:
            skipped[row.pk] = f"Unknown kind {row.kind!r}."
            continue
        kinds[row.pk] = kind
        by_loader[kind.load].append(row)
    contexts = {load: load(group, now) for load, group in by_loader.items()}
    merge = emails.MailMerge()  # the invitees of one meeting: its reminder rendered once
    # One Date for the batch (it is sent within seconds), so its header is parsed once, not per mail.
    date = format_datetime(
        timezone.localtime(now) if settings.EMAIL_USE_LOCALTIME else now.astimezone(dt.UTC)
    )
    messages = []
    for row in rows:
        kind = kinds.get(row.pk)
        if kind is None:
            continue
        context = contexts[kind.load]
        person = row.recipient
        reason = (
            "Recipient is no longer active."
            if not person.is_active
            else "Recipient has no e-mail address."
            if not person.email
            else kind.why_not_send(row, context, now)
        )
        if reason:
            skipped[row.pk] = reason
            logger.info("Skipped notification %s: %s", row.key, reason)
            continue
        try:
            mail = kind.render(row, context)
            message = emails.template_mail(
                mail.template,
                to=[person.email],
                context={"recipient": person, **mail.context},
                attachments=mail.attachments,
                headers={"Message-ID": message_id(row.key), "Date": date},
                merge=merge,
                merge_key=mail.merge_key,
                fills=mail.fills,
            )
        except Exception as error:  # a rendering error: nothing was sent
            failed[row.pk] = (row, error)
            continue
        messages.append((row, message))
    return messages


def _deliver(
    messages: list[tuple[Notification, EmailMessage]],
    failed: dict[int, tuple[Notification, Exception]],
    deadline: float | None,
) -> list[int]:
    """Send over one connection; a failure is that row's (the connection is opened again for the rest).
    Returns the pks the server took. Past the deadline the rest is left due."""
    sent: list[int] = []
    if not messages:
        return sent
    connection = mailers.default
    try:
        connection.open()
    except Exception as error:  # the server is unreachable: every mail of the batch failed this time
        for row, _message in messages:
            failed[row.pk] = (row, error)
        return sent
    try:
        for row, message in messages:
            if deadline is not None and time.monotonic() >= deadline:
                break
            try:
                if connection.send_messages([message]) != 1:
                    raise RuntimeError("The mail backend did not take the mail.")
            except Exception as error:
                failed[row.pk] = (row, error)
                with contextlib.suppress(Exception):
                    connection.close()
                with contextlib.suppress(Exception):  # if it fails, so does the next mail
                    connection.open()
                continue
            sent.append(row.pk)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return sent


def _mark_skipped(skipped: dict[int, str], now: dt.datetime) -> None:
    """One statement for every skipped row of the batch, each with its reason."""
    Notification.objects.filter(pk__in=skipped).update(
        skipped_at=now,
        skip_reason=Case(
            *(When(pk=pk, then=Value(reason[:200])) for pk, reason in skipped.items()),
            output_field=CharField(),
        ),
    )


def _record_failures(failures: list[tuple[Notification, Exception]], now: dt.datetime) -> None:
    """One statement for every failed row of the batch: attempts up, the error kept, due again after
    2**attempts minutes, or given up after MAX_ATTEMPTS."""
    attempts, errors, due, skipped_at, reasons = [], [], [], [], []
    for row, error in failures:
        tries = row.attempts + 1
        message = f"{type(error).__name__}: {error}"[:500]
        attempts.append(When(pk=row.pk, then=Value(tries)))
        errors.append(When(pk=row.pk, then=Value(message)))
        if tries >= MAX_ATTEMPTS:
            skipped_at.append(When(pk=row.pk, then=Value(now)))
            reasons.append(When(pk=row.pk, then=Value(f"Gave up after {tries} failed attempts.")))
            logger.error("Gave up on notification %s: %s", row.key, message)
        else:
            due.append(When(pk=row.pk, then=Value(now + dt.timedelta(minutes=2**tries))))
            logger.warning("Notification %s failed (attempt %s), retrying: %s", row.key, tries, message)
    Notification.objects.filter(pk__in=[row.pk for row, _error in failures]).update(
        attempts=Case(*attempts, output_field=PositiveSmallIntegerField()),
        last_error=Case(*errors, output_field=CharField()),
        due_at=Case(*due, default=F("due_at"), output_field=DateTimeField()),
        skipped_at=Case(*skipped_at, default=F("skipped_at"), output_field=DateTimeField()),
        skip_reason=Case(*reasons, default=F("skip_reason"), output_field=CharField()),
    )
