"""Benchmark of form rendering: the log page of a meeting with 7 invitees, rendered through the test client.

The log page is KPA's most field-heavy page (attendance rows, minutes, casework counts, questions, new
agreements: 37 fields with 7 invitees). It prints milliseconds per render of that page, averaged over
--renders renders after a few warm-up renders, in three variants:

- "flat crispy": as KPA renders it, crispy-forms with the flat field template in templates/bootstrap5/;
- "stock crispy": the same page with templates/bootstrap5/ hidden, so crispy-bootstrap5's own nested
  field templates render every field (what the flat template replaced);
- "with errors": a POST that refuses the log (a bad casework count, half a new agreement), so the error
  branches of the field template render too.

The database is a throwaway SQLite file in var/bench/. The page itself does the same queries in each
variant; the difference between the first two lines is template rendering only.

    uv run python -m benchmarks.forms [--renders 50]

Before the flat template, the log page rendered its fields with a custom tag, {% form_field %}, because
stock crispy was too slow for it. Measured back to back on a shared 2-core machine (load 2-6, CPU ms,
median of 50): the page with {% form_field %} 92-107 ms, with the flat crispy template 125 ms, with
crispy-bootstrap5's own templates 150-185 ms. The flat path takes a third off stock crispy but is not yet
as fast as {% form_field %} was (the target); see the report of issue 11.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from django.template.loaders.filesystem import Loader as FilesystemLoader

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
INVITEES = 7
WARM_UP = 5


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpa.settings")
    os.environ["KPA_TESTING"] = "1"  # no secrets needed, local-memory cache
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        sys.exit("benchmarks.forms runs on SQLite only (unset DATABASE_URL).")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database["TEST"]["NAME"] = str(BENCH_DIR / "forms.sqlite3")


def build():
    """A school whose team is 7 people (two IB-ers, a school leader, the four kernpartners), and
    yesterday's KPO, to which they are all invited. Returns (meeting, the IB-er who logs it)."""
    from django.utils import timezone

    from meetings.services import meeting_schedule
    from partners.models import Role
    from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

    school = SchoolFactory(name="OBS De Zonnewijzer")
    roles = [Role.IB, Role.IB, Role.SCHOOLLEIDER, Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS]
    roles.append(Role.LEERPLICHT)
    people = []
    for number, role in enumerate(roles[:INVITEES]):
        person = UserFactory(email=f"person{number}@example.org", first_name=f"Persoon{number}")
        AssignmentFactory(person=person, school=school, role=role)
        people.append(person)
    meeting = meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))
    if meeting.invitees.count() != INVITEES:
        raise RuntimeError(f"{meeting.invitees.count()} invitees instead of {INVITEES}")
    return meeting, people[0]


def bad_log(meeting) -> dict[str, str]:
    """A POST of the whole log page that is refused: a casework count that is not a number and a new
    agreement without an owner or a date."""
    from meetings.forms_log import NEW_AGREEMENT_ROWS, NEW_QUESTION_ROWS
    from meetings.models import CaseworkTheme

    data = {"action": "save", "minutes": "Aanpak verzuim besproken."}
    for invitee in meeting.invitees.all():
        data[f"attendance-{invitee.pk}-state"] = invitee.attendance
        data[f"attendance-{invitee.pk}-replaced_by"] = ""
    for theme in CaseworkTheme.values:
        data[f"casework_{theme}"] = "veel"
    for n in range(1, NEW_QUESTION_ROWS + 1):
        data[f"question-{n}-text"] = ""
    for n in range(1, NEW_AGREEMENT_ROWS + 1):
        for name in ("description", "owner", "due_date", "action_line"):
            data[f"agreement-{n}-{name}"] = ""
    data["agreement-1-description"] = "Contact opnemen met leerplicht"
    return data


def time_renders(variants, renders: int, block: int = 10) -> dict[str, list[float]]:
    """CPU milliseconds of this process per call of each variant's request (which must answer 200). The
    variants take turns in blocks of `block` calls, each block after a few warm-up calls, so a busy
    machine slows them alike; CPU time rather than wall time, as the machine may be shared."""
    times: dict[str, list[float]] = {name: [] for name, _request, _context in variants}
    while any(len(measured) < renders for measured in times.values()):
        for name, request, context in variants:
            with context():
                for call in range(WARM_UP + min(block, renders - len(times[name]))):
                    started = time.process_time()
                    response = request()
                    elapsed = (time.process_time() - started) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"{name}: {response.status_code} instead of 200")
                    if call >= WARM_UP:
                        times[name].append(elapsed)
    return times


@contextlib.contextmanager
def stock_crispy_templates():
    """Settings under which templates/bootstrap5/ is not found, so crispy-bootstrap5's templates are."""
    from crispy_forms.templatetags import crispy_forms_filters
    from django.conf import settings
    from django.test import override_settings

    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "loaders": [
            (
                "django.template.loaders.cached.Loader",
                ["benchmarks.forms.NoOverridesLoader", "django.template.loaders.app_directories.Loader"],
            )
        ],
    }
    crispy_forms_filters.uni_form_template.cache_clear()  # it keeps the template of the engine it met
    with override_settings(TEMPLATES=templates):
        yield
    crispy_forms_filters.uni_form_template.cache_clear()


class NoOverridesLoader(FilesystemLoader):
    """templates/ without KPA's overrides of crispy-bootstrap5 (templates/bootstrap5/)."""

    def get_template_sources(self, template_name):
        if template_name.startswith("bootstrap5/"):
            return
        yield from super().get_template_sources(template_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50)
    args = parser.parse_args(argv)

    configure()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        meeting, ib = build()
        client = Client()
        client.force_login(ib)
        url = reverse("meetings:log", args=[meeting.pk])
        bad = bad_log(meeting)
        fields = client.get(url).content.decode().count('id="div_id_')
        print(
            f"Log page of a meeting with {INVITEES} invitees ({fields} fields in crispy's markup), "
            f"CPU ms per render over {args.renders} renders (blocks of 10, each after {WARM_UP} warm-up):"
        )
        variants = [
            ("flat crispy (templates/bootstrap5/)", lambda: client.get(url), contextlib.nullcontext),
            ("stock crispy-bootstrap5 templates", lambda: client.get(url), stock_crispy_templates),
            ("flat crispy, POST with errors", lambda: client.post(url, bad), contextlib.nullcontext),
        ]
        for name, times in time_renders(variants, args.renders).items():
            print(
                f"  {name:<40} mean {statistics.mean(times):6.1f} ms   "
                f"median {statistics.median(times):6.1f} ms   min {min(times):6.1f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
