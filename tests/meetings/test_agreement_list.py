"""Everyone's agreements list (meetings:agreements-list, issue 12): the agreements of the schools in one's
scope, filtered by status (open and overdue as of today, done), owner's role at the school, wijk, school,
school year and action line; bad filter input is refused in Dutch with no list; its queries do not grow
with the agreements."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kpa.models import UserKind
from meetings import views_agreements
from meetings.models import Agreement, AgreementStatus, Meeting
from partners.models import Role
from tests.factories import AssignmentFactory, GemeenteFactory, SchoolFactory, UserFactory, WijkFactory
from tests.programme.factories import ActionLineFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = dt.datetime(2027, 3, 10, 12, 0, tzinfo=AMS)  # school year 2026–2027
THIS_YEAR = dt.datetime(2027, 2, 1, 9, tzinfo=AMS)
LAST_YEAR = dt.datetime(2026, 3, 1, 9, tzinfo=AMS)  # school year 2025–2026
URL = reverse("meetings:agreements-list")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def agree(school, text, owner, due, *, when=THIS_YEAR, status=AgreementStatus.OPEN, **fields):
    meeting = Meeting.objects.create(school=school, starts_at=when, ends_at=when + dt.timedelta(hours=1))
    return Agreement.objects.create(
        school=school, meeting=meeting, description=text, owner=owner, due_date=due, status=status, **fields
    )


@pytest.fixture
def line(school):
    return ActionLineFactory(
        programme=ProgrammeFactory(gemeente=school.gemeente, sector=school.sector), number=4
    )


@pytest.fixture
def agreements(school, other_school, ib, partner, outsider, line):
    left = UserFactory(kind=UserKind.KERNPARTNER)  # the school's attendance officer until last summer
    AssignmentFactory(
        person=left,
        school=school,
        role=Role.LEERPLICHT,
        start_date=dt.date(2024, 8, 1),
        end_date=dt.date(2026, 7, 31),
    )
    return {
        "overdue": agree(school, "Buurtteam belt ouders", partner, dt.date(2027, 3, 1)),
        "open": agree(school, "IB-er plant de training", ib, dt.date(2027, 4, 1), action_line=line),
        "done": agree(
            school,
            "Verzuimprotocol delen",
            ib,
            dt.date(2026, 4, 1),
            when=LAST_YEAR,
            status=AgreementStatus.DONE,
        ),
        "noseat": agree(school, "Jongerenwerk uitnodigen", UserFactory(), dt.date(2027, 4, 1)),
        "left": agree(school, "Thuiszitters in beeld", left, dt.date(2027, 6, 1)),
        "elders": agree(
            other_school, "JGZ spreekuur op school", outsider, dt.date(2027, 5, 1), action_line=line
        ),
    }


def shown(response) -> set[str]:
    assert response.status_code == 200
    return {a.description for a in response.context["page"].object_list}


def names(agreements, *keys) -> set[str]:
    return {agreements[k].description for k in keys}


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_each_sees_the_agreements_of_their_own_schools_only(
    client, agreements, ib, partner, outsider, coordinator, wijk_coordinator, admin_user
):
    at_school = names(agreements, "overdue", "open", "done", "noseat", "left")
    client.force_login(ib)  # the IB-er: their own school's, whoever owns them
    assert shown(client.get(URL)) == at_school
    client.force_login(partner)  # a kernpartner: the schools they serve
    assert shown(client.get(URL)) == at_school
    client.force_login(outsider)  # a kernpartner of another school: none of this school's
    assert shown(client.get(URL)) == names(agreements, "elders")
    client.force_login(wijk_coordinator)  # the wijk of other_school
    assert shown(client.get(URL)) == names(agreements, "elders")
    client.force_login(coordinator)  # the gemeente
    assert shown(client.get(URL)) == {a.description for a in agreements.values()}
    client.force_login(admin_user)
    assert shown(client.get(URL)) == {a.description for a in agreements.values()}
    client.force_login(UserFactory(kind=UserKind.KERNPARTNER))  # no seat anywhere: nothing
    assert shown(client.get(URL)) == set()


def test_another_gemeentes_agreements_stay_out_of_a_coordinators_list(client, agreements, coordinator):
    elsewhere = SchoolFactory(wijk=WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam")))
    agree(elsewhere, "Elders in het land", UserFactory(), dt.date(2027, 4, 1))
    client.force_login(coordinator)
    assert "Elders in het land" not in shown(client.get(URL))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # open as of today, overdue ones included (as the dashboard counts them)
        ({"status": "open"}, {"overdue", "open", "noseat", "left", "elders"}),
        ({"status": "overdue"}, {"overdue"}),
        ({"status": "done"}, {"done"}),
        ({"role": Role.BUURTTEAM}, {"overdue"}),
        ({"role": Role.IB}, {"open", "done"}),
        ({"role": Role.JGZ}, {"elders"}),
        ({"role": Role.LEERPLICHT}, {"left"}),  # the seat they held there last, though it ended
        ({"role": "none"}, {"noseat"}),
        ({"role": Role.IB, "status": "open"}, {"open"}),
        ({"wijk": "OTHER_WIJK"}, {"elders"}),
        ({"school": "Kompas"}, {"elders"}),
        ({"school": "BRIN"}, {"overdue", "open", "done", "noseat", "left"}),
        ({"year": "2026"}, {"overdue", "open", "noseat", "left", "elders"}),
        ({"year": "2025"}, {"done"}),
        ({"year": "2021"}, set()),  # the sixth year offered: the year before the dashboard's oldest
        ({"action_line": "LINE"}, {"open", "elders"}),
    ],
)
def test_the_filters(client, agreements, coordinator, school, other_school, line, query, expected):
    client.force_login(coordinator)
    stand_ins = {"LINE": str(line.pk), "OTHER_WIJK": str(other_school.wijk_id), "BRIN": school.brin}
    response = client.get(URL, {k: stand_ins.get(v, v) for k, v in query.items()})
    assert shown(response) == names(agreements, *expected)
    assert response.context["filter"].errors == {}


def test_bad_filter_input_is_refused_in_dutch_with_no_list(client, agreements, coordinator):
    elsewhere = WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam"))
    client.force_login(coordinator)
    response = client.get(
        URL, {"status": "misschien", "role": "directeur", "year": "2019", "wijk": str(elsewhere.pk)}
    )
    assert response.status_code == 200
    errors = response.context["filter"].errors
    assert set(errors) == {"status", "role", "year", "wijk"}
    assert all("Selecteer een geldige keuze" in " ".join(messages) for messages in errors.values())
    assert shown(response) == set()
    body = response.content.decode()
    assert "Verbeter het filter hierboven om de afspraken te zien." in body
    assert 'value="Kompas"' in client.get(URL, {"school": "Kompas", "year": "2019"}).content.decode()


def test_the_page_shows_owner_role_school_and_status(client, agreements, ib, partner):
    client.force_login(ib)
    body = client.get(URL).content.decode()
    assert "Buurtteam belt ouders" in body
    assert str(partner) in body
    assert "Buurtteam" in body and "Geen plek op de school" in body and "Leerplichtambtenaar" in body
    assert "OBS De Zonnewijzer" in body
    assert "Verlopen" in body and "Afgerond" in body
    assert "6 afspraken" not in body and "5 afspraken" in body


def test_it_pages(client, agreements, coordinator, monkeypatch):
    monkeypatch.setattr(views_agreements, "AGREEMENTS_PER_PAGE", 4)
    client.force_login(coordinator)
    first = client.get(URL, {"status": "open"})
    assert len(first.context["page"].object_list) == 4
    assert "page=2" in first.content.decode() and "status=open" in first.content.decode()
    second = client.get(URL, {"status": "open", "page": "2"})
    assert len(second.context["page"].object_list) == 1


@pytest.mark.parametrize("count", [3, 30])
def test_its_queries_do_not_grow_with_the_agreements(
    client, coordinator, school, line, count, django_assert_max_num_queries
):
    for n in range(count):
        other = SchoolFactory(wijk=school.wijk)
        owner = AssignmentFactory(school=other, role=Role.JGZ).person
        agree(other, f"Afspraak {n}", owner, dt.date(2027, 4, 1), action_line=line)
    client.force_login(coordinator)
    # 12: session, user, MFA check; the count and the page's rows (owner's role a subquery in both); the
    # gemeente, wijk and action line choices; the access log row (issue 14); the session saved
    # (savepoint, update, release)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"role": Role.JGZ})
    assert len(response.context["page"].object_list) == count
