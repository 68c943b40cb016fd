import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpa.outbox.models import Notification
from meetings.models import (
    Agreement,
    AgreementStatus,
    CaseworkCount,
    CollectiveQuestion,
    Meeting,
    MeetingStatus,
    NotificationKind,
)
from meetings.selectors import carried_items, my_open_agreements, team_members
from meetings.services import (
    AgreementInput,
    agreement_complete,
    meeting_cancel,
    meeting_log_save,
    meeting_schedule,
    meeting_series_schedule,
    meeting_update,
    series_dates,
)
from partners.models import Role
from schools.models import SchoolHoliday
from tests.factories import AssignmentFactory, UserFactory
from tests.helpers import AMS, at_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(school, ib, partner):
    return meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=10), created_by=ib)


def test_it_invites_the_team_of_the_day_and_queues_one_invitation_each(meeting, ib, partner):
    assert {i.person for i in meeting.invitees.all()} == {ib, partner}
    rows = Notification.objects.filter(kind=NotificationKind.INVITATION, meeting=meeting)
    assert {n.recipient for n in rows} == {ib, partner}
    assert meeting.agenda_items.count() >= 5


def test_it_leaves_out_people_whose_assignment_has_ended(school, ib):
    gone = UserFactory()
    AssignmentFactory(
        person=gone, school=school, role=Role.JGZ, end_date=timezone.localdate() - dt.timedelta(1)
    )
    meeting = meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=3))
    assert gone not in {i.person for i in meeting.invitees.all()}


def test_it_refuses_an_end_before_the_start(school):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError):
        meeting_schedule(school=school, starts_at=start, ends_at=start - dt.timedelta(hours=1))
    assert not Meeting.objects.exists()


def test_it_refuses_a_bsn_in_the_place(school):
    with pytest.raises(ValidationError) as error:
        meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=3), location="123456782")
    assert "123456782" in str(error.value)
    assert not Meeting.objects.exists()


@time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=AMS), tick=False)  # the dates below lie ahead
def test_it_plans_a_series_in_local_time_across_the_clock_change_and_skips_holidays(school):
    school.holiday_region = "midden"
    school.save()
    SchoolHoliday.objects.create(
        region="midden",
        name="Herfstvakantie",
        start_date=dt.date(2026, 10, 17),
        end_date=dt.date(2026, 10, 25),
    )
    SchoolHoliday.objects.create(
        region="noord", name="Andere regio", start_date=dt.date(2026, 11, 7), end_date=dt.date(2026, 11, 8)
    )
    planned, skipped = series_dates(
        first=at_day(dt.date(2026, 10, 5)), until=dt.date(2026, 11, 30), interval_weeks=2, region="midden"
    )
    assert [timezone.localtime(m).date() for m in skipped] == [dt.date(2026, 10, 19)]
    assert [timezone.localtime(m).hour for m in planned] == [9, 9, 9, 9]  # also after 25 October
    offsets = {timezone.localtime(m).utcoffset() for m in planned}
    assert offsets == {dt.timedelta(hours=2), dt.timedelta(hours=1)}


def test_it_creates_the_series_it_previews(school):
    school.holiday_region = "midden"
    school.save()
    first = at_day(timezone.localdate() + dt.timedelta(days=7))
    until = timezone.localdate() + dt.timedelta(days=90)
    planned, _skipped = series_dates(first=first, until=until, interval_weeks=6, region="midden")
    result = meeting_series_schedule(
        school=school, first_starts_at=first, duration=dt.timedelta(minutes=90), interval_weeks=6, until=until
    )
    assert [m.starts_at for m in result.meetings] == planned
    assert all(m.series == result.series for m in result.meetings)


def test_it_moves_a_meeting_with_a_higher_sequence_and_tells_everyone(meeting, ib, partner):
    new_start = meeting.starts_at + dt.timedelta(days=1)
    meeting_update(meeting=meeting, starts_at=new_start, ends_at=None, location="Lokaal 3", online_url="")
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.starts_at, meeting.location) == (1, new_start, "Lokaal 3")
    updates = Notification.objects.filter(kind=NotificationKind.UPDATE, meeting=meeting)
    assert {n.recipient for n in updates} == {ib, partner}


