"""The evaluation's mails through the outbox (evaluations.notifications): one prompt per respondent and round
when it opens, listing their schools; a reminder from a week before closing, 08:00 Amsterdam, to those with
a school left to submit; everything checked again at sending. The clock is pinned in every test."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import notifications, services
from evaluations.selectors import respondent_seats
from kpa.models import UserKind
from kpa.outbox import registry
from kpa.outbox.models import Notification
from kpa.outbox.sender import send_due
from partners.models import Role
from schools.models import School
from tests.factories import AssignmentFactory, ResponseFactory, SchoolFactory, UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

SINCE = dt.date(2020, 8, 1)
OPENS_ON, CLOSES_ON = dt.date(2026, 10, 1), dt.date(2026, 10, 28)
OPEN = at(2026, 10, 1, 9)  # the first morning of the round
REMIND = at(2026, 10, 21, 8)  # a week before it closes, 08:00 Amsterdam (CEST)
AFTER = at(2026, 10, 29, 9)  # the day after it closed (CET)


@pytest.fixture(autouse=True)
def kinds():
    """The kinds and planner, as EvaluationsConfig.ready() registers them (registering again is harmless)."""
    notifications.register_kinds()


@pytest.fixture
def second(wijk):
    return SchoolFactory(name="CBS De Regenboog", wijk=wijk)


@pytest.fixture
def outside(wijk):
    """A school of the gemeente the round does not ask."""
    return SchoolFactory(name="SBO Buiten de Ronde", wijk=wijk)


def seat(person, school, role, **fields):
    return AssignmentFactory(person=person, school=school, role=role, start_date=SINCE, **fields)


@pytest.fixture
def people(school, second, outside):
    """Who sits where on the round's schools (`school`, `second`) and beside them."""
    with time_machine.travel(at(2026, 9, 1), tick=False):
        found = {
            "ib": UserFactory(kind=UserKind.SCHOOL, email="ib@zonnewijzer.example"),
            "both": UserFactory(email="adviseur@swv.example"),  # passend onderwijs at both schools
            "ib2": UserFactory(kind=UserKind.SCHOOL, email="ib@regenboog.example"),
            "stand_in": UserFactory(email="vervanger@jgz.example"),
            "leader": UserFactory(kind=UserKind.SCHOOL, email="directie@zonnewijzer.example"),
            "gone": UserFactory(email="oud@leerplicht.example"),
            "inactive": UserFactory(email="weg@jgz.example", is_active=False),
            "outsider": UserFactory(email="buiten@lokalis.example"),
        }
        seat(found["ib"], school, Role.IB)
        seat(found["both"], school, Role.PASSEND_ONDERWIJS)
        seat(found["both"], second, Role.PASSEND_ONDERWIJS)
        seat(found["ib2"], second, Role.IB)
        # The same seat twice (an overlapping renewal): still one school in the mail.
        AssignmentFactory(person=found["ib2"], school=second, role=Role.IB, start_date=dt.date(2025, 8, 1))
        seat(found["stand_in"], school, Role.JGZ, is_stand_in=True)
        seat(found["leader"], school, Role.SCHOOLLEIDER)
        seat(found["gone"], school, Role.LEERPLICHT, end_date=dt.date(2026, 9, 30))
        seat(found["inactive"], second, Role.JGZ)
        seat(found["outsider"], outside, Role.BUURTTEAM)
    return found


@pytest.fixture
def round_(wijk, school, second, people):
    with time_machine.travel(at(2026, 9, 30), tick=False):
        return services.open_round(
            wijk.gemeente, 2026, School.objects.filter(pk__in=[school.pk, second.pk]), OPENS_ON, CLOSES_ON
        )


def plan(now):
    with time_machine.travel(now, tick=False):
        counts = notifications.plan_evaluation_mails(now)
    return counts["evaluation_prompts"], counts["evaluation_reminders"]


def send(now):
    with time_machine.travel(now, tick=False):
        return send_due()


