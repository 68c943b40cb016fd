"""Reminders through the real moving parts: a Celery worker process takes the sweep from the broker
(Redis in CI's second pass, the filesystem broker under `make test`), reads the test database and sends
through an SMTP server this test starts (aiosmtpd). The worker sends in batches of four here
(KPA_OUTBOX_BATCH=4: each batch claimed, sent over one SMTP connection and marked in one statement), so
the faults land in the second batch while the first is marked. The fault tests: the worker is killed
(SIGKILL) in the middle of a sweep before the server took the mail, another one takes over, and every
due reminder arrives exactly once; killed after the server took a mail (250 to DATA) and before its batch
was marked sent, nothing is lost and the mails of that batch the server had arrive twice (here the one),
with the same Message-ID. A meeting saved while
the broker is down is delivered by a worker once the broker is back. And two senders at once (SKIP
LOCKED on PostgreSQL, the write lock in turn on SQLite) send each mail once.

These tests commit (the worker reads what they wrote), so the database is flushed after each; the
module puts back what the migrations had put in (the action lines), for the tests after it and for the
next run with --reuse-db."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from kpa.celery import app
from kpa.outbox.models import Notification
from kpa.outbox.sender import message_id, send_due
from kpa.tasks import outbox_sweep_task
from meetings import reminders, services
from meetings.models import Meeting, NotificationKind
from tests.celery_worker import (  # noqa: F401  (_keep_migration_data: a fixture of this module)
    _keep_migration_data,
    start_worker,
    stop_worker,
    worker_database_url,
)
from tests.factories import AssignmentFactory, UserFactory

BASE_DIR = Path(settings.BASE_DIR)
REQUIRE_SERVICES = os.environ.get("KPA_REQUIRE_SERVICES") == "1"
WAIT = 90  # seconds: a worker process starts in a few; CI machines can be slow

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    """An aiosmtpd handler that keeps (recipient, subject) of every message it accepted, and each
    recipient's Message-IDs. It can wait `rcpt_delay` seconds before accepting each recipient (a slow
    server), and tell the test when the n-th message has reached that point (`reached`), before it has
    sent its data. Or, with `hold_after_data=n`, accept the n-th message (250 to its DATA) and then
    leave that connection's QUIT unanswered until `release` is set (at most WAIT seconds), telling the
    test (`reached`): the sender then holds a mail the server has taken and has not marked it sent. On
    one connection per batch, what is held is the next command after that DATA (the next mail's MAIL
    FROM, or QUIT)."""

    def __init__(
        self, *, rcpt_delay: float = 0.0, signal_at: int | None = None, hold_after_data: int | None = None
    ):
        self.rcpt_delay, self.signal_at, self.hold_after_data = rcpt_delay, signal_at, hold_after_data
        self.reached = threading.Event()
        self.release = threading.Event()
        self.accepted: list[tuple[str, str]] = []
        self.message_ids: dict[str, list[str]] = {}
        self._rcpts = self._messages = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self._rcpts += 1
            if self._rcpts == self.signal_at:
                self.reached.set()
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.accepted.extend((rcpt, str(message["Subject"])) for rcpt in envelope.rcpt_tos)
            for rcpt in envelope.rcpt_tos:
                self.message_ids.setdefault(rcpt, []).append(str(message["Message-ID"]))
            self._messages += 1
            if self._messages == self.hold_after_data:
                session.hold_next = True
        return "250 Message accepted for delivery"

    async def _hold_if_asked(self, session) -> None:
        if getattr(session, "hold_next", False):
            session.hold_next = False
            self.reached.set()
            deadline = time.monotonic() + WAIT
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await self._hold_if_asked(session)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        await self._hold_if_asked(session)
        return "221 Bye"

    def per_recipient(self) -> Counter:
        with self._lock:
            return Counter(rcpt for rcpt, _subject in self.accepted)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server(inbox: Inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


class Workers:
    """Celery worker processes on a queue of their own (so no other worker on this broker takes the
    test's tasks), each with its own log file."""

    def __init__(self, tmp_path: Path, smtp_port: int):
        self.tmp_path = tmp_path
        self.queue = f"test-reminders-{uuid.uuid4().hex[:12]}"
        self.env = {
            **os.environ,
            "KPA_TESTING": "1",
            "DATABASE_URL": worker_database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "10",
            "KPA_OUTBOX_BATCH": "4",
        }
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen:
        log_path = self.tmp_path / f"worker-{len(self.processes)}.log"
        process = start_worker(
            env=self.env,
            log_path=log_path,
            queue=self.queue,
            hostname=f"{self.queue}-{len(self.processes)}@%h",
        )
        self.processes.append(process)
        self.logs.append(log_path)
        return process

    def sweep(self) -> None:
        """What beat does every minute: queue a sweep (one that waited a minute is dropped)."""
        outbox_sweep_task.apply_async(queue=self.queue, expires=60)

    def output(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()}" for path in self.logs)

    def stop(self) -> None:
        for process in self.processes:
            stop_worker(process)
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_delete(self.queue)


@pytest.fixture
def workers_for(tmp_path):
    started: list[Workers] = []

    def _workers(smtp_port: int) -> Workers:
        workers = Workers(tmp_path, smtp_port)
        started.append(workers)
        return workers

    yield _workers
    for workers in started:
        workers.stop()


def due_day_before_reminders(school, count: int) -> list[str]:
    """A planned meeting tomorrow at this time (wall clock) less a minute, `count` people on its team:
    each has a day-before reminder due now, once the sweep plans it. Returns their addresses."""
    people = [UserFactory(email=f"lid{i:02d}.{uuid.uuid4().hex[:6]}@team.example") for i in range(count)]
    for person in people:
        AssignmentFactory(person=person, school=school, start_date=dt.date(2020, 8, 1))
    starts_at = reminders.shift_wall_clock(timezone.now() - dt.timedelta(minutes=1), 1)
    meeting = services.meeting_schedule(school=school, starts_at=starts_at)
    # Planned (and invited) ten days ago, so the reminder is not made redundant by a fresh invitation.
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    Meeting.objects.filter(pk=meeting.pk).update(
        created_at=ten_days_ago, updated_at=ten_days_ago, rescheduled_at=ten_days_ago
    )
    Notification.objects.update(sent_at=ten_days_ago)
    return sorted(p.email for p in people)


def wait_for(condition, *, timeout: float, every: float = 0.2, on_each=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if on_each:
            on_each()
        time.sleep(every)
    return condition()


def all_reminders_sent(expected: int) -> bool:
    rows = Notification.objects.filter(kind=NotificationKind.REMINDER)
    return rows.count() == expected and not rows.filter(sent_at=None).exists()


def test_it_uses_the_broker_and_database_the_environment_names():
    if REQUIRE_SERVICES:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        assert connection.vendor == "postgresql"
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"
        assert connection.vendor == "sqlite"
    assert worker_database_url()


@pytest.mark.real_clock  # the worker process runs on the real clock
def test_it_sends_a_due_reminder_through_the_broker_to_a_real_smtp_server(school, workers_for):
    expected = due_day_before_reminders(school, 2)
    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        workers = workers_for(smtp.port)
        workers.start()
        workers.sweep()

        arrived = wait_for(lambda: sorted(inbox.per_recipient()) == expected, timeout=WAIT)
        assert arrived, f"SMTP received {inbox.accepted}\n{workers.output()}"
        assert wait_for(lambda: all_reminders_sent(2), timeout=WAIT), workers.output()

    assert inbox.per_recipient() == Counter(dict.fromkeys(expected, 1))
    assert all(school.name in subject for _rcpt, subject in inbox.accepted)
    assert "kpa.outbox.sweep" in workers.output()


@pytest.mark.real_clock  # the worker process runs on the real clock
def test_it_sends_every_due_reminder_exactly_once_when_a_worker_is_killed_mid_sweep(school, workers_for):
    expected = due_day_before_reminders(school, 12)
    # A slow SMTP server (0.3 s before it accepts each recipient); the test is told when the fifth
    # message is on its way, i.e. while the worker holds its batch's locks (the second batch of four) and
    # waits for the server.
    inbox = Inbox(rcpt_delay=0.3, signal_at=5)
    with smtp_server(inbox) as smtp:
        workers = workers_for(smtp.port)
        first = workers.start()
        workers.sweep()
        assert inbox.reached.wait(WAIT), f"The sweep did not start.\n{workers.output()}"

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=15)
        assert first.returncode == -signal.SIGKILL
        delivered_before_kill = sum(inbox.per_recipient().values())
        assert delivered_before_kill == 4  # the fifth never got past RCPT

        workers.start()
        workers.sweep()
        last_sweep = [time.monotonic()]

        def beat():  # while waiting, sweep again every 10 seconds as beat would
            if time.monotonic() - last_sweep[0] > 10:
                workers.sweep()
                last_sweep[0] = time.monotonic()

        arrived = wait_for(lambda: sorted(inbox.per_recipient()) == expected, timeout=WAIT, on_each=beat)
        assert arrived, f"SMTP received {inbox.accepted}\n{workers.output()}"
        assert wait_for(lambda: all_reminders_sent(12), timeout=WAIT, on_each=beat), workers.output()

    counts = inbox.per_recipient()
    assert counts == Counter(dict.fromkeys(expected, 1)), f"Sent more than once: {counts}"
    assert len(inbox.accepted) == 12


@pytest.mark.real_clock  # the worker process runs on the real clock
def test_it_loses_nothing_and_repeats_one_mail_with_its_message_id_when_killed_after_data(
    school, workers_for
):
    """The worker is killed after the SMTP server accepted the fifth mail (250 to its DATA, the first of
    the second batch) and before its batch is marked sent. Nothing is lost, that one mail goes out a
    second time, and the repeat carries the same Message-ID: what the README promises, and no more."""
    expected = due_day_before_reminders(school, 12)
    inbox = Inbox(hold_after_data=5)
    with smtp_server(inbox) as smtp:
        workers = workers_for(smtp.port)
        first = workers.start()
        workers.sweep()
        try:
            assert inbox.reached.wait(WAIT), f"The fifth mail never arrived.\n{workers.output()}"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=15)
        finally:
            inbox.release.set()
        assert first.returncode == -signal.SIGKILL
        assert sum(inbox.per_recipient().values()) == 5  # the server has the fifth mail
        assert Notification.objects.filter(kind=NotificationKind.REMINDER).exclude(sent_at=None).count() == 4

        workers.start()
        workers.sweep()
        last_sweep = [time.monotonic()]

        def beat():  # while waiting, sweep again every 10 seconds as beat would
            if time.monotonic() - last_sweep[0] > 10:
                workers.sweep()
                last_sweep[0] = time.monotonic()

        arrived = wait_for(lambda: sorted(inbox.per_recipient()) == expected, timeout=WAIT, on_each=beat)
        assert arrived, f"SMTP received {inbox.accepted}\n{workers.output()}"
        assert wait_for(lambda: all_reminders_sent(12), timeout=WAIT, on_each=beat), workers.output()

    counts = inbox.per_recipient()
    assert sorted(counts) == expected  # nothing lost
    [(repeated, twice)] = [(rcpt, n) for rcpt, n in counts.items() if n > 1]  # at most one mail repeated
    assert twice == 2
    first_copy, repeat = inbox.message_ids[repeated]
    assert first_copy == repeat  # recognisably the same message
    rows = Notification.objects.filter(kind=NotificationKind.REMINDER).select_related("recipient")
    assert {
        row.recipient.email: [message_id(row.key)] * counts[row.recipient.email] for row in rows
    } == inbox.message_ids


