"""A collective question's theme and action line (issue 12): saved from the log and the correction page,
a theme or line without a question refused with nothing lost, and only the action lines of the school's
own programme offered and accepted (never another gemeente's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import CaseworkTheme, CollectiveQuestion
from meetings.services import QuestionInput, meeting_log_save, meeting_schedule
from programme.models import ActionLine
from tests.factories import GemeenteFactory
from tests.meetings.test_log_views import a_full_log, log_data
from tests.programme.factories import ActionLineFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(school, ib, partner):
    return meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))


@pytest.fixture
def own_line(school):
    return ActionLineFactory(
        programme=ProgrammeFactory(gemeente=school.gemeente, sector=school.sector), number=4
    )


@pytest.fixture
def foreign_line():
    amsterdam = GemeenteFactory(code="0363", name="Amsterdam")
    return ActionLineFactory(programme=ProgrammeFactory(gemeente=amsterdam, sector="PO"), number=1)


def test_the_school_is_offered_its_own_programmes_lines_only(school, own_line, foreign_line):
    offered = list(selectors.action_lines_for_school(school))
    assert own_line in offered
    assert foreign_line not in offered
    unattached = list(ActionLine.objects.filter(programme=None))  # made before programmes existed
    assert set(unattached) <= set(offered)


def test_the_log_saves_a_questions_theme_and_action_line(client, meeting, ib, partner, own_line):
    client.force_login(ib)
    data = a_full_log(
        meeting,
        partner,
        ib,
        **{"question-1-theme": CaseworkTheme.ATTENDANCE, "question-1-action_line": str(own_line.pk)},
    )
    response = client.post(reverse("meetings:log", args=[meeting.pk]), data)
    assert response.status_code == 302
    question = CollectiveQuestion.objects.get(meeting=meeting)
    assert (question.theme, question.action_line) == (CaseworkTheme.ATTENDANCE, own_line)
    page = client.get(reverse("meetings:log", args=[meeting.pk])).content.decode()
    assert "Verzuim en thuiszitters" in page
    assert "Actielijn 4" in page


def test_a_theme_without_a_question_is_refused_and_nothing_is_lost(client, meeting, ib, own_line):
    client.force_login(ib)
    data = log_data(
        meeting,
        minutes="Besproken.",
        **{"question-2-theme": CaseworkTheme.HEALTH, "question-2-action_line": str(own_line.pk)},
    )
    response = client.post(reverse("meetings:log", args=[meeting.pk]), data)
    assert response.status_code == 200
    form = response.context["forms"].new_questions[1]
    assert "Schrijf de vraag op, of laat het thema en de actielijn leeg." in form.errors["text"]
    content = response.content.decode()
    assert "Besproken." in content  # what was typed is still there
    assert f'value="{CaseworkTheme.HEALTH}" selected' in content
    assert not CollectiveQuestion.objects.filter(meeting=meeting).exists()
    meeting.refresh_from_db()
    assert meeting.minutes == ""  # nothing half-saved


def test_another_gemeentes_line_is_not_offered_nor_accepted(client, meeting, ib, partner, foreign_line):
    client.force_login(ib)
    page = client.get(reverse("meetings:log", args=[meeting.pk])).content.decode()
    assert foreign_line.title not in page
    data = a_full_log(meeting, partner, ib, **{"question-1-action_line": str(foreign_line.pk)})
    response = client.post(reverse("meetings:log", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert response.context["forms"].new_questions[0].errors["action_line"]
    assert not CollectiveQuestion.objects.filter(meeting=meeting).exists()
    with pytest.raises(ValidationError, match="actielijnen van het programma van deze school"):
        meeting_log_save(
            meeting=meeting,
            attendance={},
            minutes="",
            casework={},
            new_questions=[QuestionInput(text="Hoe bereiken we ouders?", action_line_id=foreign_line.pk)],
            new_agreements=[],
        )
    assert not CollectiveQuestion.objects.filter(meeting=meeting).exists()


def _question(meeting, **fields):
    return CollectiveQuestion.objects.create(
        school=meeting.school, meeting=meeting, text="Hoe bereiken we ouders?", **fields
    )


def test_the_correction_page_changes_theme_and_line(client, meeting, ib, own_line):
    question = _question(meeting)
    client.force_login(ib)
    url = reverse("meetings:question-update", args=[meeting.pk, question.pk])
    response = client.post(
        url,
        {"text": question.text, "answer": "", "theme": CaseworkTheme.HOME, "action_line": str(own_line.pk)},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.theme, question.action_line) == (CaseworkTheme.HOME, own_line)


@pytest.mark.parametrize(
    ("field", "value"), [("theme", "geen-thema"), ("action_line", "foreign"), ("action_line", "999999")]
)
def test_the_correction_page_refuses_a_bad_theme_or_line(client, meeting, ib, foreign_line, field, value):
    question = _question(meeting, theme=CaseworkTheme.SAFETY)
    client.force_login(ib)
    url = reverse("meetings:question-update", args=[meeting.pk, question.pk])
    data = {"text": "Nieuwe tekst", "answer": "", "theme": CaseworkTheme.SAFETY, "action_line": ""}
    data[field] = str(foreign_line.pk) if value == "foreign" else value
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "Nieuwe tekst" in response.content.decode()
    question.refresh_from_db()
    assert (question.text, question.theme, question.action_line) == (
        "Hoe bereiken we ouders?",
        CaseworkTheme.SAFETY,
        None,
    )


def test_the_service_keeps_a_theme_and_line_not_given(meeting, own_line):
    question = _question(meeting, theme=CaseworkTheme.SAFETY, action_line=own_line)
    services.collective_question_update(question=question, text="Anders gezegd", answer="")
    question.refresh_from_db()
    assert (question.text, question.theme, question.action_line) == ("Anders gezegd", "veiligheid", own_line)
    with pytest.raises(ValidationError):
        services.collective_question_update(question=question, text="x", answer="", theme="onbekend")
