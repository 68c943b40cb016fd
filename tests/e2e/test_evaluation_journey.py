"""The process evaluation's journeys (issue 13), on a pinned clock (a Wednesday in November 2026):

- a kernpartner with seats at two schools answers for both: saves halfway, leaves, comes back to find the
  answers still chosen, then sends; and sends for the other school;
- a city coordinator reads the results by role of a closed round: where a figure would let a smaller group
  be worked out, or a wijk has fewer than 3 people, the figure is withheld and the page says why;
- an IB-er turns a statement's result into an agreement that goes on the agenda of the next planned KPO.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations import services
from evaluations.models import Item, ItemKind, Response, Round
from meetings import services as meeting_services
from meetings.models import AgendaItem, Agreement
from partners.models import Assignment, Role
from schools.models import School, Wijk
from schools.years import school_year_start
from tests.conftest import TOTP_SECRET
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.world import World, build_world, person
from tests.factories import AssignmentFactory, SchoolFactory

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
TODAY = NOW.date()
SCHOOL_YEAR = school_year_start(TODAY).year  # 2026: the school year 2026–2027
TEAM_ROLES = (Role.IB, Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT)
# The order of the role columns on the results by role (evaluations.selectors.RESPONDENT_ROLES).
ROLE_COLUMN = {role: index for index, role in enumerate(TEAM_ROLES)}
EVERYONE_COLUMN = len(TEAM_ROLES)
SPREAD_COLUMN = EVERYONE_COLUMN + 1

FEW_PEOPLE = "niet getoond: minder dan 3 mensen"
WORKED_OUT = "niet getoond: het zou uit de andere cijfers te berekenen zijn"


@pytest.fixture
def clock() -> Iterator[None]:
    # Ticking: the live server's sessions and the authenticator's codes need time to pass.
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(clock) -> World:
    return build_world()  # built on the pinned clock: its seats and meetings are relative to TODAY


def statements_for(round_: Round, role: str) -> list[Item]:
    return [
        item
        for item in round_.version.items.filter(kind=ItemKind.STATEMENT).order_by("order")
        if item.is_asked_of(role)
    ]


def first_common_statement(round_: Round) -> Item:
    """A statement every role is asked: one row with a figure in each role's column."""
    return next(item for item in statements_for(round_, Role.IB) if not item.roles)


def closed_round(schools: list[School]) -> Round:
    """The round of this school year, closed five days ago (only closed rounds count in the results)."""
    return services.open_round(
        schools[0].gemeente,
        SCHOOL_YEAR,
        School.objects.filter(pk__in=[school.pk for school in schools]),
        TODAY - dt.timedelta(days=48),
        TODAY - dt.timedelta(days=5),
    )


def answer_everything(round_: Round, seat: Assignment, score: int) -> None:
    """The seat's holder sent `score` for every statement asked of their role, while the round was open."""
    answers = {item.pk: (score, False, "") for item in statements_for(round_, seat.role)}
    services.save_answers(
        round_,
        seat.school,
        seat.person,
        seat.role,
        answers,
        send=True,
        today=round_.closes_on - dt.timedelta(days=2),
    )


def full_team(school: School, tag: str) -> list[Assignment]:
    seats = []
    for role in TEAM_ROLES:
        member = person(f"{role.value}@{tag}.example", role.value.title(), tag.title())
        seats.append(AssignmentFactory(person=member, school=school, role=role))
    return seats


def statement_group(page: Page, item: Item):
    return page.get_by_role("group", name=item.text, exact=True)


def choose(page: Page, item: Item, label: str) -> None:
    statement_group(page, item).get_by_role("radio", name=label, exact=True).check()


def figure_cell(page: Page, item: Item, column: int):
    row = page.locator("tr").filter(has=page.get_by_role("rowheader", name=item.text, exact=True))
    return row.get_by_role("cell").nth(column)


