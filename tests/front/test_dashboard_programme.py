"""The dashboard's programme section (issue 12): activities by line and status, traffic lights, stale
activities and indicators on a small known data set, both school years, at a pinned clock; the wijk
coordinator's and the admin's scope; links, charts and the XLSX. The query counts are in test_dashboard.

The data set, at 2 December 2026 (school year 2026-2027; the previous one 2025-2026). Utrecht's programme,
lines 4 and 5:
- a1 "Lerend netwerk West" (line 4, running, wijk West, from 1 September 2025): updates 1 March 2026
  (at risk) and 20 November 2026 (on track); indicator "Deelnemers" measured 8 (1 Feb 2026), 12 (1 Oct
  2026) and 15 (1 Nov 2026).
- a2 "Wijkdata Overvecht" (line 4, planned, wijk Overvecht, from 1 September 2026): one update, 15
  September 2026 (off track): stale today (78 days).
- a3 "Scholing" (line 5, done, city-wide, 1 October 2025 to 30 June 2026): update 1 June 2026 (on track);
  indicator "Getraind" measured 40 (1 May 2026).
- a4 "Brede school" (line 5, an idea, city-wide, no dates, made today): no update.
- a5 "Oud project" (line 4, running, city-wide, 1 January 2024 to 30 June 2025, made then): no update,
  stale today; in neither school year; its indicator is not shown.
Amersfoort's programme: one running activity, stale, that Utrecht never sees.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from programme.models import ActivityStatus, TrafficLight
from tests.factories import (
    ActionLineFactory,
    ActivityFactory,
    GemeenteFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgrammeFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=AMS)
DASHBOARD = reverse("dashboard:index")
EXPORT = reverse("dashboard:export-xlsx")
ON, RISK, OFF, NONE = "Op koers", "Risico", "Uit koers", "Geen voortgangsupdate in het schooljaar"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def update(activity, day, light):
    return ProgressUpdateFactory(activity=activity, date=day, light=light)


def measured(indicator, day, value):
    return IndicatorValueFactory(indicator=indicator, date=day, value=Decimal(value))


@pytest.fixture
def programme(wijk, other_wijk):
    utrecht = ProgrammeFactory(gemeente=wijk.gemeente)
    line4 = ActionLineFactory(programme=utrecht, number=4, title="Samenwerking in de wijk")
    line5 = ActionLineFactory(programme=utrecht, number=5, title="Verbinding met de sociale basis")
    trekker = UserFactory(first_name="Tess", last_name="Trekker")
    a1 = ActivityFactory(
        line=line4,
        title="Lerend netwerk West",
        citywide=False,
        wijken=[wijk],
        starts_on=dt.date(2025, 9, 1),
    )
    update(a1, dt.date(2026, 3, 1), TrafficLight.ORANGE)
    update(a1, dt.date(2026, 11, 20), TrafficLight.GREEN)
    deelnemers = IndicatorFactory(activity=a1, name="Deelnemers")
    measured(deelnemers, dt.date(2026, 2, 1), "8")
    measured(deelnemers, dt.date(2026, 10, 1), "12")
    measured(deelnemers, dt.date(2026, 11, 1), "15")
    a2 = ActivityFactory(
        line=line4,
        title="Wijkdata Overvecht",
        status=ActivityStatus.PLANNED,
        citywide=False,
        wijken=[other_wijk],
        starts_on=dt.date(2026, 9, 1),
        trekker=trekker,
    )
    update(a2, dt.date(2026, 9, 15), TrafficLight.RED)
    a3 = ActivityFactory(
        line=line5,
        title="Scholing",
        status=ActivityStatus.DONE,
        starts_on=dt.date(2025, 10, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    update(a3, dt.date(2026, 6, 1), TrafficLight.GREEN)
    measured(IndicatorFactory(activity=a3, name="Getraind"), dt.date(2026, 5, 1), "40")
    a4 = ActivityFactory(line=line5, title="Brede school", status=ActivityStatus.IDEA)
    a5 = ActivityFactory(
        line=line4,
        title="Oud project",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2025, 6, 30),
        created_at=dt.datetime(2024, 1, 1, 9, tzinfo=AMS),
    )
    measured(IndicatorFactory(activity=a5, name="Oud"), dt.date(2025, 3, 1), "1")

    amersfoort = ProgrammeFactory(
        gemeente=GemeenteFactory(code="0307", name="Amersfoort"), title="Amersfoort PO"
    )
    elsewhere = ActivityFactory(
        line=ActionLineFactory(programme=amersfoort, number=4, title="Amersfoortse lijn"),
        title="Amersfoorts project",
        created_at=dt.datetime(2025, 1, 1, 9, tzinfo=AMS),
    )
    update(elsewhere, dt.date(2026, 11, 1), TrafficLight.RED)
    return {
        "line4": line4,
        "line5": line5,
        "a1": a1,
        "a2": a2,
        "a3": a3,
        "a4": a4,
        "a5": a5,
        "amersfoort": amersfoort,
    }


def section(response) -> dict:
    """{table key: {row label: values}} of the programme section."""
    assert response.status_code == 200, response
    (programme,) = (s for s in response.context["sections"] if s.key == "programme")
    return {table.key: {row.label: row.values for row in table.rows} for table in programme.tables}


def links(response, key) -> dict:
    (programme,) = (s for s in response.context["sections"] if s.key == "programme")
    return {row.label: row.url for t in programme.tables if t.key == key for row in t.rows}


LINE4, LINE5 = "4. Samenwerking in de wijk", "5. Verbinding met de sociale basis"


def test_it_counts_activities_by_line_and_status_in_both_years(client, programme, coordinator):
    client.force_login(coordinator)
    figures = section(client.get(DASHBOARD))
    # this year, last year; idea, planned, running, done, stopped (this year, today's status); stale today
    assert figures["activities-line"] == {
        LINE4: [2, 1, 0, 1, 1, 0, 0, 2],  # a1 and a2; a1; a2 stale, and a5 (in neither year)
        LINE5: [1, 1, 1, 0, 0, 0, 0, 0],  # a4 (made today, no dates); a3 (ended 30 June 2026)
    }


def test_it_counts_the_latest_traffic_light_of_each_year(client, programme, coordinator):
    client.force_login(coordinator)
    figures = section(client.get(DASHBOARD))
    # a1 on track (20 Nov; at risk on 1 March), a2 off track, a4 no update; last year a1 at risk, a3 on track
    assert figures["traffic-lights"] == {ON: [1, 1], RISK: [0, 1], OFF: [1, 0], NONE: [1, 0]}


def test_it_lists_the_stale_activities_of_today(client, programme, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    assert section(response)["stale"] == {
        "Oud project": ["4", "", "geen"],
        "Wijkdata Overvecht": ["4", "Tess Trekker", "15 september 2026"],
    }
    assert links(response, "stale")["Wijkdata Overvecht"] == reverse(
        "programme:activity-detail", args=[programme["a2"].pk]
    )


def test_it_shows_the_latest_value_of_each_indicator_in_both_years(client, programme, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    assert section(response)["indicators"] == {
        "Lerend netwerk West: Deelnemers": [15.0, "1 november 2026", 8.0, "1 februari 2026"],
        "Scholing: Getraind": [None, "", 40.0, "1 mei 2026"],
    }  # a5's indicator: a5 ran in neither year
    assert "15,0" in response.content.decode()  # a Dutch number on the page
    assert links(response, "indicators")["Scholing: Getraind"] == reverse(
        "programme:activity-detail", args=[programme["a3"].pk]
    )


def test_an_earlier_school_year_has_the_year_before_it_beside_it(client, programme, coordinator):
    client.force_login(coordinator)
    figures = section(client.get(DASHBOARD, {"year": "2025"}))
    assert figures["activities-line"][LINE4] == [1, 1, 0, 0, 1, 0, 0, 2]  # a1; a5 (2024-2025)
    assert figures["activities-line"][LINE5] == [1, 0, 0, 0, 0, 1, 0, 0]  # a3
    assert figures["traffic-lights"] == {ON: [1, 0], RISK: [1, 0], OFF: [0, 0], NONE: [0, 1]}
    assert figures["indicators"]["Lerend netwerk West: Deelnemers"] == [8.0, "1 februari 2026", None, ""]


def test_each_line_links_to_its_page(client, programme, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    assert links(response, "activities-line") == {
        LINE4: reverse("programme:line-detail", args=[programme["line4"].pk]),
        LINE5: reverse("programme:line-detail", args=[programme["line5"].pk]),
    }
    assert client.get(links(response, "activities-line")[LINE4]).status_code == 200
    assert set(links(response, "traffic-lights").values()) == {""}  # no list filters by light


def test_it_draws_the_charts_beside_their_tables(client, programme, coordinator):
    client.force_login(coordinator)
    body = client.get(DASHBOARD).content.decode()
    assert '<title id="chart-activities-line-title">Activiteiten per actielijn</title>' in body
    assert 'aria-labelledby="chart-traffic-lights-title chart-traffic-lights-desc"' in body
    assert 'id="chart-stale-title"' not in body  # a list of activities, no chart
    assert '<a href="#programme">Programma</a>' in body


def test_a_wijk_coordinator_sees_the_city_wide_activities_and_their_wijks(
    client, programme, wijk_coordinator
):
    client.force_login(wijk_coordinator)
    response = client.get(DASHBOARD)
    figures = section(response)
    assert figures["activities-line"] == {
        LINE4: [1, 0, 0, 1, 0, 0, 0, 2],  # a2; not a1 (West)
        LINE5: [1, 1, 1, 0, 0, 0, 0, 0],
    }
    assert figures["traffic-lights"] == {ON: [0, 1], RISK: [0, 0], OFF: [1, 0], NONE: [1, 0]}
    assert list(figures["indicators"]) == ["Scholing: Getraind"]
    assert "Lerend netwerk West" not in response.content.decode()


def test_a_coordinator_never_sees_another_gemeentes_programme(client, programme, coordinator):
    client.force_login(coordinator)
    body = client.get(DASHBOARD).content.decode()
    assert "Amersfoort" not in body


def test_an_admin_sees_the_programme_of_the_gemeente_picked(client, programme, coordinator, admin_user):
    client.force_login(admin_user)
    first = section(client.get(DASHBOARD))  # Amersfoort, the first by name
    assert first["activities-line"] == {"4. Amersfoortse lijn": [1, 1, 0, 0, 1, 0, 0, 0]}
    assert first["traffic-lights"][OFF] == [1, 0]
    assert list(first["stale"]) == []  # its update of 1 November is recent
    utrecht = client.get(DASHBOARD, {"gemeente": programme["line4"].programme.gemeente_id})
    client.force_login(coordinator)
    assert section(utrecht) == section(client.get(DASHBOARD))
    assert links(utrecht, "activities-line")[LINE4] == reverse(
        "programme:line-detail", args=[programme["line4"].pk]
    )


def test_the_export_has_the_programme(client, programme, coordinator):
    from openpyxl import load_workbook

    client.force_login(coordinator)
    response = client.get(EXPORT)
    rows = [
        [cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()
    ]
    first = [row[0] for row in rows]
    start = first.index("Programma: Activiteiten per actielijn")
    assert rows[start + 1][1:4] == ["Activiteiten 2026–2027", "Activiteiten 2025–2026", "Idee 2026–2027"]
    assert rows[start + 2][:9] == [LINE4, 2, 1, 0, 1, 1, 0, 0, 2]
    indicator = rows[first.index("Lerend netwerk West: Deelnemers")]
    assert indicator[:5] == ["Lerend netwerk West: Deelnemers", 15, "1 november 2026", 8, "1 februari 2026"]
    assert rows[first.index("Wijkdata Overvecht")][:4] == [
        "Wijkdata Overvecht",
        "4",
        "Tess Trekker",
        "15 september 2026",
    ]


def test_the_national_view_sums_the_lines_of_every_programme_by_number(client, programme, admin_user):
    client.force_login(admin_user)
    response = client.get(DASHBOARD, {"gemeente": "all"})
    national = section(response)
    # Line 4 of Utrecht (a1, a2; a1 last year; a2 and a5 stale) and of Amersfoort (its project, running).
    assert national["activities-line"] == {
        "Actielijn 4": [3, 2, 0, 1, 2, 0, 0, 2],
        "Actielijn 5": [1, 1, 1, 0, 0, 0, 0, 0],
    }
    assert links(response, "activities-line") == {"Actielijn 4": "", "Actielijn 5": ""}
    utrecht = section(client.get(DASHBOARD, {"gemeente": programme["line4"].programme.gemeente_id}))
    amersfoort = section(client.get(DASHBOARD, {"gemeente": programme["amersfoort"].gemeente_id}))
    for light, values in national["traffic-lights"].items():
        assert values == [
            u + a
            for u, a in zip(
                utrecht["traffic-lights"][light], amersfoort["traffic-lights"][light], strict=True
            )
        ]
    assert national["stale"] == utrecht["stale"]
    (table,) = (t for s in response.context["sections"] for t in s.tables if t.key == "activities-line")
    assert "Opgeteld per nummer van de actielijn" in table.note


def test_each_programme_figure_links_to_a_list_of_exactly_those_activities(
    client, programme, coordinator, wijk_coordinator, admin_user
):
    """Per line (both years, each status, stale) and per traffic light (both years): the activity list
    behind the figure has as many activities, for the city coordinator, a wijk coordinator and an admin
    looking at Utrecht (whose list spans every gemeente: the lights, not pinned to a line, have none)."""
    utrecht = programme["line4"].programme.gemeente_id
    for user, params in ((coordinator, {}), (wijk_coordinator, {}), (admin_user, {"gemeente": utrecht})):
        client.force_login(user)
        response = client.get(DASHBOARD, params)
        (section_,) = (s for s in response.context["sections"] if s.key == "programme")
        followed = 0
        for table in section_.tables:
            if table.key not in ("activities-line", "traffic-lights"):
                continue
            for row in table.rows:
                for value, link in row.cells:
                    if not link:
                        continue
                    assert link.startswith("/programma/activities/?")
                    listed = client.get(link).context["page"].paginator.count
                    assert listed == value, (user, table.key, row.label, link)
                    followed += 1
        lines = len(section(response)["activities-line"])
        assert followed == lines * 8 + (0 if user == admin_user else 4 * 2), user
    client.force_login(coordinator)
    lights = {row.label: row.links for t in section_.tables if t.key == "traffic-lights" for row in t.rows}
    assert lights == {label: [] for label in lights}  # the admin's (the last loop) have none
    response = client.get(DASHBOARD)
    (section_,) = (s for s in response.context["sections"] if s.key == "programme")
    (lights_table,) = (t for t in section_.tables if t.key == "traffic-lights")
    assert lights_table.rows[0].links == [
        "/programma/activities/?year=2026&light=green",
        "/programma/activities/?year=2025&light=green",
    ]
