"""The administrator's journey: hand over all of a leaving kernpartner's schools to a successor, then see
the successor on the roster."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Assignment, Role
from tests.conftest import TOTP_SECRET


def test_it_hands_over_a_partners_schools_and_the_roster_shows_the_successor(open_browser, world):
    tab = open_browser()
    page = tab.log_in(world.admin.email, totp_secret=TOTP_SECRET)
    tab.follow("Wijken en scholen", exact=True)
    tab.follow("Overdracht", exact=True)
    # Both people are found by typing (the autocomplete: tests/e2e/test_autocomplete.py).
    page.get_by_label("Vertrekkende persoon").fill("sanne")
    page.get_by_role("option", name=re.compile(str(world.buurtteam))).click()
    page.get_by_label("Opvolger").fill("ahmed")
    page.get_by_role("option", name=re.compile(str(world.successor))).click()
    page.get_by_label("Vanaf").fill(timezone.localdate().isoformat())
    tab.submit("Toon wat er verandert")

    preview = page.get_by_role("table")
    expect(preview).to_contain_text(world.school.name)
    expect(preview).to_contain_text(world.other_school.name)
    # A preview changes nothing.
    assert not Assignment.objects.active().filter(person=world.successor).exists()
    tab.submit("Bevestig de overdracht (2 toewijzingen)")

    # The page's message (each autocomplete has a status region of its own for its result count).
    expect(page.locator(".messages[role=status]")).to_contain_text(str(world.successor))
    active = Assignment.objects.active().filter(role=Role.BUURTTEAM)
    assert {a.person for a in active} == {world.successor}

    tab.follow("Rooster", exact=True)
    row = page.get_by_role("row").filter(has_text=world.school.name)
    expect(row).to_contain_text(str(world.successor))
    expect(row).not_to_contain_text(str(world.buurtteam))
