"""The roster: the 'Scholenoverzicht' for kernpartners and IB-ers, the coordinator's list with filters, gaps,
heavy loads (on their own page since issue 15: tests/front/test_heavy_loads.py) and exports (streamed:
tests/front/test_roster_export.py)."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from front.filters import SchoolFilter
from kpa.models import AccessLog, UserKind
from meetings.models import Meeting, MeetingKind, MeetingStatus
from partners.models import PARTNER_ROLES, Role
from partners.scope import schools_visible_to
from partners.selectors import coverage_for_schools, heavy_loads
from schools.models import School
from tests.factories import AssignmentFactory, OrganisationFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("schools:list")


def fill_team(school, **people):
    for role in PARTNER_ROLES:
        AssignmentFactory(school=school, role=role, **({"person": people[role]} if role in people else {}))


def names(response) -> set[str]:
    return {row.school.name for row in response.context["rows"]}


def test_it_shows_a_kernpartner_the_next_kpo_of_each_school(client, school, partner):
    start = timezone.now() + dt.timedelta(days=9)
    Meeting.objects.create(school=school, starts_at=start)
    Meeting.objects.create(school=school, starts_at=start + dt.timedelta(days=40))
    Meeting.objects.create(
        school=school, starts_at=start - dt.timedelta(days=3), status=MeetingStatus.CANCELLED
    )
    client.force_login(partner)
    response = client.get(reverse("kpa:home"))
    assert response.context["rows"][0]["next_kpo"] == start
    assert "volgende KPO" in response.content.decode()


def test_it_tells_an_ib_er_whom_to_ask_about_a_vacancy(client, school, ib, wijk):
    wijk_coordinator = UserFactory(
        kind=UserKind.COORDINATOR, gemeente=wijk.gemeente, wijk=wijk, phone="030 123 4567"
    )
    UserFactory(kind=UserKind.COORDINATOR, gemeente=wijk.gemeente, email="stad@example.org")
    client.force_login(ib)
    body = client.get(reverse("kpa:home")).content.decode()
    assert "Vraag je coördinator" in body
    assert f"mailto:{wijk_coordinator.email}" in body
    assert "stad@example.org" not in body  # the wijk's own coordinator comes first


def test_it_falls_back_to_the_city_coordinator(client, school, ib, wijk):
    UserFactory(kind=UserKind.COORDINATOR, gemeente=wijk.gemeente, email="stad@example.org")
    client.force_login(ib)
    assert "mailto:stad@example.org" in client.get(reverse("kpa:home")).content.decode()


def test_it_lists_for_a_coordinator_every_school_in_scope_with_its_team(
    client, school, other_school, coordinator
):
    jgz = UserFactory(first_name="Jetske", last_name="Zorg")
    AssignmentFactory(school=school, role=Role.JGZ, person=jgz)
    client.force_login(coordinator)
    response = client.get(LIST)
    assert names(response) == {school.name, other_school.name}
    assert "Jetske Zorg" in response.content.decode()


def test_it_keeps_a_wijk_coordinator_to_their_wijk(client, school, other_school, wijk_coordinator):
    client.force_login(wijk_coordinator)
    assert names(client.get(LIST)) == {other_school.name}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "VO"}, {"Lyceum"}),
        ({"bestuur": "openbaar"}, {"OBS De Zonnewijzer"}),
        ({"missing_role": Role.JGZ}, {"Lyceum"}),
        ({"gap": "vacant"}, {"Lyceum"}),
        ({"q": "lyc"}, {"Lyceum"}),
    ],
)
def test_it_filters_the_roster(client, school, coordinator, wijk, params, expected):
    school.bestuur = "Stichting Openbaar Onderwijs"
    school.save()
    fill_team(school)
    lyceum = SchoolFactory(name="Lyceum", sector="VO", wijk=wijk)
    AssignmentFactory(school=lyceum, role=Role.BUURTTEAM)
    client.force_login(coordinator)
    assert names(client.get(LIST, params)) == expected


def test_it_filters_by_organisation_and_person(client, school, other_school, coordinator):
    lokalis = OrganisationFactory(name="Lokalis")
    person = UserFactory(first_name="Bram", last_name="Smit", organisation=lokalis)
    AssignmentFactory(school=school, role=Role.BUURTTEAM, person=person)
    AssignmentFactory(school=other_school, role=Role.BUURTTEAM)
    client.force_login(coordinator)
    assert names(client.get(LIST, {"organisation": lokalis.pk})) == {school.name}
    assert names(client.get(LIST, {"person": "bram smit"})) == {school.name}
    assert names(client.get(LIST, {"person": person.email})) == {school.name}


def test_it_offers_only_the_organisations_in_scope(client, school, other_school, wijk_coordinator):
    """At national scale there are some 800 organisations; a coordinator gets those working in their
    scope as filter options, not all of them on every roster page."""
    lokalis = OrganisationFactory(name="Lokalis")
    AssignmentFactory(school=school, role=Role.BUURTTEAM, person=UserFactory(organisation=lokalis))
    here = OrganisationFactory(name="Buurtteam Overvecht")
    AssignmentFactory(school=other_school, role=Role.BUURTTEAM, person=UserFactory(organisation=here))
    client.force_login(wijk_coordinator)
    response = client.get(LIST)
    assert set(response.context["filter"].form.fields["organisation"].queryset) == {here}
    assert "Lokalis" not in response.content.decode()


@pytest.mark.parametrize(("gap", "most"), [("vacant", 0), ("ending", 2)])
def test_its_gap_filters_keep_one_subquery_whatever_the_roles(rf, coordinator, gap, most):
    """PostgreSQL cannot turn an OR of EXISTS (one per role, and for "ending" per day) into a semi-join:
    it hashes every active assignment of the country once per EXISTS, 8 scans of the table for 160
    schools in scope (97 ms at 10,000 schools, docs/performance.md). "vacant" is one grouped scan of the
    scope's assignments (NOT IN), "ending" one EXISTS with one NOT EXISTS inside."""
    request = rf.get(LIST, {"gap": gap})
    request.user = coordinator
    schools = schools_visible_to(coordinator)
    sql = str(SchoolFilter(request.GET, queryset=schools, request=request).qs.query)
    assert sql.count("EXISTS") <= most


