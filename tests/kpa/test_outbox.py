"""The outbox (kpa.outbox): kinds from the registry, batches claimed, sent over one connection and marked
in a fixed number of queries whatever their size, a batch interrupted mid-send repeated with the same
Message-IDs and nothing lost, unknown kinds skipped, old rows pruned. Meetings' own kinds: tests/meetings/
test_notifications.py and test_reminders.py; real workers and SMTP: tests/meetings/test_worker.py."""

from __future__ import annotations

import datetime as dt
import email.policy
import re

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from kpa import emails
from kpa.outbox import registry, sender
from kpa.outbox.models import Notification
from kpa.outbox.registry import Kind, Mail
from meetings import reminders, services
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db


def due_reminders(school, count: int) -> None:
    """`count` week-before reminders due on 23 November 2026 09:00: one meeting, `count` people on the
    team (planned, and invited, a month before)."""
    for i in range(count):
        person = UserFactory(email=f"lid{i:02d}@team.example")
        AssignmentFactory(person=person, school=school, start_date=dt.date(2020, 8, 1))
    with time_machine.travel(at(2026, 10, 1), tick=False):
        services.meeting_schedule(school=school, starts_at=at(2026, 11, 30))
    Notification.objects.update(sent_at=at(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 23), tick=False):
        assert reminders.plan_due()["reminders"] == count


@pytest.mark.parametrize("count", [5, 50])
def test_it_sends_a_batch_of_any_size_in_the_same_queries(school, count, django_assert_num_queries):
    due_reminders(school, count)
    # 1 claim of the due rows with their recipients (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL);
    # meetings' context: 1 meetings, 1 team today, 1 invitees; 1 mark as sent (UPDATE ... WHERE id IN);
    # the batch's transaction is a savepoint and its release here (the test runs in a transaction): 7 for
    # 5 mails and for 50.
    with time_machine.travel(at(2026, 11, 23, 9, 1), tick=False), django_assert_num_queries(7):
        assert sender.send_due() == count
    assert len(mail.outbox) == count


def test_it_sends_a_batch_over_one_connection(school, monkeypatch):
    due_reminders(school, 12)
    opened = []
    real_open = EmailBackend.open

    def counting_open(self):
        opened.append(self)
        return real_open(self)

    monkeypatch.setattr(EmailBackend, "open", counting_open)
    monkeypatch.setattr(sender, "batch_size", lambda: 5)
    with time_machine.travel(at(2026, 11, 23, 9, 1), tick=False):
        assert sender.send_due() == 12
    assert len(opened) == 3  # batches of 5, 5 and 2: one connection each


class Died(BaseException):
    """The worker dies (nothing catches a BaseException on its way out)."""


def test_it_repeats_a_batch_cut_short_with_the_same_message_ids_and_loses_nothing(school, monkeypatch):
    """What is guaranteed, and no more: a batch whose worker dies after the server took some of its mails
    and before the batch was marked is sent again whole; the mails the server had arrive a second time,
    each with its own Message-ID again. An earlier batch, marked, is not repeated."""
    due_reminders(school, 8)
    monkeypatch.setattr(sender, "batch_size", lambda: 4)
    real_send = EmailBackend.send_messages

    def dies_on_the_seventh(self, messages):
        if len(mail.outbox) == 6:
            raise Died
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_on_the_seventh)
    with time_machine.travel(at(2026, 11, 23, 9, 1), tick=False), pytest.raises(Died):
        sender.send_due()
    assert len(mail.outbox) == 6
    assert Notification.objects.filter(sent_at__isnull=False, kind="reminder").count() == 4  # batch one

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    with time_machine.travel(at(2026, 11, 23, 9, 2), tick=False):
        assert sender.send_due() == 4
    assert not Notification.objects.due().exists()
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == 10 and len(set(ids)) == 8  # nothing lost; two mails of batch two went out twice
    keys = Notification.objects.filter(kind="reminder").values_list("key", flat=True)
    assert set(ids) == {sender.message_id(key) for key in keys}


