"""Beyond the journeys: every page each kind of user reaches from the menu, checked with axe for WCAG 2.1
A and AA. A new page belongs in PAGES below (later capabilities add theirs), so it is checked too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Agreement
from schools.models import DuoImportStatus
from tests.conftest import TOTP_SECRET
from tests.e2e import axe
from tests.e2e.programme_pages import programme_pages, report_page
from tests.evaluations import url_table as evaluations_url_table
from tests.factories import DuoImportFactory


def pages_for(kind: str, world) -> list[str]:
    school, meeting = world.school, world.held_meeting
    account = [
        reverse("meetings:calendar"),
        reverse("mfa_index"),
        reverse("account_change_password"),
        reverse("usersessions_list"),
        # The privacy pages everyone reaches from the footer and the account menu (issue 14).
        reverse("privacy:inzage"),
        reverse("privacy:register"),
        reverse("privacy:statement"),
        reverse("privacy:sharing"),
    ]
    school_pages = [
        reverse("kpa:home"),
        reverse("schools:list"),
        reverse("schools:detail", args=[school.pk]),
        reverse("meetings:list"),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:my-agreements"),
        reverse("meetings:questions"),
        reverse("meetings:agreements-list"),
    ]
    editing = [
        reverse("meetings:plan", args=[school.pk]),
        reverse("meetings:update", args=[meeting.pk]),
        reverse("meetings:cancel", args=[meeting.pk]),
        reverse("meetings:log", args=[meeting.pk]),
    ]
    if kind in ("ib", "partner"):
        # The process evaluation: the list and the form of a round open today (issue 13).
        answer = evaluations_url_table.objects(school)["evaluations:answer"]
        evaluation = [
            reverse("evaluations:mine"),
            reverse("evaluations:answer", kwargs=answer),
            reverse("evaluations:school-results", args=[school.pk]),
        ]
        return school_pages + (editing if kind == "ib" else []) + evaluation + account
    if kind == "coordinator":
        return [
            *school_pages,
            reverse("schools:list") + "?gap=vacant",
            reverse("meetings:agenda-template"),
            reverse("dashboard:index"),
            *programme_pages(world),
            report_page(),
            reverse("programme:activity-list") + "?year=" + str(timezone.localdate().year - 1),
            reverse("evaluations:rounds"),
            reverse("evaluations:round-open"),
            reverse("evaluations:moment"),
            reverse("schools:list") + "?team=incomplete&kpo=none",
            *account,
        ]
    return [  # admin
        *school_pages,
        *editing,
        reverse("kpa:person-list"),
        reverse("kpa:person-invite"),
        reverse("kpa:person-deactivate", args=[world.buurtteam.pk]),
        reverse("privacy:inzage-person", args=[world.buurtteam.pk]),
        reverse("privacy:access-log"),
        reverse("privacy:retention"),
        reverse("manage:wijk-list"),
        reverse("manage:wijk-create"),
        reverse("manage:wijk-detail", args=[school.wijk_id]),
        reverse("manage:wijk-update", args=[school.wijk_id]),
        reverse("manage:school-create"),
        reverse("manage:school-update", args=[school.pk]),
        reverse("manage:school-team", args=[school.pk]),
        reverse("manage:school-move", args=[school.pk]),
        reverse("manage:organisation-list"),
        reverse("manage:organisation-create"),
        reverse("manage:handover"),
        reverse("schools:import"),
        *duo_import_pages(world),
        reverse("schools:holiday-import"),
        reverse("schools:heavy-loads"),
        reverse("schools:list") + f"?gemeente={school.gemeente_id}",
        reverse("schools:postcode-areas"),
        reverse("schools:unplaced"),
        reverse("dashboard:index"),
        reverse("dashboard:index") + "?gemeente=all",
        *programme_pages(world),
        report_page(),
        reverse("programme:activity-list"),
        *account,
    ]


def duo_import_pages(world) -> list[str]:
    """A DUO import running in the background (its progress bar) and one done (its result) (issue 15)."""
    running = DuoImportFactory(
        created_by=world.admin, status=DuoImportStatus.RUNNING, rows_total=400, rows_done=100
    )
    done = DuoImportFactory(
        created_by=world.admin,
        status=DuoImportStatus.DONE,
        rows_total=4,
        rows_done=4,
        created_count=4,
        unplaced_count=2,
    )
    return [reverse("schools:import-preview", args=[job.pk]) for job in (running, done)]


def log_in_as(tab, kind: str, world) -> None:
    people = {"ib": world.ib, "partner": world.buurtteam, "coordinator": world.coordinator}
    user = people.get(kind, world.admin)
    tab.log_in(user.email, totp_secret=TOTP_SECRET if kind in ("coordinator", "admin") else None)


@pytest.fixture
def busy_world(world):
    """The world with something on every page: an overdue and an open agreement, an answered log."""
    today = timezone.localdate()
    for owner, days in ((world.leerplicht, -3), (world.ib, 10), (world.buurtteam, 5)):
        Agreement.objects.create(
            school=world.school,
            meeting=world.held_meeting,
            description="Afspraak over de collectieve vraag rond verzuim",
            owner=owner,
            due_date=today + dt.timedelta(days=days),
        )
    return world


@pytest.mark.parametrize("kind", ["ib", "partner", "coordinator", "admin"])
def test_every_page_of_the_menu_meets_wcag_21_aa(open_browser, busy_world, kind):
    world = busy_world
    tab = open_browser()
    log_in_as(tab, kind, world)
    problems = []
    for path in pages_for(kind, world):
        response = tab.page.goto(tab.base_url + path)
        status = response.status if response else None
        assert status == 200, f"{path} answered {status}"
        found = tab.violations()
        if found:
            problems.append(f"{path}:\n{axe.describe(found)}")
    assert not problems, "Accessibility violations:\n" + "\n".join(problems)


def test_the_pages_before_login_meet_wcag_21_aa(open_browser, world):
    tab = open_browser()
    for path in (
        reverse("account_login"),
        reverse("account_reset_password"),
        reverse("kpa:invitation-accept", args=["no-such-token"]),
        reverse("privacy:statement"),
        reverse("privacy:sharing"),
    ):
        tab.visit(path)


@pytest.mark.parametrize("kind", ["ib", "admin"])
def test_every_page_of_the_menu_reflows_at_320_pixels(open_browser, busy_world, kind):
    """WCAG 1.4.10: at 320 CSS pixels wide nothing needs scrolling sideways (wide tables scroll inside
    their own box, which is allowed)."""
    world = busy_world
    tab = open_browser()
    tab.page.set_viewport_size({"width": 320, "height": 640})
    log_in_as(tab, kind, world)
    too_wide = []
    for path in pages_for(kind, world):
        tab.page.goto(tab.base_url + path)
        tab.violations()
        width = tab.page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{path}: {width}px")
    assert not too_wide, f"Pages wider than 320 px: {too_wide}"
