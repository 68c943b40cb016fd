"""Expected answers per role for the programme:* URLs, merged into tests/kpa/test_urls.py.

The URL walk opens Utrecht's PO programme, its line 4 and a city-wide activity on it (`objects`). The
programme is the coordinators': school staff and kernpartners get 403 on the list and 404 on a page of it;
Utrecht's city-wide coordinator and admins read and write; the wijk coordinator reads and adds activities,
but changes neither the lines nor a city-wide activity (403)."""

from tests.helpers import ROLES

LIST = {"anonymous": "login", **dict.fromkeys(ROLES[1:4], 403), **dict.fromkeys(ROLES[4:], 200)}
READ = {"anonymous": "login", **dict.fromkeys(ROLES[1:4], 404), **dict.fromkeys(ROLES[4:], 200)}
WRITE = {**READ, "wijk_coordinator": 403}

EXPECTED: dict[str, dict[str, object]] = {
    "programme:list": LIST,
    "programme:create": {**LIST, "wijk_coordinator": 403},
    "programme:detail": READ,
    "programme:line-create": WRITE,
    "programme:line-detail": READ,
    "programme:line-update": WRITE,
    "programme:activity-create": READ,
    "programme:activity-detail": READ,
    "programme:activity-update": WRITE,
    "programme:update-create": WRITE,
}


def objects() -> dict[str, dict[str, int]]:
    """Utrecht's programme (the fixtures made gemeente 0344), line 4 and a city-wide activity: URL kwargs
    by URL name."""
    from programme.services import utrecht_programme_ensure
    from tests.programme.factories import ActivityFactory

    programme = utrecht_programme_ensure()
    line = programme.lines.get(number=4)
    activity = ActivityFactory(line=line, citywide=True)
    return {
        "programme:detail": {"pk": programme.pk},
        "programme:line-create": {"pk": programme.pk},
        "programme:line-detail": {"pk": line.pk},
        "programme:line-update": {"pk": line.pk},
        "programme:activity-create": {"pk": line.pk},
        "programme:activity-detail": {"pk": activity.pk},
        "programme:activity-update": {"pk": activity.pk},
        "programme:update-create": {"pk": activity.pk},
    }


# The voortgangsrapportage (programme/views_report.py): read like the programme page it belongs to.
EXPECTED |= {"programme:report": READ, "programme:report-xlsx": READ}
_objects_without_report = objects


def objects() -> dict[str, dict[str, int]]:  # the one above, with the report's URLs
    found = _objects_without_report()
    programme = found["programme:detail"]
    return found | {"programme:report": programme, "programme:report-xlsx": programme}


# Correcting and removing a progress update: written like adding one (WRITE), on an update of the activity.
EXPECTED |= {"programme:update-update": WRITE, "programme:update-delete": WRITE}
_objects_without_update_edit = objects


def objects() -> dict[str, dict[str, int]]:  # the ones above, with an update of the activity
    from programme.models import Activity
    from tests.programme.factories import ProgressUpdateFactory

    found = _objects_without_update_edit()
    activity = Activity.objects.get(pk=found["programme:activity-detail"]["pk"])
    update = ProgressUpdateFactory(activity=activity)
    return found | {
        "programme:update-update": {"pk": update.pk},
        "programme:update-delete": {"pk": update.pk},
    }


# The activity list behind the dashboard's programme figures: a list like the programme list (LIST).
EXPECTED |= {"programme:activity-list": LIST}
