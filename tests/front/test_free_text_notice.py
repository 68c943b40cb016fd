"""The notice under the forms with free text (templates/_partials/free_text_notice.html): JGZ staff read
that KPA stores no medical information; everyone gets a line linking to "Wat mag ik delen?"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from evaluations import services as evaluation_services
from front.templatetags.free_text import under_medical_secrecy
from kpa.models import UserKind
from meetings.services import meeting_schedule
from partners.models import OrganisationKind, Role
from schools.models import School
from tests.conftest import with_totp
from tests.factories import AssignmentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
AMS = dt.timezone(dt.timedelta(hours=2))  # summer time: the clock below is in October
NOTICE = (
    "KPA stores no medical information. Share nothing here that falls under your medical professional "
    "secrecy."
)
SHARING = reverse("privacy:sharing")


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return translation.gettext(msgid)


def has_notice(response) -> bool:
    return "data-medical-secrecy" in response.content.decode()


def has_hint(response) -> bool:
    body = response.content.decode()
    return "data-free-text-hint" in body and f'href="{SHARING}"' in body


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 10, 12, 10, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def jgz(school):
    """The JGZ kernpartner of `school`."""
    person = UserFactory(kind=UserKind.KERNPARTNER, email="jgz@ggd.example")
    AssignmentFactory(person=person, school=school, role=Role.JGZ)
    return person


@pytest.fixture
def jgz_admin(db):
    """An administrator who works for the JGZ organisation."""
    organisation = OrganisationFactory(name="JGZ Utrecht", kind=OrganisationKind.JGZ)
    return with_totp(
        UserFactory(kind=UserKind.ADMIN, is_staff=True, is_superuser=True, organisation=organisation)
    )


@pytest.fixture
def meeting(school, ib, jgz):
    return meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))


# --- the meeting log -------------------------------------------------------------------------------------


def test_the_ib_er_gets_the_hint_on_the_log_but_no_medical_notice(client, ib, meeting):
    client.force_login(ib)
    response = client.get(reverse("meetings:log", args=[meeting.pk]))
    assert response.status_code == 200
    assert has_hint(response)
    assert not has_notice(response)


def test_someone_of_the_jgz_gets_the_medical_notice_on_the_log(client, jgz_admin, meeting):
    # Only the IB-er and administrators write the log: a JGZ kernpartner cannot open it (403), so the one
    # of the JGZ who can is an administrator working for the JGZ.
    client.force_login(jgz_admin)
    response = client.get(reverse("meetings:log", args=[meeting.pk]))
    assert response.status_code == 200
    assert has_notice(response)
    assert nl(NOTICE) in response.content.decode()
    assert has_hint(response)


# --- where JGZ kernpartners write ------------------------------------------------------------------------


def test_a_jgz_kernpartner_gets_the_notice_under_my_agreements(client, jgz, partner):
    client.force_login(jgz)
    response = client.get(reverse("meetings:my-agreements"))
    assert has_notice(response)
    assert has_hint(response)
    client.force_login(partner)  # the buurtteam kernpartner: the hint only
    response = client.get(reverse("meetings:my-agreements"))
    assert not has_notice(response)
    assert has_hint(response)


def test_a_jgz_kernpartner_gets_the_notice_on_the_evaluation(client, jgz, school, wijk):
    round_ = evaluation_services.open_round(
        wijk.gemeente, 2026, School.objects.all(), dt.date(2026, 10, 1), dt.date(2026, 10, 28)
    )
    client.force_login(jgz)
    response = client.get(reverse("evaluations:answer", args=[round_.pk, school.pk]))
    assert response.status_code == 200
    assert has_notice(response)
    assert has_hint(response)


def test_the_correcting_forms_carry_the_hint(client, ib, meeting):
    agreement = meeting.agreements.create(
        description="Workshop slapen voor groep 7 en 8",
        owner=ib,
        due_date=dt.date(2026, 11, 1),
        school=meeting.school,
    )
    question = meeting.collective_questions.create(
        text="Hoe gaan we om met verzuim op maandag?", school=meeting.school
    )
    client.force_login(ib)
    for url in (
        reverse("meetings:agreement-update", args=[meeting.pk, agreement.pk]),
        reverse("meetings:question-update", args=[meeting.pk, question.pk]),
        reverse("meetings:agenda-update", args=[meeting.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert has_hint(response), url


# --- who is under medical secrecy ------------------------------------------------------------------------


def test_a_jgz_seat_today_counts_and_one_that_ended_does_not(school):
    person = UserFactory(kind=UserKind.KERNPARTNER)
    seat = AssignmentFactory(person=person, school=school, role=Role.JGZ)
    assert under_medical_secrecy(person)
    seat.end_date = timezone.localdate() - dt.timedelta(days=1)
    seat.save()
    assert not under_medical_secrecy(person)


def test_a_jgz_organisation_counts_and_another_does_not(db):
    jgz = OrganisationFactory(kind=OrganisationKind.JGZ)
    buurtteam = OrganisationFactory(kind=OrganisationKind.BUURTTEAM)
    assert under_medical_secrecy(UserFactory(organisation=jgz))
    assert not under_medical_secrecy(UserFactory(organisation=buurtteam))
    assert not under_medical_secrecy(UserFactory(organisation=None))


def test_a_jgz_seat_counts_for_someone_of_another_organisation(school):
    """The organisation is asked first: one that is not the JGZ's must not end the question."""
    person = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.BUURTTEAM))
    AssignmentFactory(person=person, school=school, role=Role.JGZ)
    assert under_medical_secrecy(person)


def test_an_inactive_or_anonymous_user_is_not(school):
    from django.contrib.auth.models import AnonymousUser

    person = UserFactory(is_active=False)
    AssignmentFactory(person=person, school=school, role=Role.JGZ)
    assert not under_medical_secrecy(person)
    assert not under_medical_secrecy(AnonymousUser())


def test_the_tag_asks_once_per_request(jgz):
    request = RequestFactory().get("/")
    request.user = jgz
    template = Template(
        "{% load free_text %}{% medical_secrecy_applies as a %}{% medical_secrecy_applies as b %}"
        "{{ a }}{{ b }}"
    )
    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"request": request})) == "TrueTrue"
    assert len(queries) == 1  # the user's JGZ seat or organisation, asked once
