"""The coordinator's journey: log in with the authenticator app, filter the roster to the schools with
a vacancy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TOTP_SECRET


def test_it_filters_the_roster_to_schools_with_a_vacancy(open_browser, world):
    tab = open_browser()
    page = tab.log_in(world.coordinator.email, totp_secret=TOTP_SECRET)
    tab.follow("Rooster", exact=True)
    roster = page.get_by_role("main")
    expect(roster).to_contain_text(world.school.name)
    expect(roster).to_contain_text(world.other_school.name)

    page.get_by_label("Onbezette rol").select_option(label="Leerplichtambtenaar")
    tab.submit("Filteren")

    expect(page.get_by_role("table")).to_contain_text(world.other_school.name)
    expect(page.get_by_role("table")).not_to_contain_text(world.school.name)
    assert "missing_role=leerplicht" in page.url
