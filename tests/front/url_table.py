"""Expected answers per role for the dashboard:* URLs (front/views_dashboard.py), merged into
tests/kpa/test_urls.py. Like the other coordinator pages (the roster's exports, the agenda template): 403
for IB-ers and kernpartners, each coordinator and admin 200 (the figures of their own scope)."""

from tests.helpers import ROLES

COORDINATION = {"anonymous": "login", **dict.fromkeys(ROLES[1:4], 403), **dict.fromkeys(ROLES[4:], 200)}

EXPECTED: dict[str, dict[str, object]] = {
    "dashboard:index": COORDINATION,
    "dashboard:export-xlsx": COORDINATION,
}
