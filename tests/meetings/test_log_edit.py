"""Correcting what a log recorded: agreements and collective questions (edit, remove), and the agenda of
one meeting (add, move, remove). Only who may log the meeting; every change is in the audit trail;
removing what was carried from an earlier meeting asks first."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from kpa.models import UserKind
from meetings.models import ActionLine, AgendaItem, Agreement, CollectiveQuestion
from meetings.services import AgreementInput, meeting_log_save, meeting_schedule
from partners.models import Assignment, Role
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-10 10:00 +01:00"  # a Tuesday in the school year 2026-2027
BSN = "123456782"


@pytest.fixture(autouse=True)
def _pinned_now():
    with time_machine.travel(NOW, tick=False):
        yield


def logged(
    school, *, days_ago: int, owner, agreement="Ouders uitnodigen", question="Hoe bereiken we ouders?"
):
    """A meeting of `school` some days ago, logged with one agreement (of `owner`) and one question."""
    meeting = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=days_ago))
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes="",
        casework={},
        new_questions=[question],
        new_agreements=[AgreementInput(agreement, owner, timezone.localdate() + dt.timedelta(days=14))],
    )
    return meeting


@pytest.fixture
def earlier(school, ib, partner):
    """Six weeks ago: its agreement and question are still open, so they are carried onto `meeting`."""
    return logged(
        school,
        days_ago=42,
        owner=partner,
        agreement="Wijkagent uitnodigen",
        question="Wie doet de voorlichting?",
    )


@pytest.fixture
def meeting(school, ib, partner, earlier):
    """Yesterday's KPO, logged with its own agreement and question."""
    return logged(school, days_ago=1, owner=partner)


def own_agreement(meeting) -> Agreement:
    return meeting.agreements.get()


def own_question(meeting) -> CollectiveQuestion:
    return meeting.collective_questions.get()


def url(name, meeting, **kwargs) -> str:
    return reverse(f"meetings:{name}", kwargs={"pk": meeting.pk, **kwargs})


def agreement_data(agreement, **overrides) -> dict[str, str]:
    data = {
        "description": agreement.description,
        "owner": str(agreement.owner_id),
        "due_date": agreement.due_date.isoformat(),
        "action_line": str(agreement.action_line_id or ""),
    }
    return {**data, **overrides}


