"""The log screen of a meeting (meetings:log) and the agenda template (meetings:agenda-template)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings.forms_log import NEW_AGREEMENT_ROWS, NEW_QUESTION_ROWS
from meetings.models import (
    ActionLine,
    AgendaTemplate,
    Agreement,
    Attendance,
    CaseworkCount,
    CaseworkTheme,
    CollectiveQuestion,
    Meeting,
    MeetingStatus,
)
from meetings.services import DEFAULT_AGENDA, agenda_template_items, meeting_log_save, meeting_schedule

pytestmark = pytest.mark.django_db

BSN = "123456782"


def log_url(meeting):
    return reverse("meetings:log", args=[meeting.pk])


@pytest.fixture
def meeting(school, ib, partner):
    """Yesterday's KPO of `school`; the IB-er and the partner are invited."""
    return meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))


def log_data(meeting, *, action="save", **fields) -> dict[str, str]:
    """A complete POST of the log page as the browser sends it: every field, most of them empty."""
    data: dict[str, str] = {"action": action, "minutes": ""}
    for invitee in meeting.invitees.all():
        data[f"attendance-{invitee.pk}-state"] = invitee.attendance
        data[f"attendance-{invitee.pk}-replaced_by"] = invitee.replaced_by
    for theme in CaseworkTheme.values:
        data[f"casework_{theme}"] = ""
    for n in range(1, NEW_QUESTION_ROWS + 1):
        data[f"question-{n}-text"] = ""
    for n in range(1, NEW_AGREEMENT_ROWS + 1):
        for name in ("description", "owner", "due_date", "action_line"):
            data[f"agreement-{n}-{name}"] = ""
    data.update(fields)
    return data


def invitee_of(meeting, person):
    return meeting.invitees.get(person=person)


def assert_nothing_saved(meeting):
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert fresh.minutes == ""
    assert fresh.logged_at is None
    assert not CaseworkCount.objects.filter(meeting=meeting).exists()
    assert not CollectiveQuestion.objects.filter(meeting=meeting).exists()
    assert not Agreement.objects.filter(meeting=meeting).exists()
    assert set(fresh.invitees.values_list("attendance", flat=True)) == {Attendance.UNKNOWN}


def a_full_log(meeting, partner, ib, **overrides):
    """Valid input everywhere (so that one bad field is the only reason for a refusal)."""
    return log_data(
        meeting,
        **{
            "minutes": "Aanpak verzuim besproken.",
            f"attendance-{invitee_of(meeting, partner).pk}-state": Attendance.PRESENT,
            f"attendance-{invitee_of(meeting, ib).pk}-state": Attendance.PRESENT,
            "casework_verzuim": "3",
            "question-1-text": "Hoe organiseren we ouderavonden over mediagebruik?",
            "agreement-1-description": "Ouders uitnodigen voor een informatieavond",
            "agreement-1-owner": str(partner.pk),
            "agreement-1-due_date": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
            **overrides,
        },
    )


# --- who may log ---------------------------------------------------------------------------------------


def test_it_lets_only_the_ib_er_and_admins_log(
    client, meeting, ib, partner, outsider, coordinator, wijk_coordinator, admin_user
):
    response = client.get(log_url(meeting))
    assert response["Location"].startswith(reverse("account_login"))
    for user, status in [
        (ib, 200),
        (admin_user, 200),
        (partner, 403),
        (coordinator, 403),
        (outsider, 404),
        (wijk_coordinator, 404),
    ]:
        client.force_login(user)
        assert client.get(log_url(meeting)).status_code == status, user
        if status != 200:
            assert client.post(log_url(meeting), log_data(meeting, minutes="x")).status_code == status
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""


def test_a_seat_outside_the_scope_still_gets_not_found(client, meeting, school, ib, wijk_coordinator):
    """The log page reads a meeting by its key for whoever may log its school (views_log.loggable_meeting):
    that seat puts the school in the scope of everyone but a coordinator, whose scope is their wijk. A
    coordinator of another wijk who also holds an IB seat at the school, an IB-er whose seat ended and a
    meeting that does not exist are all not found."""
    from partners.models import Role
    from tests.factories import AssignmentFactory

    AssignmentFactory(person=wijk_coordinator, school=school, role=Role.IB)
    client.force_login(wijk_coordinator)
    assert client.get(log_url(meeting)).status_code == 404
    client.force_login(ib)
    assert client.get(reverse("meetings:log", args=[meeting.pk + 1000])).status_code == 404
    ib.assignments.update(end_date=timezone.localdate() - dt.timedelta(days=1))
    assert client.get(log_url(meeting)).status_code == 404


