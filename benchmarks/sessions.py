"""Signed-in sessions for the load bench, written as JSON for the locust users (benchmarks.locustfile).

Why not log in through the forms: coordinators and admins log in with a TOTP code, and login is rate
limited per IP (all bench users come from 127.0.0.1). A session made here is what a real login leaves
behind: the auth keys, the hash of the password (so the session is valid for SECRET_KEY of the server, which
must therefore be the same in this process) and kpa.middleware's login time.

    DATABASE_URL=... SECRET_KEY=... python -m benchmarks.sessions --out var/bench/sessions.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path


def _session(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from kpa.middleware import LOGIN_AT_SESSION_KEY

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT_SESSION_KEY] = time.time()
    store.create()
    return store.session_key or ""


def _log_form(meeting) -> dict[str, str]:
    """What the IB-er sends from the log page: attendance, minutes and casework counts as they stand, with
    the minutes reworded (so the save writes), and "save" (not "finish": the log stays open)."""
    from meetings.forms_log import casework_field_name

    data = {"minutes": (meeting.minutes or "Korte ronde.") + " Aangevuld na het overleg.", "action": "save"}
    for count in meeting.casework_counts.all():
        data[casework_field_name(count.theme)] = str(count.count)
    for invitee in meeting.invitees.all():
        data[f"attendance-{invitee.pk}-state"] = invitee.attendance
        data[f"attendance-{invitee.pk}-replaced_by"] = invitee.replaced_by
    return data


def prepare(per_kind: int, seed: int) -> dict[str, list[dict]]:
    """Sessions of IB-ers (with a held meeting of their school to log), kernpartners (with their schools),
    Utrecht's coordinators (with the wijken they may filter on, and whether they are the city's), admins
    (with Utrecht, whose dashboard they open), and the floor's."""
    from django.utils import timezone

    from kpa.models import User, UserKind
    from meetings.models import Meeting, MeetingStatus
    from partners.models import PARTNER_ROLES, Assignment, Role
    from partners.scope import schools_visible_to, wijken_visible_to
    from schools.models import Gemeente

    rng = random.Random(seed)  # noqa: S311  (picking bench users, not secrets)
    now = timezone.now()
    ib_ids = list(Assignment.objects.active().filter(role=Role.IB).values_list("person_id", flat=True))
    partner_ids = sorted(
        set(Assignment.objects.active().filter(role__in=PARTNER_ROLES).values_list("person_id", flat=True))
    )
    result: dict[str, list[dict]] = {"ib": [], "partner": [], "coordinator": [], "admin": [], "floor": []}
    for user in User.objects.filter(pk__in=rng.sample(ib_ids, min(per_kind, len(ib_ids)))):
        school_ids = list(schools_visible_to(user).values_list("pk", flat=True))
        meeting = (
            Meeting.objects.filter(school_id__in=school_ids, status=MeetingStatus.HELD, starts_at__lt=now)
            .order_by("-starts_at")
            .first()
        )
        if meeting is not None:
            result["ib"].append(
                {"session": _session(user), "meeting": meeting.pk, "form": _log_form(meeting)}
            )
    for user in User.objects.filter(pk__in=rng.sample(partner_ids, min(per_kind, len(partner_ids)))):
        schools = list(schools_visible_to(user).values_list("pk", flat=True))
        result["partner"].append({"session": _session(user), "schools": schools})
    # Utrecht's coordinators, the city's and one per wijk: the same people with the same schools at every
    # scale (seed_scale keeps Utrecht at about 160 schools), so comparing the roster across scales compares
    # the size of the database, not the size of the page.
    coordinators = User.objects.filter(kind=UserKind.COORDINATOR, is_active=True, gemeente__code="0344")
    for user in coordinators.order_by("pk"):
        wijken = list(wijken_visible_to(user).values_list("pk", flat=True))
        result["coordinator"].append(
            {"session": _session(user), "wijken": wijken, "email": user.email, "city": not user.wijk_id}
        )
    utrecht = Gemeente.objects.filter(code="0344").values_list("pk", flat=True).first()
    for user in User.objects.filter(kind=UserKind.ADMIN, is_active=True).order_by("pk")[:3]:
        result["admin"].append({"session": _session(user), "wijken": [], "gemeente": utrecht})
    # The floor's people sign in anew: a session of their own, whose save never waits on a person's.
    floor_users = User.objects.filter(pk__in=rng.sample(partner_ids, min(per_kind, len(partner_ids))))
    result["floor"] = [{"session": _session(user)} for user in floor_users]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-kind", type=int, default=40, help="sessions per kind of user")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    sessions = prepare(args.per_kind, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(sessions))
    print("  sessions: " + ", ".join(f"{len(v)} {k}" for k, v in sessions.items()))
    return 0 if all(sessions[k] for k in ("ib", "partner", "coordinator")) else 1


if __name__ == "__main__":
    sys.exit(main())
