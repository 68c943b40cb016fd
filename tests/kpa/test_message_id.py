"""Every mail of the outbox carries a Message-ID derived from its row's unique key, so a mail sent again
(its worker died after the SMTP server took it, before the row was marked sent) is recognisably the same
message. The repeat through a real worker and SMTP server: tests/meetings/test_worker.py."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from kpa.models import UserKind
from kpa.outbox import sender
from kpa.outbox.models import Notification
from meetings import services
from tests.factories import AssignmentFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=AMS)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitations(school):
    """A meeting planned at NOW for a team of two: two invitations are due."""
    for role, person in {
        "ib": UserFactory(kind=UserKind.SCHOOL, email="ib@school.example"),
        "buurtteam": UserFactory(email="buurtteam@lokalis.example"),
    }.items():
        AssignmentFactory(person=person, school=school, role=role, start_date=dt.date(2020, 8, 1))
    with time_machine.travel(NOW, tick=False):
        services.meeting_schedule(school=school, starts_at=dt.datetime(2026, 10, 26, 9, 0, tzinfo=AMS))
        yield Notification.objects.order_by("pk")


def sent_message_ids() -> dict[str, str]:
    """Recipient -> the Message-ID header of the mail as it went out."""
    return {message.to[0]: message.message()["Message-ID"] for message in mail.outbox}


def test_it_gives_every_mail_a_message_id_made_from_its_outbox_key(invitations):
    assert sender.send_due() == 2

    expected = {
        row.recipient.email: f"<{hashlib.sha256(row.key.encode()).hexdigest()[:32]}@kpa.example>"
        for row in invitations
    }
    assert sent_message_ids() == expected
    assert len(set(expected.values())) == 2  # two rows, two messages


def test_it_sends_a_repeat_with_the_same_message_id(invitations):
    assert sender.send_due() == 2
    first = sent_message_ids()
    # As if the worker had died after the SMTP server took the mail and before the mark committed.
    row = invitations.first()
    Notification.objects.filter(pk=row.pk).update(sent_at=None)
    mail.outbox.clear()

    with time_machine.travel(NOW, tick=False):
        assert sender.send_due() == 1

    assert sent_message_ids() == {row.recipient.email: first[row.recipient.email]}


def test_it_takes_the_domain_from_the_sender_else_from_the_site(settings):
    key = "invitation:123:45"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]

    settings.DEFAULT_FROM_EMAIL = "KPA Utrecht <kpa@utrecht.example>"
    assert sender.message_id(key) == f"<{digest}@utrecht.example>"

    settings.DEFAULT_FROM_EMAIL = "noreply"
    settings.SITE_URL = "https://kpa.gemeente.example:8443"
    assert sender.message_id(key) == f"<{digest}@kpa.gemeente.example>"
