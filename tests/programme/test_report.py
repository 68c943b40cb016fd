"""The voortgangsrapportage (programme.report, programme/views_report.py): its content on a small known data
set, the period filter and bad periods, scope, the XLSX cell by cell, its query count and its print styles.

The clock is pinned (tests/programme/conftest.py: Monday 2 November 2026), so the default period is the
second half of 2026. Line 4 has "Jazzsingel" (updates in June, September and October, an indicator measured
in June and October) and "OBO Klopvaart" (planned from August, no update); "Oud project" ran in spring; line
3 has "SO Fier" in wijk West only (so the Overvecht wijk coordinator does not see it)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from kpa.models import AccessLog
from programme.models import ActivityStatus, IndicatorValue, PdcaPhase, TrafficLight
from tests.factories import UserFactory
from tests.programme.factories import ActivityFactory, IndicatorFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/","klik")'


@pytest.fixture
def data(utrecht_po, wijk):
    line3, line4 = utrecht_po.lines.get(number=3), utrecht_po.lines.get(number=4)
    trekker = UserFactory(first_name="Fatima", last_name="Bakker", email="fatima@gemeente.example")
    jazz = ActivityFactory(
        line=line4,
        speerpunt=line4.speerpunten.get(order=2),
        title="Jazzsingel",
        status=ActivityStatus.RUNNING,
        starts_on=dt.date(2026, 1, 15),
        trekker=trekker,
    )
    indicator = IndicatorFactory(activity=jazz, name="Deelnemende scholen")

    def update(activity, day, light, text, success=False, value=None):
        made = ProgressUpdateFactory(
            activity=activity, date=day, light=light, text=text, is_success=success, phase=PdcaPhase.DO
        )
        if value is not None:
            IndicatorValue.objects.create(indicator=indicator, date=day, value=Decimal(value), update=made)

    update(jazz, dt.date(2026, 6, 15), TrafficLight.RED, "Weinig scholen doen mee.", True, 2)
    update(jazz, dt.date(2026, 9, 10), TrafficLight.ORANGE, "Gestart met de wijkgroep.")
    update(
        jazz, dt.date(2026, 10, 20), TrafficLight.GREEN, "Eerste lerend netwerk gehouden.", True, Decimal(5)
    )
    klopvaart = ActivityFactory(
        line=line4,
        speerpunt=line4.speerpunten.get(order=2),
        title="OBO Klopvaart",
        status=ActivityStatus.PLANNED,
        starts_on=dt.date(2026, 8, 1),
    )
    old = ActivityFactory(
        line=line4,
        title="Oud project",
        status=ActivityStatus.DONE,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
    )
    update(old, dt.date(2026, 3, 1), TrafficLight.GREEN, "Afgerond.")
    fier = ActivityFactory(
        line=line3,
        speerpunt=line3.speerpunten.get(order=3),
        title="SO Fier",
        citywide=False,
        wijken=[wijk],
        starts_on=dt.date(2026, 9, 1),
    )
    return {"programme": utrecht_po, "jazz": jazz, "klopvaart": klopvaart, "old": old, "fier": fier}


def get(client, programme, xlsx=False, **query):
    name = "programme:report-xlsx" if xlsx else "programme:report"
    return client.get(reverse(name, args=[programme.pk]), query)


def summary(report):
    """The report as plain values: per line number, per activity (title, light, latest date, indicator
    values, success texts)."""
    return {
        part.line.number: [
            (
                each.activity.title,
                each.light,
                each.latest.date if each.latest else None,
                [(i.indicator.name, [v.value for v in i.values]) for i in each.indicators],
                [s.text for s in each.successes],
            )
            for each in part.activities
        ]
        for part in report.lines
    }


def test_it_reports_each_line_over_the_current_half_year(client, coordinator, data):
    client.force_login(coordinator)
    response = get(client, data["programme"])
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.period.start, report.period.end) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert summary(report) == {
        1: [],
        2: [],
        3: [("SO Fier", "", None, [], [])],
        4: [
            (
                "Jazzsingel",
                "green",
                dt.date(2026, 10, 20),
                [("Deelnemende scholen", [Decimal(5)])],
                ["Eerste lerend netwerk gehouden."],
            ),
            ("OBO Klopvaart", "", None, [], []),
        ],
        5: [],
    }
    line4 = report.lines[3]
    assert line4.lights == [
        ("green", "Op koers", 1),
        ("orange", "Risico", 0),
        ("red", "Uit koers", 0),
        ("", "Geen update in deze periode", 1),
    ]
    assert line4.successes == 1
    html = response.content.decode()
    assert "1 juli 2026 tot en met 31 december 2026" in html
    assert "Actielijn 4: Versterken van de kernpartnersamenwerking in de wijk" in html
    assert "Eerste lerend netwerk gehouden." in html
    assert "Trekker: Fatima Bakker" in html
    assert "Deelnemende scholen</span>: 5 (20 oktober 2026)" in html
    assert "Geen update in deze periode" in html
    assert "Geen activiteiten in deze periode" in html  # lines 1, 2 and 5
    assert "Oud project" not in html and "Weinig scholen doen mee." not in html
    assert 'value="2026-07-01"' in html and 'value="2026-12-31"' in html


def test_it_reports_a_chosen_period(client, coordinator, data):
    client.force_login(coordinator)
    response = get(client, data["programme"], start="2026-01-01", end="2026-06-30")
    assert response.status_code == 200
    report = response.context["report"]
    assert summary(report)[4] == [
        (
            "Jazzsingel",
            "red",
            dt.date(2026, 6, 15),
            [("Deelnemende scholen", [Decimal(2)])],
            ["Weinig scholen doen mee."],
        ),
        ("Oud project", "green", dt.date(2026, 3, 1), [], []),
    ]  # OBO Klopvaart starts in August; SO Fier in September
    assert summary(report)[3] == []
    html = response.content.decode()
    assert "1 januari 2026 tot en met 30 juni 2026" in html
    assert f"{reverse('programme:report-xlsx', args=[data['programme'].pk])}?start=2026-01-01" in html
    # One day, the whole year: the updates on the bounds count.
    report = get(client, data["programme"], start="2026-10-20", end="2026-10-20").context["report"]
    assert [a.activity.title for a in report.lines[3].activities] == ["Jazzsingel", "OBO Klopvaart"]
    assert report.lines[3].activities[0].successes[0].text == "Eerste lerend netwerk gehouden."


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"start": "2026-12-31", "end": "2026-07-01"}, "Het einde van de periode ligt vóór het begin."),
        ({"start": "1900-01-01", "end": "2026-07-01"}, "Kies een datum tussen 2000 en 2100."),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "Kies een datum tussen 2000 en 2100."),
        ({"start": "2026-02-30", "end": "2026-07-01"}, "Voer een geldige datum in."),
        ({"start": "morgen", "end": "2026-07-01"}, "Voer een geldige datum in."),
        ({"start": "2026-01-01"}, "Dit veld is verplicht."),
        ({"start": "", "end": ""}, "Dit veld is verplicht."),
    ],
)
def test_it_refuses_a_bad_period_in_dutch_and_keeps_what_was_typed(client, coordinator, data, query, error):
    client.force_login(coordinator)
    response = get(client, data["programme"], **query)
    assert response.status_code == 200
    assert response.context["report"] is None
    html = response.content.decode()
    assert error in html
    assert "Controleer wat je hebt ingevuld" in html  # the error summary
    assert "Jazzsingel" not in html
    for value in query.values():
        if value:
            assert f'value="{value}"' in html
    # The download with the same input goes to the page, which says what is wrong.
    response = get(client, data["programme"], xlsx=True, **query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("programme:report", args=[data["programme"].pk]) + "?")
    assert not AccessLog.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login(client, data):
    for xlsx in (False, True):
        response = get(client, data["programme"], xlsx=xlsx)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_it_answers_404_outside_the_programme_scope(client, data, amsterdam_coordinator, ib, partner):
    for user in (amsterdam_coordinator, ib, partner):
        client.force_login(user)
        for xlsx in (False, True):
            assert get(client, data["programme"], xlsx=xlsx).status_code == 404, user
    assert not AccessLog.objects.exists()


def test_a_wijk_coordinator_reports_what_they_may_read(client, wijk_coordinator, admin_user, data):
    client.force_login(wijk_coordinator)  # Overvecht: SO Fier runs in West only
    report = get(client, data["programme"]).context["report"]
    assert [a.activity.title for a in report.lines[2].activities] == []
    assert [a.activity.title for a in report.lines[3].activities] == ["Jazzsingel", "OBO Klopvaart"]
    client.force_login(admin_user)
    report = get(client, data["programme"]).context["report"]
    assert [a.activity.title for a in report.lines[2].activities] == ["SO Fier"]


def test_the_xlsx_holds_the_report_cell_by_cell(client, coordinator, data):
    data["klopvaart"].title = HYPERLINK
    data["klopvaart"].save()
    client.force_login(coordinator)
    response = get(client, data["programme"], xlsx=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    pk = data["programme"].pk
    assert response["Content-Disposition"] == (
        f'attachment; filename="voortgangsrapportage-{pk}-2026-07-01-2026-12-31.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Voortgangsrapportage"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    line = {n: str(data["programme"].lines.get(number=n)) for n in range(1, 6)}
    nothing = [None] * 9
    no_update = [None, None, "Geen update in deze periode", None, None, None, None]
    speerpunt4 = data["jazz"].speerpunt.text
    assert rows == [
        [
            "Actielijn",
            "Speerpunt",
            "Activiteit",
            "Status",
            "Startdatum",
            "Einddatum",
            "Trekker",
            "Stoplicht",
            "Laatste update",
            "Tekst van de laatste update",
            "Indicatoren in de periode",
            "Successen in de periode",
        ],
        [line[1], None, "Geen activiteiten in deze periode", *nothing],
        [line[2], None, "Geen activiteiten in deze periode", *nothing],
        [line[3], data["fier"].speerpunt.text, "SO Fier", "Loopt", "01-09-2026", *no_update],
        [line[4], speerpunt4, "'" + HYPERLINK, "Gepland", "01-08-2026", *no_update],  # "=" sorts first
        [
            line[4],
            speerpunt4,
            "Jazzsingel",
            "Loopt",
            "15-01-2026",
            None,
            "Fatima Bakker",
            "Op koers",
            "20-10-2026",
            "Eerste lerend netwerk gehouden.",
            "Deelnemende scholen: 5 (20-10-2026)",
            "20-10-2026: Eerste lerend netwerk gehouden.",
        ],
        [line[5], None, "Geen activiteiten in deze periode", *nothing],
    ]
    # The formula-looking title is text, quoted: no cell of the sheet is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.what) == (coordinator, "export", "programme-report.xlsx")
    assert log.detail == {"programme": pk, "start": "2026-07-01", "end": "2026-12-31", "rows": 6}


def test_its_queries_do_not_grow_with_the_activities(
    client, django_assert_max_num_queries, coordinator, utrecht_po, wijk
):
    client.force_login(coordinator)
    lengths = []
    for n, more in ((3, 1), (30, 9)):  # 3 activities (one on each of lines 1-3), then 27 more
        for line in utrecht_po.lines.all():
            for k in range(more if line.number <= 3 else 0):
                activity = ActivityFactory(
                    line=line, speerpunt=line.speerpunten.first(), citywide=k % 2 == 0, wijken=[wijk]
                )
                indicator = IndicatorFactory(activity=activity)
                for day in (dt.date(2026, 8, 1), dt.date(2026, 9, 1)):
                    made = ProgressUpdateFactory(activity=activity, date=day, is_success=True)
                    IndicatorValue.objects.create(indicator=indicator, date=day, value=k, update=made)
        # Session, user, MFA check; the programme; the report's five (lines, activities with their
        # speerpunt and trekker, their updates in the period, indicators, values in the period); the
        # session's save (savepoint, update, release).
        with django_assert_max_num_queries(12) as queries:
            response = get(client, utrecht_po)
        assert response.status_code == 200
        assert sum(len(p.activities) for p in response.context["report"].lines) == n
        with django_assert_max_num_queries(13) as xlsx_queries:  # the same, and the access log's insert
            assert get(client, utrecht_po, xlsx=True).status_code == 200
        lengths.append((len(queries), len(xlsx_queries)))
    assert lengths[0] == lengths[1]


def test_the_page_prints_with_its_own_stylesheet(client, coordinator, data):
    client.force_login(coordinator)
    html = get(client, data["programme"]).content.decode()
    assert '<link rel="stylesheet" href="/static/css/print-report.css" media="print">' in html
    assert html.count('class="report-line"') == 5
    assert "data-print" in html and "/static/js/print-button.js" in html
    css = Path(finders.find("css/print-report.css")).read_text(encoding="utf-8")
    assert "size: A4" in css
    assert ".report-line + .report-line {\n  break-before: page;" in css  # a page per action line
    assert "display: table-header-group" in css  # column headers on every page
    assert "header,\nfooter,\nnav,\nform," in css  # no navigation, menus or forms on paper
