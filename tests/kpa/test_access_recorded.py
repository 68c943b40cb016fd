"""Every logged action writes exactly one access-log entry, with the school it concerns (issue 14): opening
a meeting's minutes, agreements, evaluation results, and every export (roster, dashboard, progress report,
evaluation results as XLSX and print page, a meeting's .ics, the calendar feed once per Amsterdam day).
A user out of scope gets 404 (or 403 where the page is not for their kind) and no entry is written."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from kpa.models import AccessAction, AccessLog
from meetings.models import Attendance, CalendarFeed, Meeting, MeetingStatus
from programme.services import utrecht_programme_ensure
from tests.factories import AgreementFactory, InviteeFactory, MeetingFactory, SchoolFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 2, 10)  # school year 2026–2027


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def the_entry() -> AccessLog:
    """The one entry written; fails when there is none or more than one."""
    entries = list(AccessLog.objects.all())
    assert len(entries) == 1, entries
    return entries[0]


def described(entry: AccessLog) -> tuple:
    return (entry.actor, entry.action, entry.what, entry.school, entry.subject)


def assert_no_entry() -> None:
    assert not AccessLog.objects.exists(), list(AccessLog.objects.all())


@pytest.fixture
def held(school, ib, partner):
    """A meeting of `school` held last week, with its log: minutes, attendance and an agreement."""
    meeting = MeetingFactory(
        school=school,
        starts_at=at(2026, 10, 26, 9),
        minutes="Verzuim in groep 7 besproken.",
        logged_at=at(2026, 10, 26, 12),
    )
    InviteeFactory(meeting=meeting, person=partner, attendance=Attendance.PRESENT)
    AgreementFactory(meeting=meeting, owner=partner, description="Buurtteam belt ouders")
    return meeting


@pytest.fixture
def planned(school, ib, partner):
    """A meeting of `school` next week: nothing logged yet."""
    return MeetingFactory(school=school, starts_at=at(2026, 11, 9, 9))


# --- Meeting minutes ---------------------------------------------------------------------------------------


def test_opening_a_logged_meeting_records_its_minutes(client, partner, held, school):
    client.force_login(partner)
    assert client.get(reverse("meetings:detail", args=[held.pk])).status_code == 200
    entry = the_entry()
    assert described(entry) == (partner, AccessAction.VIEW, "meeting.minutes", school, None)
    assert entry.detail == {"meeting": held.pk}


def test_opening_a_meeting_without_a_log_records_nothing(client, partner, planned):
    client.force_login(partner)
    assert client.get(reverse("meetings:detail", args=[planned.pk])).status_code == 200
    assert_no_entry()


def test_the_log_page_records_the_minutes_it_shows(client, ib, held, planned, school):
    client.force_login(ib)
    assert client.get(reverse("meetings:log", args=[planned.pk])).status_code == 200
    assert_no_entry()  # nothing logged yet: nothing shown
    assert client.get(reverse("meetings:log", args=[held.pk])).status_code == 200
    entry = the_entry()
    assert described(entry) == (ib, AccessAction.VIEW, "meeting.minutes", school, None)
    assert entry.detail == {"meeting": held.pk}


def test_the_log_page_records_a_log_of_casework_counts_only(client, ib, planned, school):
    from meetings.models import CaseworkCount, CaseworkTheme

    CaseworkCount.objects.create(meeting=planned, theme=CaseworkTheme.ATTENDANCE, count=2)
    client.force_login(ib)
    assert client.get(reverse("meetings:log", args=[planned.pk])).status_code == 200
    assert the_entry().what == "meeting.minutes"


def test_minutes_out_of_scope_are_404_and_not_recorded(client, outsider, partner, held):
    client.force_login(outsider)
    assert client.get(reverse("meetings:detail", args=[held.pk])).status_code == 404
    assert client.get(reverse("meetings:log", args=[held.pk])).status_code == 404
    client.force_login(partner)  # in scope, but logging is the IB-er's
    assert client.get(reverse("meetings:log", args=[held.pk])).status_code == 403
    assert_no_entry()


# --- A school's agreements ---------------------------------------------------------------------------------


AGREEMENTS = reverse("meetings:agreements-list")


def test_the_agreements_of_one_school_record_that_school(client, ib, held, school, other_school):
    AgreementFactory(meeting=MeetingFactory(school=other_school, starts_at=at(2026, 10, 1, 9)))
    client.force_login(ib)  # scoped to their school
    assert client.get(AGREEMENTS).status_code == 200
    entry = the_entry()
    assert described(entry) == (ib, AccessAction.VIEW, "agreements", school, None)
    assert entry.detail == {"filters": {}, "page": 1}


def test_the_agreements_filtered_to_one_school_record_that_school(client, coordinator, held, school, wijk):
    other = SchoolFactory(wijk=wijk, name="SBO De Brug")
    AgreementFactory(meeting=MeetingFactory(school=other, starts_at=at(2026, 10, 1, 9)))
    client.force_login(coordinator)
    assert client.get(AGREEMENTS, {"school": "zonnewijzer"}).status_code == 200
    entry = the_entry()
    assert described(entry) == (coordinator, AccessAction.VIEW, "agreements", school, None)
    assert entry.detail == {"filters": {"school": "zonnewijzer"}, "page": 1}


def test_the_agreements_across_schools_record_the_filter_and_the_schools(
    client, coordinator, held, school, wijk
):
    other = SchoolFactory(wijk=wijk)
    AgreementFactory(meeting=MeetingFactory(school=other, starts_at=at(2026, 10, 1, 9)))
    client.force_login(coordinator)
    assert client.get(AGREEMENTS, {"status": "open", "wijk": ""}).status_code == 200
    entry = the_entry()
    assert described(entry) == (coordinator, AccessAction.VIEW, "agreements", None, None)
    assert entry.detail == {
        "filters": {"status": "open"},
        "page": 1,
        "schools": sorted([school.pk, other.pk]),
    }


def test_the_school_page_records_the_open_agreements_it_shows(client, partner, held, school):
    client.force_login(partner)
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 200
    entry = the_entry()
    assert described(entry) == (partner, AccessAction.VIEW, "agreements", school, None)
    assert entry.detail == {"page": "school", "count": 1}


def test_the_school_page_without_open_agreements_or_out_of_scope_records_nothing(
    client, partner, outsider, school, planned
):
    client.force_login(partner)
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 200  # none open
    client.force_login(outsider)
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 404
    assert_no_entry()


def test_no_agreements_shown_nothing_recorded(client, coordinator, outsider, held):
    client.force_login(outsider)  # sees only their own school, which has none
    assert client.get(AGREEMENTS).status_code == 200
    client.force_login(coordinator)
    assert client.get(AGREEMENTS, {"status": "done"}).status_code == 200  # none done
    assert client.get(AGREEMENTS, {"year": "1999"}).status_code == 200  # a filter in error: no list
    assert_no_entry()


# --- Evaluation results ------------------------------------------------------------------------------------


def test_a_schools_results_page_is_recorded_with_the_school(client, partner, school):
    client.force_login(partner)
    assert client.get(reverse("evaluations:school-results", args=[school.pk])).status_code == 200
    entry = the_entry()
    assert described(entry) == (partner, AccessAction.VIEW, "evaluation-results", school, None)
    assert entry.detail == {"school": school.pk, "year": 2026}


@pytest.mark.parametrize(
    ("name", "action", "what"),
    [
        ("evaluations:school-results-xlsx", AccessAction.EXPORT, "evaluation-results.xlsx"),
        ("evaluations:school-results-print", AccessAction.EXPORT, "evaluation-results.print"),
    ],
)
def test_a_schools_results_taken_out_are_recorded_as_an_export(
    client, coordinator, school, name, action, what
):
    client.force_login(coordinator)
    assert client.get(reverse(name, args=[school.pk]), {"year": "2025"}).status_code == 200
    entry = the_entry()
    assert described(entry) == (coordinator, action, what, school, None)
    assert entry.detail == {"school": school.pk, "year": 2025}


@pytest.mark.parametrize(
    "name",
    ["evaluations:school-results", "evaluations:school-results-xlsx", "evaluations:school-results-print"],
)
def test_results_out_of_scope_are_404_and_not_recorded(client, outsider, wijk_coordinator, school, name):
    for user in (outsider, wijk_coordinator):
        client.force_login(user)
        assert client.get(reverse(name, args=[school.pk])).status_code == 404
    assert_no_entry()


def test_the_area_results_are_recorded_with_the_area(client, coordinator, wijk):
    client.force_login(coordinator)
    assert client.get(reverse("evaluations:area-results"), {"wijk": wijk.pk}).status_code == 200
    entry = the_entry()
    assert described(entry) == (coordinator, AccessAction.VIEW, "evaluation-results.area", None, None)
    assert entry.detail == {"gemeente": wijk.gemeente_id, "wijk": wijk.pk, "year": 2026}


def test_area_results_out_of_scope_are_refused_and_not_recorded(client, wijk_coordinator, partner, wijk):
    client.force_login(wijk_coordinator)  # Overvecht's: not West
    assert client.get(reverse("evaluations:area-results"), {"wijk": wijk.pk}).status_code == 404
    client.force_login(partner)
    assert client.get(reverse("evaluations:area-results")).status_code == 403
    assert_no_entry()


# --- Exports ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_roster_export_is_recorded_with_the_school_when_it_is_one(
    client, coordinator, school, other_school, fmt
):
    client.force_login(coordinator)
    url = reverse(f"schools:export-{fmt}")
    assert client.get(url, {"q": "zonnewijzer"}).status_code == 200
    one = the_entry()
    assert described(one) == (coordinator, AccessAction.EXPORT, f"roster.{fmt}", school, None)
    assert one.detail == {"filters": {"q": "zonnewijzer"}, "rows": 1}
    one.delete()
    assert client.get(url).status_code == 200  # every school of the gemeente: no one school
    assert described(the_entry()) == (coordinator, AccessAction.EXPORT, f"roster.{fmt}", None, None)


def test_the_dashboard_export_is_recorded(client, coordinator, school):
    client.force_login(coordinator)
    assert client.get(reverse("dashboard:export-xlsx")).status_code == 200
    entry = the_entry()
    assert described(entry) == (coordinator, AccessAction.EXPORT, "dashboard.xlsx", None, None)
    assert entry.detail["gemeente"] == school.gemeente_id


def test_the_progress_report_export_is_recorded(client, coordinator, wijk):
    programme = utrecht_programme_ensure()
    client.force_login(coordinator)
    response = client.get(
        reverse("programme:report-xlsx", args=[programme.pk]), {"start": "2026-07-01", "end": "2026-12-31"}
    )
    assert response.status_code == 200
    entry = the_entry()
    assert described(entry) == (coordinator, AccessAction.EXPORT, "programme-report.xlsx", None, None)
    assert entry.detail["programme"] == programme.pk


def test_exports_out_of_scope_are_refused_and_not_recorded(client, partner, ib, wijk):
    programme = utrecht_programme_ensure()
    client.force_login(partner)
    assert client.get(reverse("schools:export-csv")).status_code == 403
    assert client.get(reverse("dashboard:export-xlsx")).status_code == 403
    client.force_login(ib)
    assert client.get(reverse("programme:report-xlsx", args=[programme.pk])).status_code == 404
    assert_no_entry()


def test_a_meetings_ics_download_is_recorded_with_the_school(client, partner, planned, school):
    client.force_login(partner)
    response = client.get(reverse("meetings:ics", args=[planned.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    entry = the_entry()
    assert described(entry) == (partner, AccessAction.EXPORT, "meeting.ics", school, None)
    assert entry.detail == {"meeting": planned.pk}


def test_an_ics_download_out_of_scope_is_404_and_not_recorded(client, outsider, planned):
    client.force_login(outsider)
    assert client.get(reverse("meetings:ics", args=[planned.pk])).status_code == 404
    assert_no_entry()


# --- The calendar feed: once per feed per Amsterdam day ----------------------------------------------------


def fetch(client, feed):
    return client.get(reverse("meetings:feed", args=[feed.token]))


def test_the_feed_is_recorded_once_per_amsterdam_day(client, partner, planned):
    feed = CalendarFeed.objects.create(user=partner)
    # Amsterdam days, not UTC ones: 2 November 00:05 in Amsterdam is 1 November in UTC, and 3 November
    # 00:10 in Amsterdam is still 2 November in UTC.
    for moment in (at(2026, 11, 2, 0, 5), at(2026, 11, 2, 12), at(2026, 11, 2, 23, 59)):
        with time_machine.travel(moment, tick=False):
            assert fetch(client, feed).status_code == 200
    entry = the_entry()
    assert described(entry) == (partner, AccessAction.EXPORT, "calendar-feed", None, None)
    assert entry.detail == {"feed": feed.pk, "meetings": 1}
    with time_machine.travel(at(2026, 11, 3, 0, 10), tick=False):
        assert fetch(client, feed).status_code == 200
        assert fetch(client, feed).status_code == 200
    assert AccessLog.objects.filter(what="calendar-feed", actor=partner).count() == 2


def test_each_feed_has_its_own_day(client, partner, ib, planned):
    for person in (partner, ib):
        feed = CalendarFeed.objects.create(user=person)
        fetch(client, feed)
        fetch(client, feed)
    assert sorted(AccessLog.objects.values_list("actor__email", flat=True)) == sorted(
        [partner.email, ib.email]
    )


def test_the_feeds_later_fetches_of_the_day_cost_one_query(
    client, partner, planned, django_assert_max_num_queries
):
    feed = CalendarFeed.objects.create(user=partner)
    # the feed's three queries (feed with its owner, coming meetings, recent ones); is there an entry of
    # today (no); lock the feed's row in a savepoint, look again, write the entry, release
    with django_assert_max_num_queries(9):
        fetch(client, feed)
    # the feed's three queries; is there an entry of today (yes)
    with django_assert_max_num_queries(4):
        fetch(client, feed)
    assert AccessLog.objects.count() == 1


def test_an_unknown_or_stopped_feed_is_404_and_not_recorded(client, partner, planned):
    feed = CalendarFeed.objects.create(user=partner)
    assert client.get(reverse("meetings:feed", args=["nope"])).status_code == 404
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    assert fetch(client, feed).status_code == 404
    assert_no_entry()


def test_a_cancelled_meeting_in_the_feed_still_counts(client, partner, planned):
    """The feed lists cancelled meetings too (as cancelled): the entry counts what it sent."""
    Meeting.objects.filter(pk=planned.pk).update(status=MeetingStatus.CANCELLED)
    fetch(client, CalendarFeed.objects.create(user=partner))
    assert the_entry().detail["meetings"] == 1


def test_nothing_is_recorded_for_a_plain_page(client, partner, school):
    """Pages without personal data of the kinds above (the school list, the calendar settings) write no
    entry: the log stays readable."""
    client.force_login(partner)
    assert client.get(reverse("schools:list")).status_code == 200
    assert client.get(reverse("meetings:calendar")).status_code == 200
    assert_no_entry()
