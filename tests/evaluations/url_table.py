"""Expected answers per role for the evaluations:* URLs, merged into tests/kpa/test_urls.py.

Everyone signed in has the list of what they answer (empty for most). The form of a round and school is
its respondents': the IB-er and the kernpartner of `school` answer; anyone else, coordinators and admins
included, gets 404 (they read results, never someone's answers)."""

from tests.helpers import ROLES

EXPECTED: dict[str, dict[str, object]] = {
    "evaluations:mine": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    "evaluations:answer": {
        "anonymous": "login",
        "ib": 200,
        "partner": 200,
        **dict.fromkeys(ROLES[3:], 404),
    },
    # The coordinator's pages: the rounds (coordinators and admins), opening one (a coordinator of a
    # gemeente; an admin has none), the evaluation moment (the gemeente's city-wide coordinator).
    "evaluations:rounds": {
        "anonymous": "login",
        **dict.fromkeys(ROLES[1:4], 403),
        **dict.fromkeys(ROLES[4:], 200),
    },
    "evaluations:round-open": {
        "anonymous": "login",
        **dict.fromkeys(ROLES[1:4], 403),
        "coordinator": 200,
        "wijk_coordinator": 200,
        "admin": 403,
    },
    "evaluations:moment": {
        "anonymous": "login",
        **dict.fromkeys(ROLES[1:4], 403),
        "coordinator": 200,
        "wijk_coordinator": 403,
        "admin": 403,
    },
    # A school's results: for those who see the school (its team, its coordinators, admins).
    "evaluations:school-results": {
        "anonymous": "login",
        "ib": 200,
        "partner": 200,
        "outsider": 404,
        "coordinator": 200,
        "wijk_coordinator": 404,
        "admin": 200,
    },
}


def objects(school) -> dict[str, dict[str, int]]:
    """A round open today that asks `school`."""
    import datetime as dt

    from django.utils import timezone

    from evaluations.services import open_round
    from schools.models import School

    today = timezone.localdate()
    round_ = open_round(
        school.gemeente,
        today.year,
        School.objects.filter(pk=school.pk),
        today - dt.timedelta(days=1),
        today + dt.timedelta(days=10),
    )
    return {"evaluations:answer": {"round_pk": round_.pk, "school_pk": school.pk}}