def test_it_shows_the_invitees_the_agenda_the_themes_and_empty_rows(client, meeting, ib, partner):
    client.force_login(ib)
    response = client.get(log_url(meeting))
    content = response.content.decode()
    assert str(partner) in content
    assert DEFAULT_AGENDA[1] in content
    for theme in CaseworkTheme:
        assert f'name="casework_{theme.value}"' in content
    assert f'name="question-{NEW_QUESTION_ROWS}-text"' in content
    assert f'name="agreement-{NEW_AGREEMENT_ROWS}-owner"' in content
    owner_choices = response.context["forms"].new_agreements[0].fields["owner"].choices
    assert {value for value, _label in owner_choices} == {"", str(ib.pk), str(partner.pk)}


# --- attendance: compact rows and "everyone present" ------------------------------------------------------


def test_it_shows_one_compact_row_per_invitee_with_name_role_and_attendance(client, meeting, ib, partner):
    client.force_login(ib)
    content = client.get(log_url(meeting)).content.decode()
    assert content.count("data-attendance-row") == meeting.invitees.count() == 2
    invitee = invitee_of(meeting, partner)
    assert f'aria-labelledby="invitee-{invitee.pk}"' in content
    assert "Buurtteam" in content  # the role
    assert (
        f'<label for="id_attendance-{invitee.pk}-state" class="form-label visually-hidden requiredField">'
        f"Aanwezigheid van {partner}" in content
    )
    assert "<fieldset" not in content.split('id="attendance-heading"')[1].split('id="minutes-heading"')[0]
    assert 'src="/static/js/meeting-log.js"' in content


def test_it_marks_everyone_not_recorded_present_without_javascript_and_saves_nothing(
    client, meeting, ib, partner
):
    """The "everyone present" button is a submit button: the server fills in the attendance and shows the
    page again with everything typed, unsaved and without judging the half-typed rest."""
    client.force_login(ib)
    partner_invitee, ib_invitee = invitee_of(meeting, partner), invitee_of(meeting, ib)
    data = log_data(
        meeting,
        action="everyone_present",
        minutes="Halverwege getypt",
        casework_verzuim="2",
        **{
            f"attendance-{partner_invitee.pk}-state": Attendance.ABSENT,
            "agreement-1-description": "Nog niet af",  # incomplete: no error yet
        },
    )
    response = client.post(log_url(meeting), data)
    assert response.status_code == 200
    forms = response.context["forms"]
    states = {f.invitee: f["state"].value() for f in forms.attendance}
    assert states == {partner_invitee: Attendance.ABSENT, ib_invitee: Attendance.PRESENT}
    assert forms.log["minutes"].value() == "Halverwege getypt"
    assert forms.log["casework_verzuim"].value() == "2"
    assert forms.new_agreements[0]["description"].value() == "Nog niet af"
    content = response.content.decode()
    assert "data-error-summary" not in content
    assert "is-invalid" not in content
    assert "staat nu op aanwezig" in content
    assert_nothing_saved(meeting)

    # Saving the page as shown then stores it.
    data.update(
        {
            "action": "save",
            f"attendance-{ib_invitee.pk}-state": Attendance.PRESENT,
            "agreement-1-description": "",
        }
    )
    assert client.post(log_url(meeting), data).status_code == 302
    assert invitee_of(meeting, ib).attendance == Attendance.PRESENT
    assert invitee_of(meeting, partner).attendance == Attendance.ABSENT


# --- the error summary ------------------------------------------------------------------------------------


