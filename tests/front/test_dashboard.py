"""The coordinator's dashboard (issue 12): every figure on a small known data set, both school years, at a
pinned clock; scope (wijk coordinator, other gemeente, admin's pick); who may open it; the XLSX; queries.

The data set, at 2 December 2026 (school year 2026-2027; the previous one 2025-2026, its teams looked at
on 31 July 2026). Gemeente Utrecht: wijk West with schools A, B, C; wijk Overvecht with school D.
Gemeente Amersfoort: school X, whose figures Utrecht's coordinators never see.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from front.dashboard import SchoolYear, dashboard_scope
from front.dashboard_page import CHART_MAX_ROWS, dashboard_sections
from front.dashboard_programme import LIST_LIMIT
from kpa.models import AccessLog, UserKind
from meetings.models import (
    Agreement,
    AgreementStatus,
    Attendance,
    CaseworkCount,
    CollectiveQuestion,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from partners.models import PARTNER_ROLES, Assignment, Role
from schools.models import School, Wijk
from tests.conftest import with_totp
from tests.factories import (
    ActionLineFactory,
    AssignmentFactory,
    GemeenteFactory,
    SchoolFactory,
    UserFactory,
    WijkFactory,
)

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=AMS)
DASHBOARD = reverse("dashboard:index")
EXPORT = reverse("dashboard:export-xlsx")
LONG_AGO = dt.date(2025, 1, 1)
GREEN = "Op koers"  # the traffic light's Dutch label
IB, BT, JGZ, PO, LP = Role.IB, Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(y, m, d, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=AMS)


def seat(school, role, start=LONG_AGO, end=None):
    return AssignmentFactory(school=school, role=role, start_date=start, end_date=end).person


def kpo(school, when, status=MeetingStatus.HELD, kind=MeetingKind.KPO, **casework):
    meeting = Meeting.objects.create(school=school, starts_at=when, status=status, kind=kind)
    for theme, count in casework.items():
        CaseworkCount.objects.create(meeting=meeting, theme=theme, count=count)
    return meeting


def invite(meeting, person, role, attendance):
    Invitee.objects.create(meeting=meeting, person=person, role=role, attendance=attendance)


def agree(meeting, owner, due, status=AgreementStatus.OPEN):
    Agreement.objects.create(
        school=meeting.school, meeting=meeting, owner=owner, due_date=due, status=status, description="x"
    )


@pytest.fixture
def data(school, other_school, wijk, other_wijk):
    """A = `school` (West), B and C (West), D = `other_school` (Overvecht); X in Amersfoort."""
    a, d = school, other_school
    b = SchoolFactory(name="School B", wijk=wijk)
    c = SchoolFactory(name="School C", wijk=wijk)
    people = {}
    # A: complete both years.
    for role in (IB, *PARTNER_ROLES):
        people[("a", role)] = seat(a, role)
    # B: complete today, but its leerplicht seat ends on 20 December; its JGZ seat began on 1 September.
    for role in (IB, BT, PO):
        people[("b", role)] = seat(b, role)
    people[("b", JGZ)] = seat(b, JGZ, start=dt.date(2026, 9, 1))
    people[("b", LP)] = seat(b, LP, end=dt.date(2026, 12, 20))
    # C: IB-er and buurtteam; its first IB-er left on 10 August, the next one came on 1 September.
    seat(c, IB, end=dt.date(2026, 8, 10))
    people[("c", IB)] = seat(c, IB, start=dt.date(2026, 9, 1))
    seat(c, BT)
    # D: only an IB-er.
    people[("d", IB)] = seat(d, IB)
    people[("d", BT)] = UserFactory()  # invited last year, holds no seat now

    # This school year.
    a1 = kpo(a, at(2026, 9, 10), verzuim=2, gedrag=3)
    a2 = kpo(a, at(2026, 11, 5), verzuim=1)
    kpo(a, at(2027, 1, 15), status=MeetingStatus.PLANNED)
    visit = kpo(a, at(2026, 10, 10), kind=MeetingKind.WORK_VISIT)
    b1 = kpo(b, at(2026, 10, 1), verzuim=4, leren=1)
    kpo(c, at(2026, 11, 20), gedrag=2)
    c_cancelled = kpo(c, at(2026, 10, 2), status=MeetingStatus.CANCELLED, verzuim=9)
    kpo(d, at(2026, 9, 15), status=MeetingStatus.CANCELLED)
    invite(a1, people[("a", IB)], IB, Attendance.PRESENT)
    invite(a1, people[("a", BT)], BT, Attendance.PRESENT)
    invite(a1, people[("a", JGZ)], JGZ, Attendance.ABSENT)
    invite(a2, people[("a", IB)], IB, Attendance.PRESENT)
    invite(a2, people[("a", JGZ)], JGZ, Attendance.PRESENT)
    invite(a2, people[("a", LP)], LP, Attendance.REPLACED)
    invite(b1, people[("b", IB)], IB, Attendance.PRESENT)
    invite(b1, people[("b", PO)], PO, Attendance.UNKNOWN)
    invite(visit, people[("a", PO)], PO, Attendance.PRESENT)  # a work visit: not a KPO
    agree(a1, people[("a", BT)], dt.date(2026, 11, 1))  # overdue
    agree(a1, people[("a", IB)], dt.date(2026, 10, 1), status=AgreementStatus.DONE)
    agree(b1, people[("b", LP)], dt.date(2027, 1, 10))  # open, not yet due
    agree(c_cancelled, UserFactory(), dt.date(2026, 11, 15))  # an owner without a seat at C: overdue
    line, other_line = (
        ActionLineFactory(number=11, title="Elf"),
        ActionLineFactory(number=14, title="Veertien"),
    )
    question = CollectiveQuestion.objects.create
    question(school=a, meeting=a1, text="q1", answered_at=at(2026, 10, 1), theme="verzuim", action_line=line)
    question(school=a, meeting=a1, text="q2", theme="gedrag")
    question(school=b, meeting=b1, text="q3", action_line=line)

    # The school year before.
    a0 = kpo(a, at(2026, 3, 1), verzuim=5)
    kpo(b, at(2025, 10, 1), gedrag=1)
    kpo(b, at(2026, 7, 31, 23, 30))  # the last half hour of that school year
    d0 = kpo(d, at(2026, 5, 1), verzuim=2)
    invite(d0, people[("d", IB)], IB, Attendance.PRESENT)
    invite(d0, people[("d", BT)], BT, Attendance.ABSENT)
    agree(d0, people[("d", IB)], dt.date(2026, 6, 1))  # still open: overdue
    agree(a0, people[("a", JGZ)], dt.date(2026, 4, 1), status=AgreementStatus.DONE)
    question(
        school=d, meeting=d0, text="q4", answered_at=at(2026, 5, 2), theme="verzuim", action_line=other_line
    )
    kpo(a, at(2025, 7, 31, 23, 0), verzuim=7)  # two school years ago: in neither year

    # Another gemeente: a complete team, a KPO with everything, a wijk that would be shown.
    amersfoort = GemeenteFactory(code="0307", name="Amersfoort")
    centrum = WijkFactory(gemeente=amersfoort, name="Amersfoort-Centrum")
    for n in range(3):
        x = SchoolFactory(name=f"School X{n}", wijk=centrum)
        for role in (IB, *PARTNER_ROLES):
            seat(x, role)
        x1 = kpo(x, at(2026, 10, 5), verzuim=100)
        agree(x1, UserFactory(), dt.date(2026, 10, 6))
        CollectiveQuestion.objects.create(school=x, meeting=x1, text="qx", theme="verzuim")
    return {"a": a, "b": b, "c": c, "d": d, "amersfoort": amersfoort, "centrum": centrum}


def tables(response) -> dict:
    """{table key: {row label: values}} of the page's context."""
    assert response.status_code == 200, response
    return {
        table.key: {row.label: row.values for row in table.rows}
        for section in response.context["sections"]
        for table in section.tables
    }


