"""The DUO import in the background (schools.import_jobs): batches, a claim per worker, and a run that
stops halfway and is finished by the next one with the same end result as an uninterrupted run. The real
processes (two web servers and a worker killed halfway): test_import_processes.py."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from schools import import_jobs
from schools.importer import Upserter, duo_import
from schools.models import DuoImport, DuoImportStatus, Gemeente, School
from schools.personal_data import purge_duo_imports
from tests.factories import UserFactory
from tests.schools.duo_files import duo_file

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _small_batches(settings, monkeypatch):
    settings.KPA_DUO_IMPORT_BATCH = 7
    settings.KPA_DUO_IMPORT_LEASE_SECONDS = 60
    settings.KPA_DUO_IMPORT_PAUSE_SECONDS = 0
    monkeypatch.setattr(import_jobs, "_enqueue", lambda pk: None)  # the tests run the worker's part


def confirmed(data: bytes, **options) -> DuoImport:
    job = import_jobs.duo_upload_store(
        data=data, file_name="vestigingen.csv", gemeente="", sector="PO", by=UserFactory(), **options
    )
    assert import_jobs.duo_import_confirm(job=job)
    return job


def snapshot() -> list[tuple]:
    return sorted(
        School.objects.values_list("brin", "vestiging", "name", "postcode", "gemeente__code", "wijk_id")
    )


def figures(job: DuoImport) -> tuple:
    job.refresh_from_db()
    return (
        job.status,
        job.rows_total,
        job.rows_done,
        job.created_count,
        job.updated_count,
        job.unchanged_count,
        job.rejected_count,
        job.unplaced_count,
    )


class Killed(BaseException):
    """What a worker killed mid-batch looks like from the database: the batch's transaction never
    commits. (A BaseException, like the SystemExit of a worker's warm shutdown: nothing catches it.)"""


def test_it_imports_in_batches_with_the_figures_of_an_import_in_one_go():
    data = duo_file(40, bad_every=9)
    expected = duo_import(data=data, default_sector="PO", dry_run=True)
    job = confirmed(data)

    assert import_jobs.duo_import_run(pk=job.pk) is True

    assert figures(job) == (DuoImportStatus.DONE, 36, 36, 36, 0, 0, 4, 36)
    assert (expected.created, expected.rejected, len(expected.unplaced)) == (36, 4, 36)
    assert School.objects.count() == 36
    assert bytes(job.data) == b""  # the file goes; the figures stay
    assert import_jobs.duo_import_run(pk=job.pk) is False  # done: nothing more to do


def test_it_runs_nothing_that_was_not_confirmed_or_was_cancelled():
    job = import_jobs.duo_upload_store(data=duo_file(3), file_name="x.csv", gemeente="", sector="PO", by=None)

    assert import_jobs.duo_import_run(pk=job.pk) is False
    assert import_jobs.duo_import_cancel(job=job) is True
    assert import_jobs.duo_import_confirm(job=job) is False
    assert import_jobs.duo_import_run(pk=job.pk) is False
    assert not School.objects.exists()


def test_it_confirms_once(django_capture_on_commit_callbacks, monkeypatch):
    asked = []
    monkeypatch.setattr(import_jobs, "_enqueue", asked.append)
    job = import_jobs.duo_upload_store(data=duo_file(3), file_name="x.csv", gemeente="", sector="PO", by=None)

    with django_capture_on_commit_callbacks(execute=True):
        first = import_jobs.duo_import_confirm(job=job)
        second = import_jobs.duo_import_confirm(job=job)  # a double click

    assert (first, second) == (True, False)
    assert asked == [job.pk]
    assert import_jobs.duo_import_cancel(job=job) is False  # confirmed: too late to cancel


def test_it_finishes_a_run_killed_halfway_with_the_result_of_an_uninterrupted_run(monkeypatch):
    data = duo_file(50, bad_every=11)
    job = confirmed(data)
    calls = {"n": 0}
    upsert = Upserter.upsert

    def killed_in_the_fourth_batch(self, rows, report):
        calls["n"] += 1
        upsert(self, rows, report)  # the batch's schools are written ...
        if calls["n"] == 4:
            raise Killed  # ... and the worker dies before its transaction commits

    with time_machine.travel(NOW, tick=False):
        with monkeypatch.context() as patched:
            patched.setattr(Upserter, "upsert", killed_in_the_fourth_batch)
            with pytest.raises(Killed):
                import_jobs.duo_import_run(pk=job.pk)
        job.refresh_from_db()
        assert (job.status, job.rows_done, School.objects.count()) == (DuoImportStatus.RUNNING, 21, 21)
        assert import_jobs.duo_import_run(pk=job.pk) is False  # its lease still runs: nobody takes it
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        asked = []
        monkeypatch.setattr(import_jobs, "_enqueue", asked.append)
        assert import_jobs.duo_imports_resume() == 1  # the sweep asks a worker again
        assert import_jobs.duo_import_run(pk=asked[0]) is True
    interrupted = (snapshot(), figures(job)[1:])

    School.objects.all().delete()
    Gemeente.objects.all().delete()
    uninterrupted_job = confirmed(data)
    import_jobs.duo_import_run(pk=uninterrupted_job.pk)

    assert figures(job)[0] == DuoImportStatus.DONE
    assert len(interrupted[0]) == 46
    assert [(b, v, n, p, g) for b, v, n, p, g, _w in interrupted[0]] == [
        (b, v, n, p, g) for b, v, n, p, g, _w in snapshot()
    ]
    assert interrupted[1] == figures(uninterrupted_job)[1:] == (46, 46, 46, 0, 0, 4, 46)


def test_a_second_worker_leaves_an_import_another_one_runs():
    job = confirmed(duo_file(5))

    with time_machine.travel(NOW, tick=False):
        assert import_jobs._claim(job.pk) is not None
        assert import_jobs.duo_import_run(pk=job.pk) is False

    assert not School.objects.exists()


def test_a_run_that_lost_its_lease_to_another_stops():
    job = confirmed(duo_file(5))
    with time_machine.travel(NOW, tick=False):
        first = import_jobs._claim(job.pk)
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):  # the first run stalled
        second = import_jobs._claim(job.pk)
        assert second is not None and second != first

        import_jobs._run(job.pk, first)  # the stalled run wakes up: not its import any more

        assert not School.objects.exists()
        import_jobs._run(job.pk, second)
    assert figures(job)[:3] == (DuoImportStatus.DONE, 5, 5)