def test_it_puts_an_error_summary_with_a_link_to_each_field_in_error_at_the_top(client, meeting, ib, partner):
    client.force_login(ib)
    invitee = invitee_of(meeting, partner)
    response = client.post(
        log_url(meeting),
        a_full_log(
            meeting,
            partner,
            ib,
            minutes=f"BSN {BSN}",
            casework_gedrag="Jan",
            **{f"attendance-{invitee.pk}-state": Attendance.REPLACED, "agreement-1-owner": ""},
        ),
    )
    assert response.status_code == 200
    content = response.content.decode()
    summary = content.split("data-error-summary")[1].split("</div>")[0]
    assert 'role="alert"' in content.split("data-error-summary")[0].rsplit("<div", 1)[1]
    assert 'tabindex="-1"' in content.split("data-error-summary")[0].rsplit("<div", 1)[1]
    assert "Controleer wat je hebt ingevuld" in summary
    assert "Er is niets opgeslagen" in summary
    for field_id in (
        "id_minutes",
        "id_casework_gedrag",
        f"id_attendance-{invitee.pk}-replaced_by",
        "id_agreement-1-owner",
    ):
        assert f'href="#{field_id}"' in summary
        assert f'id="{field_id}"' in content  # the link leads to the field
    assert f"Vervangen door (in plaats van {partner})" in summary  # whose field it is
    assert "Nieuwe afspraak 1: Eigenaar" in summary
    assert content.index("data-error-summary") < content.index('id="attendance-heading"')
    assert 'src="/static/js/error-summary.js"' in content
    # The summary is shown only after a refused save.
    assert "data-error-summary" not in client.get(log_url(meeting)).content.decode()


# --- bad input: refused next to the field, everything kept, nothing saved --------------------------------


def test_it_refuses_a_bsn_in_the_minutes_and_saves_nothing(client, meeting, ib, partner):
    client.force_login(ib)
    minutes = f"Leerling met BSN {BSN} besproken."
    response = client.post(log_url(meeting), a_full_log(meeting, partner, ib, minutes=minutes))
    assert response.status_code == 200
    errors = response.context["forms"].log.errors["minutes"]
    assert len(errors) == 1
    assert BSN in errors[0]
    content = response.content.decode()
    assert minutes in content  # what was typed is kept
    assert "Ouders uitnodigen voor een informatieavond" in content
    assert "Hoe organiseren we ouderavonden over mediagebruik?" in content
    assert_nothing_saved(meeting)


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("question-1-text", ("new_questions", 0, "text")),
        ("agreement-1-description", ("new_agreements", 0, "description")),
    ],
)
def test_it_refuses_a_bsn_in_a_question_or_an_agreement(client, meeting, ib, partner, field, where):
    client.force_login(ib)
    response = client.post(log_url(meeting), a_full_log(meeting, partner, ib, **{field: f"Over {BSN}"}))
    group, index, name = where
    assert BSN in getattr(response.context["forms"], group)[index].errors[name][0]
    assert_nothing_saved(meeting)


def test_it_refuses_a_bsn_written_with_dots_in_the_replacement_name(client, meeting, ib, partner):
    client.force_login(ib)
    invitee = invitee_of(meeting, partner)
    response = client.post(
        log_url(meeting),
        a_full_log(
            meeting,
            partner,
            ib,
            **{
                f"attendance-{invitee.pk}-state": Attendance.REPLACED,
                f"attendance-{invitee.pk}-replaced_by": "1234.56.782",
            },
        ),
    )
    form = next(f for f in response.context["forms"].attendance if f.invitee == invitee)
    assert "1234.56.782" in form.errors["replaced_by"][0]
    assert_nothing_saved(meeting)


@pytest.mark.parametrize(
    ("missing", "error_field"),
    [
        ({"agreement-1-owner": ""}, "owner"),
        ({"agreement-1-due_date": ""}, "due_date"),
        ({"agreement-1-description": ""}, "description"),
        ({"agreement-1-due_date": "31-02-2026"}, "due_date"),
    ],
)
def test_it_refuses_an_incomplete_agreement(client, meeting, ib, partner, missing, error_field):
    client.force_login(ib)
    response = client.post(log_url(meeting), a_full_log(meeting, partner, ib, **missing))
    assert response.status_code == 200
    form = response.context["forms"].new_agreements[0]
    assert list(form.errors) == [error_field]
    assert_nothing_saved(meeting)


def test_it_refuses_an_owner_who_is_not_on_the_team(client, meeting, ib, partner, outsider):
    client.force_login(ib)
    response = client.post(
        log_url(meeting), a_full_log(meeting, partner, ib, **{"agreement-1-owner": str(outsider.pk)})
    )
    assert response.status_code == 200
    assert "team" in response.context["forms"].new_agreements[0].errors["owner"][0]
    assert_nothing_saved(meeting)


