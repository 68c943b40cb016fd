"""Inzage (AVG art. 15): a person's own data as a page and as JSON, and an admin producing it for anyone
(kpa.inzage, kpa.views_inzage). The export is built from the register of personal data, so the fixture
gives one person a row in every registered model that links to people: a model registered later without
a row here makes test_it_holds_a_row_of_every_registered_model fail, naming the model."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from auditlog.context import set_actor
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evaluations.models import Round
from kpa import personal_data
from kpa.inzage import inzage_for, inzage_json
from kpa.models import AccessAction, AccessLog, UserKind
from kpa.personal_data import Processing
from meetings.models import Attendance
from partners.models import Role
from schools.models import School
from tests.conftest import TOTP_SECRET, with_totp
from tests.factories import (
    AccessLogFactory,
    ActivityFactory,
    AgreementFactory,
    AnswerFactory,
    AssignmentFactory,
    CalendarFeedFactory,
    DuoImportFactory,
    InvitationFactory,
    InviteeFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    NotificationFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    QuestionnaireVersionFactory,
    ResponseFactory,
    RoundFactory,
    UserFactory,
)
from tests.helpers import at

NOW = at(2026, 10, 20, 12)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def give_everything(person, *, school: School, marker: str, meetings: int = 1) -> None:
    """Rows of `person` in every registered model that links to people; free texts carry `marker`.
    A model registered later needs a line here (the test that walks the register says which)."""
    with_totp(person)  # mfa.Authenticator (account.EmailAddress comes with UserFactory)
    address = EmailAddress.objects.get(user=person)
    EmailConfirmation.objects.create(email_address=address, key=f"confirm-{person.pk}", sent=NOW)
    InvitationFactory(user=person)  # kpa.Invitation
    AccessLogFactory(actor=person, what="roster")  # kpa.AccessLog
    DuoImportFactory(created_by=person)  # schools.DuoImport
    session = SessionStore()
    session["_auth_user_id"] = str(person.pk)
    session.create()  # sessions.Session
    UserSession.objects.create(
        user=person, ip="192.0.2.7", session_key=session.session_key, user_agent="Firefox"
    )  # usersessions.UserSession
    AssignmentFactory(person=person, school=school, role=Role.BUURTTEAM)  # partners.Assignment
    ActivityFactory(trekker=person)  # programme.Activity
    ProgressUpdateFactory(author=person, text=f"Voortgang {marker}")  # programme.ProgressUpdate
    MeetingSeriesFactory(school=school, created_by=person)  # meetings.MeetingSeries
    CalendarFeedFactory(user=person)  # meetings.CalendarFeed
    version = QuestionnaireVersionFactory(gemeente=school.gemeente, created_by=person)
    round_ = RoundFactory(gemeente=school.gemeente, version=version, opened_by=person)  # evaluations.Round
    response = ResponseFactory(round=round_, school=school, respondent=person)  # evaluations.Response
    for number in range(meetings):
        meeting = MeetingFactory(
            school=school,
            created_by=person,  # meetings.Meeting
            starts_at=dt.datetime(2026, 10, 5 + number, 7, 30, tzinfo=dt.UTC),
        )
        InviteeFactory(
            meeting=meeting, person=person, attendance=Attendance.PRESENT, replaced_by=f"Vervanger {marker}"
        )  # meetings.Invitee
        AgreementFactory(meeting=meeting, owner=person, description=f"Afspraak {marker} {number}")
        NotificationFactory(meeting=meeting, recipient=person)  # kpa.Notification
        AnswerFactory(response=response, score=None, text=f"Antwoord {marker} {number}")  # evaluations.Answer
    with set_actor(person):
        OrganisationFactory(name=f"Organisatie {marker}")  # auditlog.LogEntry (its actor)
    AdminLogEntry.objects.create(
        user=person,
        content_type=ContentType.objects.get_for_model(School),
        object_id=str(school.pk),
        object_repr=str(school),
        action_flag=CHANGE,
        change_message="[]",
    )  # admin.LogEntry


@pytest.fixture
def subject(school):
    person = UserFactory(
        kind=UserKind.KERNPARTNER, first_name="Ingrid", last_name="Inzage", email="ingrid@example.org"
    )
    give_everything(person, school=school, marker="van-ingrid")
    return person


@pytest.fixture
def other(school):
    """A colleague on the same school with the same kinds of data: none of it is the subject's."""
    person = UserFactory(
        kind=UserKind.KERNPARTNER, first_name="Otto", last_name="Ander", email="otto@example.org"
    )
    give_everything(person, school=school, marker="van-otto")
    return person


def linked(processing: Processing, person) -> list:
    rows = processing.rows_of(person)
    return [] if rows is None else list(rows)


