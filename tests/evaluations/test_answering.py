"""Answering the process evaluation (issue 13): per school, save halfway and come back, change until the
round closes, refused after; only a respondent of that school reaches the form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from evaluations import services
from evaluations.forms import field_name
from evaluations.models import Answer, ItemKind, Response
from partners.models import Role
from schools.models import School
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
MINE = reverse("evaluations:mine")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 10, 12, 10, tzinfo=AMS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def round_(school, other_school, wijk):
    return services.open_round(
        wijk.gemeente, 2026, School.objects.all(), dt.date(2026, 10, 1), dt.date(2026, 10, 28)
    )


@pytest.fixture
def jgz(school, other_school):
    """The JGZ kernpartner of both schools."""
    person = UserFactory(email="jgz@ggd.example", first_name="Jet")
    AssignmentFactory(person=person, school=school, role=Role.JGZ)
    AssignmentFactory(person=person, school=other_school, role=Role.JGZ)
    return person


def url(round_, school) -> str:
    return reverse("evaluations:answer", args=[round_.pk, school.pk])


def statements(round_, role) -> list:
    return [
        i
        for i in round_.version.items.order_by("order")
        if i.kind == ItemKind.STATEMENT and i.is_asked_of(role)
    ]


def opens(round_, role) -> list:
    return [
        i for i in round_.version.items.order_by("order") if i.kind == ItemKind.OPEN and i.is_asked_of(role)
    ]


def test_someone_on_two_schools_answers_for_each(client, round_, jgz, school, other_school):
    client.force_login(jgz)
    response = client.get(MINE)
    assert [seat.school for _round, seat, _response in response.context["rows"]] == sorted(
        [school, other_school], key=lambda s: s.name
    )
    body = response.content.decode()
    assert "Nog niet begonnen" in body and "28 oktober 2026" in body


def test_save_halfway_come_back_and_send(client, round_, jgz, school):
    client.force_login(jgz)
    items = statements(round_, Role.JGZ)
    half = {field_name(i): "4" for i in items[:5]}
    half[field_name(items[5])] = "?"
    response = client.post(url(round_, school), {**half, "save": "1"})
    assert response.status_code == 302
    saved = Response.objects.get(respondent=jgz, school=school)
    assert saved.submitted_at is None and saved.answers.count() == 6
    assert saved.answers.get(item=items[5]).unknown
    # Back later: what was saved is filled in; the list says it is not sent yet.
    page = client.get(url(round_, school))
    assert page.context["form"].initial[field_name(items[0])] == "4"
    assert "Bewaard, nog niet ingestuurd" in client.get(MINE).content.decode()
    # Sending needs every statement: nothing is lost when it is refused. Many missing: one message.
    refused = client.post(url(round_, school), {**half, "send": "1"})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [
        f"{len(items) - 6} stellingen hebben nog geen antwoord: kies bij elk een score of 'Weet niet', of "
        "bewaar je antwoorden en maak ze later af."
    ]
    # A few missing: each is marked, and the summary links to it.
    almost = client.post(url(round_, school), {**{field_name(i): "2" for i in items[:-2]}, "send": "1"})
    assert set(almost.context["form"].errors) == {field_name(items[-2]), field_name(items[-1])}
    body = almost.content.decode()
    assert "Kies een score of &#x27;Weet niet&#x27; voordat je je antwoorden instuurt." in body
    assert f'href="#{almost.context["form"][field_name(items[-1])].id_for_label}"' in body
    assert refused.context["form"].data[field_name(items[0])] == "4"
    assert Response.objects.get(pk=saved.pk).submitted_at is None
    complete = {field_name(i): "3" for i in items}
    assert client.post(url(round_, school), {**complete, "send": "1"}).status_code == 302
    saved.refresh_from_db()
    assert saved.submitted_at is not None and saved.answers.count() == len(items)
    # Still open: changed and sent again; an answer emptied is removed.
    changed = {**complete, field_name(items[0]): "5"}
    changed.pop(field_name(items[1]))
    assert client.post(url(round_, school), {**changed, "save": "1"}).status_code == 302
    assert Answer.objects.get(response=saved, item=items[0]).score == 5
    assert not Answer.objects.filter(response=saved, item=items[1]).exists()


def test_an_open_answer_goes_through_the_privacy_guard(client, round_, jgz, school):
    client.force_login(jgz)
    question = opens(round_, Role.JGZ)[0]
    response = client.post(
        url(round_, school), {field_name(question): "Bespreek Bram, BSN 111222333.", "save": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field_name(question)]
    assert "Bespreek Bram" in response.content.decode()  # nothing typed is lost
    assert not Response.objects.exists()


def test_a_bad_score_is_refused(client, round_, jgz, school):
    client.force_login(jgz)
    item = statements(round_, Role.JGZ)[0]
    response = client.post(url(round_, school), {field_name(item): "7", "save": "1"})
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Response.objects.exists()


def test_a_role_gets_only_its_own_items(client, round_, jgz, ib, school):
    client.force_login(jgz)
    jgz_fields = set(client.get(url(round_, school)).context["form"].fields)
    client.force_login(ib)
    ib_fields = set(client.get(url(round_, school)).context["form"].fields)
    only_jgz = {field_name(i) for i in round_.version.items.all() if i.roles == ["jgz"]}
    only_ib = {field_name(i) for i in round_.version.items.all() if i.roles == ["ib"]}
    assert only_jgz and only_jgz <= jgz_fields and not only_jgz & ib_fields
    assert only_ib and only_ib <= ib_fields and not only_ib & jgz_fields


def test_after_closing_the_form_refuses(client, clock, round_, jgz, school):
    client.force_login(jgz)
    item = statements(round_, Role.JGZ)[0]
    client.post(url(round_, school), {field_name(item): "4", "save": "1"})
    clock.move_to(dt.datetime(2026, 10, 29, 9, tzinfo=AMS))
    client.force_login(jgz)  # a session ends after its idle time; the next day is a new visit
    page = client.get(url(round_, school))
    assert page.status_code == 200
    assert "Deze evaluatieronde is gesloten" in page.content.decode()
    assert b'name="send"' not in page.content
    assert client.post(url(round_, school), {field_name(item): "1", "save": "1"}).status_code == 403
    assert Answer.objects.get().score == 4
    assert client.get(MINE).context["rows"] == []


def test_only_a_respondent_of_the_school_reaches_the_form(client, round_, jgz, school, partner, wijk):
    elsewhere = SchoolFactory(name="Niet in de ronde", wijk=wijk)
    AssignmentFactory(person=jgz, school=elsewhere, role=Role.JGZ)
    stand_in = UserFactory(email="invaller@ggd.example")
    AssignmentFactory(person=stand_in, school=school, role=Role.BUURTTEAM, is_stand_in=True)
    leader = UserFactory(email="directeur@school.example")
    AssignmentFactory(person=leader, school=school, role=Role.SCHOOLLEIDER)
    client.force_login(jgz)
    assert client.get(reverse("evaluations:answer", args=[round_.pk, elsewhere.pk])).status_code == 404
    assert client.get(reverse("evaluations:answer", args=[round_.pk + 999, school.pk])).status_code == 404
    for outsider in (stand_in, leader, UserFactory()):
        client.force_login(outsider)
        assert client.get(url(round_, school)).status_code == 404
        assert client.post(url(round_, school), {"save": "1"}).status_code == 404
        assert client.get(MINE).context["rows"] == []
    client.force_login(partner)  # the buurtteam of `school`
    assert client.get(url(round_, school)).status_code == 200


def test_anonymous_visitors_go_to_the_login(client, round_, school):
    for target in (MINE, url(round_, school)):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_form_keeps_its_queries_flat(client, round_, jgz, school, django_assert_max_num_queries):
    client.force_login(jgz)
    items = statements(round_, Role.JGZ)
    client.post(url(round_, school), {**{field_name(i): "3" for i in items}, "save": "1"})
    # session, user, round, seat (round's schools, seat), items, response, answers, whether the user works
    # under JGZ's medical secrecy (the notice above the open questions), session save: fixed
    with django_assert_max_num_queries(13):
        assert client.get(url(round_, school)).status_code == 200