def test_an_import_that_keeps_failing_is_marked_failed_with_its_error(
    settings, monkeypatch, client, admin_user
):
    settings.KPA_DUO_IMPORT_ATTEMPTS = 2
    job = confirmed(duo_file(20))
    upsert = Upserter.upsert
    calls = {"n": 0}

    def fails_in_the_second_batch(self, rows, report):
        calls["n"] += 1
        if calls["n"] % 2 == 0:
            raise ValueError("database says no")
        upsert(self, rows, report)

    monkeypatch.setattr(Upserter, "upsert", fails_in_the_second_batch)
    with time_machine.travel(NOW, tick=False), pytest.raises(ValueError):
        import_jobs.duo_import_run(pk=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_done) == (DuoImportStatus.RUNNING, 1, 7)
    assert job.error == "ValueError: database says no"
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        assert import_jobs.duo_imports_resume() == 1  # tried again once its lease ran out
        with pytest.raises(ValueError):
            import_jobs.duo_import_run(pk=job.pk)
    with time_machine.travel(NOW + dt.timedelta(seconds=200), tick=False):
        assert import_jobs.duo_imports_resume() == 0  # failed: not tried again
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease_until) == (DuoImportStatus.FAILED, 2, None)
    assert School.objects.count() == 7 + 7  # one batch in each run

    client.force_login(admin_user)
    page = client.get(f"/schools/import/{job.pk}/").content.decode()
    with translation.override("nl"):
        stopped = gettext(
            "This import stopped on an error and was not finished. What it imported until then is in the "
            "school register; import the file again to complete it."
        )
    assert escape(stopped) in page and "database says no" in page
    assert "data-import-progress" not in page


def test_the_sweep_asks_again_only_for_imports_nobody_runs(monkeypatch):
    asked = []
    monkeypatch.setattr(import_jobs, "_enqueue", asked.append)
    with time_machine.travel(NOW - dt.timedelta(minutes=2), tick=False):
        waiting = confirmed(duo_file(2))  # the broker was down when it was confirmed
        stalled = confirmed(duo_file(2))
        running = confirmed(duo_file(2))
        done = confirmed(duo_file(2))
        uploaded = import_jobs.duo_upload_store(data=b"x", file_name="x", gemeente="", sector="", by=None)
    with time_machine.travel(NOW - dt.timedelta(seconds=10), tick=False):
        in_the_queue = confirmed(duo_file(2))  # confirmed just now: its task is on its way
    with time_machine.travel(NOW, tick=False):
        DuoImport.objects.filter(pk=stalled.pk).update(
            status=DuoImportStatus.RUNNING, lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
        DuoImport.objects.filter(pk=running.pk).update(
            status=DuoImportStatus.RUNNING, lease_until=timezone.now() + dt.timedelta(seconds=30)
        )
        DuoImport.objects.filter(pk=done.pk).update(status=DuoImportStatus.DONE)

        assert import_jobs.duo_imports_resume() == 2
        assert import_jobs.duo_imports_resume() == 1  # the waiting one is not asked for again at once

    assert sorted(map(str, asked)) == sorted([str(waiting.pk), str(stalled.pk), str(stalled.pk)])
    assert uploaded.pk not in asked and in_the_queue.pk not in asked


def test_the_retention_policy_drops_old_imports_and_abandoned_uploads():
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        old = confirmed(duo_file(2))
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        abandoned = import_jobs.duo_upload_store(data=b"x", file_name="x", gemeente="", sector="", by=None)
        recent = confirmed(duo_file(2))
    with time_machine.travel(NOW, tick=False):
        fresh = import_jobs.duo_upload_store(data=b"x", file_name="x", gemeente="", sector="", by=None)

        counts = purge_duo_imports(timezone.now() - dt.timedelta(days=365), dry_run=False)

    left = set(DuoImport.objects.values_list("pk", flat=True))
    assert left == {recent.pk, fresh.pk}
    assert old.pk not in left and abandoned.pk not in left
    assert sum(counts.values()) == 2