@contextlib.contextmanager
def broker_down():
    """Point this process's Celery app at a Redis on a port where nothing listens (as if the broker were
    down), and back at the real broker afterwards."""
    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


@pytest.mark.real_clock  # the worker process runs on the real clock
def test_it_saves_a_meeting_while_the_broker_is_down_and_a_real_worker_sends_it_once_it_is_back(
    school, workers_for
):
    """The mails are rows: saving a meeting needs no broker. When the broker is back, a worker started
    on it takes beat's sweep and delivers every invitation, once (no sweep is called in this process)."""
    people = [UserFactory(email=f"lid{i}.{uuid.uuid4().hex[:6]}@team.example") for i in range(2)]
    for person in people:
        AssignmentFactory(person=person, school=school, start_date=dt.date(2020, 8, 1))
    with broker_down():
        started = time.monotonic()
        services.meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=10))
        assert time.monotonic() - started < 5  # the kick to the sender failed at once, quietly
    assert Notification.objects.filter(sent_at=None).count() == 2

    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        workers = workers_for(smtp.port)
        workers.start()
        workers.sweep()

        expected = sorted(p.email for p in people)
        arrived = wait_for(lambda: sorted(inbox.per_recipient()) == expected, timeout=WAIT)
        assert arrived, f"SMTP received {inbox.accepted}\n{workers.output()}"
        assert wait_for(lambda: not Notification.objects.filter(sent_at=None).exists(), timeout=WAIT), (
            workers.output()
        )
        workers.sweep()  # beat's next minute sends nothing again
        swept_twice = wait_for(lambda: workers.output().count("] succeeded in") >= 2, timeout=WAIT)
        assert swept_twice, workers.output()

    assert inbox.per_recipient() == Counter(dict.fromkeys(expected, 1))
    assert "kpa.outbox.sweep" in workers.output()


def test_it_sends_each_mail_once_when_two_senders_run_at_once(school, monkeypatch):
    expected = due_day_before_reminders(school, 40)
    assert reminders.plan_due()["reminders"] == 40
    slow = threading.Lock()
    real_send = EmailBackend.send_messages

    def slow_send(self, messages):
        time.sleep(0.01)  # long enough for the other sender to try the same rows
        with slow:
            return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    start = threading.Barrier(2)
    counts, errors = [], []

    def sender():
        try:
            start.wait()
            counts.append(send_due())
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)

    assert errors == []
    assert sum(counts) == 40
    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert not Notification.objects.filter(sent_at=None).exists()
