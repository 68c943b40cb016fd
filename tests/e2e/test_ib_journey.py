"""The IB-er's journey: log in, plan the next KPO, log yesterday's with an agreement, and be refused,
without losing the form, when a BSN is typed; then correct the agreement and the agenda of one meeting."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Agreement, Meeting, MeetingStatus
from meetings.services import AgreementInput, meeting_log_save

VALID_BSN = "111222333"  # passes the 11-proef; no real person's
MINUTES = "Twee collectieve vragen besproken; verzuim neemt toe in groep 7."
WITH_BSN = f"Ouders van leerling {VALID_BSN} bellen over verzuim"
WITHOUT_BSN = "Ouders uitnodigen voor een gesprek over verzuim in groep 7"


def next_weekday(days_ahead: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def test_it_plans_the_next_kpo(open_browser, world):
    tab = open_browser()
    page = tab.log_in(world.ib.email)
    tab.expect_heading("Mijn school")
    expect(page.get_by_text("Welkom, Inge")).to_be_visible()
    tab.follow(world.school.name)
    tab.follow("KPO plannen")
    day = next_weekday(14)
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Begintijd").fill("09:00")
    page.get_by_label("Plaats").fill("Teamkamer")
    tab.submit("Plannen", exact=True)

    expect(page.get_by_role("status")).to_contain_text("gepland")
    planned = Meeting.objects.filter(school=world.school, status=MeetingStatus.PLANNED).latest("starts_at")
    assert timezone.localtime(planned.starts_at).date() == day
    assert timezone.localtime(planned.starts_at).hour == 9
    assert planned.invitees.count() == 5  # the IB-er and the four kernpartners


def test_it_logs_a_meeting_with_an_agreement_and_refuses_a_bsn_without_losing_the_form(open_browser, world):
    tab = open_browser()
    page = tab.log_in(world.ib.email)
    tab.visit(f"/meetings/{world.held_meeting.pk}/")
    tab.follow("Overleg vastleggen")

    # "Iedereen aanwezig" marks everyone not recorded yet as present, in the browser (static/js).
    jgz = page.get_by_role("group", name=str(world.jgz))
    jgz.get_by_label("Aanwezigheid").select_option(label="Afwezig")
    page.get_by_role("button", name="Iedereen aanwezig").click()
    expect(page.get_by_role("status").first).to_contain_text("staat nu op aanwezig")
    leerplicht = page.get_by_role("group", name=str(world.leerplicht))
    expect(leerplicht.get_by_label("Aanwezigheid")).to_have_value("present")
    expect(jgz.get_by_label("Aanwezigheid")).to_have_value("absent")  # what was filled in stays
    # "Vervangen door" appears only for someone who was replaced.
    expect(jgz.get_by_label("Vervangen door")).to_be_hidden()
    jgz.get_by_label("Aanwezigheid").select_option(label="Vervangen")
    expect(jgz.get_by_label("Vervangen door")).to_be_visible()
    jgz.get_by_label("Aanwezigheid").select_option(label="Aanwezig")
    expect(jgz.get_by_label("Vervangen door")).to_be_hidden()
    minutes = page.get_by_role("textbox", name="Notulen")
    minutes.fill(MINUTES)
    absence = page.get_by_role("spinbutton", name="Verzuim en thuiszitters")
    absence.fill("3")
    page.get_by_role("spinbutton", name="Gezondheid").fill("1")
    agreement = page.get_by_role("group", name="Nieuwe afspraak 1")
    description = agreement.get_by_role("textbox", name="Afspraak")
    description.fill(WITH_BSN)
    agreement.get_by_label("Eigenaar").select_option(label=f"{world.leerplicht} (Leerplichtambtenaar)")
    due = timezone.localdate() + dt.timedelta(days=21)
    agreement.get_by_label("Uiterlijk klaar op").fill(due.isoformat())
    tab.submit("Opslaan en afronden")

    # Refused: a clear Dutch message at the field, nothing saved, everything typed still there. The focus
    # is on the error summary at the top, whose link leads to the field.
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("Er is niets opgeslagen")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Nieuwe afspraak 1: Afspraak").click()
    expect(description).to_be_focused()
    expect(description).to_have_value(WITH_BSN)
    expect(agreement).to_contain_text("BSN")
    expect(absence).to_have_value("3")
    expect(minutes).to_have_value(MINUTES)
    expect(jgz.get_by_label("Aanwezigheid")).to_have_value("present")
    assert not Agreement.objects.exists()
    world.held_meeting.refresh_from_db()
    assert world.held_meeting.logged_at is None and world.held_meeting.minutes == ""

    description.fill(WITHOUT_BSN)
    tab.submit("Opslaan en afronden")

    expect(page.get_by_role("status")).to_contain_text("opgeslagen en afgerond")
    saved = Agreement.objects.get()
    assert (saved.description, saved.owner, saved.due_date) == (WITHOUT_BSN, world.leerplicht, due)
    world.held_meeting.refresh_from_db()
    assert world.held_meeting.is_logged
    assert world.held_meeting.casework_counts.get(theme="verzuim").count == 3


def test_it_corrects_an_agreement_and_changes_the_agenda_of_one_meeting(open_browser, world):
    meeting = world.held_meeting
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes="",
        casework={},
        new_questions=[],
        new_agreements=[AgreementInput(WITHOUT_BSN, world.leerplicht, next_weekday(14))],
    )
    tab = open_browser()
    page = tab.log_in(world.ib.email)
    tab.visit(f"/meetings/{meeting.pk}/log/")

    # The owner was mistyped: correct it on the agreement's own page.
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Wijzigen of verwijderen.*Ouders uitnodigen")).click()
    tab.audit()
    page.get_by_label("Eigenaar").select_option(label=f"{world.jgz} (Jeugdgezondheidszorg (JGZ))")
    tab.submit("Opslaan", exact=True)
    expect(page.get_by_role("status").first).to_contain_text("De afspraak is gewijzigd")
    assert Agreement.objects.get().owner == world.jgz

    # An extra item on the agenda of this meeting only.
    tab.follow("Agenda van dit overleg aanpassen")
    page.get_by_label("Nieuw agendapunt").fill("Kennismaking nieuwe wijkagent")
    tab.submit("Op de agenda zetten")
    expect(page.get_by_role("status")).to_contain_text("staat nu op de agenda")
    assert meeting.agenda_items.order_by("position").last().title == "Kennismaking nieuwe wijkagent"