def test_a_kernpartner_answers_for_two_schools_saves_halfway_and_comes_back(open_browser, world):
    round_ = services.open_round(
        world.school.gemeente,
        SCHOOL_YEAR,
        School.objects.filter(pk__in=[world.school.pk, world.other_school.pk]),
        TODAY - dt.timedelta(days=16),
        TODAY + dt.timedelta(days=12),
    )
    statements = statements_for(round_, Role.BUURTTEAM)
    first, second, third, *rest = statements
    open_question = round_.version.items.filter(kind=ItemKind.OPEN).order_by("order").first()

    tab = open_browser()
    page = tab.log_in(world.buurtteam.email)
    tab.follow("Procesevaluaties", exact=True)
    tab.expect_heading("Procesevaluaties")
    listed = page.get_by_role("region", name="Procesevaluaties")
    for school in (world.school, world.other_school):
        row = listed.get_by_role("row").filter(has_text=school.name)
        expect(row).to_contain_text("Buurtteam")
        expect(row).to_contain_text("30 november 2026")
        expect(row).to_contain_text("Nog niet begonnen")

    # School A, halfway: three statements, then saved (not sent).
    tab.follow(world.school.name, exact=True)
    tab.expect_heading(f"Procesevaluatie {world.school.name}")
    choose(page, first, "4 – Eens")
    choose(page, second, "5 – Helemaal eens")
    choose(page, third, "Weet niet")
    tab.submit("Bewaren en later afmaken")
    expect(page.get_by_role("status")).to_contain_text("Je antwoorden zijn bewaard")
    response = Response.objects.get(round=round_, school=world.school, respondent=world.buurtteam)
    assert response.submitted_at is None
    assert response.answers.count() == 3

    # Away to the list, which says so, and back: the answers are still chosen.
    tab.follow("Procesevaluaties", exact=True)
    row = listed.get_by_role("row").filter(has_text=world.school.name)
    expect(row).to_contain_text("Bewaard, nog niet ingestuurd")
    tab.follow(world.school.name, exact=True)
    expect(statement_group(page, first).get_by_role("radio", name="4 – Eens")).to_be_checked()
    expect(statement_group(page, second).get_by_role("radio", name="5 – Helemaal eens")).to_be_checked()
    expect(statement_group(page, third).get_by_role("radio", name="Weet niet")).to_be_checked()
    expect(statement_group(page, rest[0]).get_by_role("radio", checked=True)).to_have_count(0)

    # The rest, one changed on the way, and an open answer; then sent.
    choose(page, second, "2 – Oneens")
    for item in rest:
        choose(page, item, "3 – Niet eens, niet oneens")
    page.get_by_label(open_question.text).fill("Vaker samen op school zijn.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evaluation-answer-form.png"), full_page=True)
    tab.submit("Mijn antwoorden insturen")
    expect(page.get_by_role("status")).to_contain_text("Je antwoorden zijn ingestuurd")
    tab.expect_heading("Procesevaluaties")
    expect(listed.get_by_role("row").filter(has_text=world.school.name)).to_contain_text("Ingestuurd")
    expect(listed.get_by_role("row").filter(has_text=world.other_school.name)).to_contain_text(
        "Nog niet begonnen"
    )

    # School B at once, sent.
    tab.follow(world.other_school.name, exact=True)
    tab.expect_heading(f"Procesevaluatie {world.other_school.name}")
    for item in statements:
        choose(page, item, "4 – Eens")
    tab.submit("Mijn antwoorden insturen")
    expect(listed.get_by_role("row").filter(has_text=world.other_school.name)).to_contain_text("Ingestuurd")

    sent = {
        r.school_id: r
        for r in Response.objects.filter(round=round_, respondent=world.buurtteam).prefetch_related("answers")
    }
    assert set(sent) == {world.school.pk, world.other_school.pk}
    assert all(r.submitted_at is not None and r.role == Role.BUURTTEAM for r in sent.values())
    at_a = {a.item_id: (a.score, a.unknown, a.text) for a in sent[world.school.pk].answers.all()}
    assert at_a[first.pk] == (4, False, "")
    assert at_a[second.pk] == (2, False, "")
    assert at_a[third.pk] == (None, True, "")
    assert all(at_a[item.pk] == (3, False, "") for item in rest)
    assert at_a[open_question.pk] == (None, False, "Vaker samen op school zijn.")
    assert len(at_a) == len(statements) + 1
    at_b = {a.item_id: a.score for a in sent[world.other_school.pk].answers.all()}
    assert at_b == {item.pk: 4 for item in statements}