def sections_by_model(data: dict) -> dict[str, dict]:
    return {entry["model"].lower(): entry for entry in data["processings"]}


def test_it_holds_a_row_of_every_registered_model(subject):
    data = sections_by_model(inzage_json(subject))
    readable = {model.model.lower() for section in inzage_for(subject) for model in section.models}
    checked = 0
    for processing in personal_data.processings():
        if processing.rows_of(subject) is None:
            continue  # links to nobody (people=() and no `rows`): not part of an inzage
        checked += 1
        label = processing.model.lower()
        assert label in data, (
            f"{processing.model} is in the register of personal data, but the inzage test fixture gives "
            f"the person no row of it: add one to give_everything() in tests/kpa/test_inzage.py."
        )
        assert len(data[label]["rows"]) == len(linked(processing, subject)), processing.model
        assert label in readable, processing.model
    assert checked >= 15  # the register is filled (kpa, the apps and the third-party models)


def test_it_describes_each_processing_from_the_register(subject):
    entry = sections_by_model(inzage_json(subject))["meetings.invitee"]
    processing = personal_data.processing_for("meetings.Invitee")
    assert entry["purpose"] == str(processing.purpose)
    assert entry["legal_basis"] == str(processing.legal_basis)
    assert entry["visible_to"] == str(processing.visible_to)
    assert entry["retention"] == str(personal_data.retention(processing.retention).label)


def test_it_gives_readable_and_machine_values(subject):
    """Times in Amsterdam, choices by their label (JSON: stored value), relations by their str()."""
    invitee = subject.invitations_to.select_related("meeting__school").get()
    entry = sections_by_model(inzage_json(subject))["meetings.invitee"]
    assert entry["rows"] == [
        {
            "id": invitee.pk,
            "meeting": {"id": invitee.meeting.pk, "label": str(invitee.meeting)},
            "role": invitee.role,
            "attendance": "present",
            "replaced_by": "Vervanger van-ingrid",
        }
    ]
    meetings = {model.model: model for section in inzage_for(subject) for model in section.models}
    [row] = meetings["meetings.Invitee"].rows
    assert str(Attendance.PRESENT.label) in row.values()
    assert str(invitee.meeting) in row.values()
    meeting_row = sections_by_model(inzage_json(subject))["meetings.meeting"]["rows"][0]
    assert meeting_row["starts_at"] == "2026-10-05T09:30:00+02:00"  # stored as 07:30 UTC
    invitation_row = sections_by_model(inzage_json(subject))["kpa.invitation"]["rows"][0]
    assert invitation_row["expires_at"] == "2026-10-27T11:00:00+01:00"  # a week on: winter time
    [readable] = meetings["meetings.Meeting"].rows
    assert any("09:30" in value for value in readable.values())
    assert not any("07:30" in value for value in readable.values())


def test_it_shows_own_evaluation_answers_and_nobody_elses(subject, other):
    texts = [row["text"] for row in sections_by_model(inzage_json(subject))["evaluations.answer"]["rows"]]
    assert texts == ["Antwoord van-ingrid 0"]
    page = str(inzage_for(subject))
    assert "Antwoord van-ingrid 0" in page
    assert "van-otto" not in page


def test_it_holds_none_of_another_persons_rows(subject, other):
    data = inzage_json(subject)
    assert "van-otto" not in json.dumps(data)
    assert "otto@example.org" not in json.dumps(data)
    for entry in data["processings"]:
        processing = personal_data.processing_for(entry["model"])
        shown = {str(row["id"]) for row in entry["rows"] if "id" in row}  # JSON: a UUID pk as text
        own = {str(row.pk) for row in linked(processing, subject)}
        others = {str(row.pk) for row in linked(processing, other)} - own
        assert shown <= own, entry["model"]
        assert not shown & others, entry["model"]


def test_it_leaves_secrets_out(subject):
    """No password hash, TOTP secret (as set up or as stored), session key or data, calendar-feed token,
    invitation hash or e-mail confirmation key: not in the JSON, not on the page."""
    client = Client()
    client.force_login(subject)
    page = client.get(reverse("privacy:inzage")).content.decode()
    download = client.get(reverse("privacy:inzage-json")).content.decode()
    subject.refresh_from_db()
    totp = Authenticator.objects.get(user=subject, type=Authenticator.Type.TOTP)
    user_session = UserSession.objects.filter(user=subject).first()
    secrets = {
        "password hash": subject.password,
        "TOTP secret": TOTP_SECRET,
        "stored TOTP secret": totp.data["secret"],
        "session key": user_session.session_key,
        "session data": Session.objects.get(pk=user_session.session_key).session_data,
        "calendar token": subject.calendar_feed.token,
        "invitation hash": subject.invitations.get().token_hash,
        "confirmation key": f"confirm-{subject.pk}",
    }
    for name, secret in secrets.items():
        assert secret
        assert secret not in page, name
        assert secret not in download, name


