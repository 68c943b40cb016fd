"""Django's `date` and `time` filters, written out for the formats KPA's templates use.

Loaded as a builtin after Django's own (settings.TEMPLATES, "builtins"), so `{{ value|date:"j F Y" }}`
in any template is this filter. Django's formats each value with a DateFormat object that, for an aware
datetime, first asks whether its time is ambiguous in its time zone, then splits the format with a regular
expression: about 20 µs a value, 3 ms for the 50 rows of the meetings list. Here a format made of the
tokens below and punctuation is split once (and kept), and each value is written token by token, with the
same words (Django's translated day and month names, in the active language).

Anything else goes to Django's filter unchanged: no format (the locale's DATE_FORMAT), a named format
(SHORT_DATE_FORMAT), a token not below, an escaped character, a value that is not a date or time, or a
time token for a date. tests/kpa/test_dates.py checks every format in templates/ against Django's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from django import template
from django.template import defaultfilters
from django.utils import formats
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_AP, WEEKDAYS
from django.utils.formats import get_format

register = template.Library()

Token = Callable[[dt.date], str]

# What DateFormat writes for these tokens (django.utils.dateformat), for a value already in local time.
DATE_TOKENS: dict[str, Token] = {
    "d": lambda v: f"{v.day:02d}",
    "j": lambda v: str(v.day),
    "l": lambda v: str(WEEKDAYS[v.weekday()]),
    "F": lambda v: str(MONTHS[v.month]),
    "M": lambda v: str(MONTHS_3[v.month]).title(),
    "m": lambda v: f"{v.month:02d}",
    "n": lambda v: str(v.month),
    "N": lambda v: str(MONTHS_AP[v.month]),  # "jan.", "mei", "mrt.": the Dutch SHORT_DATE_FORMAT's month
    "Y": lambda v: f"{v.year:04d}",
}
TIME_TOKENS: dict[str, Token] = {
    "G": lambda v: str(v.hour),
    "H": lambda v: f"{v.hour:02d}",
    "i": lambda v: f"{v.minute:02d}",
}


@lru_cache(maxsize=64)
def _plan(format_string: str, tokens: frozenset[str]) -> tuple[str | Token, ...] | None:
    """The format as literal text and token functions; None when a letter or an escape is not ours."""
    plan: list[str | Token] = []
    for char in format_string:
        if char in tokens:
            plan.append(DATE_TOKENS.get(char) or TIME_TOKENS[char])
        elif char.isascii() and (char.isalpha() or char == "\\"):
            return None  # another format character (Django's) or an escaped one: Django writes it
        elif plan and isinstance(plan[-1], str):
            plan[-1] += char
        else:
            plan.append(char)
    return tuple(plan)


_DATE_ONLY = frozenset(DATE_TOKENS)
_DATE_AND_TIME = frozenset(DATE_TOKENS) | frozenset(TIME_TOKENS)
_TIME_ONLY = frozenset(TIME_TOKENS)


def _written(value, plan) -> str:
    return "".join(part if isinstance(part, str) else part(value) for part in plan)


def date_text(value: dt.date, format_name: str) -> str:
    """django.utils.formats.date_format(value, format_name) for Python code: a named format
    (SHORT_DATE_FORMAT) in the active language, or a literal one. For many values of one format,
    date_writer."""
    return date_writer(format_name, with_time=isinstance(value, dt.datetime))(value)


def date_writer(format_name: str, *, with_time: bool) -> Callable[[dt.date], str]:
    """`date_text(value, format_name)` for the many values of one page, of one kind (dates, or datetimes
    when `with_time`): the format is looked up and split once, in the active language."""
    plan = _plan(str(get_format(format_name)), _DATE_AND_TIME if with_time else _DATE_ONLY)
    if plan is None:
        return lambda value: formats.date_format(value, format_name)
    return lambda value: _written(value, plan)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date` filter (django.template.defaultfilters.date), faster for KPA's formats."""
    if arg and isinstance(value, dt.date):
        tokens = _DATE_AND_TIME if isinstance(value, dt.datetime) else _DATE_ONLY
        plan = _plan(str(arg), tokens)
        if plan is not None:
            return _written(value, plan)
    return defaultfilters.date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def time(value, arg=None):
    """Django's `time` filter (django.template.defaultfilters.time), faster for KPA's formats."""
    if arg and isinstance(value, (dt.datetime, dt.time)):
        plan = _plan(str(arg), _TIME_ONLY)
        if plan is not None:
            return _written(value, plan)
    return defaultfilters.time(value, arg)
