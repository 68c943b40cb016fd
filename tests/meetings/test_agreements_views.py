"""'Mijn afspraken' (meetings:my-agreements) and marking an agreement done (meetings:agreement-done)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Agreement, AgreementStatus
from meetings.services import AgreementInput, meeting_log_save, meeting_schedule
from partners.models import Assignment, Role
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

BSN = "123456782"
MY_AGREEMENTS = reverse("meetings:my-agreements")


def done_url(agreement):
    return reverse("meetings:agreement-done", args=[agreement.pk])


def make_agreements(school, owner, due_in_days: list[int], *, days_ago: int = 7) -> list[Agreement]:
    """One meeting at `school` with an agreement for `owner` per due date (days from today)."""
    meeting = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=days_ago))
    today = timezone.localdate()
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes="",
        casework={},
        new_questions=[],
        new_agreements=[
            AgreementInput(f"Afspraak {days:+d}", owner, today + dt.timedelta(days=days))
            for days in due_in_days
        ],
    )
    return list(meeting.agreements.order_by("pk"))


@pytest.fixture
def agreement(school, ib, partner):
    """An open agreement of the partner at `school`, due in a week."""
    return make_agreements(school, partner, [7])[0]


def note_field(agreement):
    return f"done-{agreement.pk}-note"


# --- Mijn afspraken --------------------------------------------------------------------------------------


def test_it_lists_my_open_agreements_overdue_first_across_my_schools(client, school, ib, partner):
    other = SchoolFactory(name="CBS De Regenboog", wijk=school.wijk)
    AssignmentFactory(person=partner, school=other, role=Role.BUURTTEAM)
    here = make_agreements(school, partner, [10, -3, 0])
    there = make_agreements(other, partner, [-20, 5])
    make_agreements(school, ib, [-30])  # someone else's
    done = make_agreements(school, partner, [-40])[0]
    Agreement.objects.filter(pk=done.pk).update(status=AgreementStatus.DONE, done_at=timezone.now())

    client.force_login(partner)
    response = client.get(MY_AGREEMENTS)
    assert response.status_code == 200
    rows = response.context["rows"]
    descriptions = [row.agreement.description for row in rows]
    assert descriptions == ["Afspraak -20", "Afspraak -3", "Afspraak +0", "Afspraak +5", "Afspraak +10"]
    assert [row.is_overdue for row in rows] == [True, True, False, False, False]
    assert {row.agreement.school for row in rows} == {school, other}
    assert response.context["overdue_count"] == 2
    content = response.content.decode()
    assert content.count("list-group-item-danger") == 2  # overdue ones are marked
    assert "CBS De Regenboog" in content
    assert content.index("Afspraak -20") < content.index("Afspraak +10")
    for agreement in here + there:
        assert done_url(agreement) in content


def test_it_shows_what_i_did_in_the_last_30_days(client, school, ib, partner):
    recent, old, open_ = make_agreements(school, partner, [1, 2, 3])
    now = timezone.now()
    Agreement.objects.filter(pk=recent.pk).update(
        status=AgreementStatus.DONE, done_at=now - dt.timedelta(days=10), done_note="Ouders gebeld"
    )
    Agreement.objects.filter(pk=old.pk).update(
        status=AgreementStatus.DONE, done_at=now - dt.timedelta(days=40)
    )
    client.force_login(partner)
    response = client.get(MY_AGREEMENTS)
    assert response.context["recently_done"] == [recent]
    assert [row.agreement for row in response.context["rows"]] == [open_]
    assert "Ouders gebeld" in response.content.decode()


def test_it_shows_an_empty_list_to_anyone_without_agreements(client, coordinator, admin_user, outsider):
    for user in (coordinator, admin_user, outsider):
        client.force_login(user)
        response = client.get(MY_AGREEMENTS)
        assert response.status_code == 200
        assert response.context["rows"] == []


@pytest.mark.parametrize("number", [5, 50])
def test_it_needs_the_same_queries_for_5_and_50_agreements(client, school, ib, partner, number):
    other = SchoolFactory(wijk=school.wijk)
    AssignmentFactory(person=partner, school=other, role=Role.BUURTTEAM)
    half = number // 2
    make_agreements(school, partner, [d - half for d in range(half)])
    make_agreements(other, partner, list(range(number - half)))
    client.force_login(partner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MY_AGREEMENTS)
    assert len(response.context["rows"]) == number
    # 1 the session, 2 the user, 3 the open agreements with school, meeting and action line, 4 the ones
    # done in the last 30 days, 5 whether the user works under JGZ's medical secrecy (the notice above
    # the notes), 6-8 the session's renewed expiry (savepoint, update, release).
    assert len(queries) == 8, "\n".join(q["sql"] for q in queries.captured_queries)


# --- marking an agreement done -------------------------------------------------------------------------


def test_it_lets_the_owner_mark_an_agreement_done_with_a_note(client, agreement, partner):
    client.force_login(partner)
    response = client.post(done_url(agreement), {note_field(agreement): "Ouders uitgenodigd"})
    assert response.status_code == 302
    assert response["Location"] == MY_AGREEMENTS
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE
    assert agreement.done_note == "Ouders uitgenodigd"
    assert agreement.done_at is not None
    assert [str(m) for m in get_messages(response.wsgi_request)]
    response = client.get(MY_AGREEMENTS)
    assert response.context["rows"] == []
    assert response.context["recently_done"] == [agreement]


def test_it_lets_the_ib_er_and_an_admin_close_someone_elses_agreement(
    client, school, ib, partner, admin_user
):
    first, second = make_agreements(school, partner, [1, 2])
    client.force_login(ib)
    assert client.post(done_url(first), {}).status_code == 302
    client.force_login(admin_user)
    assert client.post(done_url(second), {}).status_code == 302
    assert set(Agreement.objects.values_list("status", flat=True)) == {AgreementStatus.DONE}


def test_it_refuses_others_in_scope_and_hides_the_agreement_outside_it(
    client, agreement, school, outsider, coordinator, wijk_coordinator
):
    colleague = UserFactory()
    AssignmentFactory(person=colleague, school=school, role=Role.JGZ)
    for user, status in [(colleague, 403), (coordinator, 403), (outsider, 404), (wijk_coordinator, 404)]:
        client.force_login(user)
        assert client.post(done_url(agreement), {}).status_code == status, user
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


def test_it_sends_anonymous_visitors_to_the_login(client, agreement):
    response = client.post(done_url(agreement), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


def test_it_only_takes_a_post(client, agreement, partner):
    client.force_login(partner)
    assert client.get(done_url(agreement)).status_code == 405
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


def test_it_refuses_a_bsn_in_the_note_and_keeps_it(client, agreement, partner):
    client.force_login(partner)
    note = f"Gebeld over {BSN}"
    response = client.post(done_url(agreement), {note_field(agreement): note})
    assert response.status_code == 200
    row = next(row for row in response.context["rows"] if row.agreement == agreement)
    assert BSN in row.form.errors["note"][0]
    assert f'value="{note}"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN
    assert agreement.done_note == ""


def test_it_shows_the_ib_er_their_error_on_someone_elses_agreement(client, agreement, ib):
    client.force_login(ib)
    response = client.post(done_url(agreement), {note_field(agreement): f"BSN {BSN}"})
    assert response.status_code == 200
    assert response.context["other_row"].agreement == agreement
    assert BSN in response.context["other_row"].form.errors["note"][0]
    assert BSN in response.content.decode()


def test_it_lets_an_owner_who_left_the_school_close_their_agreement(client, agreement, partner):
    Assignment.objects.filter(person=partner).update(end_date=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(partner)
    assert [row.agreement for row in client.get(MY_AGREEMENTS).context["rows"]] == [agreement]
    assert client.post(done_url(agreement), {}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE


def test_it_goes_back_to_a_page_of_this_site_only(client, school, ib, partner):
    first, second = make_agreements(school, partner, [1, 2])
    client.force_login(ib)
    back = reverse("meetings:log", args=[first.meeting_id])
    assert client.post(done_url(first), {"next": back})["Location"] == back
    assert client.post(done_url(second), {"next": "https://evil.example/"})["Location"] == MY_AGREEMENTS


def test_it_does_not_mind_an_agreement_that_is_already_done(client, agreement, partner):
    client.force_login(partner)
    assert client.post(done_url(agreement), {note_field(agreement): "eerste"}).status_code == 302
    assert client.post(done_url(agreement), {note_field(agreement): "tweede"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.done_note == "eerste"


# --- after a correction on the log ------------------------------------------------------------------------


def test_it_moves_a_corrected_agreement_to_its_new_owner_and_drops_a_removed_one(
    client, agreement, school, ib, partner
):
    edit_url = reverse("meetings:agreement-update", args=[agreement.meeting_id, agreement.pk])
    client.force_login(ib)
    response = client.post(
        edit_url,
        {
            "description": agreement.description,
            "owner": str(ib.pk),
            "due_date": agreement.due_date.isoformat(),
        },
    )
    assert response.status_code == 302
    assert [row.agreement for row in client.get(MY_AGREEMENTS).context["rows"]] == [agreement]
    client.force_login(partner)
    assert client.get(MY_AGREEMENTS).context["rows"] == []

    client.force_login(ib)
    delete_url = reverse("meetings:agreement-delete", args=[agreement.meeting_id, agreement.pk])
    assert client.post(delete_url).status_code == 302
    assert client.get(MY_AGREEMENTS).context["rows"] == []
