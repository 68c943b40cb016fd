"""Anonymising a person who left (kpa.anonymise) leaves their name, addresses, phone and IP address nowhere:
the test reads every text column of every table afterwards. Their history stays, naming the pseudonym."""

from __future__ import annotations

import json

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.sessions.backends.db import SessionStore
from django.db import models

from kpa import personal_data
from kpa.anonymise import person_anonymise
from kpa.models import UserKind
from kpa.services import user_deactivate
from meetings.models import Agreement, Invitee, MeetingStatus
from tests.factories import (
    AccessLogFactory,
    AgendaItemFactory,
    AgreementFactory,
    AnswerFactory,
    AssignmentFactory,
    CalendarFeedFactory,
    CollectiveQuestionFactory,
    InvitationFactory,
    InviteeFactory,
    MeetingFactory,
    NotificationFactory,
    ProgressUpdateFactory,
    UserFactory,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db

NAME = ("Zoë", "de Klerk-Bakker")
FULL = "Zoë de Klerk-Bakker"
EMAIL = "zoe.deklerk@buurtteam.example"
OLD_EMAIL = "z.bakker@oud.example"
PHONE = "06-12345678"
IP = "192.0.2.44"
AGENT = "Mozilla/5.0 (Zoë's laptop)"
OLD_VALUES = (FULL, EMAIL, OLD_EMAIL, PHONE, IP, AGENT)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(2026, 12, 2, 12), tick=False):
        yield