def test_its_team_reads_never_join_the_schools_table(school, other_school, coordinator):
    """At 10,000 schools a join to schools_school is a scan and hash of all of them (4 ms a query): the
    coverage and heavy-load queries inherited Assignment's Meta.ordering (by school, that is by the
    school's name), which joins the table even where the grouped query drops the ORDER BY. Both need only
    the assignment's own school_id."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill_team(school)
    with CaptureQueriesContext(connection) as queries:
        coverage_for_schools([school.pk, other_school.pk])
        heavy_loads(schools_visible_to(coordinator))
    assert len(queries) == 2
    for query in queries.captured_queries:
        assert 'JOIN "schools_school"' not in query["sql"]


def test_it_finds_roles_that_run_out_within_30_days(client, school, other_school, coordinator):
    today = timezone.localdate()
    fill_team(other_school)
    for role in PARTNER_ROLES:
        end = today + dt.timedelta(days=12) if role == Role.LEERPLICHT else None
        AssignmentFactory(school=school, role=role, end_date=end)
    coverage = coverage_for_schools([school.pk, other_school.pk])
    assert coverage[school.pk][Role.LEERPLICHT].ends_on == today + dt.timedelta(days=12)
    assert coverage[other_school.pk][Role.LEERPLICHT].ends_on is None
    client.force_login(coordinator)
    response = client.get(LIST, {"gap": "ending"})
    assert names(response) == {school.name}
    assert "loopt af" in response.content.decode()


def test_it_copes_with_several_open_ended_assignments_in_one_role(client, school, ib):
    """A holder and a stand-in without end dates (found clicking through the demo: it crashed)."""
    AssignmentFactory(school=school, role=Role.JGZ)
    AssignmentFactory(school=school, role=Role.JGZ, is_stand_in=True)
    assert coverage_for_schools([school.pk])[school.pk][Role.JGZ].ends_on is None
    client.force_login(ib)
    assert client.get(reverse("kpa:home")).status_code == 200


def test_it_does_not_call_a_role_ending_when_a_successor_follows(school):
    today = timezone.localdate()
    end = today + dt.timedelta(days=5)
    AssignmentFactory(school=school, role=Role.JGZ, end_date=end)
    AssignmentFactory(school=school, role=Role.JGZ, start_date=end + dt.timedelta(days=1))
    assert coverage_for_schools([school.pk])[school.pk][Role.JGZ].ends_on is None


def test_it_points_out_people_serving_unusually_many_schools(client, coordinator, wijk):
    busy = UserFactory(first_name="Drukke", last_name="Baas")
    for i in range(8):
        school = SchoolFactory(wijk=wijk)
        AssignmentFactory(school=school, role=Role.JGZ, person=busy if i < 7 else UserFactory())
    for _ in range(4):
        AssignmentFactory(school=SchoolFactory(wijk=wijk), role=Role.JGZ)
    heavy = heavy_loads(School.objects.all())
    assert [(h["name"], h["count"]) for h in heavy] == [("Drukke Baas", 7)]
    client.force_login(coordinator)
    body = client.get(LIST, {"wijk": wijk.pk}).content.decode()
    # Not a panel of the roster any more (issue 15): a link to its own page, with the roster's filters.
    assert "Mensen die opvallend veel scholen bedienen" not in body
    assert f'href="{reverse("schools:heavy-loads")}?wijk={wijk.pk}"' in body
    assert "Drukke Baas" in client.get(reverse("schools:heavy-loads")).content.decode()


def test_it_links_kernpartners_to_no_heavy_loads(client, partner):
    client.force_login(partner)
    assert reverse("schools:heavy-loads") not in client.get(LIST).content.decode()


def test_it_exports_the_filtered_roster_as_csv_and_logs_it(client, school, other_school, coordinator, wijk):
    ib = UserFactory(first_name="Ilse", last_name="Bakker")
    AssignmentFactory(school=school, role=Role.IB, person=ib)
    client.force_login(coordinator)
    response = client.get(reverse("schools:export-csv"), {"wijk": wijk.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kpa-rooster-')
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["BRIN", "Vestiging", "School"]
    assert [r[2] for r in rows[1:]] == [school.name]
    assert "Ilse Bakker" in rows[1]
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.what, log.detail["rows"]) == (coordinator, "export", "roster.csv", 1)


def test_it_exports_xlsx(client, school, coordinator):
    from openpyxl import load_workbook

    client.force_login(coordinator)
    response = client.get(reverse("schools:export-xlsx"))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "School"
    assert school.name in {row[2] for row in values[1:]}


def test_it_exports_only_the_schools_in_scope(client, school, other_school, wijk_coordinator):
    client.force_login(wijk_coordinator)
    body = client.get(reverse("schools:export-csv")).getvalue().decode("utf-8-sig")
    assert other_school.name in body
    assert school.name not in body


def test_it_keeps_exports_from_kernpartners_and_anonymous(client, partner):
    client.force_login(partner)
    assert client.get(reverse("schools:export-csv")).status_code == 403
    client.logout()
    assert client.get(reverse("schools:export-xlsx"))["Location"].startswith(reverse("account_login"))
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("count", [10, 300])
def test_it_keeps_the_roster_queries_flat(client, django_assert_max_num_queries, coordinator, wijk, count):
    organisation = OrganisationFactory()
    people = [UserFactory(organisation=organisation) for _ in range(4)]
    School.objects.bulk_create([SchoolFactory.build(wijk=wijk, gemeente=wijk.gemeente) for _ in range(count)])
    from partners.models import Assignment

    Assignment.objects.bulk_create(
        [
            Assignment(school=s, role=role, person=people[i], start_date=dt.date(2025, 8, 1))
            for s in School.objects.all()
            for i, role in enumerate(PARTNER_ROLES)
        ]
    )
    client.force_login(coordinator)
    client.get(LIST)  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, the chosen organisation, wijk and organisation choices, count,
    # page of schools, seats with their coverage (partners.selectors.roster_seats), their people (a query of
    # their own), next KPOs, session save (savepoint, update, release); no heavy loads (their own page), no
    # gemeente choices (a coordinator has one: partners.area_filters)
    with django_assert_max_num_queries(13):
        assert client.get(LIST, {"organisation": organisation.pk}).status_code == 200
    client.get(reverse("kpa:home"))
    # session, user, MFA authenticator, gemeente name, complete schools per wijk, wijken with counts,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("kpa:home")).status_code == 200


@pytest.mark.parametrize("count", [10, 120])
def test_it_keeps_an_admins_filtered_national_roster_queries_flat(
    client, django_assert_max_num_queries, admin_user, wijk, count
):
    """The admin's roster of the whole country, with a filter on the seat summaries (issue 15). An admin's
    scope is the country: no query asks whether it holds one gemeente (partners.area_filters)."""
    School.objects.bulk_create([SchoolFactory.build(wijk=wijk, gemeente=wijk.gemeente) for _ in range(count)])
    from partners.models import Assignment

    ib = UserFactory(kind=UserKind.SCHOOL)
    Assignment.objects.bulk_create(
        [
            Assignment(school=s, role=Role.IB, person=ib, start_date=dt.date(2025, 8, 1))
            for s in School.objects.all()
        ]
    )
    client.force_login(admin_user)
    client.get(LIST, {"gap": "vacant"})  # warm up: counts the seat summaries of the day
    # session, user, MFA authenticator, the gemeente choices, the summaries not counted today (none), count,
    # page of schools, seats with their coverage, their people, next KPOs, session save (savepoint, update,
    # release)
    with django_assert_max_num_queries(13):
        response = client.get(LIST, {"gap": "vacant"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


@time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False)
def test_it_filters_by_a_complete_team_and_by_kpos_this_school_year(
    client, school, other_school, coordinator
):
    """The lists behind the dashboard's team and KPO figures: the same rules as front.dashboard."""
    AssignmentFactory(school=school, role=Role.IB)
    fill_team(school)
    fill_team(other_school)  # no IB-er: not complete
    third = SchoolFactory(name="Derde school", wijk=school.wijk)
    ams = ZoneInfo("Europe/Amsterdam")
    held = {"kind": MeetingKind.KPO, "status": MeetingStatus.HELD}
    Meeting.objects.create(school=school, starts_at=dt.datetime(2026, 9, 10, 10, tzinfo=ams), **held)
    # Before this school year (31 July, 23:30 in Amsterdam): not this year's.
    Meeting.objects.create(
        school=other_school, starts_at=dt.datetime(2026, 7, 31, 23, 30, tzinfo=ams), **held
    )
    Meeting.objects.create(school=other_school, starts_at=dt.datetime(2027, 2, 1, 10, tzinfo=ams))  # planned
    Meeting.objects.create(  # a work visit is no KPO; a cancelled KPO is none
        school=third,
        starts_at=dt.datetime(2026, 10, 1, 10, tzinfo=ams),
        kind=MeetingKind.WORK_VISIT,
        status=MeetingStatus.HELD,
    )
    Meeting.objects.create(
        school=third, starts_at=dt.datetime(2026, 10, 2, 10, tzinfo=ams), status=MeetingStatus.CANCELLED
    )
    client.force_login(coordinator)
    assert names(client.get(LIST, {"team": "complete"})) == {school.name}
    assert names(client.get(LIST, {"team": "incomplete"})) == {other_school.name, third.name}
    assert names(client.get(LIST, {"kpo": "none"})) == {other_school.name, third.name}
    assert names(client.get(LIST, {"kpo": "nothing_planned"})) == {third.name}
    response = client.get(LIST, {"kpo": "sometimes"})
    assert names(response) == {school.name, other_school.name, third.name}  # an unknown choice: no filter
    assert "Selecteer een geldige keuze" in response.content.decode()


