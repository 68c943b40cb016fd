"""A newcomer's journey: an administrator invites a new coordinator, who opens the link in the mail,
chooses a password, logs in and sets up the authenticator app before anything else, in one straight
path: no second password prompt, and the recovery codes lead on to the start page."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import expect

from kpa.models import User
from tests.conftest import TOTP_SECRET, totp_code

NEW_PASSWORD = "zonnebloem-tulp-2027"


def test_it_takes_a_newcomer_from_invitation_to_mfa(open_browser, world):
    admin = open_browser()
    page = admin.log_in(world.admin.email, totp_secret=TOTP_SECRET)
    admin.follow("Personen", exact=True)
    admin.follow("Iemand uitnodigen")
    page.get_by_label("E-mailadres").fill("nadia@utrecht.example")
    page.get_by_label("Voornaam").fill("Nadia")
    page.get_by_label("Achternaam").fill("Bouzid")
    page.get_by_label("Soort gebruiker").select_option(value="coordinator")
    page.get_by_label("Gemeente").select_option(label="Utrecht")
    admin.submit("Uitnodiging versturen")
    expect(page.get_by_role("status")).to_contain_text("nadia@utrecht.example")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]

    newcomer = open_browser()
    page = newcomer.visit(path)
    newcomer.expect_heading("Welkom bij KPA")
    page.get_by_label("Nieuw wachtwoord").first.fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord bevestigen").fill(NEW_PASSWORD)
    newcomer.submit("Wachtwoord instellen")
    expect(page.get_by_role("status")).to_contain_text("wachtwoord")

    newcomer.log_in("nadia@utrecht.example", password=NEW_PASSWORD)
    # A coordinator is sent to set up the authenticator app before anything else, with a word on why;
    # having just typed the password, they are not asked for it again.
    expect(page.get_by_role("status")).to_contain_text("tweede stap")
    newcomer.expect_heading("Activeer authenticator-app")
    newcomer.visit("/schools/")
    newcomer.expect_heading("Activeer authenticator-app")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code uit de app").fill(totp_code(secret))
    newcomer.submit("Activeer")

    user = User.objects.get(email="nadia@utrecht.example")
    assert user.authenticator_set.filter(type="totp").exists()
    # The recovery codes come next, and from there the way on leads to the coordinator's start page.
    newcomer.expect_heading("Herstelcodes")
    newcomer.follow("Verder", exact=True)
    newcomer.expect_heading("Overzicht Utrecht")