def notes(response) -> dict:
    """{table key: its note}."""
    return {table.key: table.note for section in response.context["sections"] for table in section.tables}


def rows_links(response, key) -> dict:
    return {
        row.label: row.url
        for s in response.context["sections"]
        for t in s.tables
        if t.key == key
        for row in t.rows
    }


# --- Every figure, both years -------------------------------------------------------------------------------


def test_it_counts_coverage_today_and_at_the_end_of_last_year(client, data, coordinator):
    client.force_login(coordinator)
    figures = tables(client.get(DASHBOARD))
    assert figures["teams"] == {
        "Scholen": [4, 4],
        "Compleet team (IB-er en de vier kernpartners)": [2, 1],
        "Zonder compleet team": [2, 3],
        "Een kernpartnerplek eindigt binnen 30 dagen": [1, 0],
    }
    # vacant this year, last year; ends within 30 days this year, last year
    assert figures["vacancies"] == {
        "IB-er / zorgcoördinator": [0, 0, 0, 1],
        "Buurtteam": [1, 1, 0, 0],
        "Jeugdgezondheidszorg (JGZ)": [2, 3, 0, 0],
        "Adviseur passend onderwijs": [2, 2, 0, 0],
        "Leerplichtambtenaar": [2, 2, 1, 0],
    }


def test_it_counts_the_kpo_rhythm_against_the_target(client, data, coordinator):
    client.force_login(coordinator)
    assert tables(client.get(DASHBOARD))["kpos"] == {
        "Gehouden KPO's": [4, 4],
        "Scholen met minstens 2 KPO's (het doel)": [1, 1],
        "Scholen met minder KPO's dan het doel": [2, 2],
        "Scholen zonder gehouden KPO": [1, 1],
        "Scholen zonder gehouden of geplande KPO": [1, 1],
    }