def run(now):
    """One sweep: plan, then send. Returns (prompts planned, reminders planned, mails sent)."""
    return (*plan(now), send(now))


def mails_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def submit(round_, school, person, role, *, submitted=True):
    return ResponseFactory(
        round=round_,
        school=school,
        respondent=person,
        role=role,
        submitted_at=at(2026, 10, 5) if submitted else None,
    )


def test_it_is_registered_with_the_outbox():
    assert registry.get("eval_prompt") is not None
    assert registry.get("eval_reminder") is not None
    assert notifications.plan_evaluation_mails in registry.planners()


def test_it_prompts_the_team_members_and_ib_ers_of_the_rounds_schools_once(round_, people, school, second):
    assert plan(OPEN - dt.timedelta(days=1)) == (0, 0)  # not open yet
    assert run(OPEN) == (3, 0, 3)
    expected = {people["ib"], people["both"], people["ib2"]}
    assert {m.to[0] for m in mail.outbox} == {p.email for p in expected}
    # Exactly the respondents of evaluations.selectors: no stand-in, school leader, ended seat,
    # deactivated person or school outside the round.
    assert set(respondent_seats(round_, OPENS_ON).values_list("person_id", flat=True)) == {
        p.pk for p in expected
    }
    assert {(n.key, n.recipient) for n in Notification.objects.all()} == {
        (f"eval_prompt:{round_.pk}:{p.pk}", p) for p in expected
    }
    # One mail for the person on two schools, naming both; the others name their own.
    (both,) = mails_to(people["both"])
    assert school.name in both.body and second.name in both.body
    (ib,) = mails_to(people["ib"])
    assert school.name in ib.body and second.name not in ib.body
    (ib2,) = mails_to(people["ib2"])
    assert ib2.body.count(second.name) == 1
    link = settings.SITE_URL + reverse("evaluations:mine")
    assert link in ib.body
    assert f'href="{link}"' in ib.alternatives[0].content
    assert "28 oktober 2026" in ib.body  # until when it is open (Django's own Dutch month names)
    assert "\n" not in ib.subject and ib.subject
    # Not a second time: the next sweep, the next day.
    assert run(OPEN + dt.timedelta(minutes=1)) == (0, 0, 0)
    assert run(OPEN + dt.timedelta(days=1)) == (0, 0, 0)
    assert len(mail.outbox) == 3


def test_someone_who_joins_while_the_round_is_open_is_prompted(round_, people, school):
    assert run(OPEN) == (3, 0, 3)
    late = UserFactory(email="nieuw@jgz.example")
    AssignmentFactory(person=late, school=school, role=Role.JGZ, start_date=dt.date(2026, 10, 6))
    assert run(at(2026, 10, 5)) == (0, 0, 0)  # not yet on the team
    assert run(at(2026, 10, 6)) == (1, 0, 1)
    assert mails_to(late)


def test_the_reminder_goes_from_a_week_before_closing_to_non_respondents_only(round_, people, school, second):
    assert run(OPEN) == (3, 0, 3)
    mail.outbox.clear()
    submit(round_, school, people["ib"], Role.IB)  # done
    submit(round_, school, people["both"], Role.PASSEND_ONDERWIJS)  # one of two
    submit(round_, second, people["ib2"], Role.IB, submitted=False)  # saved halfway
    assert run(REMIND - dt.timedelta(minutes=1)) == (0, 0, 0)  # 07:59
    assert run(REMIND) == (0, 2, 2)
    assert {m.to[0] for m in mail.outbox} == {people["both"].email, people["ib2"].email}
    assert {n.key for n in Notification.objects.filter(kind="eval_reminder")} == {
        f"eval_reminder:{round_.pk}:{people['both'].pk}",
        f"eval_reminder:{round_.pk}:{people['ib2'].pk}",
    }
    (both,) = mails_to(people["both"])
    assert second.name in both.body and school.name not in both.body  # only what is left to submit
    assert "7" in both.subject  # days left
    assert settings.SITE_URL + reverse("evaluations:mine") in both.body
    # Once: not again later that day, nor the next.
    assert run(REMIND + dt.timedelta(hours=3)) == (0, 0, 0)
    assert run(REMIND + dt.timedelta(days=1)) == (0, 0, 0)
    assert len(mail.outbox) == 2


