"""The collective questions list (meetings:questions): what the schools in one's scope raise, filtered by
theme, action line, wijk, school, school year and status; a line of another gemeente is refused; its
queries do not grow with the questions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from meetings.models import CaseworkTheme, CollectiveQuestion, Meeting
from tests.factories import GemeenteFactory, SchoolFactory
from tests.programme.factories import ActionLineFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = dt.datetime(2027, 3, 10, 12, 0, tzinfo=AMS)  # school year 2026–2027
URL = reverse("meetings:questions")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def ask(school, text, *, when=dt.datetime(2027, 2, 1, 9, tzinfo=AMS), answered=False, **fields):
    meeting = Meeting.objects.create(school=school, starts_at=when, ends_at=when + dt.timedelta(hours=1))
    return CollectiveQuestion.objects.create(
        school=school, meeting=meeting, text=text, answered_at=when if answered else None, **fields
    )


@pytest.fixture
def line(school):
    return ActionLineFactory(
        programme=ProgrammeFactory(gemeente=school.gemeente, sector=school.sector), number=4
    )


@pytest.fixture
def questions(school, other_school, line):
    return {
        "media": ask(school, "Hoe praten we met ouders over mediagebruik?", theme=CaseworkTheme.HOME),
        "verzuim": ask(
            school, "Hoe pakken we verzuim samen aan?", theme=CaseworkTheme.ATTENDANCE, action_line=line
        ),
        "oud": ask(
            school,
            "Wie leidt het lerend netwerk?",
            when=dt.datetime(2026, 3, 1, 9, tzinfo=AMS),
            answered=True,
        ),
        "elders": ask(other_school, "Kan de JGZ vaker op school zijn?", action_line=line),
    }


def texts(response) -> set[str]:
    return {q.text for q in response.context["page"].object_list}


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_each_sees_the_questions_of_their_own_schools_only(
    client, questions, ib, outsider, coordinator, wijk_coordinator
):
    client.force_login(ib)
    assert texts(client.get(URL)) == {questions[k].text for k in ("media", "verzuim", "oud")}
    client.force_login(outsider)
    assert texts(client.get(URL)) == {questions["elders"].text}
    client.force_login(wijk_coordinator)  # the wijk of other_school
    assert texts(client.get(URL)) == {questions["elders"].text}
    client.force_login(coordinator)
    assert texts(client.get(URL)) == {q.text for q in questions.values()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"theme": CaseworkTheme.HOME}, {"media"}),
        ({"action_line": "LINE"}, {"verzuim", "elders"}),
        ({"status": "answered"}, {"oud"}),
        ({"status": "open"}, {"media", "verzuim", "elders"}),
        ({"year": "2026"}, {"media", "verzuim", "elders"}),
        ({"year": "2025"}, {"oud"}),
        ({"school": "Kompas"}, {"elders"}),
    ],
)
def test_the_filters(client, questions, coordinator, line, query, expected):
    client.force_login(coordinator)
    query = {k: str(line.pk) if v == "LINE" else v for k, v in query.items()}
    response = client.get(URL, query)
    assert response.status_code == 200
    assert texts(response) == {questions[k].text for k in expected}


def test_a_line_of_another_gemeente_is_refused_with_a_dutch_error(client, questions, coordinator):
    amsterdam = ActionLineFactory(
        programme=ProgrammeFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam"), sector="PO")
    )
    client.force_login(coordinator)
    response = client.get(URL, {"action_line": str(amsterdam.pk), "theme": "onzin"})
    assert response.status_code == 200
    errors = response.context["filter"].errors
    assert "Selecteer een geldige keuze" in " ".join(errors["action_line"])
    assert "theme" in errors
    assert texts(response) == set()
    assert "Verbeter het filter hierboven om de vragen te zien." in response.content.decode()


def test_the_page_shows_theme_line_and_school(client, questions, ib):
    client.force_login(ib)
    content = client.get(URL).content.decode()
    assert "Verzuim en thuiszitters" in content
    assert "4. " in content and questions["verzuim"].action_line.title in content
    assert "OBS De Zonnewijzer" in content


@pytest.mark.parametrize("count", [3, 30])
def test_its_queries_do_not_grow_with_the_questions(
    client, coordinator, school, line, count, django_assert_max_num_queries
):
    for n in range(count):
        ask(SchoolFactory(wijk=school.wijk), f"Vraag {n}", theme=CaseworkTheme.HEALTH, action_line=line)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == count
