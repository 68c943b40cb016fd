"""Expected answers per role for the meetings:* URLs of views_plan, merged into tests/kpa/test_urls.py.

The URL walk opens detail, update and cancel on a planned meeting of `school`. Out of scope of that school
(`outsider`, `wijk_coordinator`) answers 404; in scope but not its IB-er (`partner`, `coordinator`) may
read, and answers 403 on the planning pages; the IB-er and admins plan."""

from tests.helpers import ROLES

READ_IN_SCOPE = {
    "anonymous": "login",
    "ib": 200,
    "partner": 200,
    "outsider": 404,
    "coordinator": 200,
    "wijk_coordinator": 404,
    "admin": 200,
}
PLAN_IN_SCOPE = {**READ_IN_SCOPE, "partner": 403, "coordinator": 403}

EXPECTED: dict[str, dict[str, object]] = {
    "meetings:list": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    "meetings:plan": PLAN_IN_SCOPE,
    "meetings:detail": READ_IN_SCOPE,
    "meetings:update": PLAN_IN_SCOPE,
    "meetings:cancel": PLAN_IN_SCOPE,
}
