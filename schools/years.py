"""The Dutch school year: 1 August to 31 July. Here, below every app that counts by school year (the
programme's activity list, meetings, the dashboard), so that all of them share one rule."""

from __future__ import annotations

import datetime as dt

SCHOOL_YEAR_STARTS = (8, 1)  # month, day


def school_year_start(day: dt.date) -> dt.date:
    """The 1 August that starts the school year of `day` (a school year runs 1 August - 31 July)."""
    month, first = SCHOOL_YEAR_STARTS
    return dt.date(day.year if day.month >= month else day.year - 1, month, first)