def _text_values():
    """Every value of every text-like column of every table, as text (JSON decoded and dumped unescaped)."""
    kinds = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if not fields:
            continue
        for row in model._default_manager.values_list("pk", *fields):
            for name, value in zip(fields, row[1:], strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                yield f"{model._meta.label}.{name}#{row[0]}", text


def _where(values) -> list[str]:
    found = []
    for place, text in _text_values():
        lowered = text.lower()
        found.extend(f"{place}: {value}" for value in values if value.lower() in lowered)
    return found


@pytest.fixture
def leaver():
    person = UserFactory(first_name=NAME[0], last_name=NAME[1], email=EMAIL, phone=PHONE)
    person.emailaddress_set.create(email=OLD_EMAIL, verified=True, primary=False)
    colleague = UserFactory(first_name="Bram", last_name="Stoker", kind=UserKind.SCHOOL)
    seat = AssignmentFactory(person=person)
    school = seat.school
    with set_actor(person, remote_addr=IP):
        meeting = MeetingFactory(
            school=school,
            starts_at=at(2026, 11, 20, 14),
            status=MeetingStatus.HELD,
            minutes=f"{FULL} neemt contact op met de leerplicht.",
        )
        InviteeFactory(meeting=meeting, person=person)
        InviteeFactory(meeting=meeting, person=colleague, replaced_by=f"vervangen door {FULL}")
        AgendaItemFactory(meeting=meeting, title="Rondvraag", notes=f"Mail {EMAIL} of bel {PHONE}.")
        AgreementFactory(meeting=meeting, school=school, owner=person, description=f"{FULL} belt de ouders.")
        CollectiveQuestionFactory(meeting=meeting, school=school, text=f"Vraag van {FULL} over verzuim.")
        ProgressUpdateFactory(author=person, text=f"Voortgang door {FULL}.")
        AnswerFactory(response__respondent=person, response__school=school, text=f"Met {FULL} gaat het goed.")
    # The admin edits the person: the audit trail copies the old values.
    person.phone = "06-87654321"
    person.save()
    person.phone = PHONE
    person.save()
    AdminLogEntry.objects.log_actions(
        user_id=colleague.pk, queryset=[person], action_flag=CHANGE, change_message=f"Changed {EMAIL}."
    )
    store = SessionStore()
    store["_auth_user_id"] = str(person.pk)
    store.create()
    UserSession.objects.create(user=person, ip=IP, user_agent=AGENT, session_key=store.session_key)
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    InvitationFactory(user=person)
    CalendarFeedFactory(user=person)
    NotificationFactory(recipient=person)
    AccessLogFactory(actor=person, what="roster.csv")
    return person


def test_it_leaves_no_name_address_phone_or_ip_in_any_text_column(leaver):
    assert len(_where(OLD_VALUES)) > 10  # the world above really holds them

    user_deactivate(user=leaver, by=None)
    person_anonymise(leaver)

    assert _where(OLD_VALUES) == []


def test_history_stays_readable_naming_the_pseudonym(leaver):
    user_deactivate(user=leaver, by=None)
    person_anonymise(leaver)

    leaver.refresh_from_db()
    pseudonym = f"Oud-gebruiker {leaver.pk}"
    assert str(leaver) == pseudonym
    assert leaver.email.endswith(".invalid") and not leaver.has_usable_password()
    assert leaver.anonymised_at is not None and not leaver.is_active
    assert Agreement.objects.get(owner=leaver).description == f"{pseudonym} belt de ouders."
    meeting = Agreement.objects.get(owner=leaver).meeting
    assert meeting.minutes.startswith(pseudonym)
    assert Invitee.objects.get(person=leaver).meeting_id == meeting.pk
    assert (
        Invitee.objects.exclude(person=leaver).get(meeting=meeting).replaced_by
        == f"vervangen door {pseudonym}"
    )
    # Sessions, authenticators, addresses, invitations, calendar feed and mails are gone.
    assert not UserSession.objects.filter(user=leaver).exists()
    assert not Authenticator.objects.filter(user=leaver).exists()
    assert not leaver.emailaddress_set.exists()
    assert not leaver.invitations.exists()
    assert not apps.get_model("meetings.CalendarFeed").objects.filter(user=leaver).exists()
    assert not apps.get_model("kpa.Notification").objects.filter(recipient=leaver).exists()
    # Their actions stay in the audit trail, without the IP address.
    assert LogEntry.objects.filter(actor=leaver).exists()
    assert not LogEntry.objects.filter(actor=leaver, remote_addr__isnull=False).exists()


def test_a_person_still_active_is_refused_and_twice_is_harmless(leaver):
    with pytest.raises(ValueError, match="Deactivate"):
        person_anonymise(leaver)
    user_deactivate(user=leaver, by=None)
    assert person_anonymise(leaver)["kpa.User"] == 1
    assert person_anonymise(leaver) == {}


def test_the_dry_run_changes_nothing(leaver):
    user_deactivate(user=leaver, by=None)
    before = sorted(_text_values())

    counts = person_anonymise(leaver, dry_run=True)

    assert counts["kpa.User"] == 1 and counts["meetings.Agreement"] == 1
    assert sorted(_text_values()) == before


def test_every_processing_that_deletes_on_leaving_is_emptied(leaver):
    user_deactivate(user=leaver, by=None)
    person_anonymise(leaver)
    for processing in personal_data.processings():
        rows = processing.rows_of(leaver)
        if processing.on_leave == "delete" and rows is not None:
            assert not rows.exists(), processing.model


def test_it_replaces_whole_names_and_addresses_only():
    leaver = UserFactory(first_name="Jan", last_name="Bos", email="jan@bos.example", phone="")
    colleague = UserFactory(first_name="Jan", last_name="Bosman", email="ajan@bos.example")
    one_part = UserFactory(first_name="Leerplicht", last_name="", email="lp@gemeente.example")
    meeting = MeetingFactory(
        minutes=(
            "Jan Bos belt. Jan Bosman mailt ajan@bos.example en jan@bos.example.nl; "
            "de leerplichtambtenaar hoort het van jan@bos.example."
        )
    )
    for person in (leaver, one_part):
        user_deactivate(user=person, by=None)
        person_anonymise(person)

    meeting.refresh_from_db()
    pseudonym = f"Oud-gebruiker {leaver.pk}"
    assert meeting.minutes == (
        f"{pseudonym} belt. Jan Bosman mailt ajan@bos.example en jan@bos.example.nl; "
        f"de leerplichtambtenaar hoort het van {pseudonym}."
    )
    colleague.refresh_from_db()
    assert colleague.get_full_name() == "Jan Bosman"


def test_it_finds_the_names_and_addresses_a_person_had_before():
    person = UserFactory(first_name="Anna", last_name="Jansen", email="anna.jansen@example.org")
    meeting = MeetingFactory(minutes="Anna Jansen (anna.jansen@example.org) neemt het op.")
    person.last_name, person.email = "de Vries", "anna.devries@example.org"
    person.save()  # the audit trail keeps what she was called before
    user_deactivate(user=person, by=None)
    person_anonymise(person)

    meeting.refresh_from_db()
    assert meeting.minutes == f"Oud-gebruiker {person.pk} (Oud-gebruiker {person.pk}) neemt het op."
    assert _where(["Anna Jansen", "anna.jansen@example.org", "Anna de Vries"]) == []


def test_it_replaces_a_name_in_an_exports_search_terms_and_in_every_activity_text():
    from tests.factories import ActivityFactory

    person = UserFactory(first_name="Karel", last_name="Appel", email="karel@appel.example")
    log = AccessLogFactory(what="roster.csv", detail={"filters": {"person": "Karel Appel"}})
    activity = ActivityFactory(accountability="Rapporteert aan Karel Appel", money="mail karel@appel.example")
    user_deactivate(user=person, by=None)
    person_anonymise(person)

    log.refresh_from_db()
    activity.refresh_from_db()
    assert log.detail == {"filters": {"person": f"Oud-gebruiker {person.pk}"}}
    assert "Karel" not in activity.accountability + activity.money