def test_a_coordinator_sees_results_by_role_with_withheld_groups_and_why(open_browser, world):
    # West: three schools with full teams (the world's De Zonnewijzer and two more) scoring 4, 5 and 3.
    # Overvecht: only two people answered for Het Kompas, the world's buurtteam and JGZ (who also sit at
    # De Zonnewijzer), so the city's buurtteam and JGZ figures would give their Kompas answers away.
    west = Wijk.objects.get(name="West")
    more = [SchoolFactory(name=name, wijk=west) for name in ("CBS De Regenboog", "OBS Het Anker")]
    zonnewijzer = list(Assignment.objects.filter(school=world.school).exclude(role=Role.SCHOOLLEIDER))
    round_ = closed_round([world.school, *more, world.other_school])
    for seats, score in (
        (zonnewijzer, 4),
        (full_team(more[0], "regenboog"), 5),
        (full_team(more[1], "anker"), 3),
    ):
        for seat in seats:
            answer_everything(round_, seat, score)
    kompas = Assignment.objects.filter(school=world.other_school, role__in=[Role.BUURTTEAM, Role.JGZ])
    for seat in kompas:
        answer_everything(round_, seat, 2)
    statement = first_common_statement(round_)

    tab = open_browser()
    page = tab.log_in(world.coordinator.email, totp_secret=TOTP_SECRET)
    tab.follow("Evaluatierondes", exact=True)
    tab.follow("Resultaten per rol")
    tab.expect_heading("Evaluatieresultaten per rol")

    # The whole city: the IB-ers and passend-onderwijs advisers are shown (4 + 5 + 3 over three schools);
    # the buurtteam's, JGZ's and everyone's would let Overvecht's two be worked out: withheld, with why.
    main = page.get_by_role("main")
    expect(main).to_contain_text("15 mensen in Utrecht stuurden dit schooljaar antwoorden in.")
    expect(figure_cell(page, statement, ROLE_COLUMN[Role.IB])).to_have_text("4,0")
    expect(figure_cell(page, statement, ROLE_COLUMN[Role.PASSEND_ONDERWIJS])).to_have_text("4,0")
    for role in (Role.BUURTTEAM, Role.JGZ):
        expect(figure_cell(page, statement, ROLE_COLUMN[role])).to_contain_text(WORKED_OUT)
    expect(figure_cell(page, statement, EVERYONE_COLUMN)).to_contain_text(WORKED_OUT)
    expect(figure_cell(page, statement, SPREAD_COLUMN)).to_have_text("0,8 (3 scholen)")
    legend = page.locator("#withheld-reasons")
    expect(legend).to_contain_text("Niet getoond, hoewel de groep groot genoeg is")
    expect(legend).to_contain_text("Niet getoond: minder dan 3 mensen.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evaluation-area-results.png"), full_page=True)

    # Overvecht: two people, so no figure at all, each saying why.
    page.get_by_label("Gebied").select_option(label="Overvecht")
    tab.submit("Tonen", exact=True)
    expect(main).to_contain_text("2 mensen in Overvecht stuurden dit schooljaar antwoorden in.")
    for column in (*ROLE_COLUMN.values(), EVERYONE_COLUMN):
        cell = figure_cell(page, statement, column)
        expect(cell).to_contain_text(FEW_PEOPLE)
        expect(cell).not_to_contain_text("2,0")
    expect(legend).to_contain_text("Niet getoond: minder dan 3 mensen.")
    expect(main).not_to_contain_text("2,0")


def test_an_ib_er_turns_a_result_into_an_agreement_on_the_next_kpos_agenda(open_browser, world):
    round_ = closed_round([world.school])
    for seat in Assignment.objects.filter(school=world.school, role__in=TEAM_ROLES):
        answer_everything(round_, seat, 3)
    statement = first_common_statement(round_)
    next_kpo = meeting_services.meeting_schedule(
        school=world.school,
        starts_at=NOW.replace(hour=9) + dt.timedelta(days=14),
        location="Teamkamer",
        created_by=world.ib,
    )
    description = "Elke KPO tien minuten voor de rolverdeling: wie doet wat?"
    due = TODAY + dt.timedelta(days=30)

    tab = open_browser()
    page = tab.log_in(world.ib.email)
    tab.expect_heading("Mijn school")
    tab.follow(world.school.name, exact=True)
    tab.follow("De resultaten van het team")
    tab.expect_heading(f"Evaluatieresultaten {world.school.name}")
    expect(figure_cell(page, statement, 1)).to_have_text("3,0")  # after the rowheader: scores, then mean
    expect(page.locator("#followup")).to_contain_text("woensdag 2 december 2026")

    # The link names its statement for screen readers (visually hidden text after "Maak een afspraak").
    link = page.get_by_role(
        "link", name=re.compile(rf"^Maak een afspraak\s*:\s*{re.escape(statement.text)}$")
    )
    with page.expect_navigation():
        link.click()
    tab.audit()
    tab.expect_heading("Maak een afspraak")
    expect(page.get_by_role("main")).to_contain_text(statement.text)
    page.get_by_role("textbox", name="Afspraak").fill(description)
    page.get_by_label("Eigenaar").select_option(label=f"{world.leerplicht} (Leerplichtambtenaar)")
    page.get_by_label("Uiterlijk klaar op").fill(due.isoformat())
    tab.submit("Opslaan", exact=True)
    expect(page.get_by_role("status")).to_contain_text(
        "De afspraak staat op de agenda van de KPO van woensdag 2 december 2026."
    )
    tab.expect_heading(f"Evaluatieresultaten {world.school.name}")

    agreement = Agreement.objects.get(school=world.school)
    assert (agreement.meeting_id, agreement.description, agreement.owner, agreement.due_date) == (
        next_kpo.pk,
        description,
        world.leerplicht,
        due,
    )
    assert AgendaItem.objects.get(carried_agreement=agreement).meeting_id == next_kpo.pk

    tab.visit(reverse("meetings:detail", args=[next_kpo.pk]))
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda).to_contain_text(f"Afspraak uit de procesevaluatie: {description}")
    expect(agenda).to_contain_text(f"Stelling (procesevaluatie 2026–2027): {statement.text}")
    assert timezone.localtime(next_kpo.starts_at).date() == dt.date(2026, 12, 2)