@pytest.mark.parametrize("count", ["-1", "100", "Jan", "2.5"])
def test_it_refuses_a_count_that_is_not_a_number_from_0_to_99(client, meeting, ib, partner, count):
    client.force_login(ib)
    response = client.post(log_url(meeting), a_full_log(meeting, partner, ib, casework_gedrag=count))
    assert response.status_code == 200
    assert list(response.context["forms"].log.errors) == ["casework_gedrag"]
    assert f'value="{count}"' in response.content.decode()
    assert_nothing_saved(meeting)


def test_it_asks_who_came_instead_of_someone_replaced(client, meeting, ib, partner):
    client.force_login(ib)
    invitee = invitee_of(meeting, partner)
    response = client.post(
        log_url(meeting),
        a_full_log(meeting, partner, ib, **{f"attendance-{invitee.pk}-state": Attendance.REPLACED}),
    )
    form = next(f for f in response.context["forms"].attendance if f.invitee == invitee)
    assert list(form.errors) == ["replaced_by"]
    assert_nothing_saved(meeting)


def test_it_shows_what_the_service_refuses_and_saves_nothing(client, meeting, ib, partner, monkeypatch):
    """The service is the last line of defence (e.g. the owner left the team while the page was open)."""

    def refuse(**kwargs):
        raise ValidationError("Niet op het team.")

    monkeypatch.setattr("meetings.views_log.services.meeting_log_save", refuse)
    client.force_login(ib)
    response = client.post(log_url(meeting), a_full_log(meeting, partner, ib))
    assert response.status_code == 200
    assert response.context["forms"].log.non_field_errors() == ["Niet op het team."]
    assert "Niet op het team." in response.content.decode()
    assert_nothing_saved(meeting)


# --- saving in part, then finishing -------------------------------------------------------------------


