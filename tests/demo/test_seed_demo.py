"""seed_demo: a realistic, deterministic Utrecht to click through, loaded twice without changes, refused in
production, and rich enough (stand-ins, handovers, vacancies) that every demo account's main pages render."""

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_data_twice_without_changes(capsys):
    from auditlog.models import LogEntry

    from kpa.models import User
    from meetings.models import Meeting
    from partners.models import Assignment
    from schools.models import School, Wijk

    def counts():
        return [m.objects.count() for m in (Wijk, School, User, Assignment, Meeting, LogEntry)]

    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before  # no new rows, and no change recorded in the audit trail
    assert before[0] == 10
    assert "admin@kpa.example" in capsys.readouterr().out


def test_it_gives_the_demo_data_vacancies_stand_ins_and_history():
    from partners.models import Assignment
    from partners.selectors import teams_for_schools
    from schools.models import School

    call_command("seed_demo")
    teams = teams_for_schools(School.objects.values_list("pk", flat=True))
    assert any(not team.is_complete for team in teams.values())
    assert sum(team.is_complete for team in teams.values()) > len(teams) / 2
    assert Assignment.objects.filter(is_stand_in=True).exists()
    assert Assignment.objects.filter(end_date__isnull=False, person__is_active=False).exists()


def test_it_loads_again_after_the_nightly_purge_anonymised_its_leaver():
    """The demo's leaver left in July 2025: a year on the purge anonymises them. Loading the demo again then
    makes no second leaver beside the pseudonym, so no seat has two holders."""
    import time_machine

    from kpa import retention
    from kpa.models import User
    from partners.models import Assignment
    from tests.helpers import at

    with time_machine.travel(at(2026, 12, 3, 2, 30), tick=False):
        call_command("seed_demo")
        retention.purge(keys=["accounts"])
        leaver = User.objects.get(last_name__startswith="Oud-gebruiker")
        seats = Assignment.objects.filter(person=leaver).count()
        call_command("seed_demo")
    assert not User.objects.filter(email="vertrokken@lokalis.example").exists()
    assert Assignment.objects.filter(person=leaver).count() == seats == 3


def test_it_refuses_to_load_demo_accounts_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_it_renders_every_demo_account_s_main_pages(client):
    """The demo data is richer than most fixtures (stand-ins, handovers, vacancies, meetings): every main
    page renders for every demo account. (A crash on the demo IB-er's start page was found this way.)"""
    from kpa.models import User, UserKind
    from partners.scope import schools_visible_to
    from schools.models import School
    from tests.conftest import with_totp

    call_command("seed_demo")
    first_school = School.objects.order_by("pk").first()
    for user in User.objects.filter(is_active=True):
        if user.kind in (UserKind.ADMIN, UserKind.COORDINATOR):
            with_totp(user)
        client.force_login(user)
        pages = [reverse("kpa:home"), reverse("schools:list"), reverse("schools:list") + "?gap=ending"]
        if user.kind == UserKind.ADMIN:
            pages += [reverse("manage:school-team", args=[first_school.pk]), reverse("manage:wijk-list")]
        for url in pages:
            assert client.get(url).status_code == 200, (user.email, url)
        for school in schools_visible_to(user)[:3]:
            assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 200


def test_it_gives_each_demo_agreement_to_the_role_its_text_names():
    """The buurtteam partner owned 'Leerplicht en IB maken samen een verzuimprotocol'."""
    from demo.management.commands.seed_demo import DEMO_AGREEMENTS
    from meetings.models import Agreement
    from partners.models import Assignment, Role

    call_command("seed_demo")
    roles = dict(DEMO_AGREEMENTS)
    agreements = list(Agreement.objects.select_related("school"))
    assert {a.description for a in agreements} == set(roles)
    for agreement in agreements:
        seats = set(
            Assignment.objects.filter(school=agreement.school, person=agreement.owner).values_list(
                "role", flat=True
            )
        )
        assert roles[agreement.description] in seats or Role.IB in seats, agreement.description


def test_it_gives_each_demo_question_its_theme_and_a_line_of_utrecht_s_programme():
    """So the dashboard's questions by theme and line, and the questions list, have something to show."""
    from demo.management.commands.seed_demo import DEMO_QUESTIONS
    from meetings.models import CollectiveQuestion

    call_command("seed_demo")
    expected = {text: (theme, number) for text, theme, number in DEMO_QUESTIONS}
    questions = list(CollectiveQuestion.objects.select_related("action_line__programme__gemeente"))
    assert questions
    for question in questions:
        theme, number = expected[question.text]
        assert question.theme == theme
        if number is None:
            assert question.action_line is None
        else:
            assert question.action_line.number == number
            assert question.action_line.programme.gemeente.name == "Utrecht"


def test_it_gives_last_school_year_evaluation_results_to_show():
    """A closed round of last school year, answered by most of the teams: the results pages show figures
    (a school's, and the city's by role), and some are withheld (a small group)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from evaluations.models import Response
    from evaluations.results import area_results, school_results
    from schools.models import Gemeente, School

    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        call_command("seed_demo")
        assert Response.objects.filter(round__school_year=2025, submitted_at__isnull=False).count() > 20
        utrecht = Gemeente.objects.get(name="Utrecht")
        city = area_results(utrecht, None, 2025)
        assert any(row.everyone.shown for row in city.statements)
        assert any(figure.shown for row in city.statements for figure in row.roles)
        shown = [
            school
            for school in School.objects.filter(gemeente=utrecht)
            if any(row.now.shown for row in school_results(school, 2025).statements)
        ]
        assert shown
