"""The nightly purge (kpa.retention) removes exactly what is due under each retention policy and nothing
else: for each policy a row one day past its boundary goes and a row one day short of it stays; the audit
trail's copies of what goes go too; a dry run changes nothing and counts what the real run does."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from kpa import personal_data, retention
from kpa.models import AccessLog, Invitation, User
from kpa.outbox.models import Notification
from kpa.services import user_deactivate
from meetings.models import AgendaItem, Agreement, AgreementStatus, CollectiveQuestion, Invitee, Meeting
from partners.models import Assignment
from programme.models import ProgressUpdate
from tests.factories import (
    AccessLogFactory,
    AgendaItemFactory,
    AgreementFactory,
    AnswerFactory,
    AssignmentFactory,
    CaseworkCountFactory,
    CollectiveQuestionFactory,
    InvitationFactory,
    InviteeFactory,
    MeetingFactory,
    NotificationFactory,
    ProgressUpdateFactory,
    RoundFactory,
    UserFactory,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 2, 12)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def boundary(key: str) -> dt.datetime:
    return NOW - dt.timedelta(days=personal_data.retention(key).days)


def audit_entries(obj) -> int:
    content_type = ContentType.objects.get_for_model(type(obj))
    return LogEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk)).count()


def test_it_has_one_policy_per_kind_with_a_setting_and_a_reason():
    keys = [r.key for r in personal_data.retentions()]
    assert len(keys) == len(set(keys))
    for policy in personal_data.retentions():
        assert policy.setting.startswith("KPA_")
        assert policy.days >= 1
        assert str(policy.rule) and str(policy.why)
    expected = {"accounts", "meeting_content", "evaluation_open_answers", "outbox", "access_log", "audit_log"}
    assert expected <= set(keys)


def test_every_registered_processing_names_a_known_policy_and_real_fields():
    keys = {r.key for r in personal_data.retentions()}
    for processing in personal_data.processings():
        assert processing.retention in keys, processing.model
        names = {f.name for f in processing.model_class._meta.get_fields()}
        for field in (*processing.fields, *processing.free_text, *processing.shown_fields()):
            assert field in names, f"{processing.model}.{field}"


def test_meeting_content_goes_one_day_past_the_boundary_and_stays_one_day_short():
    edge = boundary("meeting_content")
    old = MeetingFactory(
        starts_at=edge - DAY, ends_at=None, minutes="Besproken: de aanpak.", location="Lokaal 3"
    )
    young = MeetingFactory(starts_at=edge + DAY, ends_at=None, minutes="Besproken: iets anders.")
    for meeting in (old, young):
        AgendaItemFactory(meeting=meeting, notes="notities")
        InviteeFactory(meeting=meeting, replaced_by="Mevrouw Invaller")
        AgreementFactory(meeting=meeting, school=meeting.school, status=AgreementStatus.DONE)
        CollectiveQuestionFactory(meeting=meeting, school=meeting.school, answered_at=edge)
        CaseworkCountFactory(meeting=meeting)
    open_agreement = AgreementFactory(meeting=old, school=old.school, status=AgreementStatus.OPEN)
    open_question = CollectiveQuestionFactory(meeting=old, school=old.school, answered_at=None)
    old_agreement = Agreement.objects.filter(meeting=old, status=AgreementStatus.DONE).get()
    assert audit_entries(old) and audit_entries(old_agreement)

    retention.purge(NOW, keys=["meeting_content"])

    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.minutes, old.location, old.online_url) == ("", "", "")
    assert young.minutes == "Besproken: iets anders."
    assert not AgendaItem.objects.filter(meeting=old).exists()
    assert not Invitee.objects.filter(meeting=old).exists()
    assert set(Agreement.objects.filter(meeting=old)) == {open_agreement}
    assert set(CollectiveQuestion.objects.filter(meeting=old)) == {open_question}
    assert old.casework_counts.count() == 1  # the aggregate stays
    for model in (AgendaItem, Invitee, Agreement, CollectiveQuestion):
        assert model.objects.filter(meeting=young).count() == 1
    # The audit trail's copies of what went (old minutes, the agreement's text) went too.
    assert audit_entries(old) == 0
    assert audit_entries(old_agreement) == 0
    assert audit_entries(young) > 0
    assert audit_entries(open_agreement) > 0


def test_open_answers_are_emptied_one_day_past_the_boundary_and_scores_stay():
    day = boundary("evaluation_open_answers").date()
    old = AnswerFactory(
        response__round=RoundFactory(opens_on=day - 10 * DAY, closes_on=day - DAY), text="open", score=3
    )
    young = AnswerFactory(
        response__round=RoundFactory(opens_on=day - 10 * DAY, closes_on=day + DAY), text="open"
    )

    retention.purge(NOW, keys=["evaluation_open_answers"])

    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.text, old.score) == ("", 3)
    assert young.text == "open"


def test_seats_progress_updates_invitations_outbox_and_logs_go_past_their_boundaries():
    def days_before(key: str, extra: dt.timedelta) -> dt.datetime:
        return boundary(key) + extra

    seats_day = boundary("seats").date()  # a seat that ended before this Amsterdam day goes
    old_seat = AssignmentFactory(start_date=dt.date(2015, 1, 1), end_date=seats_day - DAY)
    kept_seat = AssignmentFactory(start_date=dt.date(2015, 1, 1), end_date=seats_day)
    old_update = ProgressUpdateFactory(created_at=days_before("progress_updates", -DAY))
    kept_update = ProgressUpdateFactory(created_at=days_before("progress_updates", DAY))
    old_invitation = InvitationFactory(expires_at=days_before("invitations", -DAY))
    kept_invitation = InvitationFactory(expires_at=days_before("invitations", DAY))
    accepted_long_ago = InvitationFactory(expires_at=NOW + DAY, accepted_at=days_before("invitations", -DAY))
    old_mail = NotificationFactory(
        due_at=days_before("outbox", -2 * DAY), sent_at=days_before("outbox", -DAY)
    )
    kept_mail = NotificationFactory(
        due_at=days_before("outbox", -2 * DAY), sent_at=days_before("outbox", DAY)
    )
    unsent = NotificationFactory(due_at=days_before("outbox", -2 * DAY))
    old_log = AccessLogFactory()
    kept_log = AccessLogFactory()
    AccessLog.objects.filter(pk=old_log.pk).update(at=days_before("access_log", -DAY))
    AccessLog.objects.filter(pk=kept_log.pk).update(at=days_before("access_log", DAY))
    person = UserFactory()
    LogEntry.objects.all().delete()
    person.first_name = "Gewijzigd"
    person.save()
    old_entry = LogEntry.objects.get()
    person.first_name = "Nogmaals"
    person.save()
    kept_entry = LogEntry.objects.exclude(pk=old_entry.pk).get()
    LogEntry.objects.filter(pk=old_entry.pk).update(timestamp=days_before("audit_log", -DAY))
    LogEntry.objects.filter(pk=kept_entry.pk).update(timestamp=days_before("audit_log", DAY))

    retention.purge(NOW)

    assert not Assignment.objects.filter(pk=old_seat.pk).exists()
    assert Assignment.objects.filter(pk=kept_seat.pk).exists()
    assert not ProgressUpdate.objects.filter(pk=old_update.pk).exists()
    assert ProgressUpdate.objects.filter(pk=kept_update.pk).exists()
    assert set(
        Invitation.objects.filter(pk__in=[old_invitation.pk, kept_invitation.pk, accepted_long_ago.pk])
    ) == {kept_invitation}
    assert set(Notification.objects.filter(pk__in=[old_mail.pk, kept_mail.pk, unsent.pk])) == {
        kept_mail,
        unsent,
    }
    assert set(AccessLog.objects.filter(pk__in=[old_log.pk, kept_log.pk])) == {kept_log}
    assert set(LogEntry.objects.filter(pk__in=[old_entry.pk, kept_entry.pk])) == {kept_entry}


def test_sessions_expired_or_last_seen_past_the_boundary_go():
    person = UserFactory()
    stores = []
    for _ in range(3):
        store = SessionStore()
        store["_auth_user_id"] = str(person.pk)
        store.create()
        stores.append(store)
    Session.objects.filter(session_key=stores[0].session_key).update(
        expire_date=NOW - dt.timedelta(minutes=1)
    )
    old = UserSession.objects.create(
        user=person,
        ip="192.0.2.1",
        user_agent="Firefox",
        session_key=stores[1].session_key,
        last_seen_at=boundary("sessions") - DAY,
    )
    kept = UserSession.objects.create(
        user=person,
        ip="192.0.2.2",
        user_agent="Firefox",
        session_key=stores[2].session_key,
        last_seen_at=boundary("sessions") + DAY,
    )

    retention.purge(NOW, keys=["sessions"])

    assert set(Session.objects.values_list("session_key", flat=True)) == {stores[2].session_key}
    assert set(UserSession.objects.all()) == {kept}
    assert old.pk not in UserSession.objects.values_list("pk", flat=True)


def test_accounts_are_anonymised_one_day_past_the_boundary():
    gone, stays = UserFactory(first_name="Ada", last_name="Lovelace"), UserFactory(first_name="Alan")
    for person, moment in ((gone, boundary("accounts") - DAY), (stays, boundary("accounts") + DAY)):
        with time_machine.travel(moment, tick=False):
            user_deactivate(user=person, by=None)

    retention.purge(NOW, keys=["accounts"])

    gone.refresh_from_db()
    stays.refresh_from_db()
    assert gone.anonymised_at is not None and gone.last_name == f"Oud-gebruiker {gone.pk}"
    assert stays.anonymised_at is None and stays.first_name == "Alan"


def _table_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_the_dry_run_changes_nothing_and_counts_what_the_real_run_does():
    edge = boundary("meeting_content")
    meeting = MeetingFactory(starts_at=edge - DAY, ends_at=None, minutes="oud")
    AgreementFactory(meeting=meeting, school=meeting.school, status=AgreementStatus.DONE)
    AccessLog.objects.filter(pk=AccessLogFactory().pk).update(at=boundary("access_log") - DAY)
    leaver = UserFactory()
    with time_machine.travel(boundary("accounts") - DAY, tick=False):
        user_deactivate(user=leaver, by=None)
    before = _table_counts()
    texts = (Meeting.objects.get().minutes, User.objects.get(pk=leaver.pk).email)

    dry = {o.retention.key: o.counts for o in retention.purge(NOW, dry_run=True)}

    assert _table_counts() == before
    assert (Meeting.objects.get().minutes, User.objects.get(pk=leaver.pk).email) == texts
    real = {o.retention.key: o.counts for o in retention.purge(NOW)}
    assert dry == real
    assert real["meeting_content"]["meetings.Agreement"] == 1
    assert real["access_log"] == {"kpa.AccessLog": 1}
    assert real["accounts"]["kpa.User"] == 1
    # Run again: nothing left to do.
    assert all(not o.counts for o in retention.purge(NOW))


def test_the_command_prints_per_kind_and_the_dry_run_says_it_changed_nothing(capsys):
    AccessLog.objects.filter(pk=AccessLogFactory().pk).update(at=boundary("access_log") - DAY)

    call_command("purge", "--dry-run")
    dry = capsys.readouterr().out
    assert "access_log (730 dagen, vóór 2024-12-02 12:00): gaat weg: 1 toegangslog" in dry
    assert "meeting_content (730 dagen, vóór 2024-12-02 12:00): niets" in dry
    assert "Proefdraai: er is niets veranderd." in dry
    assert AccessLog.objects.count() == 1

    call_command("purge", "--only", "access_log")
    out = capsys.readouterr().out
    assert "access_log (730 dagen, vóór 2024-12-02 12:00): weg: 1 toegangslog" in out
    assert "meeting_content" not in out
    assert not AccessLog.objects.exists()


def test_the_command_refuses_an_unknown_policy():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown policy"):
        call_command("purge", "--only", "minutes")


def test_the_nightly_task_is_scheduled_and_purges(settings):
    from kpa.tasks import purge_task

    assert settings.CELERY_BEAT_SCHEDULE["kpa-purge"]["task"] == "kpa.purge"
    AccessLog.objects.filter(pk=AccessLogFactory().pk).update(at=boundary("access_log") - DAY)
    assert purge_task()["access_log"] == 1
    assert not AccessLog.objects.exists()


def test_a_setting_changes_the_boundary(settings):
    settings.KPA_KEEP_ACCESS_LOG_DAYS = 10
    young = AccessLogFactory()
    AccessLog.objects.filter(pk=young.pk).update(at=NOW - dt.timedelta(days=11))
    retention.purge(NOW, keys=["access_log"])
    assert not AccessLog.objects.exists()


def test_a_failing_policy_is_reported_and_the_others_still_run(monkeypatch, capsys):
    from kpa.retention import PartlyPurged

    old_log = AccessLogFactory()
    AccessLog.objects.filter(pk=old_log.pk).update(at=boundary("access_log") - DAY)
    meetings_policy = personal_data.retention("meeting_content")

    def broken(cutoff, dry_run):
        raise ValueError("broken on purpose")

    monkeypatch.setitem(
        personal_data._retentions, "meeting_content", dataclasses.replace(meetings_policy, purge=broken)
    )
    outcomes = {o.retention.key: o for o in retention.purge(NOW)}
    assert outcomes["meeting_content"].errors == ("ValueError: broken on purpose",)
    assert not AccessLog.objects.exists()  # a later policy ran all the same

    from kpa.tasks import purge_task

    with pytest.raises(RuntimeError, match="meeting_content: ValueError: broken on purpose"):
        purge_task()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="meeting_content"):
        call_command("purge")
    assert "meeting_content mislukt: ValueError: broken on purpose" in capsys.readouterr().err
    assert PartlyPurged({}, ["x"]).errors == ["x"]


def test_one_leaver_failing_leaves_the_others_anonymised(monkeypatch):
    from kpa import anonymise

    first, second = UserFactory(), UserFactory()
    with time_machine.travel(boundary("accounts") - DAY, tick=False):
        for person in (first, second):
            user_deactivate(user=person, by=None)
    real = anonymise.person_anonymise

    def failing_for_first(person, *, dry_run=False):
        if person.pk == first.pk:
            raise RuntimeError("cannot")
        return real(person, dry_run=dry_run)

    monkeypatch.setattr(anonymise, "person_anonymise", failing_for_first)
    outcome = next(o for o in retention.purge(NOW, keys=["accounts"]))

    assert outcome.errors == (f"person {first.pk}: RuntimeError: cannot",)
    assert outcome.counts["kpa.User"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.anonymised_at is None and second.anonymised_at is not None


def test_the_cutoff_is_the_same_amsterdam_wall_clock_time_across_daylight_saving():
    # 23:30 on a winter evening; 200 days earlier is summer time: the same 23:30, not 00:30 the next day.
    winter_evening = at(2026, 12, 2, 23, 30)
    with time_machine.travel(winter_evening, tick=False):
        outcome = next(o for o in retention.purge(keys=["seats"]))
    expected = winter_evening - dt.timedelta(days=personal_data.retention("seats").days)
    assert timezone.localtime(outcome.cutoff).time() == dt.time(23, 30)
    assert timezone.localtime(outcome.cutoff).date() == expected.date()


def test_dormant_accounts_without_a_seat_are_deactivated_past_the_boundary():
    edge = boundary("dormant_accounts")
    dormant = UserFactory(last_login=edge - DAY)
    recent = UserFactory(last_login=edge + DAY)
    never_old = UserFactory(last_login=None, date_joined=edge - DAY)
    never_new = UserFactory(last_login=None, date_joined=edge + DAY)
    seated = UserFactory(last_login=edge - DAY)
    AssignmentFactory(person=seated)

    outcome = next(o for o in retention.purge(NOW, keys=["dormant_accounts"]))

    assert outcome.counts == {"kpa.User": 2}
    active = dict(User.objects.values_list("pk", "is_active"))
    assert (active[dormant.pk], active[never_old.pk]) == (False, False)
    assert active[recent.pk] and active[never_new.pk] and active[seated.pk]
    assert User.objects.get(pk=dormant.pk).deactivated_at == NOW
