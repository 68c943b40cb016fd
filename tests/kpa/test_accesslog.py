"""The admin's access log (privacy:access-log): admins only; filters by person (who did it or whose data it
was), school (name or BRIN), Amsterdam days and action; newest first, paged, in queries that do not grow
with the entries; bad filter input refused in Dutch; the CSV export of the filtered log, formula-safe and
itself logged."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from kpa import views_accesslog
from kpa.accesslog import access_record
from kpa.models import AccessAction, AccessLog, UserKind
from tests.factories import SchoolFactory, UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

URL = reverse("privacy:access-log")
EXPORT_URL = reverse("privacy:access-log-export")
NOW = at(2026, 11, 20, 12)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def entry(
    actor, what, when, *, action=AccessAction.VIEW, school=None, subject=None, detail=None
) -> AccessLog:
    logged = access_record(
        actor=actor,
        action=action,
        what=what,
        school_id=school.pk if school else None,
        subject=subject,
        detail=detail,
    )
    AccessLog.objects.filter(pk=logged.pk).update(at=when)
    logged.refresh_from_db()
    return logged


@pytest.fixture
def people(db):
    return {
        "anna": UserFactory(first_name="Anna", last_name="de Vries", email="anna@lokalis.example"),
        "bram": UserFactory(first_name="Bram", last_name="Jansen", email="bram@jgz.example"),
        "cor": UserFactory(
            first_name="Cor", last_name="Visser", email="cor@gemeente.example", kind=UserKind.COORDINATOR
        ),
    }


@pytest.fixture
def log(people, school, other_school):
    """Four entries over a few days; the times are Amsterdam wall-clock times."""
    anna, bram, cor = people["anna"], people["bram"], people["cor"]
    return {
        "minutes": entry(
            anna, "meeting.minutes", at(2026, 11, 2, 23, 30), school=school, detail={"meeting": 7}
        ),
        "results": entry(bram, "evaluation-results", at(2026, 11, 3, 0, 30), school=other_school),
        "roster": entry(cor, "roster.csv", at(2026, 11, 10, 9), action=AccessAction.EXPORT),
        "inzage": entry(cor, "inzage", at(2026, 11, 12, 9), action=AccessAction.INZAGE, subject=anna),
    }


def shown(response) -> list[int]:
    return [row[0].pk for row in response.context["rows"]]


def test_it_lets_only_admins_in(client, ib, partner, coordinator, admin_user, log):
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        for user in (ib, partner, coordinator):
            client.force_login(user)
            assert client.get(url).status_code == 403
        client.logout()
    assert AccessLog.objects.count() == len(log)  # the refused export wrote nothing
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200


def test_it_lists_every_entry_newest_first_with_who_what_and_the_school(client, admin_user, log, school):
    client.force_login(admin_user)
    response = client.get(URL)
    assert shown(response) == [log[k].pk for k in ("inzage", "roster", "results", "minutes")]
    page = response.content.decode()
    assert "Anna" in page and "anna@lokalis.example" in page
    assert f"{school.name}" in page and school.brin_vestiging in page
    assert "meeting: 7" in page
    assert "Toegangslog" in page or "Access log" in page


def test_it_is_linked_from_the_admins_start_page(client, admin_user):
    client.force_login(admin_user)
    assert f'href="{URL}"' in client.get(reverse("kpa:home")).content.decode()


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("anna", ["inzage", "minutes"]),  # Anna did one; the inzage was of her data
        ("de vries", ["inzage", "minutes"]),
        ("Anna de Vries", ["inzage", "minutes"]),  # every word, in first name, last name or e-mail
        ("@jgz.example", ["results"]),
        ("visser", ["inzage", "roster"]),
        ("nobody", []),
    ],
)
def test_it_filters_by_person_who_did_it_or_whose_data_it_was(client, admin_user, log, person, expected):
    client.force_login(admin_user)
    response = client.get(URL, {"person": person})
    assert shown(response) == [log[k].pk for k in expected]


def test_it_filters_by_school_name_or_brin(client, admin_user, log, school, other_school):
    client.force_login(admin_user)
    assert shown(client.get(URL, {"school": "zonnewijzer"})) == [log["minutes"].pk]
    assert shown(client.get(URL, {"school": other_school.brin.lower()})) == [log["results"].pk]
    assert shown(client.get(URL, {"school": other_school.brin_vestiging})) == [log["results"].pk]


def test_it_filters_by_amsterdam_days_and_action(client, admin_user, log):
    client.force_login(admin_user)
    # 2 November 23:30 in Amsterdam is 22:30 UTC; 3 November 00:30 is 23:30 UTC on the 2nd.
    assert shown(client.get(URL, {"date_to": "2026-11-02"})) == [log["minutes"].pk]
    assert shown(client.get(URL, {"date_from": "2026-11-03", "date_to": "2026-11-03"})) == [log["results"].pk]
    assert shown(client.get(URL, {"date_from": "03-11-2026", "date_to": "10-11-2026"})) == [
        log["roster"].pk,
        log["results"].pk,
    ]
    assert shown(client.get(URL, {"action": "inzage"})) == [log["inzage"].pk]
    assert shown(client.get(URL, {"action": "export", "person": "cor"})) == [log["roster"].pk]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "31-02-2026"}, "date_from", "Voer een geldige datum in."),
        ({"date_to": "morgen"}, "date_to", "Voer een geldige datum in."),
        (
            {"date_from": "2026-11-10", "date_to": "2026-11-03"},
            "date_to",
            "Het einde van de periode mag niet voor het begin liggen.",
        ),
        ({"date_from": "1899-12-31"}, "date_from", "Kies een datum tussen"),
        ({"date_to": "9999-12-31"}, "date_to", "Kies een datum tussen"),
        ({"action": "delete"}, "action", "Selecteer een geldige keuze."),
    ],
)
def test_bad_filter_input_is_refused_in_dutch_without_a_list(client, admin_user, log, query, field, message):
    client.force_login(admin_user)
    response = client.get(URL, query)
    assert response.status_code == 200
    assert message in " ".join(response.context["filter"].form.errors[field])
    assert message in response.content.decode()
    assert response.context["rows"] == []
    # The export with the same input goes back to the page, which says what is wrong; nothing is logged.
    before = AccessLog.objects.count()
    export = client.get(EXPORT_URL, query)
    assert export.status_code == 302 and export["Location"].startswith(URL + "?")
    assert AccessLog.objects.count() == before


def test_a_bad_page_number_shows_the_first_or_last_page(client, admin_user, log):
    client.force_login(admin_user)
    assert client.get(URL, {"page": "abc"}).status_code == 200
    assert client.get(URL, {"page": "999"}).status_code == 200


def test_it_pages(client, admin_user, log, monkeypatch):
    monkeypatch.setattr(views_accesslog, "PER_PAGE", 3)
    client.force_login(admin_user)
    first = client.get(URL, {"action": ""})
    assert len(first.context["rows"]) == 3 and "page=2" in first.content.decode()
    assert shown(client.get(URL, {"page": "2"})) == [log["minutes"].pk]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_it_exports_the_filtered_log_as_csv_and_logs_the_export(client, admin_user, log, school, people):
    client.force_login(admin_user)
    response = client.get(EXPORT_URL, {"person": "anna"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="kpa-toegangslog-2026-11-20.csv"'
    header, *rows = read_csv(response)
    assert len(header) == 11
    assert [row[5] for row in rows] == ["inzage", "meeting.minutes"]
    inzage, minutes = rows
    assert minutes[:3] == ["2026-11-02 23:30:00", "Anna de Vries", "anna@lokalis.example"]
    assert minutes[6:8] == [school.name, school.brin_vestiging]
    assert minutes[10] == '{"meeting": 7}'
    assert inzage[8:10] == ["Anna de Vries", "anna@lokalis.example"]  # whose data
    exported = AccessLog.objects.get(what="access-log.csv")
    assert (exported.actor, exported.action, exported.school, exported.subject) == (
        admin_user,
        AccessAction.EXPORT,
        None,
        None,
    )
    assert exported.detail == {"filters": {"person": "anna"}, "rows": 2}


def test_the_export_cannot_hold_a_formula(client, admin_user):
    evil = SchoolFactory(name='=HYPERLINK("http://evil.example","klik")')
    actor = UserFactory(first_name="+31 6 1234", last_name="@SUM(A1)", email="x@example.org")
    entry(actor, "-2+3", NOW, school=evil, detail={"filters": {"school": "=1+1"}})
    client.force_login(admin_user)

    _header, row = read_csv(client.get(EXPORT_URL))

    assert row[1] == "'+31 6 1234 @SUM(A1)"
    assert row[5] == "'-2+3"
    assert row[6] == "'" + evil.name
    assert all(not cell or cell[0] not in "=+-@" for cell in row)


@pytest.mark.parametrize("count", [3, 30])
def test_its_queries_do_not_grow_with_the_entries(
    client, admin_user, school, people, count, django_assert_max_num_queries
):
    for n in range(count):
        actor = UserFactory()
        other = SchoolFactory(wijk=school.wijk)
        entry(actor, "meeting.minutes", at(2026, 11, 1 + n % 15, 9), school=other, subject=people["anna"])
    client.force_login(admin_user)
    # 8: session, user, MFA check; the count and the page's entries with their actor, whose data and
    # school (select_related: one query however many entries); the session saved (savepoint, update,
    # release)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"school": "School", "person": "a"})
    assert len(response.context["rows"]) == count