def test_it_does_not_bump_the_sequence_when_nothing_changed(meeting):
    meeting_update(
        meeting=meeting, starts_at=meeting.starts_at, ends_at=meeting.ends_at, location="", online_url=""
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_it_cancels_once(meeting):
    meeting_cancel(meeting=meeting)
    meeting_cancel(meeting=meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    assert Notification.objects.filter(kind=NotificationKind.CANCELLATION).count() == 2  # ib and partner
    with pytest.raises(ValidationError):
        meeting_update(
            meeting=meeting, starts_at=meeting.starts_at, ends_at=None, location="x", online_url=""
        )


def test_it_saves_a_half_log_and_then_finishes_it(meeting, ib, partner):
    invitee = meeting.invitees.get(person=partner)
    meeting_log_save(
        meeting=meeting,
        attendance={invitee.pk: ("present", "")},
        minutes="Eerste deel besproken.",
        casework={"gedrag": 3},
        new_questions=[],
        new_agreements=[],
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Eerste deel besproken."
    assert not meeting.is_logged
    with time_machine.travel(meeting.starts_at + dt.timedelta(hours=2), tick=False):  # after the meeting
        meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="Alles besproken.",
            casework={"gedrag": 4, "verzuim": 1},
            new_questions=["Hoe pakken we verzuim in groep 8 samen op?"],
            new_agreements=[
                AgreementInput("Ouderavond plannen", partner, timezone.localdate() + dt.timedelta(14))
            ],
            complete=True,
        )
    meeting.refresh_from_db()
    assert meeting.is_logged
    assert meeting.status == MeetingStatus.HELD
    assert dict(CaseworkCount.objects.values_list("theme", "count")) == {"gedrag": 4, "verzuim": 1}
    assert meeting.invitees.get(person=partner).attendance == "present"


def test_it_saves_nothing_when_one_text_holds_a_bsn(meeting, partner):
    with pytest.raises(ValidationError):
        meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="Goed overleg.",
            casework={"gedrag": 2},
            new_questions=["Leerling 1234.56.782 verzuimt"],
            new_agreements=[],
        )
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert not CaseworkCount.objects.exists()
    assert not CollectiveQuestion.objects.exists()


def test_it_allows_an_email_address_of_a_user_but_not_of_anyone_else(meeting, partner):
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes=f"Vragen via {partner.email}",
        casework={},
        new_questions=[],
        new_agreements=[],
    )
    with pytest.raises(ValidationError):
        meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="Moeder: ouder@voorbeeld.nl",
            casework={},
            new_questions=[],
            new_agreements=[],
        )


def test_it_refuses_an_agreement_owner_outside_the_team(meeting, outsider):
    with pytest.raises(ValidationError):
        meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="",
            casework={},
            new_questions=[],
            new_agreements=[AgreementInput("Iets doen", outsider, timezone.localdate())],
        )
    assert not Agreement.objects.exists()


def test_it_carries_open_agreements_and_questions_to_the_next_meeting(school, meeting, partner):
    with time_machine.travel(meeting.starts_at + dt.timedelta(hours=2), tick=False):  # after the meeting
        meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="",
            casework={},
            new_questions=["Wat doen we aan pesten?"],
            new_agreements=[
                AgreementInput("Open afspraak", partner, timezone.localdate()),
                AgreementInput("Klaar afspraak", partner, timezone.localdate()),
            ],
            complete=True,
        )
    agreement_complete(agreement=Agreement.objects.get(description="Klaar afspraak"), note="Gedaan")
    following = meeting_schedule(school=school, starts_at=meeting.starts_at + dt.timedelta(weeks=6))
    agreements, questions = carried_items(following)
    assert [a.description for a in agreements] == ["Open afspraak"]
    assert [q.text for q in questions] == ["Wat doen we aan pesten?"]
    question = questions[0]
    meeting_log_save(
        meeting=following,
        attendance={},
        minutes="",
        casework={},
        new_questions=[],
        new_agreements=[],
        answered_questions={question.pk: "Anti-pestprogramma in alle groepen."},
    )
    assert carried_items(following)[1] == []


def test_it_lists_my_open_agreements_overdue_first(meeting, partner):
    today = timezone.localdate()
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes="",
        casework={},
        new_questions=[],
        new_agreements=[
            AgreementInput("Later", partner, today + dt.timedelta(days=20)),
            AgreementInput("Te laat", partner, today - dt.timedelta(days=3)),
            AgreementInput("Binnenkort", partner, today + dt.timedelta(days=2)),
        ],
    )
    assert [a.description for a in my_open_agreements(partner)] == ["Te laat", "Binnenkort", "Later"]


def test_it_closes_an_agreement_once_with_a_note(meeting, partner):
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes="",
        casework={},
        new_questions=[],
        new_agreements=[AgreementInput("Bellen", partner, timezone.localdate())],
    )
    agreement = Agreement.objects.get()
    agreement_complete(agreement=agreement, note="Gebeld")
    agreement_complete(agreement=agreement, note="Nog eens")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.done_note) == (AgreementStatus.DONE, "Gebeld")


def test_it_lists_the_team_once_per_person(school, ib, partner):
    AssignmentFactory(person=partner, school=school, role=Role.LEERPLICHT)
    assert sorted(p.pk for p, _role in team_members(school.pk)) == sorted([ib.pk, partner.pk])


