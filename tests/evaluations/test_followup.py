"""Closing the PDCA loop (issue 13, evaluations.followup): the school's IB-er plans the procesevaluatie
conversation from the results page, and turns a result into an agreement that shows on the agenda of the
school's next planned KPO. The owner is `ib`, the colleague `partner` (reads, may not act: 403), the
outsider `outsider` (another school: 404)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import ItemKind
from kpa.outbox.models import Notification
from meetings import services as meeting_services
from meetings.models import (
    AgendaItem,
    Agreement,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NotificationKind,
)
from partners.models import Role
from schools.models import School
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
YEAR = 2026  # the school year 2026-2027, the one of the pinned clock


@pytest.fixture(autouse=True)
def clock():
    """2 November 2026: the round of October has closed, so its results count."""
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=AMS), tick=False):
        yield


def at(month, day, hour=9, year=2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=AMS)


@pytest.fixture
def round_(school):
    return services.open_round(
        school.gemeente,
        YEAR,
        School.objects.filter(pk=school.pk),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 28),
    )


@pytest.fixture
def statement(round_):
    return round_.version.items.filter(kind=ItemKind.STATEMENT).order_by("order").first()


@pytest.fixture
def team(ib, partner):
    return [ib, partner]


def kpo(school, starts_at, **kwargs) -> Meeting:
    return meeting_services.meeting_schedule(
        school=school,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        location="Aula",
        **kwargs,
    )


def results_url(school, year=YEAR) -> str:
    return reverse("evaluations:school-results", args=[school.pk])


def plan_url(school, year=YEAR) -> str:
    return reverse("evaluations:followup-plan", args=[school.pk, year])


def agreement_url(school, key, year=YEAR) -> str:
    return reverse("evaluations:followup-agreement", args=[school.pk, year, key])


def agreement_data(person, /, **overrides) -> dict[str, str]:
    return {
        "description": "Elke KPO tien minuten voor de vorm",
        "owner": str(person.pk),
        "due_date": "2026-12-15",
    } | overrides


# --- the results page


def test_it_offers_the_ib_er_the_conversation_and_an_agreement_per_statement(
    client, school, ib, partner, coordinator, round_, statement
):
    client.force_login(ib)
    body = client.get(results_url(school)).content.decode()
    assert plan_url(school) in body
    statements = round_.version.items.filter(kind=ItemKind.STATEMENT, roles=[]).count()
    assert body.count(f"/results/{school.pk}/{YEAR}/agreement/") >= statements
    assert agreement_url(school, statement.key) in body
    assert reverse("meetings:plan", args=[school.pk]) in body  # no KPO yet: plan one first
    for reader in (partner, coordinator):  # they read the results; they do not plan or agree
        client.force_login(reader)
        body = client.get(results_url(school)).content.decode()
        assert plan_url(school) not in body and "/agreement/" not in body


def test_the_results_page_keeps_its_queries_flat_with_meetings_and_agreements(
    client, school, ib, team, round_, statement, stamp_queries
):
    client.force_login(ib)
    counts = []
    for extra in (0, 5):
        for n in range(extra):
            kpo(school, at(11, 10 + n))
            client.post(agreement_url(school, statement.key), agreement_data(ib, description=f"Afspraak {n}"))
        assert Agreement.objects.count() == extra
        with CaptureQueriesContext(connection) as queries:
            assert client.get(results_url(school)).status_code == 200
        counts.append(len(queries))
    # 1 the session, 2 the user, 3 the school in scope, 4-8 the results (per year the gemeente's
    # responses the disclosure decision is made from; both years' figures, both years' respondents, the
    # statements); the follow-up block, whatever the number of meetings and agreements: 9 whether the
    # user plans this school's meetings (their IB seat; the only query for those who may not), 10 the
    # next procesevaluatie meeting, 11 the next KPO; 12 the access log row (issue 14); 13-15 the
    # session's renewed expiry (savepoint, update, release). On PostgreSQL, the gemeente's stamp before
    # the digests.
    assert counts == [15 + stamp_queries] * 2, "\n".join(q["sql"] for q in queries.captured_queries)


# --- planning the conversation


def test_it_plans_the_conversation_as_a_procesevaluatie_meeting_of_the_team(client, school, ib, partner):
    client.force_login(ib)
    response = client.get(plan_url(school))
    assert response.status_code == 200
    form = response.context["form"]
    assert "repeat" not in form.fields and "until" not in form.fields  # one conversation, no series
    body = response.content.decode()
    assert "Procesevaluatie" in body and "2026–2027" in body and school.name in body

    data = {"date": "2026-11-18", "start_time": "15:00", "end_time": "16:30", "location": "Teamkamer"}
    response = client.post(plan_url(school), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:detail", args=[meeting.pk]
    )
    assert (meeting.kind, meeting.school, meeting.status) == (
        MeetingKind.PROCESS_EVALUATION,
        school,
        MeetingStatus.PLANNED,
    )
    assert meeting.starts_at == at(11, 18, 15) and meeting.ends_at == dt.datetime(
        2026, 11, 18, 16, 30, tzinfo=AMS
    )
    assert meeting.created_by == ib
    assert {i.person for i in meeting.invitees.all()} == {ib, partner}
    invited = Notification.objects.filter(meeting=meeting, kind=NotificationKind.INVITATION)
    assert {n.recipient for n in invited} == {ib, partner}
    agenda = list(meeting.agenda_items.order_by("position"))
    assert "2026–2027" in agenda[0].title and [item.position for item in agenda] == list(range(len(agenda)))
    assert len(agenda) > 1  # the agenda of the template follows
    # The results page now shows the planned conversation instead of the link to plan one.
    body = client.get(results_url(school)).content.decode()
    assert reverse("meetings:detail", args=[meeting.pk]) in body and plan_url(school) not in body
    # and the meeting page says what it is about
    body = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Procesevaluatie" in body and agenda[0].title in body


@pytest.mark.parametrize(
    "overrides",
    [
        {"date": "2026-10-30"},  # in the past
        {"date": ""},
        {"location": "", "online_url": ""},
        {"end_time": "14:00"},  # before the start
        {"location": "Lokaal van 123456782"},  # a BSN
    ],
)
def test_it_refuses_a_bad_conversation_and_plans_nothing(client, school, ib, overrides):
    client.force_login(ib)
    data = {"date": "2026-11-18", "start_time": "15:00", "end_time": "", "location": "Teamkamer"} | overrides
    response = client.post(plan_url(school), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Meeting.objects.exists()


# --- an agreement from a result


def test_an_agreement_from_a_result_shows_on_the_next_kpo_agenda_and_after(
    client, school, other_school, ib, partner, admin_user, statement
):
    kpo(school, at(10, 20))  # held before today: never chosen
    first = kpo(school, at(11, 24))
    later = kpo(school, at(12, 15))
    cancelled = kpo(school, at(11, 10))
    meeting_services.meeting_cancel(meeting=cancelled)
    kpo(school, at(11, 5), kind=MeetingKind.PROCESS_EVALUATION)  # not a KPO
    elsewhere = kpo(other_school, at(11, 12))

    client.force_login(ib)
    assert client.get(agreement_url(school, statement.key)).context["next_kpo"] == first
    response = client.post(agreement_url(school, statement.key), agreement_data(partner))
    assert response.status_code == 302
    assert response["Location"] == f"{results_url(school)}?year={YEAR}"
    agreement = Agreement.objects.get()
    assert (agreement.school, agreement.meeting, agreement.owner, agreement.due_date) == (
        school,
        first,
        partner,
        dt.date(2026, 12, 15),
    )
    item = first.agenda_items.get(carried_agreement=agreement)
    assert item.position == first.agenda_items.count() - 1  # at the end of the agenda
    assert agreement.description in item.title and statement.text in item.notes and "2026–2027" in item.notes

    def agenda_of(meeting, user) -> str:
        client.force_login(user)
        body = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        return body.split('id="agenda-heading"')[1].split("</section>")[0]

    for user in (ib, partner):  # on the next KPO's agenda, for the whole team
        section = agenda_of(first, user)
        assert agreement.description in section and statement.text in section
    assert agreement.description in agenda_of(later, ib)  # carried while open
    assert agreement.description not in agenda_of(elsewhere, admin_user)  # never on another school's


def test_a_form_sent_twice_makes_one_agreement(client, school, ib, statement):
    kpo(school, at(11, 24))
    client.force_login(ib)
    for _ in range(2):
        assert client.post(agreement_url(school, statement.key), agreement_data(ib)).status_code == 302
    assert Agreement.objects.count() == 1
    assert AgendaItem.objects.filter(carried_agreement__isnull=False).count() == 1


def test_without_a_planned_kpo_it_says_so_and_keeps_what_was_typed(client, school, ib, statement):
    kpo(school, at(10, 20))  # has been
    client.force_login(ib)
    response = client.get(agreement_url(school, statement.key))
    assert response.context["next_kpo"] is None
    assert reverse("meetings:plan", args=[school.pk]) in response.content.decode()
    response = client.post(agreement_url(school, statement.key), agreement_data(ib))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="Elke KPO tien minuten voor de vorm"' in response.content.decode()
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 501}, "description"),
        ({"description": "Ouders\tbellen"}, "description"),  # a tab
        ({"description": "Ouders\u200bbellen"}, "description"),  # a zero-width space
        ({"description": "Ouders bellen\u202e"}, "description"),  # a bidi override
        ({"description": "Bel over 123456782"}, "description"),  # a BSN
        ({"due_date": "2026-11-01"}, "due_date"),  # yesterday
        ({"due_date": "2031-01-01"}, "due_date"),  # beyond the next school year
        ({"due_date": "morgen"}, "due_date"),
        ({"due_date": ""}, "due_date"),
        ({"owner": ""}, "owner"),
        ("outsider", "owner"),  # not on the team
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(client, school, ib, outsider, statement, overrides, field):
    first = kpo(school, at(11, 24))
    items = first.agenda_items.count()
    client.force_login(ib)
    if overrides == "outsider":
        overrides = {"owner": str(outsider.pk)}
    response = client.post(agreement_url(school, statement.key), agreement_data(ib, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Agreement.objects.exists() and first.agenda_items.count() == items


def test_the_service_checks_once_more(school, ib, outsider, statement):
    """What a form lets through by mistake (an owner who left the team, a line break) is still refused."""
    from django.core.exceptions import ValidationError

    from evaluations.followup import evaluation_agreement_create

    kpo(school, at(11, 24))
    good = {
        "school": school,
        "year": YEAR,
        "statement": statement,
        "owner": ib,
        "due_date": dt.date(2026, 12, 1),
    }
    for bad in ({"owner": outsider}, {"description": "Twee\nregels"}, {"due_date": dt.date(2026, 10, 1)}):
        with pytest.raises(ValidationError):
            evaluation_agreement_create(**({"description": "Iets doen"} | good | bad))
    assert not Agreement.objects.exists()


# --- who may


def test_anonymous_goes_to_the_login(client, school, statement):
    for url in (plan_url(school), agreement_url(school, statement.key)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_outsider_gets_404_and_the_rest_of_the_team_403(
    client, school, ib, partner, outsider, coordinator, statement
):
    kpo(school, at(11, 24))
    urls = (plan_url(school), agreement_url(school, statement.key))
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, agreement_data(ib)).status_code == 404
    for user in (partner, coordinator):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
            assert client.post(url, agreement_data(ib)).status_code == 403
    assert not Agreement.objects.exists()
    assert Meeting.objects.count() == 1


def test_a_former_ib_er_may_no_longer(client, school, statement):
    former = UserFactory()
    AssignmentFactory(
        person=former,
        school=school,
        role=Role.IB,
        start_date=dt.date(2024, 8, 1),
        end_date=dt.date(2026, 10, 31),
    )
    client.force_login(former)
    assert client.get(agreement_url(school, statement.key)).status_code == 404  # no longer sees the school


def test_an_unknown_statement_or_year_is_404(client, school, ib, round_, statement):
    client.force_login(ib)
    open_item = round_.version.items.filter(kind=ItemKind.OPEN).first()
    assert client.get(agreement_url(school, "no-such-statement")).status_code == 404
    assert client.get(agreement_url(school, open_item.key)).status_code == 404  # an open question
    for year in (2021, 2027):
        assert client.get(plan_url(school, year)).status_code == 404
        assert client.get(agreement_url(school, statement.key, year)).status_code == 404
    # the year after the round still offers its statements (beside the year before, as the results do)
    with time_machine.travel(dt.datetime(2027, 9, 1, 10, tzinfo=AMS), tick=False):
        client.force_login(ib)  # a new session: the one of 2026 has expired
        assert client.get(agreement_url(school, statement.key, 2027)).status_code == 200
        assert client.get(agreement_url(school, statement.key, 2028)).status_code == 404


def test_the_form_keeps_its_queries_flat_with_the_team(client, school, ib, statement):
    kpo(school, at(11, 24))
    client.force_login(ib)
    counts = []
    for extra in (0, 6):
        for _ in range(extra):
            AssignmentFactory(
                person=UserFactory(), school=school, role=Role.JGZ, start_date=dt.date(2024, 8, 1)
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(agreement_url(school, statement.key))
        assert response.status_code == 200
        counts.append(len(queries))
    # 1 the session, 2 the user, 3 the school in scope, 4 the user's IB seat there, 5 the statement,
    # 6 the team with its people (the owner's choices, however many), 7 the next KPO in scope, 8 whether
    # the user works under JGZ's medical secrecy (the notice above the text), 9-11 the session's renewed
    # expiry (savepoint, update, release).
    assert counts == [11, 11], "\n".join(q["sql"] for q in queries.captured_queries)
