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
# The results per wijk and city by role: coordinators (a wijk coordinator their wijk) and admins.
EXPECTED["evaluations:area-results"] = EXPECTED["evaluations:rounds"]
# Its download and printable page: the same people as the page.
EXPECTED["evaluations:school-results-xlsx"] = EXPECTED["evaluations:school-results"]
EXPECTED["evaluations:school-results-print"] = EXPECTED["evaluations:school-results"]
# The questionnaire versions: the gemeente's city-wide coordinator, as the evaluation moment; making a
# version is POST only (the role check first, 403, then the method, 405).
EXPECTED["evaluations:questionnaire-list"] = EXPECTED["evaluations:moment"]
EXPECTED["evaluations:questionnaire-update"] = EXPECTED["evaluations:moment"]
EXPECTED["evaluations:questionnaire-create"] = {**EXPECTED["evaluations:moment"], "coordinator": 405}
# Planning the conversation and making an agreement from a result: whoever plans the school's meetings
# (its IB-er, admins); the rest of the team and its coordinators read the results only.
EXPECTED["evaluations:followup-plan"] = {
    **EXPECTED["evaluations:school-results"],
    "partner": 403,
    "coordinator": 403,
}
EXPECTED["evaluations:followup-agreement"] = EXPECTED["evaluations:followup-plan"]


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
    # A version of the school's gemeente that no round uses yet (the round above asks the default).
    from evaluations.services import current_version, new_version

    version = new_version(current_version(school.gemeente), school.gemeente)
    return {
        "evaluations:answer": {"round_pk": round_.pk, "school_pk": school.pk},
        "evaluations:questionnaire-update": {"pk": version.pk},
        **followup_objects(school),
    }


def followup_objects(school) -> dict[str, dict[str, object]]:
    """A round of this school year that has closed, and one of its statements."""
    import datetime as dt

    from django.utils import timezone

    from evaluations.models import ItemKind, Round
    from evaluations.services import default_version
    from schools.years import school_year_start

    today = timezone.localdate()
    year = school_year_start(today).year
    closed = Round.objects.create(
        gemeente=school.gemeente,
        school_year=year,
        version=default_version(),  # not the gemeente's own: that one is still to be edited
        opens_on=today - dt.timedelta(days=3),
        closes_on=today - dt.timedelta(days=2),
    )
    closed.schools.add(school)
    key = closed.version.items.filter(kind=ItemKind.STATEMENT).order_by("order").first().key
    kwargs = {"school_pk": school.pk, "year": year}
    return {
        "evaluations:followup-plan": kwargs,
        "evaluations:followup-agreement": {**kwargs, "key": key},
    }
