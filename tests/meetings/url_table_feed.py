"""Expected answers per role for the meetings:* URLs of views_feed, merged into tests/kpa/test_urls.py."""

from tests.helpers import ROLES

EXPECTED: dict[str, dict[str, object]] = {
    # Everyone signed in has a personal feed and its settings page.
    "meetings:calendar": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    # The feed (the partner's token): calendar apps cannot log in, so the token alone opens it, for anyone.
    "meetings:feed": dict.fromkeys(ROLES, 200),
    # The .ics of a meeting at `school`: only for those who see that school.
    "meetings:ics": {
        "anonymous": "login",
        "ib": 200,
        "partner": 200,
        "outsider": 404,
        "coordinator": 200,
        "wijk_coordinator": 404,
        "admin": 200,
    },
}
