"""The kernpartner's journey: the owner of an agreement finds it in "Mijn afspraken" and marks it done."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Agreement, AgreementStatus


def test_it_shows_the_owner_their_agreement_and_marks_it_done(open_browser, world):
    agreement = Agreement.objects.create(
        school=world.school,
        meeting=world.held_meeting,
        description="Huisbezoek plannen met de ouders over verzuim in groep 7",
        owner=world.leerplicht,
        due_date=timezone.localdate() - dt.timedelta(days=2),
    )
    tab = open_browser()
    page = tab.log_in(world.leerplicht.email)
    tab.expect_heading("Mijn scholen")
    tab.follow("Mijn afspraken", exact=True)

    item = page.get_by_role("listitem").filter(has_text=agreement.description)
    expect(item).to_contain_text("te laat")
    expect(item).to_contain_text(world.school.name)
    item.get_by_label("Notitie (optioneel)").fill("Gesprek gevoerd, vervolg via het buurtteam")
    with page.expect_navigation():
        item.get_by_role("button", name="Afronden").click()
    tab.audit()

    expect(page.get_by_role("status")).to_contain_text("afgerond")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE
    assert agreement.done_note == "Gesprek gevoerd, vervolg via het buurtteam"
    expect(page.get_by_role("heading", name="0 openstaande afspraken")).to_be_visible()


def test_it_keeps_another_partners_agreement_out_of_my_list(open_browser, world):
    Agreement.objects.create(
        school=world.school,
        meeting=world.held_meeting,
        description="Alleen voor de leerplichtambtenaar",
        owner=world.leerplicht,
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    tab = open_browser()
    page = tab.log_in(world.jgz.email)
    tab.follow("Mijn afspraken", exact=True)
    expect(page.get_by_role("main")).not_to_contain_text("Alleen voor de leerplichtambtenaar")