def test_it_drops_denied_keys_inside_json_values_and_denied_fields(subject, monkeypatch):
    """A throwaway register: an outbox payload holding secrets, and a register naming the password."""
    notification = NotificationFactory(
        recipient=subject,
        payload={"secret": "S3CRET", "meeting": 5, "nested": [{"token": "T0KEN", "ok": "zichtbaar"}]},
    )
    base = {
        "group": "Test",
        "purpose": "p",
        "legal_basis": "b",
        "visible_to": "v",
        "retention": "outbox",
        "anonymisation": "a",
    }
    monkeypatch.setattr(
        personal_data,
        "_processings",
        {
            "kpa.notification": Processing(
                model="kpa.Notification",
                fields=("recipient",),
                people=("recipient",),
                export_fields=("id", "payload"),
                rows=lambda person: type(notification)._default_manager.filter(pk=notification.pk),
                **base,
            ),
            "kpa.user": Processing(
                model="kpa.User",
                fields=("email",),
                people=("pk",),
                export_fields=("email", "password"),
                **base,
            ),
        },
    )
    data = sections_by_model(inzage_json(subject))
    assert data["kpa.notification"]["rows"] == [
        {"id": notification.pk, "payload": {"meeting": 5, "nested": [{"ok": "zichtbaar"}]}}
    ]
    assert data["kpa.user"]["rows"] == [{"email": "ingrid@example.org"}]
    readable = str(inzage_for(subject))
    assert "S3CRET" not in readable
    assert "T0KEN" not in readable
    assert "zichtbaar" in readable


def test_it_names_a_register_mistake(subject, monkeypatch):
    monkeypatch.setattr(
        personal_data,
        "_processings",
        {
            "kpa.user": Processing(
                model="kpa.User",
                group="Test",
                fields=("email",),
                people=("pk",),
                purpose="p",
                legal_basis="b",
                visible_to="v",
                retention="accounts",
                anonymisation="a",
                export_fields=("emial",),
            )
        },
    )
    with pytest.raises(ImproperlyConfigured, match=r"'emial'.*kpa\.User"):
        inzage_json(subject)


def test_it_follows_paths_and_many_valued_fields(subject, school, other_school, monkeypatch):
    """A throwaway register naming a path through relations and a many-to-many field: both are read,
    with one query for the rows and one for the many-valued field, however many rows."""
    for _ in range(3):
        RoundFactory(gemeente=school.gemeente, opened_by=subject, schools=[school, other_school])
    monkeypatch.setattr(
        personal_data,
        "_processings",
        {
            "evaluations.round": Processing(
                model="evaluations.Round",
                group="Test",
                fields=("opened_by",),
                people=("opened_by",),
                purpose="p",
                legal_basis="b",
                visible_to="v",
                retention="accounts",
                anonymisation="a",
                export_fields=("id", "version__gemeente", "version__number", "schools"),
            )
        },
    )
    with CaptureQueriesContext(connection) as queries:
        data = sections_by_model(inzage_json(subject))
    assert len(queries) == 2, "\n".join(q["sql"] for q in queries.captured_queries)
    rows = data["evaluations.round"]["rows"]
    assert len(rows) == 4  # three here, one of give_everything()
    assert rows[0]["version__gemeente"] == {"id": school.gemeente.pk, "label": str(school.gemeente)}
    assert isinstance(rows[0]["version__number"], int)
    assert sorted(item["label"] for item in rows[0]["schools"]) == sorted([school.name, other_school.name])
    [model] = inzage_for(subject)[0].models
    assert model.rows[0][str(Round._meta.get_field("schools").verbose_name).capitalize()] in (
        f"{school.name}, {other_school.name}",
        f"{other_school.name}, {school.name}",
    )


def test_it_keeps_queries_fixed_however_many_rows(school):
    """2 meetings (each with an invitee, an agreement, a mail and an answer) cost as many queries as 10."""
    few = UserFactory()
    give_everything(few, school=school, marker="few", meetings=2)
    many = UserFactory()
    give_everything(many, school=school, marker="many", meetings=10)
    counts = []
    for person in (few, many):
        with CaptureQueriesContext(connection) as queries:
            inzage_for(person)
            inzage_json(person)
        counts.append(len(queries))
    assert counts[0] == counts[1], "\n".join(q["sql"] for q in queries.captured_queries)


def test_it_asks_at_most_two_queries_per_registered_model(subject, django_assert_max_num_queries):
    # Per registered model: one query for its rows of the person, with every shown relation joined
    # (select_related), and at most one more to prefetch a many-valued field. Nothing per row.
    with django_assert_max_num_queries(2 * len(personal_data.processings())):
        inzage_json(subject)


