"""Deactivating a person (kpa.services.user_deactivate), the one way someone leaves KPA: no mail of any kind
reaches them afterwards, their open sessions and calendar link stop working, an unused invitation link
dies; the admin's confirm page (/people/<pk>/deactivate/) and the Django admin (the "active" box and an
action) both go through the service. Their seats: tests/partners/test_leaving.py. The clock is pinned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.core import mail
from django.forms import MultiWidget
from django.urls import reverse
from django.utils.translation import gettext

from kpa.models import Invitation, User, UserKind, hash_token
from kpa.outbox import registry, sender
from kpa.outbox.models import Notification
from kpa.services import LEFT_KPA, user_deactivate
from kpa.signals import person_deactivated
from meetings import services as meeting_services
from meetings.models import CalendarFeed, MeetingStatus, NotificationKind
from partners.models import Assignment, Role
from programme.models import ActivityStatus
from tests.factories import (
    PASSWORD,
    ActionLineFactory,
    ActivityFactory,
    AgreementFactory,
    AssignmentFactory,
    CalendarFeedFactory,
    MeetingFactory,
    NotificationFactory,
    RoundFactory,
    SchoolFactory,
    UserFactory,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 4, 10)  # Wednesday 4 November 2026, 10:00 in Amsterdam
TODAY = NOW.date()
SINCE = dt.date(2024, 8, 1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def travel(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def team(school):
    """The IB-er of `school` and Lies, its buurtteam worker, both since 2024."""
    ib = UserFactory(kind=UserKind.SCHOOL, email="ib@zonnewijzer.example")
    lies = UserFactory(first_name="Lies", last_name="Vertrekt", email="lies@lokalis.example")
    AssignmentFactory(person=ib, school=school, role=Role.IB, start_date=SINCE)
    AssignmentFactory(person=lies, school=school, role=Role.BUURTTEAM, start_date=SINCE)
    return {"ib": ib, "lies": lies}


def mails_to(person: User) -> list:
    return [m for m in mail.outbox if person.email in m.recipients()]


# --- No mail of any kind --------------------------------------------------------------------------------
#
# For each kind of the outbox: the situation in which that mail goes to the leaver and, alike, to someone
# who stays. The leaver leaves either before the mail is planned ("early") or after its row is due and
# before the sweep sends it ("late"). The sweep then mails the one who stays and not the leaver.


@dataclass
class Case:
    moment: dt.datetime  # when the sweep runs
    leaver: User
    stayer: User


def _leave(person: User) -> None:
    mail.outbox.clear()  # what they were sent before they left is not the question
    user_deactivate(user=person, by=None)


def _plan(moment: dt.datetime) -> None:
    """Every planner of the outbox at `moment`, sending nothing: the rows that are due then exist."""
    for planner in registry.planners():
        planner(moment)


def _leave_around(leaver: User, kind: str, early: bool, make_due: Callable[[], object]) -> None:
    """Leave before `make_due` made the mail due, or after it did (checking the leaver's row is there)."""
    if early:
        _leave(leaver)
        make_due()
        return
    make_due()
    assert Notification.objects.due().filter(recipient=leaver, kind=kind).exists()
    _leave(leaver)


def invitation(school, team, early) -> Case:
    moment = at(2026, 10, 5, 10)
    with travel(moment):
        _leave_around(
            team["lies"],
            NotificationKind.INVITATION,
            early,
            lambda: meeting_services.meeting_schedule(school=school, starts_at=at(2026, 10, 26, 9)),
        )
    return Case(moment, team["lies"], team["ib"])


def series_invitation(school, team, early) -> Case:
    moment = at(2026, 10, 5, 10)
    with travel(moment):
        _leave_around(
            team["lies"],
            NotificationKind.SERIES_INVITATION,
            early,
            lambda: meeting_services.meeting_series_schedule(
                school=school,
                first_starts_at=at(2026, 10, 26, 9),
                duration=dt.timedelta(minutes=90),
                interval_weeks=4,
                until=dt.date(2027, 1, 31),
            ),
        )
    return Case(moment, team["lies"], team["ib"])


def _planned_meeting(school):
    with travel(at(2026, 10, 5, 10)):
        meeting = meeting_services.meeting_schedule(school=school, starts_at=at(2026, 10, 26, 9))
        sender.send_due()  # the invitations went out
    return meeting


def update(school, team, early) -> Case:
    meeting = _planned_meeting(school)
    moment = at(2026, 10, 6, 10)
    with travel(moment):
        _leave_around(
            team["lies"],
            NotificationKind.UPDATE,
            early,
            lambda: meeting_services.meeting_update(
                meeting=meeting, starts_at=at(2026, 10, 27, 9), ends_at=None, location="", online_url=""
            ),
        )
    return Case(moment, team["lies"], team["ib"])


def cancellation(school, team, early) -> Case:
    meeting = _planned_meeting(school)
    moment = at(2026, 10, 6, 10)
    with travel(moment):
        _leave_around(
            team["lies"],
            NotificationKind.CANCELLATION,
            early,
            lambda: meeting_services.meeting_cancel(meeting=meeting),
        )
    return Case(moment, team["lies"], team["ib"])


def reminder(school, team, early) -> Case:
    _planned_meeting(school)
    moment = at(2026, 10, 19, 9)  # a week before, at the meeting's time
    with travel(moment):
        _leave_around(team["lies"], NotificationKind.REMINDER, early, lambda: _plan(moment))
    return Case(moment, team["lies"], team["ib"])


def log_nudge(school, team, early) -> Case:
    """The IB-er leaves; the IB-er of another school, whose meeting was not logged either, stays."""
    second = SchoolFactory(wijk=school.wijk, name="CBS De Regenboog")
    other_ib = UserFactory(kind=UserKind.SCHOOL, email="ib@regenboog.example")
    AssignmentFactory(person=other_ib, school=second, role=Role.IB, start_date=SINCE)
    with travel(at(2026, 10, 5, 10)):
        for where in (school, second):
            meeting_services.meeting_schedule(school=where, starts_at=at(2026, 11, 16, 14))
        Notification.objects.update(sent_at=at(2026, 10, 5, 10))
    moment = at(2026, 11, 18, 14)  # two days after the meeting
    with travel(moment):
        _leave_around(team["ib"], NotificationKind.LOG_NUDGE, early, lambda: _plan(moment))
    return Case(moment, team["ib"], other_ib)


def overdue_digest(school, team, early) -> Case:
    with travel(at(2026, 10, 5, 10)):
        held = MeetingFactory(school=school, starts_at=at(2026, 10, 5, 9), status=MeetingStatus.HELD)
        for owner in (team["lies"], team["ib"]):
            AgreementFactory(meeting=held, owner=owner, due_date=dt.date(2026, 11, 1))
    moment = at(2026, 11, 23, 8)  # Monday 08:00
    with travel(moment):
        _leave_around(team["lies"], NotificationKind.OVERDUE_DIGEST, early, lambda: _plan(moment))
    return Case(moment, team["lies"], team["ib"])


def eval_prompt(school, team, early) -> Case:
    with travel(at(2026, 9, 30, 10)):
        RoundFactory(gemeente=school.gemeente, schools=[school])  # open 1-28 October 2026
    moment = at(2026, 10, 1, 9)
    with travel(moment):
        _leave_around(team["lies"], "eval_prompt", early, lambda: _plan(moment))
    return Case(moment, team["lies"], team["ib"])


def eval_reminder(school, team, early) -> Case:
    with travel(at(2026, 9, 30, 10)):
        RoundFactory(gemeente=school.gemeente, schools=[school])
    with travel(at(2026, 10, 1, 9)):
        sender.sweep()  # both are prompted
    moment = at(2026, 10, 21, 8)  # a week before it closes
    with travel(moment):
        _leave_around(team["lies"], "eval_reminder", early, lambda: _plan(moment))
    return Case(moment, team["lies"], team["ib"])


def stale_digest(school, team, early) -> Case:
    """A coordinator, trekker of an activity without an update for 60 days, leaves; another stays."""
    leaver, stayer = (
        UserFactory(kind=UserKind.COORDINATOR, gemeente=school.gemeente, email=f"{name}@utrecht.example")
        for name in ("trekker", "collega")
    )
    with travel(dt.datetime(2026, 8, 3, 10, tzinfo=dt.UTC)):
        line = ActionLineFactory()
        for trekker in (leaver, stayer):
            ActivityFactory(line=line, trekker=trekker, status=ActivityStatus.RUNNING)
    moment = at(2026, 11, 23, 8)  # Monday 08:00
    with travel(moment):
        _leave_around(leaver, "stale_digest", early, lambda: _plan(moment))
    return Case(moment, leaver, stayer)


SCENARIOS = {
    NotificationKind.INVITATION: invitation,
    NotificationKind.SERIES_INVITATION: series_invitation,
    NotificationKind.UPDATE: update,
    NotificationKind.CANCELLATION: cancellation,
    NotificationKind.REMINDER: reminder,
    NotificationKind.LOG_NUDGE: log_nudge,
    NotificationKind.OVERDUE_DIGEST: overdue_digest,
    "eval_prompt": eval_prompt,
    "eval_reminder": eval_reminder,
    "stale_digest": stale_digest,
}


def test_every_kind_of_mail_has_a_scenario():
    """A new kind of mail cannot be forgotten here."""
    assert set(SCENARIOS) == set(registry.kinds())


@pytest.mark.parametrize("early", [True, False], ids=["before-it-is-due", "after-it-is-due"])
@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_no_mail_of_any_kind_reaches_a_person_who_left(school, team, kind, early):
    case = SCENARIOS[kind](school, team, early)

    with travel(case.moment):
        sender.sweep()

    assert mails_to(case.leaver) == []
    assert not Notification.objects.filter(recipient=case.leaver, sent_at__gte=case.moment).exists()
    assert not Notification.objects.due().filter(recipient=case.leaver).exists()
    # The one who stays got theirs in the same sweep: the situation was real.
    assert Notification.objects.filter(recipient=case.stayer, kind=kind, sent_at__gte=case.moment).exists()
    assert mails_to(case.stayer)


def test_it_marks_their_unsent_mail_skipped_and_leaves_the_rest(team):
    lies, ib = team["lies"], team["ib"]
    unsent = NotificationFactory(recipient=lies)
    sent = NotificationFactory(recipient=lies, sent_at=at(2026, 11, 1))
    theirs = NotificationFactory(recipient=ib)

    user_deactivate(user=lies, by=None)

    unsent.refresh_from_db()
    assert (unsent.sent_at, unsent.skipped_at, unsent.skip_reason) == (None, NOW, LEFT_KPA)
    sent.refresh_from_db()
    assert (sent.sent_at, sent.skipped_at, sent.skip_reason) == (at(2026, 11, 1), None, "")
    theirs.refresh_from_db()
    assert (theirs.skipped_at, theirs.skip_reason) == (None, "")


def test_a_password_reset_for_their_address_sends_nothing_that_lets_them_in(client, team):
    lies = team["lies"]
    user_deactivate(user=lies, by=None)

    response = client.post(reverse("account_reset_password"), {"email": lies.email})

    assert response.status_code == 302  # the same answer as for any address (no account enumeration)
    received = mails_to(lies)
    # allauth treats an inactive account as unknown: at most its "no account with this address" mail.
    assert all("/accounts/password/reset/key/" not in m.body for m in received)
    assert len(received) <= 1
    response = client.post(reverse("account_login"), {"login": lies.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


# --- Sessions, calendar link, invitation link -----------------------------------------------------------


def test_their_open_sessions_stop_working_at_once(client, team, admin_user):
    lies = team["lies"]
    client.post(reverse("account_login"), {"login": lies.email, "password": PASSWORD})
    assert client.get(reverse("kpa:home")).status_code == 200
    session_key = client.session.session_key
    assert UserSession.objects.filter(user=lies, session_key=session_key).exists()

    user_deactivate(user=lies, by=admin_user)

    assert not UserSession.objects.filter(user=lies).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    response = client.get(reverse("kpa:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_their_calendar_link_answers_404(client, team):
    feed = CalendarFeedFactory(user=team["lies"])
    url = reverse("meetings:feed", args=[feed.token])
    assert client.get(url).status_code == 200

    user_deactivate(user=team["lies"], by=None)

    assert client.get(url).status_code == 404
    assert not CalendarFeed.objects.filter(user=team["lies"]).exists()


def test_an_unused_invitation_link_stops_working(client, admin_user):
    invited = UserFactory(email="nieuw@lokalis.example")
    invited.set_unusable_password()
    invited.save()
    pending = Invitation.objects.create(
        user=invited,
        token_hash=hash_token("pending-token"),
        created_by=admin_user,
        expires_at=NOW + dt.timedelta(days=7),
    )
    used = UserFactory()
    accepted = Invitation.objects.create(
        user=used,
        token_hash=hash_token("used-token"),
        created_by=admin_user,
        expires_at=NOW,
        accepted_at=NOW - dt.timedelta(days=30),
    )
    url = reverse("kpa:invitation-accept", args=["pending-token"])
    assert client.get(url).status_code == 200

    user_deactivate(user=invited, by=admin_user)
    user_deactivate(user=used, by=admin_user)

    assert not Invitation.objects.filter(pk=pending.pk).exists()
    assert Invitation.objects.filter(pk=accepted.pk).exists()  # the record of who joined stays
    assert client.get(url).status_code == 410


def test_it_switches_the_account_off_and_says_when(team):
    lies = team["lies"]
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    person_deactivated.connect(listener, weak=False)
    try:
        user_deactivate(user=lies, by=None)
    finally:
        person_deactivated.disconnect(listener)

    assert (lies.is_active, lies.deactivated_at) == (False, NOW)  # the caller's copy too
    lies.refresh_from_db()
    assert (lies.is_active, lies.deactivated_at) == (False, NOW)
    assert [(h["person"], h["on"]) for h in heard] == [(lies, TODAY)]


def test_deactivating_someone_already_inactive_changes_nothing(team):
    lies = team["lies"]
    with travel(at(2026, 10, 1, 12)):
        user_deactivate(user=lies, by=None)
    seat = Assignment.objects.get(person=lies)
    row = NotificationFactory(recipient=lies)
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    person_deactivated.connect(listener, weak=False)
    try:
        user_deactivate(user=lies, by=None)
    finally:
        person_deactivated.disconnect(listener)

    lies.refresh_from_db()
    assert lies.deactivated_at == at(2026, 10, 1, 12)  # not moved to today
    assert heard == []
    assert Assignment.objects.get(pk=seat.pk).end_date == seat.end_date
    row.refresh_from_db()
    assert row.skipped_at is None


# --- The confirm page (/people/<pk>/deactivate/) ---------------------------------------------------------


def confirm_url(person: User) -> str:
    return reverse("kpa:person-deactivate", args=[person.pk])


def test_it_shows_the_admin_what_will_happen(client, admin_user, school, team):
    lies = team["lies"]
    future = AssignmentFactory(
        person=lies, school=SchoolFactory(name="OBS De Linde"), start_date=dt.date(2026, 12, 1)
    )
    AssignmentFactory(
        person=lies, school=SchoolFactory(name="KBS Oud"), start_date=SINCE, end_date=dt.date(2025, 7, 31)
    )
    client.force_login(admin_user)

    response = client.get(confirm_url(lies))

    assert response.status_code == 200
    assert [(a.school.name, a.role) for a in response.context["seats"]] == [
        ("OBS De Linde", Role.BUURTTEAM),
        (school.name, Role.BUURTTEAM),
    ]  # not the seat that ended last year
    body = response.content.decode()
    assert school.name in body and "OBS De Linde" in body and "KBS Oud" not in body
    assert f"{reverse('manage:handover')}?from_person={lies.pk}" in body
    assert 'method="post"' in body
    assert future.pk in {a.pk for a in response.context["seats"]}
    assert lies.is_active  # a GET changes nothing
    assert Assignment.objects.get(pk=future.pk)


def test_the_admin_deactivates_from_the_confirm_page(client, admin_user, school, team):
    lies = team["lies"]
    client.force_login(admin_user)

    response = client.post(confirm_url(lies))

    assert response.status_code == 302
    assert response["Location"] == reverse("kpa:person-list")
    lies.refresh_from_db()
    assert (lies.is_active, lies.deactivated_at) == (False, NOW)
    assert Assignment.objects.get(person=lies).end_date == TODAY - dt.timedelta(days=1)
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "success"


def test_the_confirm_page_is_for_admins_only(client, school, team, partner, coordinator, ib):
    lies = team["lies"]
    assert client.get(confirm_url(lies))["Location"].startswith(reverse("account_login"))
    assert client.post(confirm_url(lies))["Location"].startswith(reverse("account_login"))
    for user in (partner, coordinator, ib):
        client.force_login(user)
        assert client.get(confirm_url(lies)).status_code == 403
        assert client.post(confirm_url(lies)).status_code == 403
    lies.refresh_from_db()
    assert lies.is_active
    assert Assignment.objects.get(person=lies).end_date is None


def test_it_answers_404_for_someone_who_does_not_exist(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("kpa:person-deactivate", args=[999_999])).status_code == 404
    assert client.post(reverse("kpa:person-deactivate", args=[999_999])).status_code == 404


def test_deactivating_an_inactive_person_again_is_harmless(client, admin_user, team):
    lies = team["lies"]
    with travel(at(2026, 10, 1, 12)):
        user_deactivate(user=lies, by=admin_user)
    client.force_login(admin_user)

    for response in (client.get(confirm_url(lies)), client.post(confirm_url(lies))):
        assert response.status_code == 302
        assert response["Location"] == reverse("kpa:person-list")
    lies.refresh_from_db()
    assert lies.deactivated_at == at(2026, 10, 1, 12)


def test_an_admin_cannot_deactivate_themselves_here(client, admin_user):
    client.force_login(admin_user)

    response = client.post(confirm_url(admin_user))

    assert response["Location"] == reverse("kpa:person-list")
    admin_user.refresh_from_db()
    assert admin_user.is_active
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "error"


def test_the_people_list_offers_deactivation_and_shows_who_left(
    client, admin_user, team, django_assert_max_num_queries
):
    lies, ib = team["lies"], team["ib"]
    with travel(at(2026, 10, 1, 12)):
        user_deactivate(user=lies, by=admin_user)
    for n in range(30):
        UserFactory(email=f"extra{n}@example.org", is_active=n % 3 != 0)
    client.force_login(admin_user)

    # 8: session, user, their authenticator (the MFA check), the people's count, their page (with
    # organisation, wijk and gemeente joined), and the session's save in a savepoint (3). Whatever the
    # number of people: no query per row for the badge, its date or the button.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("kpa:person-list"))

    body = response.content.decode()
    assert confirm_url(ib) in body
    assert confirm_url(lies) not in body
    assert confirm_url(admin_user) not in body  # not for oneself
    assert gettext("Deactivated") in body
    assert "1 oktober 2026" in body  # since when


# --- The Django admin -----------------------------------------------------------------------------------


def admin_form_data(response) -> dict:
    """The change form's fields as the browser would post them back unchanged."""
    form = response.context["adminform"].form
    data: dict = {"_save": "Save"}
    for field in form:
        widget, value = field.field.widget, field.value()
        if field.field.disabled or value is None:
            continue
        if isinstance(widget, MultiWidget):  # the admin's split date and time
            for i, part in enumerate(widget.decompress(value)):
                data[f"{field.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = str(value)
    return data


def test_unticking_active_in_the_django_admin_runs_the_service(client, admin_user, school, team):
    lies = team["lies"]
    feed = CalendarFeedFactory(user=lies)
    client.force_login(admin_user)
    url = reverse("admin:kpa_user_change", args=[lies.pk])
    data = admin_form_data(client.get(url))
    assert data.pop("is_active") == "on"
    data["phone"] = "030 123 4567"  # changed in the same save

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    lies.refresh_from_db()
    assert (lies.is_active, lies.deactivated_at, lies.phone) == (False, NOW, "030 123 4567")
    assert Assignment.objects.get(person=lies).end_date == TODAY - dt.timedelta(days=1)  # seats ended
    assert not CalendarFeed.objects.filter(pk=feed.pk).exists()


def test_ticking_active_again_in_the_django_admin_switches_the_account_back_on(client, admin_user, team):
    lies = team["lies"]
    user_deactivate(user=lies, by=admin_user)
    client.force_login(admin_user)
    url = reverse("admin:kpa_user_change", args=[lies.pk])
    data = admin_form_data(client.get(url))
    data["is_active"] = "on"

    assert client.post(url, data).status_code == 302

    lies.refresh_from_db()
    assert (lies.is_active, lies.deactivated_at) == (True, None)
    assert not Assignment.objects.active().filter(person=lies).exists()  # seats are not given back


def test_a_change_in_the_django_admin_that_leaves_active_alone_deactivates_nobody(client, admin_user, team):
    lies = team["lies"]
    client.force_login(admin_user)
    url = reverse("admin:kpa_user_change", args=[lies.pk])
    data = admin_form_data(client.get(url))
    data["phone"] = "030 765 4321"

    assert client.post(url, data).status_code == 302

    lies.refresh_from_db()
    assert (lies.is_active, lies.deactivated_at, lies.phone) == (True, None, "030 765 4321")
    assert Assignment.objects.get(person=lies).end_date is None


def test_the_django_admin_action_deactivates_each_selected_person(client, admin_user, school, team):
    lies, ib = team["lies"], team["ib"]
    bystander = UserFactory()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:kpa_user_changelist"),
        {"action": "deactivate", "_selected_action": [lies.pk, ib.pk, admin_user.pk]},
    )

    assert response.status_code == 302
    for person in (lies, ib):
        person.refresh_from_db()
        assert (person.is_active, person.deactivated_at) == (False, NOW)
    assert not Assignment.objects.active().filter(school=school).exists()  # the seats of both ended
    admin_user.refresh_from_db()
    bystander.refresh_from_db()
    assert admin_user.is_active and bystander.is_active  # not oneself, nor who was not selected
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["warning", "success"]


def test_an_admin_unticking_their_own_active_in_the_django_admin_stays_active(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:kpa_user_change", args=[admin_user.pk])
    data = admin_form_data(client.get(url))
    data.pop("is_active")
    data["phone"] = "030 111 2222"

    response = client.post(url, data, follow=True)

    admin_user.refresh_from_db()
    assert (admin_user.is_active, admin_user.deactivated_at, admin_user.phone) == (True, None, "030 111 2222")
    assert "Je kunt jezelf niet deactiveren" in response.content.decode()


def test_an_anonymised_account_cannot_be_switched_on_again_in_the_django_admin(client, admin_user, team):
    from kpa.anonymise import person_anonymise

    lies = team["lies"]
    user_deactivate(user=lies, by=admin_user)
    person_anonymise(lies)
    client.force_login(admin_user)
    url = reverse("admin:kpa_user_change", args=[lies.pk])
    data = admin_form_data(client.get(url))
    data["is_active"] = "on"

    response = client.post(url, data, follow=True)

    lies.refresh_from_db()
    assert not lies.is_active
    assert "Dit account is geanonimiseerd" in response.content.decode()