def test_it_counts_kpos_and_schools_without_one_by_wijk(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    # KPOs held this year, last year; schools without one this year, last year
    assert tables(response)["kpos-wijk"] == {"West": [4, 3, 0, 1], "Overvecht": [0, 1, 1, 0]}
    west = data["a"].wijk_id
    assert rows_links(response, "kpos-wijk")["West"] == (
        f"/meetings/?status=held&kind=kpo&date_from=2026-08-01&date_to=2027-07-31&wijk={west}"
    )


def test_the_target_is_a_setting(client, data, coordinator, settings):
    settings.KPA_KPO_TARGET_PER_YEAR = 1
    client.force_login(coordinator)
    figures = tables(client.get(DASHBOARD))["kpos"]
    assert figures["Scholen met minstens 1 KPO's (het doel)"] == [3, 3]
    assert figures["Scholen met minder KPO's dan het doel"] == [0, 0]


def test_it_counts_attendance_per_role_at_the_kpos_held(client, data, coordinator):
    client.force_login(coordinator)
    # invited, present, % present this year; the same last year
    assert tables(client.get(DASHBOARD))["attendance"] == {
        "IB-er / zorgcoördinator": [3, 3, 100, 1, 1, 100],
        "Buurtteam": [1, 1, 100, 1, 0, 0],
        "Jeugdgezondheidszorg (JGZ)": [2, 1, 50, 0, 0, None],
        "Adviseur passend onderwijs": [1, 0, 0, 0, 0, None],
        "Leerplichtambtenaar": [1, 0, 0, 0, 0, None],
    }


def test_it_counts_open_and_overdue_agreements_by_owner_role_and_wijk(client, data, coordinator):
    client.force_login(coordinator)
    figures = tables(client.get(DASHBOARD))
    # open this year, last year; overdue this year, last year; made this year, last year
    assert figures["agreements-role"] == {
        "IB-er / zorgcoördinator": [0, 1, 0, 1, 1, 1],
        "Buurtteam": [1, 0, 1, 0, 1, 0],
        "Jeugdgezondheidszorg (JGZ)": [0, 0, 0, 0, 0, 1],
        "Adviseur passend onderwijs": [0, 0, 0, 0, 0, 0],
        "Leerplichtambtenaar": [1, 0, 0, 0, 1, 0],
        "Geen plek op de school": [1, 0, 1, 0, 1, 0],
    }
    assert figures["agreements-wijk"] == {
        "West": [3, 0, 2, 0, 4, 1],
        "Overvecht": [0, 1, 0, 1, 0, 1],
    }


def test_it_counts_collective_questions_by_wijk_theme_and_action_line(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    figures = tables(response)
    # asked this year, last year; unanswered this year, last year
    assert figures["questions"] == {"West": [3, 0, 2, 0], "Overvecht": [0, 1, 0, 0]}
    themes = figures["questions-theme"]
    assert themes["Verzuim en thuiszitters"] == [1, 1, 0, 0]
    assert themes["Gedrag"] == [1, 0, 1, 0]
    assert themes["Geen thema"] == [1, 0, 1, 0]
    assert sum(sum(values) for values in themes.values()) == 3 + 1 + 2  # asked, asked before, unanswered
    assert figures["questions-line"] == {
        "11. Elf": [2, 0, 1, 0],
        "14. Veertien": [0, 1, 0, 0],
        "Geen actielijn": [1, 0, 1, 0],
    }
    # Each links to the collective questions list with the same filter and school year.
    west = data["a"].wijk_id
    assert rows_links(response, "questions")["West"] == f"/meetings/questions/?year=2026&wijk={west}"
    assert rows_links(response, "questions-theme")["Gedrag"] == "/meetings/questions/?year=2026&theme=gedrag"
    line_link = rows_links(response, "questions-line")["11. Elf"]
    assert line_link.startswith("/meetings/questions/?year=2026&action_line=")
    assert len(client.get(line_link).context["page"].object_list) == 2


def test_it_shows_casework_per_wijk_only_where_enough_schools_reported(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    figures = tables(response)
    # West: A, B and C reported this year (13 pupils), only A and B last year: not shown (None).
    # Overvecht: one school, never shown; nothing reported this year (0 says nothing about a school).
    assert figures["casework"] == {
        "West": [13, None],
        "Overvecht": [0, None],
        "Totaal van de getoonde wijken": [13, 0],
    }
    assert figures["verzuim"] == {
        "West": [7, None],
        "Overvecht": [0, None],
        "Totaal van de getoonde wijken": [7, 0],
    }
    assert figures["themes"]["West"] == [7, 0, 5, 0, 1, 0, 0, 0]
    body = response.content.decode()
    assert "minder dan 3 van haar scholen" in body
    assert "School B" not in body  # never per school


def test_the_threshold_of_schools_is_a_setting(client, data, coordinator, settings):
    settings.KPA_WIJKDATA_MIN_SCHOOLS = 2
    client.force_login(coordinator)
    figures = tables(client.get(DASHBOARD))
    assert figures["casework"]["West"] == [13, 6]
    assert figures["verzuim"]["West"] == [7, 5]
    assert figures["casework"]["Overvecht"] == [0, None]


def test_it_shows_an_earlier_school_year_beside_the_one_before_it(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD, {"year": "2025"})
    figures = tables(response)
    assert response.context["year"] == SchoolYear(2025)
    assert figures["kpos"]["Gehouden KPO's"] == [4, 1]  # 2025-2026 and 2024-2025
    assert figures["teams"]["Compleet team (IB-er en de vier kernpartners)"] == [1, 1]  # 31 July 2026, 2025
    assert "Schooljaar 2025–2026, met 2024–2025 ernaast." in response.content.decode()
    # The roster shows today's teams: no link from a past year's team figures.
    assert rows_links(response, "vacancies")["Buurtteam"] == ""


def test_each_figure_links_to_the_list_behind_it(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    assert rows_links(response, "vacancies")["Jeugdgezondheidszorg (JGZ)"] == "/schools/?missing_role=jgz"
    assert (
        rows_links(response, "teams")["Een kernpartnerplek eindigt binnen 30 dagen"] == "/schools/?gap=ending"
    )
    held = rows_links(response, "kpos")["Gehouden KPO's"]
    assert held == "/meetings/?status=held&kind=kpo&date_from=2026-08-01&date_to=2027-07-31"
    # The 4 KPOs held, not the work visit at A.
    assert len(client.get(held).context["page"].object_list) == 4
    # Attendance: each figure links to the KPOs held in its year, whose invitations it counts.
    (attendance,) = (t for sec in response.context["sections"] for t in sec.tables if t.key == "attendance")
    before = held.replace("2026-08-01&date_to=2027-07-31", "2025-08-01&date_to=2026-07-31")
    assert [link for _value, link in attendance.rows[0].cells] == [held] * 3 + [before] * 3
    assert len(client.get(before).context["page"].object_list) == 4


def test_it_draws_each_chart_as_an_accessible_svg_beside_its_table(client, data, coordinator):
    client.force_login(coordinator)
    body = client.get(DASHBOARD).content.decode()
    # every table but the theme matrix, the stale activities and the indicators has its chart
    assert body.count('role="img"') == 14
    assert '<title id="chart-kpos-title">Gehouden KPO&#x27;s</title>' in body
    assert 'aria-labelledby="chart-kpos-title chart-kpos-desc"' in body
    assert "<script" not in body.split('id="main"')[1].split("</main>")[0]
    assert 'id="programme"' in body


# --- Scope -----------------------------------------------------------------------------------------------


def test_a_wijk_coordinator_sees_only_their_wijks_figures(client, data, wijk_coordinator):
    client.force_login(wijk_coordinator)
    response = client.get(DASHBOARD)
    figures = tables(response)
    assert response.context["scope"].name == "Overvecht"
    assert figures["teams"]["Scholen"] == [1, 1]
    assert figures["teams"]["Compleet team (IB-er en de vier kernpartners)"] == [0, 0]
    assert figures["vacancies"]["Buurtteam"] == [1, 1, 0, 0]
    assert figures["kpos"]["Gehouden KPO's"] == [0, 1]
    assert figures["agreements-wijk"] == {"Overvecht": [0, 1, 0, 1, 0, 1]}
    assert figures["casework"] == {"Overvecht": [0, None], "Totaal van de getoonde wijken": [0, 0]}
    assert "West" not in response.content.decode()
    assert (
        rows_links(response, "vacancies")["Buurtteam"]
        == f"/schools/?wijk={data['d'].wijk_id}&missing_role=buurtteam"
    )


def test_each_school_figure_links_to_a_roster_of_exactly_those_schools(
    client, data, coordinator, wijk_coordinator
):
    """Schools, complete teams and not, seats ending, vacancies, schools without a KPO: the roster behind
    each figure of this school year lists as many schools as the figure counts."""
    for user in (coordinator, wijk_coordinator):
        client.force_login(user)
        response = client.get(DASHBOARD)
        figures = tables(response)
        followed = 0
        for key in ("teams", "vacancies", "kpos"):
            for label, url in rows_links(response, key).items():
                if not url.startswith("/schools/"):
                    continue
                listed = client.get(url).context["page"].paginator.count
                assert listed == figures[key][label][0], (user, key, label, url)
                followed += 1
        assert followed == 4 + 5 + 2
        # The KPOs held, in all and per wijk: the meetings list behind them has as many.
        meetings = {"Gehouden KPO's": rows_links(response, "kpos")["Gehouden KPO's"]}
        meetings.update((label, url) for label, url in rows_links(response, "kpos-wijk").items() if url)
        for label, url in meetings.items():
            held = (
                figures["kpos"]["Gehouden KPO's"][0]
                if label == "Gehouden KPO's"
                else figures["kpos-wijk"][label][0]
            )
            assert client.get(url).context["page"].paginator.count == held, (user, label, url)
    client.force_login(coordinator)
    links = rows_links(client.get(DASHBOARD), "teams")
    assert links["Compleet team (IB-er en de vier kernpartners)"] == "/schools/?team=complete"
    assert rows_links(client.get(DASHBOARD), "kpos")["Scholen zonder gehouden KPO"] == "/schools/?kpo=none"
    # An earlier school year's figures have no roster behind them (the roster shows today's teams).
    assert all(url == "" for url in rows_links(client.get(DASHBOARD, {"year": "2025"}), "teams").values())


def test_a_coordinator_never_sees_another_gemeente(client, data, coordinator):
    client.force_login(coordinator)
    body = client.get(DASHBOARD).content.decode()
    assert "Amersfoort" not in body
    assert client.get(DASHBOARD, {"gemeente": data["amersfoort"].pk}).status_code == 404
    assert client.get(EXPORT, {"gemeente": data["amersfoort"].pk}).status_code == 404
    assert client.get(DASHBOARD, {"gemeente": data["a"].gemeente_id}).status_code == 200


def test_an_admin_picks_a_gemeente(client, data, coordinator, admin_user):
    client.force_login(admin_user)
    first = client.get(DASHBOARD)  # the first by name: Amersfoort
    assert first.context["scope"].gemeente == data["amersfoort"]
    assert tables(first)["kpos"]["Gehouden KPO's"] == [3, 0]
    assert tables(first)["casework"]["Amersfoort-Centrum"] == [300, 0]
    utrecht = client.get(DASHBOARD, {"gemeente": data["a"].gemeente_id})
    # The admin's lists span every gemeente: the links of one gemeente's figures carry it, a wijk's its
    # wijk (which chooses its gemeente); each list then counts what the figure counts.
    pk = data["a"].gemeente_id
    held = rows_links(utrecht, "kpos")["Gehouden KPO's"]
    assert held.startswith(f"/meetings/?gemeente={pk}&status=held&")
    assert listed(client, held) == tables(utrecht)["kpos"]["Gehouden KPO's"][0]
    assert rows_links(utrecht, "vacancies")["Buurtteam"] == f"/schools/?gemeente={pk}&missing_role=buurtteam"
    roster = client.get(rows_links(utrecht, "teams")["Scholen"])
    assert roster.context["page"].paginator.count == tables(utrecht)["teams"]["Scholen"][0]
    west = data["a"].wijk_id
    assert rows_links(utrecht, "questions")["West"] == f"/meetings/questions/?year=2026&wijk={west}"
    assert rows_links(utrecht, "casework")["West"].endswith(f"&wijk={west}")
    client.force_login(coordinator)
    assert tables(utrecht) == tables(client.get(DASHBOARD))
    client.force_login(admin_user)
    assert client.get(DASHBOARD, {"gemeente": "999999"}).status_code == 404
    assert client.get(DASHBOARD, {"gemeente": "x"}).status_code == 404


def column_sums(rows: dict) -> list:
    """The sums of a table's columns over its rows (None, a figure not shown, counts as nothing)."""
    return [sum(v or 0 for v in column) for column in zip(*rows.values(), strict=True)]


def test_an_admin_sees_every_gemeente_at_once(client, data, coordinator, admin_user):
    client.force_login(admin_user)
    national = client.get(DASHBOARD, {"gemeente": "all"})
    assert national.context["scope"].national
    assert "Dashboard alle gemeenten" in national.content.decode()
    figures = tables(national)
    utrecht = tables(client.get(DASHBOARD, {"gemeente": data["a"].gemeente_id}))
    amersfoort = tables(client.get(DASHBOARD, {"gemeente": data["amersfoort"].pk}))
    # Counts of schools, seats, KPOs and agreements add up over the gemeenten.
    for key in ("teams", "vacancies", "kpos", "agreements-role", "questions-theme"):
        for label, values in figures[key].items():
            zeros = [0] * len(values)
            here, there = utrecht[key].get(label, zeros), amersfoort[key].get(label, zeros)
            assert values == [u + a for u, a in zip(here, there, strict=True)], (key, label)
    assert figures["teams"]["Scholen"] == [7, 7]
    # The figures per area are per gemeente: each the sum of that gemeente's wijken.
    assert figures["kpos-wijk"]["Utrecht"] == column_sums(utrecht["kpos-wijk"]) == [4, 4, 1, 1]
    assert figures["kpos-wijk"]["Amersfoort"] == [3, 0, 0, 3]
    assert figures["agreements-wijk"]["Utrecht"] == column_sums(utrecht["agreements-wijk"])
    assert figures["questions"]["Utrecht"] == column_sums(utrecht["questions"])
    # Wijk data per gemeente adds up only its wijken that are shown: Utrecht's West this year (three
    # schools reported); last year none of its wijken had three, so Utrecht is not shown (–) either and
    # no figure of a hidden wijk can be worked out from the gemeente's.
    assert figures["casework"]["Utrecht"] == [13, None]
    assert figures["casework"]["Amersfoort"] == [300, 0]
    assert figures["casework"]["Totaal van de getoonde gemeenten"] == [313, 0]
    assert figures["verzuim"]["Utrecht"] == [utrecht["verzuim"]["West"][0], None]
    assert "tellen die van haar wijken op die getoond worden" in notes(national)["casework"]
    # The admin's lists span every gemeente, as the national figures do: a figure links to its list; a
    # gemeente's row to its list with that gemeente (followed in the test after the next).
    assert rows_links(national, "kpos")["Gehouden KPO's"].startswith("/meetings/?status=held&")
    assert rows_links(national, "vacancies")["Buurtteam"] == "/schools/?missing_role=buurtteam"
    assert rows_links(national, "kpos-wijk")["Utrecht"].endswith(f"&gemeente={data['a'].gemeente_id}")
    pk = data["a"].gemeente_id
    assert all(f"gemeente={pk}" in link for _v, link in cell_links(national, "agreements-wijk")["Utrecht"])
    assert 'value="all" selected' in national.content.decode()
    # Only an admin has it.
    client.force_login(coordinator)
    assert client.get(DASHBOARD, {"gemeente": "all"}).status_code == 404
    assert client.get(EXPORT, {"gemeente": "all"}).status_code == 404


def test_the_national_view_exports_to_xlsx(client, data, admin_user):
    from openpyxl import load_workbook

    client.force_login(admin_user)
    response = client.get(EXPORT, {"gemeente": "all"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [trimmed([cell.value for cell in row]) for row in sheet.iter_rows()]
    assert rows[0] == ["KPA-dashboard", "alle gemeenten", "2026–2027"]
    start = rows.index(["Overlegritme: KPO's per gemeente"])
    assert ["Utrecht", 4, 4, 1, 1] in rows[start : start + 6]
    assert AccessLog.objects.get(actor=admin_user, what="dashboard.xlsx").detail["national"] is True


def test_a_table_of_many_rows_has_no_chart(client, data, admin_user):
    """The national view's tables per gemeente have hundreds of rows: no chart of them, the table only."""
    for n in range(CHART_MAX_ROWS):
        GemeenteFactory(code=f"9{n:03}", name=f"Gemeente {n:02}")
    client.force_login(admin_user)
    national = client.get(DASHBOARD, {"gemeente": "all"})
    charted = {t.key: t.chart for s in national.context["sections"] for t in s.tables}
    assert charted["kpos-wijk"] is None and charted["kpos"] == (0, 1)
    assert 'id="chart-kpos-wijk-title"' not in national.content.decode()


def test_it_answers_404_to_a_school_year_it_does_not_offer(client, data, coordinator):
    client.force_login(coordinator)
    assert client.get(DASHBOARD, {"year": "2021"}).status_code == 404
    assert client.get(DASHBOARD, {"year": "2027"}).status_code == 404
    assert client.get(DASHBOARD, {"year": "twee"}).status_code == 404
    assert client.get(DASHBOARD, {"year": "2022"}).status_code == 200


def test_it_sends_anonymous_visitors_to_the_login(client, data):
    for url in (DASHBOARD, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_refuses_kernpartners_and_ib_ers_like_the_other_coordinator_pages(client, data, ib, partner):
    for user in (ib, partner):
        client.force_login(user)
        assert client.get(DASHBOARD).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert client.get(reverse("schools:export-xlsx")).status_code == 403  # the same answer


def test_the_menu_offers_it_to_coordinators_and_admins_only(client, data, coordinator, admin_user, partner):
    for user, shown in ((coordinator, True), (admin_user, True), (partner, False)):
        client.force_login(user)
        body = client.get(reverse("kpa:home")).content.decode()
        assert (f'href="{DASHBOARD}"' in body) is shown


def test_a_coordinator_without_a_gemeente_sees_an_empty_dashboard(client, data):
    nobody = with_totp(UserFactory(kind=UserKind.COORDINATOR))
    client.force_login(nobody)
    assert tables(client.get(DASHBOARD))["teams"]["Scholen"] == [0, 0]


# --- Export -------------------------------------------------------------------------------------------------


def trimmed(values: list) -> list:
    while values and values[-1] is None:
        values.pop()
    return values


def test_it_exports_the_figures_to_xlsx_without_formulas(client, data, coordinator, wijk):
    from openpyxl import load_workbook

    Wijk.objects.filter(pk=wijk.pk).update(name="=HYPERLINK(1)")
    client.force_login(coordinator)
    response = client.get(EXPORT, {"year": "2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kpa-dashboard-2026-2027.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [trimmed([cell.value for cell in row]) for row in sheet.iter_rows()]
    assert rows[0] == ["KPA-dashboard", "Utrecht", "2026–2027"]
    by_label: dict = {}
    for row in rows:
        if row and row[0]:
            by_label.setdefault(row[0], row[1:])  # the first table with that label
    assert by_label["Dekking: Vacatures per rol"] == []
    assert by_label["Compleet team (IB-er en de vier kernpartners)"][:2] == [2, 1]
    assert by_label["Gehouden KPO's"][:2] == [4, 4]
    assert by_label["Leerplichtambtenaar"][:4] == [2, 2, 1, 0]  # vacancies
    assert by_label["'=HYPERLINK(1)"] == [4, 3, 0, 1]  # KPOs by wijk, the first with wijken; quoted, a text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    casework = rows[[r[:1] for r in rows].index(["Wijkdata: Besproken casuïstiek per wijk"]) + 2 :][:3]
    assert casework[0] == ["'=HYPERLINK(1)", 13]  # not shown last year: an empty cell
    assert AccessLog.objects.filter(actor=coordinator, what="dashboard.xlsx").count() == 1


# --- Queries ---------------------------------------------------------------------------------------------


def build(count: int, wijk, gemeente) -> None:
    """`count` schools in `wijk`, each with a full team, a KPO held this year and one last year, each
    with invitees, casework, an agreement and a question: in bulk."""
    schools = School.objects.bulk_create(
        [SchoolFactory.build(wijk=wijk, gemeente=gemeente) for _ in range(count)]
    )
    people = [UserFactory() for _ in range(5)]
    line = ActionLineFactory()
    roles = (IB, *PARTNER_ROLES)
    Assignment.objects.bulk_create(
        [
            Assignment(school=s, role=r, person=p, start_date=LONG_AGO)
            for s in schools
            for r, p in zip(roles, people, strict=True)
        ]
    )
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(school=s, starts_at=when, status=MeetingStatus.HELD)
            for s in schools
            for when in (at(2026, 10, 1), at(2026, 3, 1))
        ]
    )
    Invitee.objects.bulk_create(
        [
            Invitee(meeting=m, person=p, role=r, attendance=Attendance.PRESENT)
            for m in meetings
            for r, p in zip(roles, people, strict=True)
        ]
    )
    CaseworkCount.objects.bulk_create([CaseworkCount(meeting=m, theme="verzuim", count=2) for m in meetings])
    Agreement.objects.bulk_create(
        [
            Agreement(
                school=m.school, meeting=m, owner=people[1], due_date=dt.date(2026, 11, 1), description="x"
            )
            for m in meetings
        ]
    )
    CollectiveQuestion.objects.bulk_create(
        [
            CollectiveQuestion(school=m.school, meeting=m, text="q", theme="gedrag", action_line=line)
            for m in meetings
        ]
    )


def build_programme(count: int, gemeente) -> None:
    """`count` more activities under two lines of the gemeente's programme, running both years, each with
    two progress updates (the latest stale for every third), an indicator and two measured values."""
    from programme.models import ActionLine, Activity, Indicator, IndicatorValue, ProgressUpdate
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(gemeente=gemeente)
    lines = [
        ActionLine.objects.get_or_create(programme=programme, number=n, defaults={"title": f"Lijn {n}"})[0]
        for n in (4, 5)
    ]
    activities = Activity.objects.bulk_create(
        [
            Activity(
                line=lines[n % 2], title=f"A{count}-{n}", status="running", citywide=True, starts_on=LONG_AGO
            )
            for n in range(count)
        ]
    )
    updates = ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(activity=a, date=day, text="x", phase="do", light=light)
            for n, a in enumerate(activities)
            for day, light in (
                (dt.date(2026, 3, 1), "red"),
                (dt.date(2026, 8, 1) if n % 3 == 0 else dt.date(2026, 11, 1), "green"),
            )
        ]
    )
    indicators = Indicator.objects.bulk_create([Indicator(activity=a, name="n") for a in activities])
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=i, date=u.date, value=5, update=u)
            for i, u in zip(indicators, updates[1::2], strict=True)
        ]
        + [IndicatorValue(indicator=i, date=dt.date(2026, 3, 1), value=3) for i in indicators]
    )


def measure(client, url, django_assert_max_num_queries) -> int:
    # session, user, MFA authenticator; the coordinator's gemeente, the wijken of the scope; per school year
    # (two): coverage (schools, seats), rhythm (per school), attendance, agreements by role and by wijk,
    # questions by wijk and by theme and line, wijk data (2); the programme: its lines, activities by line,
    # traffic lights, stale activities, indicators; the process evaluation per line (per school year the
    # responses its disclosure decision is made from and the scores per school and role; the statements;
    # the respondents: 6); the export's log row; session save (savepoint, update, release): 39 for the
    # page, 40 for the export
    with django_assert_max_num_queries(40), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_keeps_the_dashboard_queries_flat(client, django_assert_max_num_queries, coordinator, wijk):
    """The same number of queries at 10 and at 300 schools (and 3 and 90 activities), for the page and for
    its export."""
    client.force_login(coordinator)
    counts = {}
    for total, more in ((10, 10), (300, 290)):
        build(more, wijk, wijk.gemeente)
        build_programme(more * 3 // 10, wijk.gemeente)
        figures = tables(client.get(DASHBOARD))
        assert figures["kpos"]["Gehouden KPO's"] == [total, total]
        assert figures["traffic-lights"][GREEN] == [total * 3 // 10, 0]
        # The list stops at LIST_LIMIT and says so (an action line's page has all of its own).
        assert len(figures["indicators"]) == min(total * 3 // 10, LIST_LIMIT)
        assert ("De eerste 50 staan hier" in notes(client.get(DASHBOARD))["indicators"]) == (total == 300)
        counts[total] = [measure(client, url, django_assert_max_num_queries) for url in (DASHBOARD, EXPORT)]
    assert counts[10] == counts[300]


def test_the_selectors_count_in_a_fixed_number_of_queries(
    django_assert_num_queries, data, coordinator, stamp_queries
):
    from django.utils import timezone

    scope = dashboard_scope(coordinator)
    # per school year (two): coverage (schools, seats), rhythm (per school), attendance, agreements by role
    # and by wijk, questions by wijk and by theme and line, wijk data (schools reporting, counts); the
    # programme: its lines, activities by line (both years), traffic lights (both years), stale activities,
    # indicators; the process evaluation per line (per school year the digest of its responses, nothing
    # being kept for it yet its disclosure decision's responses, and the scores per school and role; the
    # statements; the respondents: 8; on PostgreSQL, per year the gemeente's stamp before the digest)
    with django_assert_num_queries(33 + 2 * stamp_queries):
        dashboard_sections(scope, SchoolYear(2026), timezone.localdate())


def test_the_national_view_counts_in_a_fixed_number_of_queries(
    django_assert_num_queries, data, admin_user, wijk
):
    """As a gemeente's, less the programme's lines (summed by number, not loaded), whatever the number of
    gemeenten and schools."""
    from django.utils import timezone

    for extra in (0, 40):
        for n in range(extra):
            SchoolFactory(name=f"Extra {n}", wijk=WijkFactory(gemeente=GemeenteFactory(code=f"8{n:03}")))
        scope = dashboard_scope(admin_user, "all")
        with django_assert_num_queries(24):
            dashboard_sections(scope, SchoolYear(2026), timezone.localdate())


# --- The agreements list behind the agreement figures ------------------------------------------------------


def cell_links(response, key) -> dict:
    """{row label: [(figure, link), ...]} of one table."""
    return {
        row.label: row.cells
        for s in response.context["sections"]
        for t in s.tables
        if t.key == key
        for row in t.rows
    }


def listed(client, link) -> int:
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["filter"].errors == {}, link
    return response.context["page"].paginator.count


def test_each_agreement_figure_links_to_the_agreements_list_with_that_count(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    west = data["a"].wijk_id
    by_role, by_wijk = cell_links(response, "agreements-role"), cell_links(response, "agreements-wijk")
    # Open by role: the buurtteam's one open agreement of this year; overdue by wijk: West's two.
    assert by_role["Buurtteam"][0] == (1, "/meetings/agreements/all/?status=open&year=2026&role=buurtteam")
    assert by_role["Geen plek op de school"][2] == (
        1,
        "/meetings/agreements/all/?status=overdue&year=2026&role=none",
    )
    assert by_wijk["West"][2] == (2, f"/meetings/agreements/all/?status=overdue&year=2026&wijk={west}")
    assert by_wijk["West"][5] == (1, f"/meetings/agreements/all/?year=2025&wijk={west}")
    # Every figure of both tables, both years, equals the count of the list it links to.
    for table in (by_role, by_wijk):
        for cells in table.values():
            assert all(link for _figure, link in cells)
            assert [figure for figure, _link in cells] == [listed(client, link) for _figure, link in cells]
    body = response.content.decode()
    assert '<a href="/meetings/agreements/all/?status=open&amp;year=2026&amp;role=buurtteam">1</a>' in body


def test_agreement_links_of_the_oldest_year_offered_reach_the_year_before_it(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD, {"year": "2022"})
    for cells in cell_links(response, "agreements-role").values():
        assert [figure for figure, _link in cells] == [listed(client, link) for _figure, link in cells]


def test_a_wijk_coordinators_agreement_links_keep_their_wijk(client, data, wijk_coordinator):
    client.force_login(wijk_coordinator)
    response = client.get(DASHBOARD)
    overvecht = data["d"].wijk_id
    ib_cells = cell_links(response, "agreements-role")["IB-er / zorgcoördinator"]
    assert ib_cells[3] == (1, f"/meetings/agreements/all/?status=overdue&year=2025&wijk={overvecht}&role=ib")
    for cells in cell_links(response, "agreements-role").values():
        assert [figure for figure, _link in cells] == [listed(client, link) for _figure, link in cells]


def test_an_admins_agreement_figures_of_one_gemeente_link_to_that_gemeente(client, data, admin_user):
    """The agreements list spans every gemeente for an admin: a role's figures link with the gemeente,
    or the list would count Amersfoort's too."""
    client.force_login(admin_user)
    pk = data["a"].gemeente_id
    utrecht = client.get(DASHBOARD, {"gemeente": pk})
    for cells in cell_links(utrecht, "agreements-role").values():
        assert all(link.startswith(f"/meetings/agreements/all/?gemeente={pk}&") for _f, link in cells)
        assert [figure for figure, _link in cells] == [listed(client, link) for _figure, link in cells]
    for cells in cell_links(utrecht, "agreements-wijk").values():
        assert [figure for figure, _link in cells] == [listed(client, link) for _figure, link in cells]


def test_the_national_views_rows_per_gemeente_link_to_that_gemeentes_lists(client, data, admin_user):
    """An admin's national view has a row per gemeente in the tables by area: its label links to the list
    with that gemeente (the KPOs, questions and casework of its meetings), and its agreement figures to
    the agreements list with that gemeente, each counting what the figure counts."""
    client.force_login(admin_user)
    response = client.get(DASHBOARD, {"gemeente": "all"})
    utrecht, amersfoort = data["a"].gemeente_id, data["amersfoort"].pk
    labelled = {
        (t.key, row.label): row
        for s in response.context["sections"]
        for t in s.tables
        if t.key in ("kpos-wijk", "questions", "casework")
        for row in t.rows
    }
    for key in ("kpos-wijk", "questions", "casework"):
        for name, pk in (("Utrecht", utrecht), ("Amersfoort", amersfoort)):
            row = labelled[(key, name)]
            assert f"gemeente={pk}" in row.url, (key, name)
            assert "wijk=" not in row.url
            found = client.get(row.url)
            assert found.status_code == 200
            assert found.context["filter"].errors == {}
            assert {item.school.gemeente_id for item in found.context["page"]} <= {pk}
            if key != "casework":  # KPOs held and questions asked this school year: what the list counts
                assert row.values[0] == found.context["page"].paginator.count, (key, name)
    assert labelled[("kpos-wijk", "Utrecht")].values[0] > 0
    assert labelled[("questions", "Utrecht")].values[0] > 0
    by_gemeente = cell_links(response, "agreements-wijk")
    for name, pk in (("Utrecht", utrecht), ("Amersfoort", amersfoort)):
        cells = by_gemeente[name]
        assert all(f"gemeente={pk}" in link for _figure, link in cells)
        assert [figure for figure, _link in cells] == [listed(client, link) for _figure, link in cells]
    assert sum(figure for figure, _link in by_gemeente["Utrecht"]) > 0  # figures, not only zeros
