"""Expected answers per role for the dashboard:* URLs (front/views_dashboard.py), merged into
tests/kpa/test_urls.py. Like the other coordinator pages (the roster's exports, the agenda template): 403
for IB-ers and kernpartners, each coordinator and admin 200 (the figures of their own scope)."""

from tests.helpers import ROLES

COORDINATION = {"anonymous": "login", **dict.fromkeys(ROLES[1:4], 403), **dict.fromkeys(ROLES[4:], 200)}

EXPECTED: dict[str, dict[str, object]] = {
    "dashboard:index": COORDINATION,
    "schools:heavy-loads": COORDINATION,
    "dashboard:export-xlsx": COORDINATION,
    # front/views_privacy.py: the register for everyone signed in (each sees the gemeenten of their scope),
    # the privacy statement and the help on free text for anyone, before login too.
    "privacy:register": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    "privacy:statement": dict.fromkeys(ROLES, 200),
    "privacy:sharing": dict.fromkeys(ROLES, 200),
}
