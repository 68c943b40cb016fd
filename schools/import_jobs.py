"""The DUO import in the background: upload → preview → confirm, and a worker that imports in batches.

The file is kept in the database (`DuoImport.data`), so any web process serves the preview and any worker
runs the import. What is guaranteed, and tested (tests/schools/test_import_jobs.py and, with real
processes, tests/schools/test_import_processes.py):

- A confirmed import is claimed by one run at a time: a compare-and-set on the lease, which names the run
  (`lease_owner`) and is renewed with every batch. Should a run be so slow that its lease runs out and
  another run claims the import, the slow one stops at its next batch, as it no longer holds the lease.
- Each batch of rows is written in one transaction together with `rows_done` and the figures, with the
  import's row locked: a batch is counted once, whatever runs. A worker killed halfway loses at most the
  batch it was writing; whoever takes the import next (the broker's redelivery, or the minutely sweep
  once the lease has run out) goes on from `rows_done`. The schools then end as after an uninterrupted
  run, and the figures add up to the same numbers.
- A run that stops on an error is tried again by the sweep; after KPA_DUO_IMPORT_ATTEMPTS such runs the
  import is marked failed, with the error for the admin (what it imported until then stays).
- The import as a whole is not one transaction (the national file takes longer than a request may):
  while it runs, part of the file is in and part is not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kpa.models import User
from schools.duo import parse_duo_csv
from schools.importer import ImportReport, Upserter
from schools.models import DuoImport, DuoImportStatus

logger = logging.getLogger(__name__)

ACTIVE = (DuoImportStatus.QUEUED, DuoImportStatus.RUNNING)


def _batch_size() -> int:
    return settings.KPA_DUO_IMPORT_BATCH


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.KPA_DUO_IMPORT_LEASE_SECONDS)


def duo_upload_store(*, data: bytes, file_name: str, gemeente: str, sector: str, by: User) -> DuoImport:
    """Keep an uploaded (and checked) DUO file for its preview; nothing is imported yet."""
    return DuoImport.objects.create(
        data=data, file_name=file_name[:200], gemeente=gemeente, sector=sector, created_by=by
    )


def duo_import_cancel(*, job: DuoImport) -> bool:
    """Drop an upload that was not confirmed; False when it was confirmed meanwhile (another tab)."""
    return (
        DuoImport.objects.filter(pk=job.pk, status=DuoImportStatus.UPLOADED).update(
            status=DuoImportStatus.CANCELLED, data=b"", finished_at=timezone.now()
        )
        == 1
    )


def duo_import_confirm(*, job: DuoImport) -> bool:
    """Queue the import of an upload; False when it was already confirmed or cancelled (a double click,
    another tab). The worker is asked once the confirmation is committed; should the broker be down, the
    minutely sweep asks again."""
    now = timezone.now()
    confirmed = (
        DuoImport.objects.filter(pk=job.pk, status=DuoImportStatus.UPLOADED).update(
            status=DuoImportStatus.QUEUED, confirmed_at=now, lease_until=now + _lease()
        )
        == 1
    )
    if confirmed:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return confirmed


def _enqueue(pk) -> None:
    from schools.tasks import duo_import_run_task

    with contextlib.suppress(Exception):  # the sweep is the guarantee; this is only the quick way
        duo_import_run_task.apply_async(args=[str(pk)], retry=False)


def _claim(pk) -> uuid.UUID | None:
    """Take the import for this run: it is waiting for a worker, or it runs with a lease that ran out
    (its worker died). Returns this run's token, or None when the import is not this run's to do."""
    now = timezone.now()
    owner = uuid.uuid4()
    claimed = (
        DuoImport.objects.filter(pk=pk)
        .filter(
            Q(status=DuoImportStatus.QUEUED)
            | Q(status=DuoImportStatus.RUNNING, lease_until__lt=now)
            | Q(status=DuoImportStatus.RUNNING, lease_until__isnull=True)
        )
        .update(status=DuoImportStatus.RUNNING, lease_until=now + _lease(), lease_owner=owner)
    )
    return owner if claimed == 1 else None


def duo_import_run(*, pk) -> bool:
    """Import a confirmed upload, batch by batch, from where an earlier run stopped. Returns False when
    there was nothing to do for this caller (finished, not confirmed, or another run holds it).

    An error stops the run; the import waits for the sweep to try again (after its lease), and after
    KPA_DUO_IMPORT_ATTEMPTS runs that stopped on an error it is marked failed, with the error for the admin.
    A run that finds another run holding the import (its own lease ran out meanwhile) stops."""
    owner = _claim(pk)
    if owner is None:
        return False
    try:
        _run(pk, owner)
    except Exception as error:
        _stopped(pk, owner, error)
        raise
    return True


def _run(pk, owner: uuid.UUID) -> None:
    data = DuoImport.objects.filter(pk=pk).values_list("data", "gemeente", "sector").get()
    parsed = parse_duo_csv(bytes(data[0]), gemeente=data[1] or None, default_sector=data[2] or None)
    rows = parsed.rows
    DuoImport.objects.filter(pk=pk, rows_done=0, rows_total=0).update(
        rows_total=len(rows), rejected_count=len(parsed.errors)
    )
    upserter = Upserter(rows)  # the file's municipalities, made once (and found again by a rerun)
    pause = settings.KPA_DUO_IMPORT_PAUSE_SECONDS
    while True:
        with transaction.atomic():
            job = DuoImport.objects.select_for_update().defer("data").get(pk=pk)
            start = job.rows_done
            if job.status != DuoImportStatus.RUNNING or job.lease_owner != owner or start >= len(rows):
                break
            batch = rows[start : start + _batch_size()]
            report = ImportReport()
            upserter.upsert(batch, report)
            job.rows_done = start + len(batch)
            job.created_count += report.created
            job.updated_count += report.updated
            job.unchanged_count += report.unchanged
            job.unplaced_count += len(report.unplaced)
            job.lease_until = timezone.now() + _lease()
            job.save(
                update_fields=[
                    "rows_done",
                    "created_count",
                    "updated_count",
                    "unchanged_count",
                    "unplaced_count",
                    "lease_until",
                ]
            )
        if pause:  # only to let a test (or a demo) watch the progress bar move
            time.sleep(pause)
    finished = DuoImport.objects.filter(
        pk=pk, status=DuoImportStatus.RUNNING, lease_owner=owner, rows_done__gte=len(rows)
    ).update(status=DuoImportStatus.DONE, data=b"", finished_at=timezone.now(), lease_until=None, error="")
    if finished:
        logger.info("DUO import %s done", pk)


def _stopped(pk, owner: uuid.UUID, error: Exception) -> None:
    """Count a run that stopped on an error; the last allowed one marks the import failed."""
    logger.exception("DUO import %s stopped", pk)
    mine = DuoImport.objects.filter(pk=pk, status=DuoImportStatus.RUNNING, lease_owner=owner)
    mine.update(attempts=F("attempts") + 1, error=f"{type(error).__name__}: {error}"[:2000])
    mine.filter(attempts__gte=settings.KPA_DUO_IMPORT_ATTEMPTS).update(
        status=DuoImportStatus.FAILED, finished_at=timezone.now(), lease_until=None
    )


def duo_imports_resume() -> int:
    """The minutely sweep: ask a worker for every confirmed import nobody runs (the broker was down when
    it was confirmed, or its worker died and its lease ran out). The lease is moved on as it is asked, so
    an import still waiting in a busy queue is not asked for again every minute; asking twice anyway is
    harmless: only one claim succeeds."""
    now = timezone.now()
    stalled = list(
        DuoImport.objects.filter(status__in=ACTIVE)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)
    )
    for pk in stalled:
        DuoImport.objects.filter(pk=pk, status=DuoImportStatus.QUEUED).update(lease_until=now + _lease())
        _enqueue(pk)
    return len(stalled)
