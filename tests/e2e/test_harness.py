"""The checks every journey leans on really catch what they are for."""

from __future__ import annotations

from tests.e2e import axe


def test_it_finds_wcag_violations(open_browser):
    tab = open_browser()
    tab.page.set_content(
        '<html lang="nl"><body><main><h1>Test</h1><img src="x.png">'
        '<p style="color:#aaa;background:#fff">te licht</p><input type="text"></main></body></html>'
    )
    found = {violation["id"] for violation in axe.violations(tab.page)}
    assert {"image-alt", "color-contrast", "label"} <= found


def test_it_passes_a_page_that_meets_wcag(open_browser):
    tab = open_browser()
    tab.page.set_content(
        '<html lang="nl"><head><title>Test</title></head><body><main><h1>Test</h1>'
        '<label for="naam">Naam</label><input id="naam" type="text"></main></body></html>'
    )
    assert axe.violations(tab.page) == []


def test_it_records_a_content_security_policy_violation_as_a_console_error(open_browser):
    tab = open_browser()
    tab.page.set_content(
        '<html lang="nl"><head><meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'
        "</head><body><script>document.title = 'inline';</script></body></html>"
    )
    assert any("Content Security Policy" in error for error in tab.console_errors)
    tab.console_errors.clear()  # this test's page is meant to break the policy
