"""Choices found by typing (kpa.widgets.AutocompleteSelect with static/js/autocomplete.js), with the keyboard
only: Tab to the field, type, ArrowDown, Enter, send the form; axe checks the page with the list open too."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.models import Organisation
from tests.conftest import TOTP_SECRET
from tests.e2e import axe


def tab_to(page: Page, element_id: str, most: int = 60) -> None:
    """Press Tab from the start of the main content until the element with `element_id` has the focus."""
    page.locator("#main").focus()
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def assert_no_violations(tab) -> None:
    found = axe.violations(tab.page)
    assert not found, f"Accessibility violations with the list open:\n{axe.describe(found)}"


def test_it_filters_the_roster_by_an_organisation_chosen_with_the_keyboard(open_browser, world):
    tab = open_browser()
    page = tab.log_in(world.coordinator.email, totp_secret=TOTP_SECRET)
    tab.follow("Rooster", exact=True)
    combobox = page.get_by_role("combobox", name="Partnerorganisatie")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    # The label is the combobox's: the same element by its label and by its role.
    expect(page.get_by_label("Partnerorganisatie")).to_have_attribute("role", "combobox")

    tab_to(page, "id_organisation")
    page.keyboard.type("gemeente", delay=20)
    listbox = page.get_by_role("listbox", name="Suggesties")
    expect(listbox.get_by_role("option")).to_have_text(["Gemeente Utrecht"])
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".kpa-autocomplete [role=status]")).to_have_text("1 resultaat")
    assert_no_violations(tab)

    page.keyboard.press("ArrowDown")
    option = listbox.get_by_role("option", name="Gemeente Utrecht")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    assert_no_violations(tab)
    page.keyboard.press("Enter")  # chooses; the form stays
    expect(combobox).to_have_value("Gemeente Utrecht")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    chosen = Organisation.objects.get(name="Gemeente Utrecht")
    expect(page.locator("select[name=organisation]")).to_have_value(str(chosen.pk))

    with page.expect_navigation():
        page.keyboard.press("Enter")  # the list is closed: Enter sends the form
    tab.audit()
    assert f"organisation={chosen.pk}" in page.url
    rows = page.get_by_role("row").filter(has_text=re.compile("OBS|KBS"))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(world.school.name)
    expect(page.get_by_role("combobox", name="Partnerorganisatie")).to_have_value("Gemeente Utrecht")


def test_it_closes_the_list_and_clears_with_escape_and_keeps_the_choice_when_left(open_browser, world):
    tab = open_browser()
    page = tab.log_in(world.coordinator.email, totp_secret=TOTP_SECRET)
    chosen = Organisation.objects.get(name="Lokalis")
    page = tab.visit(reverse("schools:list") + f"?organisation={chosen.pk}")
    combobox = page.get_by_role("combobox", name="Partnerorganisatie")
    expect(combobox).to_have_value("Lokalis")

    tab_to(page, "id_organisation")
    page.keyboard.press("End")
    page.keyboard.type(" xyz", delay=20)
    expect(page.locator(".kpa-autocomplete [role=status]")).to_have_text("Geen resultaten")
    page.keyboard.press("Tab")  # left without choosing: what was chosen stays
    expect(combobox).to_have_value("Lokalis")

    combobox.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("gg", delay=20)
    expect(page.get_by_role("option", name="GGD regio Utrecht")).to_be_visible()
    page.keyboard.press("Escape")  # closes the list
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")  # and then empties the field: no organisation chosen
    expect(combobox).to_have_value("")
    expect(page.locator("select[name=organisation]")).to_have_value("")


def test_it_hands_over_with_people_chosen_by_typing(open_browser, world):
    """The handover's two people among all the country's, with Home/End and ArrowUp on the way."""
    tab = open_browser()
    page = tab.log_in(world.admin.email, totp_secret=TOTP_SECRET)
    page = tab.visit(reverse("manage:handover"))

    tab_to(page, "id_from_person")
    page.keyboard.type("lokalis", delay=20)  # Sanne and Ahmed both work there
    options = page.locator("#id_from_person-listbox").get_by_role("option")
    expect(options).to_have_count(2)
    expect(page.locator("#id_from_person-listbox + [role=status]")).to_have_text("2 resultaten")
    page.keyboard.press("End")  # no option highlighted yet: the caret moves, nothing is chosen
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")  # from the first to the last
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    sanne = next(i for i, text in enumerate(options.all_text_contents()) if text.startswith("Sanne"))
    page.keyboard.press("Home")
    for _ in range(sanne):
        page.keyboard.press("ArrowDown")
    expect(options.nth(sanne)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Vertrekkende persoon")).to_have_value(re.compile("^Sanne de Vries"))

    page.keyboard.press("Tab")  # the help text is no stop: on to the successor
    expect(page.locator(":focus")).to_have_id("id_to_person")
    page.keyboard.type("ahmed", delay=20)
    expect(page.get_by_role("option", name=re.compile("Ahmed El Amrani"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type(timezone.localdate().strftime("%d%m%Y"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.audit()
    preview = page.get_by_role("table")
    expect(preview).to_contain_text(world.school.name)
    expect(preview).to_contain_text(world.other_school.name)
    expect(page.locator("select[name=from_person]")).to_have_value(str(world.buurtteam.pk))
    expect(page.locator("select[name=to_person]")).to_have_value(str(world.successor.pk))