def test_it_keeps_a_half_filled_log_and_finishes_it_later(client, meeting, ib, partner):
    client.force_login(ib)
    partner_invitee, ib_invitee = invitee_of(meeting, partner), invitee_of(meeting, ib)
    data = log_data(
        meeting,
        minutes="Eerste helft besproken.",
        casework_verzuim="2",
        casework_gezondheid="0",
        **{
            f"attendance-{partner_invitee.pk}-state": Attendance.REPLACED,
            f"attendance-{partner_invitee.pk}-replaced_by": "Een collega van Lokalis",
            f"attendance-{ib_invitee.pk}-state": Attendance.PRESENT,
        },
    )
    response = client.post(log_url(meeting), data)
    assert response.status_code == 302
    assert response["Location"] == log_url(meeting)

    meeting.refresh_from_db()
    assert meeting.minutes == "Eerste helft besproken."
    assert meeting.logged_at is None
    assert meeting.status == MeetingStatus.PLANNED
    assert dict(meeting.casework_counts.values_list("theme", "count")) == {"verzuim": 2}

    # Reopening shows what was saved.
    response = client.get(log_url(meeting))
    forms = response.context["forms"]
    assert forms.log["minutes"].value() == "Eerste helft besproken."
    assert forms.log["casework_verzuim"].value() == 2
    partner_form = next(f for f in forms.attendance if f.invitee == partner_invitee)
    assert partner_form["state"].value() == Attendance.REPLACED
    assert partner_form["replaced_by"].value() == "Een collega van Lokalis"
    content = response.content.decode()
    assert "Eerste helft besproken." in content
    assert "Een collega van Lokalis" in content

    data.update(minutes="Alles besproken.", casework_gedrag="1", action="finish")
    response = client.post(log_url(meeting), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    meeting.refresh_from_db()
    assert meeting.minutes == "Alles besproken."
    assert meeting.logged_at is not None
    assert meeting.status == MeetingStatus.HELD
    assert dict(meeting.casework_counts.values_list("theme", "count")) == {"verzuim": 2, "gedrag": 1}
    assert invitee_of(meeting, partner).replaced_by == "Een collega van Lokalis"


@pytest.fixture
def _on_1_september():
    """The clock of the whole test, fixtures included: the team must already serve the school then."""
    with time_machine.travel("2026-09-01 10:00 +02:00", tick=False):
        yield


def test_it_offers_finishing_only_once_the_meeting_has_started(_on_1_september, client, school, ib, partner):
    """Before the meeting, no "Opslaan en afronden" but a note why; a finish sent anyway (a page opened
    earlier) is refused at once, with the other errors, not only after fixing all of them."""
    tomorrow = meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(ib)
    body = client.get(log_url(tomorrow)).content.decode()
    assert 'value="finish"' not in body
    assert "Afronden kan zodra het overleg begonnen is." in body
    assert 'value="save"' in body

    response = client.post(log_url(tomorrow), log_data(tomorrow, action="finish", casework_verzuim="abc"))
    assert response.status_code == 200
    forms = response.context["forms"]
    assert "Je kunt een verslag pas afronden als het overleg begonnen is." in forms.log.non_field_errors()
    assert "casework_verzuim" in forms.log.errors
    assert_nothing_saved(tomorrow)
    with time_machine.travel(tomorrow.starts_at + dt.timedelta(minutes=5), tick=False):
        client.force_login(ib)  # a day later: a new session
        body = client.get(log_url(tomorrow)).content.decode()
        assert 'value="finish"' in body
        assert "Afronden kan zodra het overleg begonnen is." not in body


def test_it_saves_questions_and_agreements_and_offers_empty_rows_again(client, meeting, ib, partner):
    client.force_login(ib)
    line = ActionLine.objects.get(number=3)
    due = timezone.localdate() + dt.timedelta(days=21)
    data = a_full_log(
        meeting,
        partner,
        ib,
        **{
            "question-2-text": "Welke trainingen volgen nieuwe collega's?",
            "agreement-2-description": "Training plannen",
            "agreement-2-owner": str(ib.pk),
            "agreement-2-due_date": due.isoformat(),
            "agreement-2-action_line": str(line.pk),
        },
    )
    response = client.post(log_url(meeting), data)
    assert response.status_code == 302
    assert set(CollectiveQuestion.objects.filter(meeting=meeting).values_list("text", flat=True)) == {
        "Hoe organiseren we ouderavonden over mediagebruik?",
        "Welke trainingen volgen nieuwe collega's?",
    }
    agreements = {a.description: a for a in Agreement.objects.filter(meeting=meeting)}
    assert agreements.keys() == {"Ouders uitnodigen voor een informatieavond", "Training plannen"}
    assert agreements["Training plannen"].owner == ib
    assert agreements["Training plannen"].due_date == due
    assert agreements["Training plannen"].action_line == line
    assert agreements["Ouders uitnodigen voor een informatieavond"].action_line is None

    response = client.get(log_url(meeting))
    content = response.content.decode()
    assert "Training plannen" in content  # listed as saved
    assert all(not f["description"].value() for f in response.context["forms"].new_agreements)


def test_it_answers_questions_carried_from_an_earlier_meeting(client, school, ib, partner):
    earlier = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=43))
    meeting_log_save(
        meeting=earlier,
        attendance={},
        minutes="",
        casework={},
        new_questions=["Hoe bereiken we ouders die geen Nederlands spreken?", "Wie doet de voorlichting?"],
        new_agreements=[],
    )
    first, second = CollectiveQuestion.objects.filter(meeting=earlier).order_by("pk")
    meeting = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(ib)
    response = client.get(log_url(meeting))
    assert [f.question for f in response.context["forms"].answers] == [first, second]
    assert first.text in response.content.decode()

    response = client.post(log_url(meeting), log_data(meeting, **{f"answer-{first.pk}-answer": f"Bel {BSN}"}))
    assert BSN in response.context["forms"].answers[0].errors["answer"][0]
    first.refresh_from_db()
    assert first.answered_at is None

    answer = "Met de tolkentelefoon en de buurtteammedewerker."
    response = client.post(log_url(meeting), log_data(meeting, **{f"answer-{first.pk}-answer": answer}))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.answer == answer
    assert first.answered_at is not None
    assert second.answered_at is None  # an empty answer leaves the question open
    response = client.get(log_url(meeting))
    assert [f.question for f in response.context["forms"].answers] == [second]


def test_it_shows_open_agreements_of_earlier_meetings(client, school, ib, partner):
    from meetings.services import AgreementInput

    earlier = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=43))
    meeting_log_save(
        meeting=earlier,
        attendance={},
        minutes="",
        casework={},
        new_questions=[],
        new_agreements=[AgreementInput("Gesprek met de wijkagent", partner, timezone.localdate())],
    )
    meeting = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(ib)
    response = client.get(log_url(meeting))
    assert "Gesprek met de wijkagent" in response.content.decode()


