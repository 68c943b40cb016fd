"""Expected answers per role for the meetings:* URLs of views_log, merged into tests/kpa/test_urls.py.

The log is written by the school's IB-er and admins; others who see the school read it elsewhere (403),
and out of scope it does not exist (404). Marking an agreement done is POST only: the scope check comes
first (404), then the method (405 for a GET in scope)."""

ROLES = ("anonymous", "ib", "partner", "outsider", "coordinator", "wijk_coordinator", "admin")

EXPECTED: dict[str, dict[str, object]] = {
    "meetings:log": {
        "anonymous": "login",
        "ib": 200,
        "partner": 403,
        "outsider": 404,
        "coordinator": 403,
        "wijk_coordinator": 404,
        "admin": 200,
    },
    "meetings:my-agreements": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    "meetings:agreement-done": {
        "anonymous": "login",
        "ib": 405,
        "partner": 405,
        "outsider": 404,
        "coordinator": 405,
        "wijk_coordinator": 404,
        "admin": 405,
    },
    "meetings:agenda-template": {
        "anonymous": "login",
        **dict.fromkeys(("ib", "partner", "outsider"), 403),
        **dict.fromkeys(("coordinator", "wijk_coordinator", "admin"), 200),
    },
}
