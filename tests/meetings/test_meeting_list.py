"""The filters and pages of the meetings list ("Overleggen"). The coordinator of the whole gemeente sees
both wijken; the coordinator of `other_wijk` (Overvecht) and the kernpartner of `other_school` are the
outsiders of `school` (West). The clock stands on Tuesday 1 September 2026, 10:00."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings.models import Agreement, CollectiveQuestion, Meeting, MeetingKind, MeetingStatus
from partners.models import Role
from tests.factories import AssignmentFactory, GemeenteFactory, SchoolFactory, UserFactory, WijkFactory

pytestmark = pytest.mark.django_db

LIST = reverse("meetings:list")


@pytest.fixture(autouse=True)
def _pinned_now():
    with time_machine.travel("2026-09-01 10:00 +02:00", tick=False):
        yield


def local(year, month, day, hour=9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))  # noqa: DTZ001


@pytest.fixture
def meetings(school, other_school) -> dict[str, Meeting]:
    """Two schools in two wijken, meetings before and after today in every state."""

    def make(school, when, **fields):
        return Meeting.objects.create(
            school=school, starts_at=when, ends_at=when + dt.timedelta(hours=1), **fields
        )

    return {
        "coming": make(school, local(2026, 9, 15)),
        "logged": make(
            school, local(2026, 6, 10), status=MeetingStatus.HELD, logged_at=local(2026, 6, 10, 12)
        ),
        "unlogged": make(school, local(2026, 8, 25)),
        "elsewhere": make(other_school, local(2026, 9, 16)),
        "cancelled": make(other_school, local(2026, 6, 11), status=MeetingStatus.CANCELLED),
    }


def found(client, **params) -> list[Meeting]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert response.context["filtering"]
    return list(response.context["page"])


def test_it_filters_by_wijk_school_period_status_and_log(
    client, coordinator, school, other_school, wijk, meetings
):
    m = meetings
    client.force_login(coordinator)

    assert found(client, wijk=wijk.pk) == [m["coming"], m["unlogged"], m["logged"]]  # newest first
    assert found(client, school="kompas") == [m["elsewhere"], m["cancelled"]]
    assert found(client, school=other_school.brin) == [m["elsewhere"], m["cancelled"]]
    # With a start of the period: in date order from there.
    assert found(client, date_from="2026-08-01") == [m["unlogged"], m["coming"], m["elsewhere"]]
    assert found(client, date_from="2026-06-10", date_to="2026-06-10") == [m["logged"]]
    assert found(client, date_to="2026-06-30") == [m["cancelled"], m["logged"]]
    assert found(client, status=MeetingStatus.CANCELLED) == [m["cancelled"]]
    assert found(client, logged="yes") == [m["logged"]]
    # Not logged: held already (started, not cancelled) and the log not finished.
    assert found(client, logged="no") == [m["unlogged"]]
    assert found(client, wijk=wijk.pk, status=MeetingStatus.PLANNED, date_from="2026-09-01") == [m["coming"]]
    # By kind: the dashboard's "KPOs held" lists KPOs only, not the work visits of the same year.
    visit = Meeting.objects.create(
        school=school, starts_at=local(2026, 6, 12), kind=MeetingKind.WORK_VISIT, status=MeetingStatus.HELD
    )
    assert found(client, status=MeetingStatus.HELD) == [visit, m["logged"]]
    assert found(client, status=MeetingStatus.HELD, kind=MeetingKind.KPO) == [m["logged"]]
    assert found(client, kind=MeetingKind.WORK_VISIT) == [visit]


def test_it_lists_what_is_coming_first_in_date_order_as_without_a_filter(
    client, coordinator, wijk, school, meetings
):
    """Filtered without a start of the period: the next meeting first, as the list without filters shows
    them, then what has been, the newest first (once every meeting came newest first)."""
    m = meetings
    later = Meeting.objects.create(school=school, starts_at=local(2026, 9, 29))
    client.force_login(coordinator)
    assert found(client, wijk=wijk.pk) == [m["coming"], later, m["unlogged"], m["logged"]]
    assert found(client, status=MeetingStatus.PLANNED) == [m["coming"], m["elsewhere"], later, m["unlogged"]]
    response = client.get(LIST)
    assert list(response.context["page"]) == [m["coming"], m["elsewhere"], later]


def test_it_keeps_the_filter_labels_short_and_the_row_aligned_under_an_error(client, coordinator, meetings):
    """'Wel of niet vastgelegd' was cut off at 1280 px; an error under one filter pushed the others down."""
    client.force_login(coordinator)
    body = client.get(LIST, {"date_from": "9999-12-31"}).content.decode()
    assert '<option value="" selected>Alle</option>' in body
    assert "Wel of niet vastgelegd" not in body
    assert 'class="row g-2 align-items-start mb-3" role="search"' in body


def test_it_shows_what_is_coming_without_a_filter(client, coordinator, meetings):
    client.force_login(coordinator)
    response = client.get(LIST)
    assert not response.context["filtering"]
    assert list(response.context["page"]) == [meetings["coming"], meetings["elsewhere"]]
    body = response.content.decode()
    assert 'name="date_from"' in body
    assert "Gevonden overleggen" not in body
    # An empty filter form sent as it is (every field blank) is no filter either.
    response = client.get(LIST, {"wijk": "", "school": " ", "date_from": "", "status": "", "logged": ""})
    assert not response.context["filtering"]


def test_it_pages_a_filtered_list_and_keeps_the_filter_on_every_page(client, coordinator, school):
    for n in range(55):
        Meeting.objects.create(school=school, starts_at=local(2026, 9, 2) + dt.timedelta(days=n))
    client.force_login(coordinator)

    first = client.get(LIST, {"status": "planned", "date_from": "2026-09-01"})
    assert len(first.context["page"]) == 50
    body = first.content.decode()
    assert "status=planned&amp;" in body and "date_from=2026-09-01&amp;" in body and "page=2" in body
    second = client.get(LIST, {"status": "planned", "date_from": "2026-09-01", "page": "2"})
    assert [m.starts_at for m in second.context["page"]] == [
        local(2026, 9, 2) + dt.timedelta(days=n) for n in range(50, 55)
    ]
    assert client.get(LIST, {"status": "planned", "page": "99"}).context["page"].number == 2


def test_it_keeps_the_outsiders_to_their_own_scope(
    client, wijk_coordinator, outsider, school, wijk, other_wijk, meetings
):
    m = meetings
    client.force_login(wijk_coordinator)
    # The wijk West is not theirs: not offered, and asked for all the same it is an invalid choice.
    page = client.get(LIST)
    assert [w.pk for w in page.context["filter"].form.fields["wijk"].queryset] == [other_wijk.pk]
    response = client.get(LIST, {"wijk": wijk.pk})
    assert "wijk" in response.context["filter"].errors
    assert list(response.context["page"]) == []
    assert found(client, school=school.name) == []
    assert found(client, status=MeetingStatus.PLANNED) == [m["elsewhere"]]
    body = client.get(LIST, {"date_from": "2026-01-01"}).content.decode()
    for key in ("coming", "logged", "unlogged"):
        assert reverse("meetings:detail", args=[m[key].pk]) not in body

    # A kernpartner has no filters (a handful of schools): what is coming, of their own schools only.
    client.force_login(outsider)
    response = client.get(LIST, {"date_from": "2026-01-01", "wijk": wijk.pk})
    assert (response.context["filter"], response.context["filtering"]) == (None, False)
    assert list(response.context["page"]) == [m["elsewhere"]]
    assert 'name="date_from"' not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "31-31-2026"}, "date_from", None),
        (
            {"date_from": "0001-01-01"},
            "date_from",
            "Kies een datum tussen 1 januari 2000 en 31 december 2099.",
        ),
        ({"date_to": "9999-12-31"}, "date_to", "Kies een datum tussen 1 januari 2000 en 31 december 2099."),
        (
            {"date_from": "2026-09-02", "date_to": "2026-09-01"},
            "date_to",
            "Het einde van de periode mag niet voor het begin liggen.",
        ),
        ({"status": "bogus"}, "status", None),
        ({"kind": "party"}, "kind", None),
        ({"logged": "maybe"}, "logged", None),
        ({"wijk": "abc"}, "wijk", None),
        ({"wijk": "999999"}, "wijk", None),
    ],
)
def test_it_refuses_a_bad_filter_in_dutch_and_keeps_what_was_typed(
    client, coordinator, meetings, params, field, message
):
    client.force_login(coordinator)
    response = client.get(LIST, {**params, "school": "Zonnewijzer"})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert field in form.errors
    if message:
        assert form.errors[field] == [message]
    assert list(response.context["page"]) == []  # no list for a filter that does not hold
    assert form["school"].value() == "Zonnewijzer"
    assert str(form[field].value()) == params[field]
    body = response.content.decode()
    assert "Verbeter het filter hierboven om de overleggen te zien." in body
    assert "is-invalid" in body


@pytest.mark.parametrize("schools", [5, 50])
def test_it_keeps_the_filtered_list_queries_flat(client, django_assert_max_num_queries, coordinator, schools):
    for n in range(schools):
        school = SchoolFactory(wijk=WijkFactory(gemeente=coordinator.gemeente))
        AssignmentFactory(person=UserFactory(kind="school"), school=school, role=Role.IB)
        for k in range(3):
            Meeting.objects.create(
                school=school, starts_at=local(2026, 9, 10) + dt.timedelta(days=n, hours=k)
            )
            Meeting.objects.create(
                school=school,
                starts_at=local(2026, 6, 10) - dt.timedelta(days=n, hours=k),
                status=MeetingStatus.HELD,
                logged_at=local(2026, 6, 11),
            )
    wijk = school.wijk  # the last school's
    client.force_login(coordinator)
    params = {"wijk": wijk.pk, "school": "School", "date_from": "2026-01-01", "status": "planned"}
    client.get(LIST, params)  # warm up: the first request of a session does one-off work
    # session, user, the coordinator's authenticator (MFA), the sent wijk's gemeente (the wijk chooses
    # it), the chosen wijk (validating it), count of the meetings found, their page (with school and
    # wijk), the schools this user is IB-er of (none), the wijken for the filter's choices, session save
    # (savepoint, update, release): 12. A coordinator has no gemeente to choose: no query for its choices
    # or to validate it (partners.area_filters).
    with django_assert_max_num_queries(12):
        response = client.get(LIST, params)
    assert response.status_code == 200
    assert len(response.context["page"]) == 3


LISTS = [reverse("meetings:list"), reverse("meetings:questions"), reverse("meetings:agreements-list")]


def select_of(body: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)


def options_of(body: str, name: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_of(body, name))


def chosen_in(body: str, name: str) -> list[str]:
    return re.findall(r'<option value="(\d+)" selected>', select_of(body, name))


@pytest.mark.parametrize("url", LISTS)
def test_it_has_an_admin_choose_the_gemeente_before_its_wijken(client, admin_user, coordinator, wijk, url):
    """An admin's scope is the country (596 wijken, "Centrum" in many gemeenten): the wijk select offers
    the wijken of the chosen gemeente only, as on the roster; the coordinator's are there at once, with no
    gemeente to choose."""
    amersfoort = GemeenteFactory(name="Amersfoort", code="0307")
    WijkFactory(name="Vathorst", gemeente=amersfoort)

    client.force_login(admin_user)
    body = client.get(url).content.decode()
    assert {wijk.gemeente.name, "Amersfoort"} <= set(options_of(body, "gemeente"))
    assert options_of(body, "wijk") == ["Kies eerst een gemeente."]
    body = client.get(url, {"gemeente": amersfoort.pk}).content.decode()
    assert options_of(body, "wijk") == ["Alle wijken", "Vathorst"]
    assert 'data-clears="id_wijk"' in body  # choosing another gemeente empties the wijk

    client.force_login(coordinator)  # one gemeente: nothing to choose, no select of one gemeente
    body = client.get(url).content.decode()
    assert 'name="gemeente"' not in body
    assert wijk.name in options_of(body, "wijk")
    assert "Vathorst" not in body


@pytest.mark.parametrize("url", LISTS)
def test_it_refuses_a_wijk_outside_the_chosen_gemeente(client, admin_user, wijk, url):
    elsewhere = WijkFactory(name="Vathorst", gemeente=GemeenteFactory(name="Amersfoort", code="0307"))
    client.force_login(admin_user)
    response = client.get(url, {"gemeente": elsewhere.gemeente_id, "wijk": wijk.pk})
    assert response.status_code == 200
    assert "wijk" in response.context["filter"].errors
    assert "Deze wijk ligt niet in de gekozen gemeente." in response.content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_a_wijk_sent_alone_chooses_its_gemeente(client, admin_user, wijk, url):
    """The links of the home page and the dashboard send a wijk without its gemeente."""
    WijkFactory(name="Vathorst", gemeente=GemeenteFactory(name="Amersfoort", code="0307"))
    client.force_login(admin_user)
    response = client.get(url, {"wijk": wijk.pk})
    assert not response.context["filter"].errors
    body = response.content.decode()
    assert chosen_in(body, "gemeente") == [str(wijk.gemeente_id)]
    assert chosen_in(body, "wijk") == [str(wijk.pk)]
    assert "Vathorst" not in options_of(body, "wijk")


@pytest.mark.parametrize("url", LISTS)
def test_it_filters_each_list_by_the_chosen_gemeente(client, admin_user, coordinator, school, ib, url):
    amsterdam = SchoolFactory(
        name="Amsterdamse school",
        wijk=WijkFactory(name="Noord", gemeente=GemeenteFactory(name="Amsterdam", code="0363")),
    )
    for each in (school, amsterdam):
        meeting = Meeting.objects.create(
            school=each, starts_at=local(2026, 9, 15), ends_at=local(2026, 9, 15, 10)
        )
        CollectiveQuestion.objects.create(school=each, meeting=meeting, text=f"Vraag van {each.name}")
        Agreement.objects.create(
            school=each,
            meeting=meeting,
            description=f"Afspraak van {each.name}",
            owner=ib,
            due_date=dt.date(2026, 10, 1),
        )

    def found(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        page = response.context.get("page")
        return response, {item.school.name for item in (page.object_list if page else [])}

    client.force_login(admin_user)
    assert found()[1] == {school.name, "Amsterdamse school"}
    assert found(gemeente=amsterdam.gemeente_id)[1] == {"Amsterdamse school"}
    assert found(gemeente=school.gemeente_id)[1] == {school.name}
    assert found(wijk=amsterdam.wijk_id)[1] == {"Amsterdamse school"}

    client.force_login(coordinator)  # of the first school's gemeente: Amsterdam is not theirs
    response, schools = found(gemeente=amsterdam.gemeente_id)
    assert "gemeente" in response.context["filter"].errors
    assert schools == set()


@pytest.mark.parametrize("url", LISTS[1:])  # the meetings list is for coordinators and admins
def test_it_offers_a_kernpartner_in_two_gemeenten_their_wijken_at_once(client, partner, school, url):
    """Only an admin's choice spans the country; a kernpartner at schools in two gemeenten gets the few
    wijken of their schools, each named with its gemeente ("Centrum" may be in both)."""
    amsterdam = SchoolFactory(
        wijk=WijkFactory(name=school.wijk.name, gemeente=GemeenteFactory(name="Amsterdam", code="0363"))
    )
    AssignmentFactory(person=partner, school=amsterdam, role=Role.BUURTTEAM)
    client.force_login(partner)
    body = client.get(url).content.decode()
    assert options_of(body, "wijk") == [
        "Alle wijken",
        f"{school.wijk.name} (Amsterdam)",
        f"{school.wijk.name} ({school.gemeente.name})",
    ]
    assert options_of(body, "gemeente") == ["Alle gemeenten", "Amsterdam", school.gemeente.name]