def test_it_lists_this_meetings_items_apart_from_those_carried(client, school, other_school, ib, partner):
    """meetings.selectors.log_items: one read per kind for both lists, split by meeting; what is done,
    answered, later or of another school is in neither."""
    from meetings.models import AgreementStatus
    from meetings.selectors import log_items
    from tests.factories import AgreementFactory, CollectiveQuestionFactory, MeetingFactory

    now = timezone.now()
    earlier = MeetingFactory(school=school, starts_at=now - dt.timedelta(days=43))
    meeting = MeetingFactory(school=school, starts_at=now - dt.timedelta(days=1))
    later = MeetingFactory(school=school, starts_at=now + dt.timedelta(days=40))
    elsewhere = MeetingFactory(school=other_school, starts_at=now - dt.timedelta(days=43))
    carried = AgreementFactory(meeting=earlier, owner=partner)
    AgreementFactory(meeting=earlier, owner=partner, status=AgreementStatus.DONE)
    saved = [
        AgreementFactory(meeting=meeting, owner=partner, status=status) for status in AgreementStatus.values
    ]
    AgreementFactory(meeting=later, owner=partner)
    AgreementFactory(meeting=elsewhere, owner=partner)
    open_question = CollectiveQuestionFactory(meeting=earlier)
    CollectiveQuestionFactory(meeting=earlier, answered_at=now - dt.timedelta(days=2), answer="Ja.")
    asked = CollectiveQuestionFactory(meeting=meeting)
    CollectiveQuestionFactory(meeting=later)
    CollectiveQuestionFactory(meeting=elsewhere)

    items = log_items(meeting)
    assert items.carried_agreements == [carried]
    assert sorted(a.pk for a in items.saved_agreements) == sorted(a.pk for a in saved)
    assert items.carried_questions == [open_question]
    assert items.saved_questions == [asked]
    client.force_login(ib)
    response = client.get(log_url(meeting))
    assert response.context["carried_agreements"] == [carried]
    assert [f.question for f in response.context["forms"].answers] == [open_question]
    assert response.context["saved_questions"] == [asked]


def test_the_log_page_asks_as_many_queries_for_many_items_as_for_one(
    client, school, ib, partner, django_assert_max_num_queries
):
    from tests.factories import AgreementFactory, CollectiveQuestionFactory, MeetingFactory

    now = timezone.now()
    earlier = MeetingFactory(school=school, starts_at=now - dt.timedelta(days=43))
    meeting = meeting_schedule(school=school, starts_at=now - dt.timedelta(days=1))
    for _n in range(8):
        AgreementFactory(meeting=earlier, owner=partner)
        AgreementFactory(meeting=meeting, owner=partner)
        CollectiveQuestionFactory(meeting=earlier)
        CollectiveQuestionFactory(meeting=meeting)
    client.force_login(ib)
    client.get(log_url(meeting))  # warm up: the first request of a session does one-off work
    # session, user, meeting, the IB-er's seat, invitees, agreements, questions (this meeting's and those
    # carried: one query each), team, casework counts, action lines, agenda, access log, medical secrecy,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(16):
        assert client.get(log_url(meeting)).status_code == 200


# --- the agenda template --------------------------------------------------------------------------------


def agenda_url(**query):
    url = reverse("meetings:agenda-template")
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def test_it_shows_the_default_agenda_until_the_gemeente_has_its_own(client, coordinator):
    client.force_login(coordinator)
    response = client.get(agenda_url())
    assert response.status_code == 200
    assert response.context["form"]["items"].value() == "\n".join(DEFAULT_AGENDA)
    assert DEFAULT_AGENDA[0] in response.content.decode()


def test_it_lets_a_coordinator_edit_the_agenda_of_their_gemeente(client, coordinator, school, ib):
    client.force_login(coordinator)
    response = client.post(
        agenda_url(), {"action": "save", "items": "Opening\n\n  Casuïstiek  \nRondvraag\n"}
    )
    assert response.status_code == 302
    template = AgendaTemplate.objects.get()
    assert template.gemeente == coordinator.gemeente
    assert template.item_list() == ["Opening", "Casuïstiek", "Rondvraag"]
    assert agenda_template_items(school) == ["Opening", "Casuïstiek", "Rondvraag"]
    meeting = meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=7))
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Opening",
        "Casuïstiek",
        "Rondvraag",
    ]

    response = client.get(agenda_url())
    assert response.context["form"]["items"].value() == "Opening\nCasuïstiek\nRondvraag"

    response = client.post(agenda_url(), {"action": "reset", "items": ""})
    assert response.status_code == 302
    assert not AgendaTemplate.objects.exists()
    assert agenda_template_items(school) == DEFAULT_AGENDA


