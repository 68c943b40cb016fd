"""Expected answers per role for the meetings:* URLs of views_log and views_log_edit, merged into
tests/kpa/test_urls.py.

The log is written by the school's IB-er and admins; others who see the school read it elsewhere (403),
and out of scope it does not exist (404); the same holds for correcting what a log recorded and for the
agenda of one meeting. Marking an agreement done is POST only: the scope check comes
first (404), then the method (405 for a GET in scope)."""

from tests.helpers import ROLES

# Who may log a meeting, and so correct what it recorded and change its agenda.
LOGGERS = {
    "anonymous": "login",
    "ib": 200,
    "partner": 403,
    "outsider": 404,
    "coordinator": 403,
    "wijk_coordinator": 404,
    "admin": 200,
}

EXPECTED: dict[str, dict[str, object]] = {
    "meetings:log": LOGGERS,
    # Corrections: the edit pages, and the removal pages, which ask first (GET never removes anything).
    "meetings:agenda-update": LOGGERS,
    "meetings:agenda-item-delete": LOGGERS,
    "meetings:agreement-update": LOGGERS,
    "meetings:agreement-delete": LOGGERS,
    "meetings:question-update": LOGGERS,
    "meetings:question-delete": LOGGERS,
    "meetings:my-agreements": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    # Everyone signed in sees the questions of the schools in their own scope (none: an empty list).
    "meetings:questions": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    # Everyone's agreements at the schools in one's own scope (none: an empty list).
    "meetings:agreements-list": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
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