def audit(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk"))


# --- agreements ------------------------------------------------------------------------------------------


def test_it_corrects_the_owner_date_and_action_line_of_an_agreement_and_audits_it(client, meeting, ib):
    agreement = own_agreement(meeting)
    line = ActionLine.objects.get(number=2)
    new_due = dt.date(2026, 12, 18)
    client.force_login(ib)
    response = client.get(url("agreement-update", meeting, agreement_pk=agreement.pk))
    assert response.status_code == 200
    assert response.context["form"]["description"].value() == "Ouders uitnodigen"

    response = client.post(
        url("agreement-update", meeting, agreement_pk=agreement.pk),
        agreement_data(
            agreement,
            description="Ouders uitnodigen voor de informatieavond",
            owner=str(ib.pk),
            due_date=new_due.isoformat(),
            action_line=str(line.pk),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == url("log", meeting) + "#agreements-heading"
    agreement.refresh_from_db()
    assert (agreement.description, agreement.owner, agreement.due_date, agreement.action_line) == (
        "Ouders uitnodigen voor de informatieavond",
        ib,
        new_due,
        line,
    )
    entry = audit(agreement)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == ib
    assert {"description", "owner", "due_date", "action_line"} <= set(entry.changes_dict)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": f"Bel over leerling {BSN}"}, "description", BSN),
        ({"description": "  "}, "description", "Beschrijf wat er is afgesproken."),
        ({"due_date": ""}, "due_date", "Vul de datum in"),
        ({"due_date": "31-02-2026"}, "due_date", "datum"),
        ({"due_date": "9999-12-31"}, "due_date", "Kies een datum tussen"),
        ({"owner": ""}, "owner", "Kies wie dit gaat doen."),
    ],
)
def test_it_refuses_a_bad_correction_of_an_agreement_and_keeps_what_was_typed(
    client, meeting, ib, overrides, field, message
):
    agreement = own_agreement(meeting)
    before = (agreement.description, agreement.owner_id, agreement.due_date)
    entries = len(audit(agreement))
    client.force_login(ib)
    data = agreement_data(agreement, **{"description": "Ouders en leerkrachten uitnodigen", **overrides})
    response = client.post(url("agreement-update", meeting, agreement_pk=agreement.pk), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    content = response.content.decode()
    assert "data-error-summary" in content
    assert f'href="#id_{field}"' in content  # the summary links to the field in error
    if field != "description":
        assert "Ouders en leerkrachten uitnodigen" in content  # what was typed is kept
    agreement.refresh_from_db()
    assert (agreement.description, agreement.owner_id, agreement.due_date) == before
    assert len(audit(agreement)) == entries


def test_it_asks_before_moving_a_due_date_into_the_past_but_lets_an_overdue_one_be(client, meeting, ib):
    agreement = own_agreement(meeting)
    edit_url = url("agreement-update", meeting, agreement_pk=agreement.pk)
    client.force_login(ib)
    response = client.post(edit_url, agreement_data(agreement, due_date="2026-11-01"))
    assert response.status_code == 200
    assert "Toch opslaan" in " ".join(response.context["form"].errors["due_date"])
    assert 'name="past_due_ok"' in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).due_date == agreement.due_date

    response = client.post(edit_url, agreement_data(agreement, due_date="2026-11-01", past_due_ok="on"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.due_date == dt.date(2026, 11, 1)
    # Now overdue: correcting its description does not ask about the date it already has.
    response = client.post(edit_url, agreement_data(agreement, description="Ouders bellen"))
    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).description == "Ouders bellen"


def test_it_refuses_an_owner_who_is_not_on_the_team_but_keeps_a_former_owner(
    client, meeting, ib, partner, outsider
):
    agreement = own_agreement(meeting)
    client.force_login(ib)
    response = client.post(
        url("agreement-update", meeting, agreement_pk=agreement.pk),
        agreement_data(agreement, owner=str(outsider.pk)),
    )
    assert response.status_code == 200
    assert "team" in response.context["form"].errors["owner"][0]
    assert Agreement.objects.get(pk=agreement.pk).owner == partner

    # The partner leaves the team: the agreement can still be corrected without choosing a new owner.
    Assignment.objects.filter(person=partner).update(end_date=timezone.localdate() - dt.timedelta(days=1))
    response = client.get(url("agreement-update", meeting, agreement_pk=agreement.pk))
    assert "nu niet in het team" in response.content.decode()
    response = client.post(
        url("agreement-update", meeting, agreement_pk=agreement.pk),
        agreement_data(agreement, due_date="2026-12-01"),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.owner, agreement.due_date) == (partner, dt.date(2026, 12, 1))


def test_it_removes_an_agreement_of_this_meeting_and_audits_it(client, meeting, ib):
    agreement = own_agreement(meeting)
    client.force_login(ib)
    response = client.get(url("agreement-delete", meeting, agreement_pk=agreement.pk))
    assert response.status_code == 200  # GET only asks
    assert Agreement.objects.filter(pk=agreement.pk).exists()

    response = client.post(url("agreement-delete", meeting, agreement_pk=agreement.pk))
    assert response.status_code == 302
    assert response["Location"] == url("log", meeting) + "#agreements-heading"
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    entry = audit(agreement)[-1]
    assert (entry.action, entry.actor) == (LogEntry.Action.DELETE, ib)


def test_it_asks_before_removing_an_agreement_carried_from_an_earlier_meeting(client, meeting, earlier, ib):
    carried = own_agreement(earlier)
    client.force_login(ib)
    # The log of the later meeting offers to correct it.
    log = client.get(url("log", meeting)).content.decode()
    assert url("agreement-update", meeting, agreement_pk=carried.pk) in log

    delete_url = url("agreement-delete", meeting, agreement_pk=carried.pk)
    for response in (client.get(delete_url), client.post(delete_url)):  # a POST without the confirmation
        assert response.status_code == 200
        content = response.content.decode()
        assert "Wijkagent uitnodigen" in content
        assert "komt uit het overleg van" in content
        assert 'name="confirm" value="yes"' in content
    assert Agreement.objects.filter(pk=carried.pk).exists()

    response = client.post(delete_url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=carried.pk).exists()
    assert audit(carried)[-1].action == LogEntry.Action.DELETE


def test_it_reaches_only_agreements_of_this_meeting_and_earlier_ones_of_the_school(
    client, meeting, earlier, ib, partner, outsider, other_school
):
    later = logged(meeting.school, days_ago=0, owner=partner, agreement="Later")
    elsewhere = logged(other_school, days_ago=1, owner=outsider, agreement="Elders")
    client.force_login(ib)
    for agreement in (own_agreement(later), own_agreement(elsewhere)):
        assert client.get(url("agreement-update", earlier, agreement_pk=agreement.pk)).status_code == 404
        assert client.post(url("agreement-delete", earlier, agreement_pk=agreement.pk)).status_code == 404
    assert Agreement.objects.filter(description__in=["Later", "Elders"]).count() == 2


# --- collective questions --------------------------------------------------------------------------------


def test_it_corrects_a_question_and_its_answer_and_audits_it(client, meeting, ib):
    question = own_question(meeting)
    client.force_login(ib)
    edit_url = url("question-update", meeting, question_pk=question.pk)
    response = client.post(edit_url, {"text": "Hoe bereiken we alle ouders?", "answer": "Via de tolk."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.answer) == ("Hoe bereiken we alle ouders?", "Via de tolk.")
    assert question.answered_at == timezone.now()
    entry = audit(question)[-1]
    assert (entry.action, entry.actor) == (LogEntry.Action.UPDATE, ib)
    assert "text" in entry.changes_dict

    # An empty answer opens the question again.
    response = client.post(edit_url, {"text": question.text, "answer": ""})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.answered_at) == ("", None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": f"Over leerling {BSN}", "answer": ""}, "text", BSN),
        ({"text": "Hoe bereiken we alle ouders?", "answer": f"Bel {BSN}"}, "answer", BSN),
        ({"text": "", "answer": "Via de tolk."}, "text", "Schrijf de vraag op."),
    ],
)
def test_it_refuses_a_bad_correction_of_a_question_and_keeps_what_was_typed(
    client, meeting, ib, data, field, message
):
    question = own_question(meeting)
    client.force_login(ib)
    response = client.post(url("question-update", meeting, question_pk=question.pk), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    content = response.content.decode()
    assert f'href="#id_{field}"' in content
    for typed in filter(None, data.values()):
        assert typed in content
    question.refresh_from_db()
    assert (question.text, question.answer) == ("Hoe bereiken we ouders?", "")


def test_it_removes_a_question_and_asks_first_for_one_carried_from_an_earlier_meeting(
    client, meeting, earlier, ib
):
    own, carried = own_question(meeting), own_question(earlier)
    client.force_login(ib)
    assert client.post(url("question-delete", meeting, question_pk=own.pk)).status_code == 302
    assert not CollectiveQuestion.objects.filter(pk=own.pk).exists()
    assert audit(own)[-1].action == LogEntry.Action.DELETE

    carried_url = url("question-delete", meeting, question_pk=carried.pk)
    response = client.post(carried_url)
    assert response.status_code == 200
    assert "komt uit het overleg van" in response.content.decode()
    assert CollectiveQuestion.objects.filter(pk=carried.pk).exists()
    assert client.post(carried_url, {"confirm": "yes"}).status_code == 302
    assert not CollectiveQuestion.objects.filter(pk=carried.pk).exists()
    assert audit(carried)[-1].action == LogEntry.Action.DELETE


# --- the agenda of one meeting ---------------------------------------------------------------------------


def titles(meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position", "pk").values_list("title", flat=True))


def test_it_adds_an_item_to_the_agenda_of_this_meeting_only(client, meeting, earlier, ib):
    before_earlier = titles(earlier)
    client.force_login(ib)
    response = client.post(url("agenda-update", meeting), {"action": "add", "title": "Nieuwe wijkagent"})
    assert response.status_code == 302
    assert titles(meeting)[-1] == "Nieuwe wijkagent"
    assert titles(earlier) == before_earlier
    item = meeting.agenda_items.get(title="Nieuwe wijkagent")
    assert audit(item)[-1].actor == ib
    # The log page shows the new item and links to the agenda.
    content = client.get(url("log", meeting)).content.decode()
    assert "Nieuwe wijkagent" in content
    assert url("agenda-update", meeting) in content


@pytest.mark.parametrize(
    ("title", "message"),
    [(f"Bespreken {BSN}", BSN), ("   ", "Schrijf het agendapunt op."), ("x" * 301, "hoogstens 300 tekens")],
)
def test_it_refuses_a_bad_agenda_item_and_keeps_what_was_typed(client, meeting, ib, title, message):
    before = titles(meeting)
    client.force_login(ib)
    response = client.post(url("agenda-update", meeting), {"action": "add", "title": title})
    assert response.status_code == 200
    assert message in response.context["form"].errors["title"][0]
    content = response.content.decode()
    assert 'href="#id_title"' in content
    if title.strip():
        assert f'value="{title}"' in content
    assert titles(meeting) == before


def test_it_moves_agenda_items_up_and_down(client, meeting, ib):
    first, second, third = titles(meeting)[:3]
    client.force_login(ib)
    item = meeting.agenda_items.get(title=second)
    response = client.post(url("agenda-update", meeting), {"action": "up", "item": item.pk})
    assert response.status_code == 302
    assert titles(meeting)[:3] == [second, first, third]
    assert audit(item)[-1].actor == ib
    client.post(url("agenda-update", meeting), {"action": "down", "item": item.pk})
    client.post(url("agenda-update", meeting), {"action": "down", "item": item.pk})
    assert titles(meeting)[:3] == [first, third, second]
    # The first item cannot go further up; an item of another meeting is not found here.
    top = meeting.agenda_items.get(title=first)
    client.post(url("agenda-update", meeting), {"action": "up", "item": top.pk})
    assert titles(meeting)[0] == first
    other = AgendaItem.objects.exclude(meeting=meeting).first()
    assert client.post(url("agenda-update", meeting), {"action": "up", "item": other.pk}).status_code == 404
    response = client.post(url("agenda-update", meeting), {"action": "sideways", "item": top.pk})
    assert response.status_code == 400
    assert titles(meeting)[:3] == [first, third, second]


def test_it_removes_an_agenda_item_and_asks_first_for_one_carried_from_an_earlier_meeting(
    client, meeting, earlier, ib
):
    own = meeting.agenda_items.order_by("position").first()
    carried = AgendaItem.objects.create(
        meeting=meeting, position=99, title="Wijkagent uitnodigen", carried_agreement=own_agreement(earlier)
    )
    client.force_login(ib)
    response = client.post(url("agenda-item-delete", meeting, item_pk=own.pk))
    assert response.status_code == 302
    assert not AgendaItem.objects.filter(pk=own.pk).exists()
    assert audit(own)[-1].action == LogEntry.Action.DELETE

    response = client.post(url("agenda-item-delete", meeting, item_pk=carried.pk))
    assert response.status_code == 200
    assert "alleen van de agenda van dit overleg" in response.content.decode()
    assert AgendaItem.objects.filter(pk=carried.pk).exists()
    assert (
        client.post(url("agenda-item-delete", meeting, item_pk=carried.pk), {"confirm": "yes"}).status_code
        == 302
    )
    assert not AgendaItem.objects.filter(pk=carried.pk).exists()
    assert Agreement.objects.filter(pk=own_agreement(earlier).pk).exists()  # the agreement itself stays


# --- who may correct ---------------------------------------------------------------------------------------


def every_url(meeting) -> list[tuple[str, dict[str, str]]]:
    """(url, a valid POST) for every correction of `meeting`."""
    agreement, question = own_agreement(meeting), own_question(meeting)
    item = meeting.agenda_items.first()
    return [
        (
            url("agreement-update", meeting, agreement_pk=agreement.pk),
            agreement_data(agreement, description="X"),
        ),
        (url("agreement-delete", meeting, agreement_pk=agreement.pk), {"confirm": "yes"}),
        (url("question-update", meeting, question_pk=question.pk), {"text": "X", "answer": ""}),
        (url("question-delete", meeting, question_pk=question.pk), {"confirm": "yes"}),
        (url("agenda-update", meeting), {"action": "add", "title": "X"}),
        (url("agenda-item-delete", meeting, item_pk=item.pk), {"confirm": "yes"}),
    ]


def snapshot(meeting):
    return (
        list(Agreement.objects.filter(meeting=meeting).values_list("pk", "description")),
        list(CollectiveQuestion.objects.filter(meeting=meeting).values_list("pk", "text")),
        titles(meeting),
    )


def test_it_lets_only_who_may_log_the_meeting_correct_it(
    client, meeting, ib, partner, outsider, coordinator, wijk_coordinator, admin_user
):
    before = snapshot(meeting)
    for target, data in every_url(meeting):
        response = client.get(target)
        assert response["Location"].startswith(reverse("account_login")), target
        assert client.post(target, data)["Location"].startswith(reverse("account_login")), target
    for user, status in [(outsider, 404), (wijk_coordinator, 404), (partner, 403), (coordinator, 403)]:
        client.force_login(user)
        for target, data in every_url(meeting):
            assert client.get(target).status_code == status, (user, target)
            assert client.post(target, data).status_code == status, (user, target)
    assert snapshot(meeting) == before
    client.force_login(admin_user)
    for target, _data in every_url(meeting):
        assert client.get(target).status_code == 200, target


def test_it_keeps_the_ib_er_of_another_school_out(client, meeting, ib):
    """An IB-er of another school in the same wijk does not see this school: 404, nothing changed."""
    before = snapshot(meeting)
    other_ib = UserFactory(kind=UserKind.SCHOOL)
    AssignmentFactory(person=other_ib, school=SchoolFactory(wijk=meeting.school.wijk), role=Role.IB)
    client.force_login(other_ib)
    for target, data in every_url(meeting):
        assert client.post(target, data).status_code == 404, target
    assert snapshot(meeting) == before