@pytest.mark.parametrize(
    ("items", "found"),
    [(f"Opening\nBespreken {BSN}", BSN), ("   \n  ", None), ("x" * 301, None)],
)
def test_it_refuses_a_bad_agenda(client, coordinator, items, found):
    client.force_login(coordinator)
    response = client.post(agenda_url(), {"action": "save", "items": items})
    assert response.status_code == 200
    errors = response.context["form"].errors["items"]
    if found:
        assert found in errors[0]
        assert found in response.content.decode()
    assert not AgendaTemplate.objects.exists()


def test_it_refuses_the_agenda_to_everyone_but_coordinators_and_admins(client, ib, partner, outsider):
    response = client.get(agenda_url())
    assert response["Location"].startswith(reverse("account_login"))
    for user in (ib, partner, outsider):
        client.force_login(user)
        assert client.get(agenda_url()).status_code == 403
        assert client.post(agenda_url(), {"action": "save", "items": "Opening"}).status_code == 403
    assert not AgendaTemplate.objects.exists()


def test_it_lets_an_admin_edit_the_global_default_and_a_gemeente(client, admin_user, school, gemeente):
    client.force_login(admin_user)
    response = client.post(agenda_url(), {"action": "save", "items": "Landelijk standaard"})
    assert response.status_code == 302
    assert AgendaTemplate.objects.get(gemeente=None).item_list() == ["Landelijk standaard"]
    assert agenda_template_items(school) == ["Landelijk standaard"]

    # A gemeente without its own agenda starts from the global default.
    response = client.get(agenda_url(gemeente=school.gemeente_id))
    assert response.context["form"]["items"].value() == "Landelijk standaard"
    response = client.post(agenda_url(gemeente=school.gemeente_id), {"action": "save", "items": "Eigen"})
    assert response.status_code == 302
    assert AgendaTemplate.objects.get(gemeente=school.gemeente).item_list() == ["Eigen"]
    assert agenda_template_items(school) == ["Eigen"]

    assert client.get(agenda_url(gemeente=999_999)).status_code == 404


def test_it_lets_an_admin_choose_whose_agenda_with_a_crispy_field(client, admin_user, school):
    client.force_login(admin_user)
    response = client.get(agenda_url(gemeente=school.gemeente_id))
    content = response.content.decode()
    picker = content.split('method="get"')[1].split("</form>")[0]
    assert '<div id="div_id_gemeente" class="mb-3">' in picker
    assert '<label for="id_gemeente" class="form-label">Agenda van</label>' in picker
    assert '<select name="gemeente" class="select form-select" id="id_gemeente">' in picker
    assert f'<option value="{school.gemeente_id}" selected>{school.gemeente.name}</option>' in picker
    assert '<option value="default">Standaard voor elke gemeente zonder eigen agenda</option>' in picker
    default = client.get(agenda_url()).content.decode().split('method="get"')[1].split("</form>")[0]
    assert '<option value="default" selected>' in default


def test_the_page_is_the_same_with_djangos_own_widget_templates(client, meeting, ib, partner, settings):
    """kpa.form_renderer writes the page's widgets in Python: the page, refused with typed values and
    errors in every kind of field, is the one Django's template renderer gives (CSRF tokens aside)."""
    import re

    client.force_login(ib)
    invitee = invitee_of(meeting, partner)
    data = a_full_log(
        meeting,
        partner,
        ib,
        minutes=f'<script>"BSN" {BSN}</script>',
        casework_gedrag="Jan",
        **{f"attendance-{invitee.pk}-state": Attendance.REPLACED, "agreement-1-due_date": "morgen"},
    )

    def pages() -> list[str]:
        return [
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
            for response in (client.get(log_url(meeting)), client.post(log_url(meeting), data))
        ]

    ours = pages()
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    assert pages() == ours
    assert "&lt;script&gt;&quot;BSN&quot;" in ours[1]  # (the refused page, with what was typed)