def test_a_missed_reminder_moment_is_caught_up_while_the_round_is_open(round_, people):
    assert run(OPEN) == (3, 0, 3)
    assert run(at(2026, 10, 28, 23, 30)) == (0, 3, 3)  # the beat stood still until the last evening
    assert plan(at(2026, 10, 29, 0, 1)) == (0, 0)  # closed


def test_no_reminder_once_every_school_is_submitted(round_, people, school, second):
    assert run(OPEN) == (3, 0, 3)
    for person, where, role in [
        ("ib", school, Role.IB),
        ("both", school, Role.PASSEND_ONDERWIJS),
        ("both", second, Role.PASSEND_ONDERWIJS),
        ("ib2", second, Role.IB),
    ]:
        submit(round_, where, people[person], role)
    assert run(REMIND) == (0, 0, 0)


def test_a_reminder_is_not_sent_when_everything_was_submitted_before_sending(round_, people, second):
    assert run(OPEN) == (3, 0, 3)
    mail.outbox.clear()
    assert plan(REMIND) == (0, 3)
    submit(round_, second, people["ib2"], Role.IB)
    assert send(REMIND + dt.timedelta(minutes=1)) == 2
    assert not mails_to(people["ib2"])
    row = Notification.objects.get(kind="eval_reminder", recipient=people["ib2"])
    assert row.skip_reason == "Every school of the round has been submitted."


def test_nothing_goes_out_after_closing(round_, people):
    assert plan(OPEN) == (3, 0)  # planned, never sent while open (the outbox stood still)
    assert send(AFTER) == 0
    assert not mail.outbox
    assert set(Notification.objects.values_list("skip_reason", flat=True)) == {"The round has closed."}
    assert plan(AFTER) == (0, 0)


def test_a_person_deactivated_between_planning_and_sending_gets_nothing(round_, people):
    assert plan(OPEN) == (3, 0)
    person = people["both"]
    person.is_active = False
    person.save()
    assert send(OPEN) == 2
    assert not mails_to(person)
    row = Notification.objects.select_related("recipient").get(recipient=person)
    assert row.skipped_at is not None and row.sent_at is None
    context = notifications._BatchContext.load([row], OPEN)
    assert notifications.why_not_send(row, context, OPEN) == "The person is deactivated."


def test_a_person_who_left_one_of_two_schools_gets_a_mail_listing_only_the_other(
    round_, people, school, second
):
    assert plan(OPEN) == (3, 0)
    people["both"].assignments.filter(school=school).update(end_date=dt.date(2026, 10, 1))
    people["ib"].assignments.update(end_date=dt.date(2026, 10, 1))  # left the only school of the round
    assert send(OPEN + dt.timedelta(days=1)) == 2
    (both,) = mails_to(people["both"])
    assert second.name in both.body and school.name not in both.body
    assert not mails_to(people["ib"])
    row = Notification.objects.get(recipient=people["ib"])
    assert row.skip_reason == "No longer answers for any school of the round."


def test_a_short_round_or_a_late_joiner_gets_the_prompt_without_a_reminder_on_top(wijk, school, people):
    with time_machine.travel(at(2026, 10, 20), tick=False):
        short = services.open_round(
            wijk.gemeente, 2026, School.objects.filter(pk=school.pk), dt.date(2026, 10, 22), CLOSES_ON
        )
    assert run(at(2026, 10, 22, 9)) == (2, 0, 2)  # the IB-er and the adviser of `school`
    assert run(at(2026, 10, 23, 9)) == (0, 0, 0)  # a week before closing was before it opened
    assert Notification.objects.filter(key__startswith=f"eval_reminder:{short.pk}:").count() == 0


