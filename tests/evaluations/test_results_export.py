"""A school's evaluation results as an XLSX download and a printable page (issue 13): the same figures as
the page, nothing withheld there either, no cell a formula, the export logged; the page's scope and
year rules; queries that do not grow with the answers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from evaluations import services
from evaluations.disclosure import FEW
from evaluations.models import Item, ItemKind
from evaluations.results import SCORES, reason_text
from kpa.models import AccessLog
from partners.models import Role
from tests.evaluations.test_results import answer, open_round
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import AMS

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture(autouse=True)
def clock():
    """A week after the 2026 round closed (results count only once a round has closed)."""
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def keys():
    version = services.default_version()
    statements = version.items.filter(kind=ItemKind.STATEMENT, roles=[]).order_by("order")
    open_item = version.items.filter(kind=ItemKind.OPEN).order_by("order").first()
    a, b, c = statements[:3]
    return {"a": a, "b": b, "c": c, "open": open_item}


@pytest.fixture
def answered(school, team, keys):
    """This year: three sent (one open answer a formula), one saved but not sent; last year: three sent."""
    now, before = open_round(school, 2026), open_round(school, 2025)
    a, b, c, o = (keys[k].key for k in ("a", "b", "c", "open"))
    answer(now, school, team[Role.IB], Role.IB, {a: 2, b: 4, c: 3}, {o: "Korte lijnen met het buurtteam."})
    answer(now, school, team[Role.JGZ], Role.JGZ, {a: 4, b: 4, c: "?"}, {o: HOSTILE})
    answer(now, school, team[Role.BUURTTEAM], Role.BUURTTEAM, {a: 5, b: 5, c: 3})
    answer(now, school, team[Role.LEERPLICHT], Role.LEERPLICHT, {a: 1, b: 1, c: 1}, send=False)
    for role in (Role.IB, Role.JGZ, Role.PASSEND_ONDERWIJS):
        answer(before, school, team[role], role, {a: 3, b: 2})
    return now


def xlsx_url(school):
    return reverse("evaluations:school-results-xlsx", args=[school.pk])


def print_url(school):
    return reverse("evaluations:school-results-print", args=[school.pk])


def cells(response) -> list[list]:
    """The sheet's values, row by row, without the empty cells at the end of a row."""
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = []
    for row in sheet.iter_rows():
        values = [cell.value for cell in row]
        while values and values[-1] in (None, ""):
            values.pop()
        rows.append(values)
    return rows


def nl(msgid: str, **values) -> str:
    """A text as KPA writes it in Dutch (a new msgid reads in English until the catalogue has it)."""
    with translation.override("nl"):
        return _(msgid) % values if values else _(msgid)


def withheld(reason=FEW, minimum=3) -> str:
    """A withheld figure's cell: why, in words (evaluations.results.reason_text)."""
    with translation.override("nl"):
        return _("not shown (%(reason)s)") % {"reason": reason_text(reason, minimum)}


def test_it_exports_the_figures_of_the_page_and_logs_it(client, school, coordinator, keys, answered):
    client.force_login(coordinator)
    response = client.get(xlsx_url(school))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="procesevaluatie-{school.brin_vestiging.lower()}-2026-2027.xlsx"'
    )
    rows = cells(response)
    assert rows[0] == [
        nl("Section"),
        "Stelling",
        "Scores",
        "Gemiddelde",
        "Spreiding",
        "Uiteen",
        "Gemiddelde 2025–2026",
    ]
    statements = {row[1]: row for row in rows[1:] if len(row) > 2}
    a, b, c = keys["a"], keys["b"], keys["c"]
    # a: 2, 4, 5 (the unsent 1 does not count): mean 3.7, spread 1.2, apart; last year 3, 3, 3
    assert statements[a.text] == [a.section, a.text, 3, 3.7, 1.2, "Uiteen", 3.0]
    # b: 4, 4, 5: mean 4.3, spread 0.5; last year 2, 2, 2
    assert statements[b.text] == [b.section, b.text, 3, 4.3, 0.5, None, 2.0]
    # c: 3, weet niet, 3: three people but two scores, withheld; last year nobody scored it
    assert statements[c.text] == [
        c.section,
        c.text,
        2,
        withheld(SCORES),
        withheld(SCORES),
        None,
        withheld(""),
    ]
    assert [row[1] for row in rows[1:4]] == [a.text, b.text, c.text]
    assert [nl("School"), school.name] in rows
    assert [nl("School year"), "2026–2027"] in rows
    assert [nl("People who sent their answers"), 3] in rows
    assert [keys["open"].text, "Korte lijnen met het buurtteam."] in rows
    log = AccessLog.objects.get(actor=coordinator)
    assert (log.action, log.what, log.detail) == (
        "export",
        "evaluation-results.xlsx",
        {"school": school.pk, "year": 2026},
    )


def test_a_withheld_figure_is_not_in_the_file(client, school, team, coordinator, keys):
    """Two people: no mean, no spread, no 'apart' and no open answer of theirs, only why not."""
    round_ = open_round(school, 2026)
    a, o = keys["a"], keys["open"]
    answer(round_, school, team[Role.IB], Role.IB, {a.key: 1}, {o.key: "Alleen wij twee"})
    answer(round_, school, team[Role.JGZ], Role.JGZ, {a.key: 5})
    client.force_login(coordinator)
    rows = cells(client.get(xlsx_url(school)))
    row = next(row for row in rows if len(row) > 1 and row[1] == a.text)
    # Not even how many scored: that too is a figure of the two.
    assert row == [a.section, a.text, None, withheld(), withheld(), None, withheld("")]
    numbers = [value for row in rows for value in row if isinstance(value, float)]
    assert numbers == []  # no mean or spread anywhere (1 and 5: mean 3.0, spread 2.0)
    assert not any("Alleen wij twee" in str(value) for row in rows for value in row)
    assert [
        nl(
            "The open answers are shown once at least %(minimum)s people of the team have sent their "
            "answers.",
            minimum=3,
        )
    ] in rows


