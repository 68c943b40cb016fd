import pytest
from django.urls import reverse

from partners.models import Role
from tests.factories import AssignmentFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_it_lists_only_schools_in_scope(client, school, other_school, partner):
    client.force_login(partner)
    body = client.get(reverse("schools:list")).content.decode()
    assert school.name in body
    assert other_school.name not in body


def test_it_filters_the_list_by_wijk_and_search(client, school, other_school, coordinator, other_wijk):
    client.force_login(coordinator)
    body = client.get(reverse("schools:list"), {"wijk": other_wijk.pk}).content.decode()
    assert other_school.name in body
    assert school.name not in body
    body = client.get(reverse("schools:list"), {"q": "zonnewijzer"}).content.decode()
    assert school.name in body
    assert other_school.name not in body


def test_it_refuses_a_wijk_filter_outside_scope(client, school, wijk, wijk_coordinator):
    client.force_login(wijk_coordinator)
    response = client.get(reverse("schools:list"), {"wijk": wijk.pk})
    assert school.name not in response.content.decode()
    assert "Selecteer een geldige keuze" in response.content.decode()


def test_it_shows_the_team_of_a_school_in_scope(client, school, ib, partner):
    client.force_login(partner)
    body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert ib.email in body
    assert f"mailto:{ib.email}" in body


def test_it_answers_404_for_a_school_outside_scope(client, school, outsider, wijk_coordinator):
    for user in (outsider, wijk_coordinator):
        client.force_login(user)
        assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, school):
    response = client.get(reverse("schools:detail", args=[school.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("schools", [10, 60])
def test_it_keeps_the_list_queries_flat(client, django_assert_max_num_queries, schools, coordinator, wijk):
    for _ in range(schools):
        AssignmentFactory(school=SchoolFactory(wijk=wijk), role=Role.JGZ)
    client.force_login(coordinator)
    client.get(reverse("schools:list"))  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, wijk and organisation choices, count, page of schools, seats, their
    # people, coverage, next KPOs, session save (savepoint, update, release); heavy loads have a page of
    # their own
    with django_assert_max_num_queries(14):
        assert client.get(reverse("schools:list")).status_code == 200


def test_the_school_page_reads_its_meetings_and_agreements_without_asking_the_scope_again(
    client, school, other_school, ib, partner
):
    """The school was found in the partner's scope (or 404): its meetings and agreements are in scope
    through it, so their queries are by school alone. Another school's are not on the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.models import AgreementStatus
    from tests.factories import AgreementFactory, MeetingFactory

    ours = AgreementFactory(school=school, meeting=MeetingFactory(school=school), owner=ib)
    theirs = AgreementFactory(school=other_school, meeting=MeetingFactory(school=other_school), owner=ib)
    assert ours.status == theirs.status == AgreementStatus.OPEN
    client.force_login(partner)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert ours.description in body and theirs.description not in body
    read = [q["sql"] for q in queries.captured_queries if 'FROM "meetings_' in q["sql"]]
    assert len(read) == 4  # the next KPO, upcoming, history, open agreements
    assert not any("partners_assignment" in sql for sql in read)
