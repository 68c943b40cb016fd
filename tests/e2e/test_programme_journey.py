"""The coordinator's programme journey: from the menu to action line 4, add an activity (a BSN in its
description is refused and nothing typed is lost), post a progress update with a traffic light and a
measured value, see it on the activity's timeline, the line page and the dashboard (whose line links back
to the line page), and download the progress report."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from programme.models import Activity
from programme.services import utrecht_programme_ensure
from tests.conftest import TOTP_SECRET


def test_a_coordinator_adds_an_activity_and_posts_its_progress(open_browser, world):
    programme = utrecht_programme_ensure()
    tab = open_browser()
    page = tab.log_in(world.coordinator.email, totp_secret=TOTP_SECRET)
    tab.follow("Programma", exact=True)
    tab.follow(programme.title)
    tab.follow("4. Versterken van de kernpartnersamenwerking in de wijk")
    tab.follow("Nieuwe activiteit")

    page.get_by_label("Titel").fill("Lerend netwerk West")
    page.get_by_label("Speerpunt").select_option(
        label="Optimaliseren van de wijkgroepjes KP en Lerende Netwerken"
    )
    page.get_by_label("Omschrijving").fill("Leerling 123456782 bespreken")
    page.get_by_label("Status").select_option(label="Loopt")
    page.get_by_label("Wijken").select_option(label="West")
    page.get_by_label("Indicatoren").fill("Deelnemende scholen")
    tab.submit("Opslaan")
    expect(page.get_by_role("main")).to_contain_text("lijkt op een BSN")
    expect(page.get_by_label("Titel")).to_have_value("Lerend netwerk West")
    expect(page.get_by_label("Indicatoren")).to_have_value("Deelnemende scholen")
    assert not Activity.objects.exists()

    page.get_by_label("Omschrijving").fill("Scholen en kernpartners in West leren samen.")
    tab.submit("Opslaan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lerend netwerk West")

    tab.follow("Nieuwe voortgangsupdate")
    page.get_by_label("Tekst").fill("Eerste bijeenkomst met drie scholen gehouden.")
    page.get_by_label("PDCA-fase").select_option(label="Do")
    page.get_by_label("Stoplicht").select_option(label="Risico")
    page.get_by_label("Indicator", exact=True).select_option(label="Deelnemende scholen")
    page.get_by_label("Gemeten waarde").fill("3")
    page.get_by_label("Succes").check()
    tab.submit("Opslaan")
    timeline = page.get_by_role("main")
    expect(timeline).to_contain_text("Eerste bijeenkomst met drie scholen gehouden.")
    expect(timeline).to_contain_text("Risico")
    expect(timeline).to_contain_text("Deelnemende scholen: 3")

    tab.follow("Actielijn 4")
    expect(page.get_by_role("main")).to_contain_text("Lerend netwerk West")
    expect(page.get_by_role("main")).to_contain_text("Risico")

    # The dashboard's programme section counts it (this school year's column first) and links to the line.
    tab.follow("Dashboard", exact=True)
    line4 = "4. Versterken van de kernpartnersamenwerking in de wijk"
    by_line = page.locator('table[aria-labelledby="table-activities-line"]')
    expect(by_line.get_by_role("row", name=line4).get_by_role("cell").first).to_have_text("1")
    lights = page.locator('table[aria-labelledby="table-traffic-lights"]')
    expect(lights.get_by_role("row", name="Risico").get_by_role("cell").first).to_have_text("1")
    expect(lights.get_by_role("row", name="Op koers").get_by_role("cell").first).to_have_text("0")
    with page.expect_navigation():
        by_line.get_by_role("link", name=line4).click()
    tab.audit()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versterken van de kernpartnersamenwerking")

    tab.visit(reverse("programme:report", args=[programme.pk]))
    expect(page.get_by_role("main")).to_contain_text("Lerend netwerk West")
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