@pytest.fixture
def greeting_kind():
    """A kind no feature app knows: registered, used, and taken out again."""
    loads = []

    def load(rows, now):
        loads.append([row.pk for row in rows])
        return {"count": 2}

    def why_not_send(row, context, now):
        return row.payload.get("refuse", "")

    def render(row, context):
        return Mail("overdue_digest", {"agreements": [], "count": context["count"], "url": "https://x/"})

    kind = Kind(
        name="greeting", key_format="greeting:{person}", load=load, why_not_send=why_not_send, render=render
    )
    registry.register(kind)
    yield kind, loads
    registry._kinds.pop("greeting")


def test_it_sends_a_registered_kind_checked_and_rendered_as_the_registry_says(greeting_kind):
    kind, loads = greeting_kind
    welcome, refused = UserFactory(email="welkom@example.org"), UserFactory(email="nee@example.org")
    now = timezone.now()
    for person, payload in [(welcome, {}), (refused, {"refuse": "Not today."})]:
        Notification.objects.create(
            key=kind.key(person=person.pk), kind="greeting", recipient=person, due_at=now, payload=payload
        )

    assert sender.send_due() == 1
    assert len(loads) == 1 and len(loads[0]) == 2  # one load for the batch
    assert [m.to for m in mail.outbox] == [["welkom@example.org"]]
    assert "2" in mail.outbox[0].subject
    refused_row = Notification.objects.get(recipient=refused)
    assert (refused_row.sent_at, refused_row.skip_reason) == (None, "Not today.")


def test_it_skips_a_kind_nobody_registered_and_an_inactive_recipient(greeting_kind):
    now = timezone.now()
    gone = UserFactory(email="weg@example.org", is_active=False)
    Notification.objects.create(key="mystery:1", kind="mystery", recipient=UserFactory(), due_at=now)
    Notification.objects.create(key="greeting:gone", kind="greeting", recipient=gone, due_at=now)

    assert sender.send_due() == 0
    assert dict(Notification.objects.values_list("key", "skip_reason")) == {
        "mystery:1": "Unknown kind 'mystery'.",
        "greeting:gone": "Recipient is no longer active.",
    }
    assert mail.outbox == []


def test_it_prunes_rows_sent_or_given_up_long_ago_and_keeps_the_rest(settings):
    settings.KPA_OUTBOX_KEEP_DAYS = 30
    person = UserFactory()
    now = timezone.now()
    old, recent = now - dt.timedelta(days=31), now - dt.timedelta(days=29)
    rows = {
        "sent-old": {"sent_at": old, "due_at": old},
        "skipped-old": {"skipped_at": old, "due_at": old},
        "sent-recent": {"sent_at": recent, "due_at": recent},
        "due-old": {"due_at": old},  # never sent: kept, whatever its age
    }
    for key, fields in rows.items():
        Notification.objects.create(key=key, kind="greeting", recipient=person, **fields)

    assert sender.prune(now) == 2
    assert set(Notification.objects.values_list("key", flat=True)) == {"sent-recent", "due-old"}


def test_it_builds_a_mail_with_one_header_class_per_name_and_the_same_bytes():
    """kpa.emails makes each header class once (the standard library makes one per header parsed, which
    was most of the time a mail took); the mail is the same, byte for byte."""
    message = emails.template_mail(
        "overdue_digest",
        to=["lid@team.example"],
        context={"agreements": [], "count": 2, "url": "https://kpa.example/"},
        headers={"Message-ID": "<a@kpa.example>"},
    )

    def normalised(raw: bytes) -> bytes:
        return re.sub(rb"={15}\d+==", b"BOUNDARY", raw)

    ours, standard = message.message(), message.message(policy=email.policy.default)
    assert normalised(ours.as_bytes()) == normalised(standard.as_bytes())
    assert ours.policy.header_factory["Subject"] is ours.policy.header_factory["subject"]
