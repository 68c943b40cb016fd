"""The outbox moved from meetings to kpa with its table and rows (meetings 0005, kpa 0008): a database
made before the move migrates with nothing lost, and its reminders become one kind with their days in the
payload and their keys unchanged (so nothing is planned or sent twice)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kpa.outbox.models import Notification
from tests.celery_worker import _keep_migration_data  # noqa: F401  (a fixture of this module)

BEFORE = [("meetings", "0004_series_invitations"), ("kpa", "0007_encrypt_mfa_secrets")]
UID = "0b6a9d8e-8f1c-4f7e-9d0e-2f6f1d3a4b5c"
STARTS_AT = "2026-11-30T08:00:00+00:00"


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_outbox_row_across_the_move_to_kpa():
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("kpa", "User")
    Gemeente = old.get_model("schools", "Gemeente")
    Wijk = old.get_model("schools", "Wijk")
    School = old.get_model("schools", "School")
    Meeting = old.get_model("meetings", "Meeting")
    OldNotification = old.get_model("meetings", "Notification")

    person = User.objects.create(email="lid@team.example", first_name="Lid", last_name="Team")
    gemeente = Gemeente.objects.create(name="Migratiestad")
    wijk = Wijk.objects.create(name="Oost", gemeente=gemeente)
    school = School.objects.create(
        brin="99ZZ", vestiging="00", name="De Verhuizing", wijk=wijk, gemeente=gemeente
    )
    meeting = Meeting.objects.create(
        school=school,
        uid=UID,
        starts_at=dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC),
        rescheduled_at=timezone.now(),
    )
    now = timezone.now()
    rows = {
        f"before_7d:{UID}:{STARTS_AT}:{person.pk}": ("before_7d", {"days": 7, "starts_at": STARTS_AT}),
        f"before_1d:{UID}:{STARTS_AT}:{person.pk}": ("before_1d", {}),  # planned before payloads had days
        f"invitation:{UID}:0:{person.pk}": ("invitation", {"sequence": 0}),
    }
    for key, (kind, payload) in rows.items():
        OldNotification.objects.create(
            key=key,
            kind=kind,
            recipient_id=person.pk,
            meeting_id=meeting.pk,
            due_at=now,
            payload=payload,
            sent_at=now if kind == "invitation" else None,
        )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = {n.key: n for n in Notification.objects.filter(recipient_id=person.pk)}
    assert set(moved) == set(rows)  # every row, under its own key
    assert {(n.kind, n.payload.get("days"), n.payload.get("starts_at")) for n in moved.values()} == {
        ("reminder", 7, STARTS_AT),
        ("reminder", 1, STARTS_AT),
        ("invitation", None, None),
    }
    invitation = moved[f"invitation:{UID}:0:{person.pk}"]
    assert (invitation.meeting_id, invitation.sent_at) == (meeting.pk, now)
    assert Notification._meta.db_table == "meetings_notification"