def test_planning_and_sending_cost_a_fixed_number_of_queries(round_, people, school, second, wijk):
    def queries(now, action):
        with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as captured:
            action()
        return len(captured)

    small = queries(OPEN, lambda: notifications.plan_evaluation_mails(OPEN))
    Notification.objects.all().delete()
    for n in range(20):  # more people and schools: the same queries
        extra = SchoolFactory(name=f"School {n}", wijk=wijk)
        round_.schools.add(extra)
        seat(UserFactory(), extra, Role.IB)
        seat(UserFactory(), extra, Role.JGZ)
    # rounds, the seats whose prompt is not planned yet (asked of the outbox's keys), and one insert
    assert queries(OPEN, lambda: notifications.plan_evaluation_mails(OPEN)) == small == 3
    # the next sweep: the rounds and the seats not prompted yet (none), nothing written
    later = OPEN + dt.timedelta(minutes=1)
    assert queries(later, lambda: notifications.plan_evaluation_mails(later)) == 2
    with time_machine.travel(OPEN, tick=False):
        rows = list(Notification.objects.select_related("recipient"))
        with CaptureQueriesContext(connection) as captured:
            notifications._BatchContext.load(rows, OPEN)
    assert len(captured) == 2, [q["sql"] for q in captured]  # the rounds, the seats (no reminders)
    # rounds, the seats not prompted yet, the seats to remind (not submitted, not reminded), one insert
    assert queries(REMIND, lambda: notifications.plan_evaluation_mails(REMIND)) == 4
    with time_machine.travel(REMIND, tick=False):
        rows = list(Notification.objects.select_related("recipient"))
        with CaptureQueriesContext(connection) as captured:
            notifications._BatchContext.load(rows, REMIND)
    assert len(captured) == 3  # the rounds, the seats, the submitted responses


def test_prompts_go_out_from_eight_in_the_morning_and_read_in_dutch(round_, people):
    """A round that opened itself at midnight: its prompts are planned at once, sent from 08:00."""
    night = at(2026, 10, 1, 0, 30)
    assert run(night) == (3, 0, 0)
    assert {n.due_at for n in Notification.objects.all()} == {at(2026, 10, 1, 8, 0)}
    assert send(at(2026, 10, 1, 8, 0)) == 3
    (ib,) = mails_to(people["ib"])
    assert ib.subject == "Procesevaluatie KPA 2026–2027: hoe werkt jullie team samen?"
    assert "horen graag hoe jij het ziet" in ib.body
    assert " u " not in ib.body


def test_the_prompts_of_a_round_share_a_rendering_and_each_is_its_own(
    round_, people, school, second, monkeypatch
):
    """The schools a mail lists are fills (kpa.emails): everyone of the round with as many schools to
    answer shares one rendering, and each mail is exactly what its own rendering gives, names escaped in
    the HTML part."""
    from kpa import emails

    School.objects.filter(pk=school.pk).update(name='OBS "De Zon" & <Maan>')
    renders = []
    real = emails.render_to_string
    monkeypatch.setattr(emails, "render_to_string", lambda name, ctx: renders.append(name) or real(name, ctx))
    assert run(OPEN) == (3, 0, 3)
    assert len(renders) == 6  # two groups: one school (the two IB-ers), two schools (the adviser)
    kind = registry.get("eval_prompt")
    for row in Notification.objects.select_related("recipient"):
        with time_machine.travel(OPEN, tick=False):
            found = kind.render(row, kind.load([row], OPEN))
        alone = emails.template_mail(
            found.template,
            to=[row.recipient.email],
            context={"recipient": row.recipient, **found.context},
            fills=found.fills,
        )
        (sent,) = mails_to(row.recipient)
        assert (sent.subject, sent.body) == (alone.subject, alone.body)
        assert sent.alternatives[0].content == alone.alternatives[0].content
    (ib,) = mails_to(people["ib"])
    assert '- OBS "De Zon" & <Maan>' in ib.body
    assert "<li>OBS &quot;De Zon&quot; &amp; &lt;Maan&gt;</li>" in ib.alternatives[0].content
