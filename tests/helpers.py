"""Small helpers the test modules share: Amsterdam moments and the standing users of the URL tables."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")

# The users every URL is opened as (fixtures of tests/conftest.py and tests/kpa/test_urls.py), in the
# order the URL tables slice them: ROLES[1:] is everyone signed in, ROLES[1:-1] everyone but the admin.
ROLES = ("anonymous", "ib", "partner", "outsider", "coordinator", "wijk_coordinator", "admin")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """That wall-clock time in Amsterdam, aware (its offset is the one of that day: CET or CEST)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS)


def at_day(day: dt.date, hour: int = 9) -> dt.datetime:
    """`day` at `hour` o'clock in Amsterdam, aware."""
    return dt.datetime.combine(day, dt.time(hour), AMS)
