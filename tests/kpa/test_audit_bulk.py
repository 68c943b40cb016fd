"""Rows made with bulk_create are in the audit trail (kpa.audit.audit_created): planning a meeting leaves a
CREATE entry per invitee and agenda item, with the actor and address of the request or of set_actor, and
the same fields auditlog itself writes when a row is saved on its own."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from kpa.audit import audit_created
from kpa.outbox.models import Notification
from meetings import services
from meetings.models import AgendaItem, Invitee, Meeting
from partners.models import Role
from programme import services as programme_services
from programme.models import Indicator, Speerpunt
from programme.services import utrecht_programme_ensure
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import at
from tests.programme.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(2026, 9, 1, 10), tick=False):
        yield


def created_entries(model) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action=LogEntry.Action.CREATE
        ).order_by("object_id")
    )


def plan(school, **kwargs) -> Meeting:
    return services.meeting_schedule(school=school, starts_at=at(2026, 9, 15), **kwargs)


def test_it_audits_each_invitee_and_agenda_item_of_a_planned_meeting_with_the_actor(
    school, ib, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(), set_actor(ib, remote_addr="192.0.2.7"):
        meeting = plan(school, created_by=ib)

    invitees = list(meeting.invitees.order_by("pk"))
    items = list(meeting.agenda_items.order_by("pk"))
    assert len(invitees) == 2 and items  # the IB-er and the kernpartner; the default agenda
    for model, rows in ((Invitee, invitees), (AgendaItem, items)):
        entries = created_entries(model)
        assert [e.object_id for e in entries] == [row.pk for row in rows]
        for entry, row in zip(entries, rows, strict=True):
            assert (entry.actor, entry.actor_email, entry.remote_addr) == (ib, ib.email, "192.0.2.7")
            assert entry.object_repr == str(row)
            assert entry.object_pk == str(row.pk)
    person = {e.object_id: e.changes_dict for e in created_entries(Invitee)}[invitees[0].pk]
    assert person["person"] == ["None", str(invitees[0].person_id)]
    assert person["role"] == ["None", invitees[0].role]
    assert person["meeting"] == ["None", str(meeting.pk)]
    # The meeting itself was saved on its own: auditlog's signal logged it, once.
    assert len(created_entries(Meeting)) == 1


def test_it_writes_what_auditlog_writes_for_a_row_saved_on_its_own(school, ib, meeting_saved):
    """The same kind of row once saved (auditlog's signal) and once bulk-created (audit_created): the
    entries agree in every field but their own id, the object's and the person's."""
    meeting = meeting_saved  # the IB-er was invited when it was planned
    one, other = UserFactory(), UserFactory()
    with set_actor(ib, remote_addr="192.0.2.7"):
        Invitee(meeting=meeting, person=one, role=Role.BUURTTEAM).save()
        bulk = Invitee.objects.bulk_create([Invitee(meeting=meeting, person=other, role=Role.BUURTTEAM)])
        audit_created(bulk)

    by_signal, by_helper = created_entries(Invitee)[-2:]
    fields = [
        "content_type",
        "action",
        "actor",
        "actor_email",
        "remote_addr",
        "remote_port",
        "cid",
        "timestamp",
    ]
    assert [getattr(by_signal, f) for f in fields] == [getattr(by_helper, f) for f in fields]
    assert set(by_signal.changes) == set(by_helper.changes)
    for name in ("role", "attendance", "replaced_by", "meeting"):
        assert by_signal.changes[name] == by_helper.changes[name]
    assert by_helper.changes["person"] == ["None", str(other.pk)]
    assert by_signal.serialized_data == by_helper.serialized_data is None  # not asked for in meetings.audit
    assert by_helper.object_repr == str(bulk[0])


@pytest.fixture
def meeting_saved(school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        return plan(school)


def test_a_page_request_sets_the_actor_and_address(
    client, school, ib, partner, django_capture_on_commit_callbacks
):
    """Through AuditlogMiddleware: the IB-er plans the meeting on the page."""
    client.force_login(ib)
    data = {"date": "2026-09-15", "start_time": "09:00", "end_time": "", "location": "Teamkamer"}

    with django_capture_on_commit_callbacks():
        response = client.post(reverse("meetings:plan", args=[school.pk]), data)

    meeting = Meeting.objects.get(school=school)
    assert response.status_code == 302
    entries = created_entries(Invitee) + created_entries(AgendaItem)
    assert len(entries) == meeting.invitees.count() + meeting.agenda_items.count()
    assert {(e.actor, e.remote_addr) for e in entries} == {(ib, "127.0.0.1")}


def test_a_newcomer_invited_to_planned_meetings_is_audited(
    school, ib, meeting_saved, django_capture_on_commit_callbacks
):
    """meetings.services.invitees_sync: a new kernpartner is added to the meetings already planned."""
    newcomer = UserFactory()
    AssignmentFactory(person=newcomer, school=school, role=Role.JGZ, start_date=dt.date(2026, 8, 1))
    admin = UserFactory()

    with django_capture_on_commit_callbacks(), set_actor(admin):
        services.invitees_sync(school_ids=[school.pk])

    added = meeting_saved.invitees.get(person=newcomer)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Invitee),
        object_id=added.pk,
        action=LogEntry.Action.CREATE,
    )
    assert entry.actor == admin


def test_new_indicators_of_an_activity_are_audited(wijk):
    line = utrecht_programme_ensure().lines.get(number=4)
    activity = ActivityFactory(line=line, title="Jazzsingel")
    actor = UserFactory()
    with set_actor(actor):
        made = audit_created(
            Indicator.objects.bulk_create([Indicator(activity=activity, name=n) for n in ("A", "B")])
        )

    assert len(made) == 2
    entries = created_entries(Indicator)
    assert [(e.object_repr, e.actor) for e in entries] == [("A", actor), ("B", actor)]


def test_the_activity_service_audits_the_indicators_it_bulk_creates(wijk, monkeypatch):
    """programme.services.activity_save calls audit_created with the indicators it made."""
    activity = ActivityFactory(line=utrecht_programme_ensure().lines.get(number=4), title="Jazzsingel")

    class Form:
        cleaned_data = {"indicators": ["Bijeenkomsten", "Deelnemende scholen"]}

        def save(self):
            return activity

    programme_services.activity_save(form=Form())

    assert sorted(e.object_repr for e in created_entries(Indicator)) == [
        "Bijeenkomsten",
        "Deelnemende scholen",
    ]


def test_it_skips_models_auditlog_does_not_log_and_respects_disable(school, meeting_saved, ib):
    line = utrecht_programme_ensure().lines.get(number=4)
    before = LogEntry.objects.count()
    speerpunten = Speerpunt.objects.bulk_create([Speerpunt(line=line, order=99, text="Niet gelogd")])
    notifications = list(Notification.objects.all()[:1])
    assert audit_created([*speerpunten, *notifications]) == []

    with disable_auditlog():
        rows = AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting_saved, position=50, title="Extra")])
        assert audit_created(rows) == []
    assert LogEntry.objects.count() == before
    assert audit_created([]) == []


def test_it_refuses_an_object_without_a_primary_key(meeting_saved):
    with pytest.raises(ValueError, match="no primary key"):
        audit_created([AgendaItem(meeting=meeting_saved, position=60, title="Niet opgeslagen")])


def test_without_an_actor_the_entries_have_none(school, ib, django_capture_on_commit_callbacks):
    """A task or command (no request, no set_actor): the rows are audited, without an actor."""
    with django_capture_on_commit_callbacks():
        meeting = plan(school)
    entries = created_entries(Invitee)
    assert len(entries) == meeting.invitees.count() == 1
    assert entries[0].actor is None and entries[0].remote_addr is None
    assert timezone.now() == entries[0].timestamp