# --- The pages --------------------------------------------------------------------------------------------


def test_it_shows_the_person_their_data(client, subject):
    client.force_login(subject)
    response = client.get(reverse("privacy:inzage"))
    assert response.status_code == 200
    page = response.content.decode()
    for section in inzage_for(subject):
        assert f">{escape(section.group)}</h2>" in page
        for model in section.models:
            assert f">{escape(model.name)}</h3>" in page
            for column in model.columns:
                assert f'<th scope="col">{escape(column)}</th>' in page
    assert "Afspraak van-ingrid 0" in page
    assert "Antwoord van-ingrid 0" in page
    assert reverse("privacy:inzage-json") in page
    entry = AccessLog.objects.filter(action=AccessAction.INZAGE).get()
    assert (entry.actor, entry.subject, entry.what) == (subject, subject, "inzage")


def test_it_downloads_the_person_their_data_as_json(client, subject):
    client.force_login(subject)
    response = client.get(reverse("privacy:inzage-json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="kpa-mijn-gegevens-2026-10-20.json"'
    data = json.loads(response.content)
    assert data["person"] == {"id": subject.pk, "name": "Ingrid Inzage", "email": "ingrid@example.org"}
    assert data["generated_at"] == "2026-10-20T12:00:00+02:00"
    assert "meetings.invitee" in sections_by_model(data)
    entry = AccessLog.objects.filter(action=AccessAction.INZAGE).get()
    assert (entry.actor, entry.subject, entry.what) == (subject, subject, "inzage.json")


def test_it_links_my_data_from_the_account_menu(client, subject):
    client.force_login(subject)
    page = client.get(reverse("kpa:home")).content.decode()
    assert f'href="{reverse("privacy:inzage")}"' in page


def test_an_admin_produces_it_for_someone_else(client, admin_user, subject):
    client.force_login(admin_user)
    response = client.get(reverse("privacy:inzage-person", args=[subject.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Afspraak van-ingrid 0" in page
    assert escape(str(admin_user)) in page  # who produced it
    assert reverse("privacy:inzage-person-json", args=[subject.pk]) in page
    download = client.get(reverse("privacy:inzage-person-json", args=[subject.pk]))
    assert download.status_code == 200
    assert json.loads(download.content)["person"]["id"] == subject.pk
    assert download["Content-Disposition"].startswith("attachment;")
    entries = AccessLog.objects.filter(action=AccessAction.INZAGE).order_by("pk")
    assert [(e.actor, e.subject, e.what) for e in entries] == [
        (admin_user, subject, "inzage"),
        (admin_user, subject, "inzage.json"),
    ]


def test_the_people_list_links_to_each_persons_inzage(client, admin_user, subject):
    client.force_login(admin_user)
    page = client.get(reverse("kpa:person-list")).content.decode()
    assert reverse("privacy:inzage-person", args=[subject.pk]) in page


@pytest.mark.parametrize("name", ["privacy:inzage-person", "privacy:inzage-person-json"])
@pytest.mark.parametrize("who", ["subject", "partner", "coordinator"])
def test_nobody_else_produces_it_for_someone_else(client, request, other, name, who):
    """Not even the person themself through the admin's address: a non-admin gets 404, whether the id
    exists or not, and nothing is logged."""
    client.force_login(request.getfixturevalue(who) if who != "subject" else other)
    assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.get(reverse(name, args=[other.pk + 1000])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.INZAGE).exists()


def test_an_admin_gets_404_for_nobody(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("privacy:inzage-person", args=[987654])).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("privacy:inzage", []),
        ("privacy:inzage-json", []),
        ("privacy:inzage-person", [1]),
        ("privacy:inzage-person-json", [1]),
    ],
)
def test_anonymous_is_sent_to_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_page_shows_at_most_page_rows_per_model_and_the_json_all(client, settings, monkeypatch):
    from kpa import inzage as inzage_module
    from tests.factories import AccessLogFactory

    monkeypatch.setattr(inzage_module, "PAGE_ROWS", 3)
    person = UserFactory()
    for _ in range(5):
        AccessLogFactory(actor=person, what="roster.csv")
    sections = inzage_module.inzage_for(person)
    shown = next(m for s in sections for m in s.models if m.model == "kpa.AccessLog")
    assert (len(shown.rows), shown.more) == (3, 2)
    logs = next(p for p in inzage_module.inzage_json(person)["processings"] if p["model"] == "kpa.AccessLog")
    assert len(logs["rows"]) == 5
    client.force_login(person)
    assert (
        "En nog 2 regels: de JSON-download bevat ze allemaal."
        in client.get(reverse("privacy:inzage")).content.decode()
    )