def test_it_escapes_every_name_in_the_seat_cells(client, coordinator, school):
    """The cells are written in Python (front.templatetags.roster), not by the template's autoescape."""
    evil = UserFactory(
        first_name="<script>alert(1)</script>",
        last_name="&",
        organisation=OrganisationFactory(name="<b>X</b>"),
    )
    AssignmentFactory(school=school, role=Role.JGZ, person=evil)
    AssignmentFactory(school=school, role=Role.LEERPLICHT, person=evil, is_stand_in=True)
    client.force_login(coordinator)
    body = client.get(LIST).content.decode()
    assert "<script>alert" not in body and "<b>X</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in body
    assert "&lt;b&gt;X&lt;/b&gt;" in body


# The rows' markup as the roster's template wrote them before front.templatetags.roster.roster_rows, each
# seat by the seat_cell tag of that time (old_seat_cell below).
ROWS_AS_TEMPLATE = """{% for row in rows %}
    <tr>
      <td><a href="{% url 'schools:detail' row.school.pk %}">{{ row.school.name }}</a>
        <br><span class="text-muted small">{{ row.school.brin_vestiging }} · {{ row.school.sector }}{% if row.school.wijk %} · {{ row.school.wijk }}{% endif %}</span></td>
      {% for cell in row.cells %}<td>{{ cell.old_html }}</td>{% endfor %}
      <td>{% if row.next_kpo %}{{ row.next_kpo|date:"SHORT_DATE_FORMAT" }}{% else %}<span class="text-muted">{% translate "not planned" %}</span>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


def old_seat_cell(cell):
    """The seat cell as the roster's seat_cell tag wrote it with format_html."""
    from django.utils import dateformat
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    if cell.is_vacant:
        parts = [format_html('<span class="vacancy">{}</span>', _("Vacant"))]
    else:
        parts = [
            format_html('{} <span class="badge text-bg-secondary">{}</span>', p.name, _("stand-in"))
            if p.stand_in
            else format_html('{}<br><span class="text-muted small">{}</span>', p.name, p.organisation)
            if p.organisation
            else format_html("{}", p.name)
            for p in cell.people
        ]
    if cell.ends_on:
        ends = _("ends %(date)s") % {"date": dateformat.format(cell.ends_on, "j N")}
        parts.append(format_html('<span class="badge text-bg-warning">{}</span>', ends))
    return mark_safe("<br>".join(parts))  # noqa: S308


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_rows_written_in_python_are_the_templates_rows(language):
    """Character for character, with awkward values: markup in every name, no wijk, no next KPO, a KPO
    late in the evening (the date is Amsterdam's, not UTC's), a vacant seat, a stand-in, a seat ending."""
    from django.template import Context, Template
    from django.utils import translation

    from front.selectors import RosterCell, RosterLine
    from front.templatetags.roster import roster_rows
    from partners.selectors import SeatPerson
    from schools.models import School, Wijk

    people = [
        SeatPerson('<i>"Jan"</i> & co', "jan@example.org", "<b>Org</b>", False),
        SeatPerson("Invaller 'x'", "inv@example.org", "", True),
        SeatPerson("Zonder organisatie", "z@example.org", "", False),
    ]
    cells = [
        RosterCell(Role.IB, people[:1]),
        RosterCell(Role.BUURTTEAM, []),
        RosterCell(Role.JGZ, people, dt.date(2026, 12, 24)),
        RosterCell(Role.PASSEND_ONDERWIJS, people[1:]),
        RosterCell(Role.LEERPLICHT, [], dt.date(2027, 1, 1)),
    ]
    late = dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC)  # 30 March in Amsterdam
    rows = [
        RosterLine(
            School(pk=7, brin="12AB", vestiging="00", name='<script>"A"</script> & B', sector="PO"),
            cells,
            late,
        ),
        RosterLine(
            School(
                pk=8, brin="34CD", vestiging="01", name="Ö's", sector="VO", wijk=Wijk(name="<West & Oost>")
            ),
            cells[::-1],
            None,
        ),
    ]
    with translation.override(language):
        for cell in cells:
            cell.old_html = old_seat_cell(cell)
        template = Template("{% load i18n %}" + ROWS_AS_TEMPLATE)
        assert roster_rows(rows) == template.render(Context({"rows": rows}))
    with translation.override("nl"):
        assert "<td>30 mrt. 2026</td>" in roster_rows(rows)


def test_a_page_of_the_roster_asks_for_its_schools_as_one_array(client, coordinator, wijk):
    """On PostgreSQL the page's seats, people and next KPOs name its schools (or people) as one array
    (kpa.lookups): one statement whatever the number of rows, parsed once by psycopg and by PostgreSQL.
    Elsewhere `IN`."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        fill_team(SchoolFactory(wijk=wijk, gemeente=wijk.gemeente))
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    lists = {
        table: [sql for sql in sqls if re.search(rf'"{column}" (= ANY\(|IN \()', sql)]
        for table, column in (
            ("seats", 'partners_assignment"."school_id'),
            ("people", 'kpa_user"."id'),
            ("next KPOs", 'meetings_meeting"."school_id'),
        )
    }
    array = connection.vendor == "postgresql"
    for table, found in lists.items():
        assert found, table
        assert all(("= ANY(" in sql) == array for sql in found), (table, found)