def test_it_invites_a_successor_to_planned_meetings_and_takes_the_leaver_off(school, ib, partner):
    from partners.services import handover_apply

    later = meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=30))
    successor = UserFactory()
    handover_apply(from_person=partner, to_person=successor, on=timezone.localdate() + dt.timedelta(days=1))
    assert {i.person for i in later.invitees.all()} == {ib, successor}
    invitation = Notification.objects.get(
        kind=NotificationKind.INVITATION, meeting=later, recipient=successor
    )
    assert invitation.sent_at is None


def test_it_invites_a_new_stand_in_to_planned_meetings(school, ib):
    from partners.services import assignment_create

    later = meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=30))
    stand_in = UserFactory()
    assignment_create(
        person=stand_in, school=school, role=Role.JGZ, start_date=timezone.localdate(), is_stand_in=True
    )
    assert stand_in in {i.person for i in later.invitees.all()}


def test_it_refuses_to_finish_a_meeting_before_it_starts_or_after_a_cancel(meeting):
    log = {"attendance": {}, "minutes": "", "casework": {}, "new_questions": [], "new_agreements": []}
    with pytest.raises(ValidationError):
        meeting_log_save(meeting=meeting, complete=True, **log)
    meeting_cancel(meeting=meeting)
    with (
        time_machine.travel(meeting.starts_at + dt.timedelta(hours=2), tick=False),
        pytest.raises(ValidationError),
    ):
        meeting_log_save(meeting=meeting, complete=True, **log)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.logged_at) == (MeetingStatus.CANCELLED, None)


def test_it_does_not_undo_a_move_with_a_log_saved_from_an_old_copy(meeting):
    stale = Meeting.objects.get(pk=meeting.pk)
    moved_to = meeting.starts_at + dt.timedelta(days=2)
    meeting_update(meeting=meeting, starts_at=moved_to, ends_at=None, location="Aula", online_url="")
    meeting_log_save(
        meeting=stale,
        attendance={},
        minutes="Voorbereiding",
        casework={},
        new_questions=[],
        new_agreements=[],
    )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.location, meeting.sequence) == (moved_to, "Aula", 1)
    assert meeting.minutes == "Voorbereiding"


def test_it_adds_nothing_twice_when_the_log_form_is_sent_twice(meeting, partner):
    log = {
        "attendance": {},
        "minutes": "",
        "casework": {},
        "new_questions": ["Hoe pakken we verzuim op?"],
        "new_agreements": [AgreementInput("Ouders bellen", partner, timezone.localdate())],
    }
    meeting_log_save(meeting=meeting, **log)
    meeting_log_save(meeting=meeting, **log)
    assert meeting.collective_questions.count() == 1
    assert meeting.agreements.count() == 1


def test_it_reads_the_team_only_to_check_the_owners_of_new_agreements(meeting, partner):
    """A save without a new agreement does not ask who is on the team; one with an owner from elsewhere is
    refused as before, and nothing of it is saved."""
    from tests.factories import UserFactory

    log = {"attendance": {}, "minutes": "Kort.", "casework": {}, "new_questions": []}
    with CaptureQueriesContext(connection) as queries:
        meeting_log_save(meeting=meeting, new_agreements=[], **log)
    assert not any('FROM "partners_assignment"' in q["sql"] for q in queries.captured_queries)
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        meeting_log_save(
            meeting=meeting,
            new_agreements=[AgreementInput("Ouders bellen", stranger, timezone.localdate())],
            **{**log, "minutes": "Anders."},
        )
    meeting.refresh_from_db()
    assert meeting.minutes == "Kort."
    assert not meeting.agreements.exists()
    agreement = AgreementInput("Ouders bellen", partner, timezone.localdate())
    meeting_log_save(meeting=meeting, new_agreements=[agreement], **log)
    assert meeting.agreements.get().owner == partner


def test_it_writes_only_the_casework_counts_that_changed(meeting, django_assert_max_num_queries):
    """Saved again with the same counts, the log writes none of them (one read under the meeting's lock);
    a changed count is updated, a new one added, a zero or a theme left out removed."""
    log = {"attendance": {}, "minutes": "", "new_questions": [], "new_agreements": []}
    meeting_log_save(meeting=meeting, casework={"gedrag": 3, "verzuim": 1, "thuissituatie": 2}, **log)
    kept = {c.theme: c.pk for c in CaseworkCount.objects.filter(meeting=meeting)}
    # the meeting locked, its invitees, the counts, the meeting read for the audit trail and saved, the
    # transaction's savepoint and release: no count written (23 queries when each was), and no team read
    # when no agreement is added
    with django_assert_max_num_queries(7):
        meeting_log_save(meeting=meeting, casework={"gedrag": 3, "verzuim": 1, "thuissituatie": 2}, **log)
    meeting_log_save(meeting=meeting, casework={"gedrag": 4, "verzuim": 0, "veiligheid": 5}, **log)
    stored = {c.theme: (c.pk, c.count) for c in CaseworkCount.objects.filter(meeting=meeting)}
    assert stored == {"gedrag": (kept["gedrag"], 4), "veiligheid": (stored["veiligheid"][0], 5)}