def test_it_uses_the_reason_results_gives_for_a_withheld_figure(client, school, coordinator, monkeypatch):
    """results may say why a figure is withheld (Figure.reason); the file says that instead."""
    from evaluations import views_export
    from evaluations.results import Figure, SchoolResults, StatementRow

    now = Figure(count=4)
    now.reason = "de ronde is nog open"  # as a later Figure may carry it
    results = SchoolResults(
        respondents=4,
        respondents_before=0,
        statements=[StatementRow("x", "Samen", "We kennen elkaar.", now, Figure())],
    )
    monkeypatch.setattr(views_export, "results_for_school", lambda school, year: results)
    client.force_login(coordinator)
    rows = cells(client.get(xlsx_url(school)))
    assert rows[1] == [
        "Samen",
        "We kennen elkaar.",
        None,
        nl("not shown (%(reason)s)", reason="de ronde is nog open"),
        nl("not shown (%(reason)s)", reason="de ronde is nog open"),
        None,
        withheld(""),  # last year: no scores at all
    ]
    body = client.get(print_url(school)).content.decode()
    assert "de ronde is nog open" in body


def test_no_cell_becomes_a_formula(client, school, coordinator, keys, answered):
    Item.objects.filter(pk=keys["b"].pk).update(text="=1+1 werkt samen")
    client.force_login(coordinator)
    response = client.get(xlsx_url(school))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    values = [value for row in cells(response) for value in row]
    assert "'" + HOSTILE in values and HOSTILE not in values
    assert "'=1+1 werkt samen" in values and "=1+1 werkt samen" not in values


def test_the_printable_page_shows_the_figures(client, school, team, coordinator, keys, answered):
    client.force_login(coordinator)
    response = client.get(print_url(school))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Evaluatieresultaten OBS De Zonnewijzer" in body and "2026–2027" in body
    assert "3,7" in body and "1,2" in body and "4,3" in body and "0,5" in body and "Uiteen" in body
    assert withheld(SCORES) in body  # c this year, and on paper it says why
    assert "2 november 2026" in body  # the date it was printed
    assert "Korte lijnen met het buurtteam." in body
    assert "css/print-report.css" in body and 'media="print"' in body
    for person in team.values():
        assert person.get_full_name() not in body and person.email not in body
    body = client.get(print_url(school), {"year": "2025"}).content.decode()
    assert "2025–2026" in body and "3,0" in body and "Korte lijnen" not in body


def test_the_results_page_links_to_both(client, school, coordinator, answered):
    client.force_login(coordinator)
    body = client.get(reverse("evaluations:school-results", args=[school.pk]), {"year": "2025"}).content
    assert f'{xlsx_url(school)}?year=2025"'.encode() in body
    assert f'{print_url(school)}?year=2025"'.encode() in body


@pytest.mark.parametrize("url", [xlsx_url, print_url])
def test_outsiders_get_404_and_anonymous_the_login(client, url, school, outsider, wijk_coordinator, answered):
    for person in (outsider, wijk_coordinator):
        client.force_login(person)
        assert client.get(url(school)).status_code == 404
    assert not AccessLog.objects.exists()
    client.logout()
    response = client.get(url(school))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [xlsx_url, print_url])
def test_a_year_the_page_does_not_offer_is_404(client, url, school, partner, answered):
    client.force_login(partner)
    assert client.get(url(school), {"year": "2022"}).status_code == 200  # the fifth year back
    for bad in ("2021", "2027", "next", "-1", "2026.0", "20 26"):
        assert client.get(url(school), {"year": bad}).status_code == 404, bad
    assert not AccessLog.objects.filter(detail__year=2021).exists()


# Either view: the session, the user, their second factor (MFA middleware), the school in scope; then
# results: per year the digest of the gemeente's responses, and as no decision is kept for it yet the
# responses themselves (the disclosure decision), and the school's figures, the respondents of each year,
# the statements of the rounds, the open answers (10); the session saved (savepoint, update, release).
# Each writes its access log row (issue 14: the print page is an export too).
BUDGET = {xlsx_url: 18, print_url: 18}


@pytest.mark.parametrize("url", [xlsx_url, print_url])
def test_the_queries_do_not_grow_with_the_answers(
    client, url, school, coordinator, keys, answered, django_assert_max_num_queries, stamp_queries
):
    client.force_login(coordinator)
    counts = []
    for extra in (0, 20):
        for n in range(extra):
            person = UserFactory()
            AssignmentFactory(person=person, school=school, role=Role.JGZ, start_date=dt.date(2024, 8, 1))
            answer(answered, school, person, Role.JGZ, {keys["a"].key: 3}, {keys["open"].key: f"Idee {n}"})
        cache.clear()  # both visits find no decision kept: the same path, with more answers
        # (On PostgreSQL, per year the gemeente's stamp before the digest.)
        with django_assert_max_num_queries(BUDGET[url] + 2 * stamp_queries) as captured:
            assert client.get(url(school)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
