"""kpa.templatetags.kpa_dates: Django's `date` and `time` filters, written out for our formats, must write
exactly what Django's write, for every format in templates/ and for awkward values, in Dutch and English."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine, defaultfilters
from django.utils import formats, translation
from django.utils.formats import get_format
from django.utils.timezone import template_localtime

from kpa.templatetags import kpa_dates

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
TEMPLATES = Path(settings.BASE_DIR) / "templates"
FORMATS = re.compile(r'\|(date|time)(?::"([^"]*)")?')


def formats_in_templates() -> set[tuple[str, str | None]]:
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        for name, fmt in FORMATS.findall(path.read_text(encoding="utf-8")):
            found.add((name, fmt or None))
    return found


# Our own formats and Django's tokens around them; the ones that are not written out go to Django.
EXTRA_FORMATS = [
    ("date", "d-m-Y"),
    ("date", "j n Y, G:i"),
    ("date", "D j M"),  # D is not ours: Django's
    ("date", r"j \d\e F"),  # an escape: Django's
    ("date", "SHORT_DATE_FORMAT"),
    ("date", "y W"),
    ("time", "H:i"),
    ("time", "G.i u"),
    ("time", "TIME_FORMAT"),
]

VALUES = [
    None,
    "",
    "not a date",
    42,
    dt.date(2026, 1, 1),
    dt.date(2026, 12, 31),
    dt.date(2, 3, 4),  # a year below 1000: four digits, as Django writes it
    dt.datetime(2026, 12, 5, 9, 5),  # noqa: DTZ001  naive, as Django's filter takes it too
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),  # 01:59, the hour before summer time
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),  # 03:00 summer time
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # 02:30, the first of the hour told twice
    dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),  # 02:30 again, winter time
    dt.datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM),  # an aware value in local time already
    dt.datetime(2027, 5, 17, 23, 59, 59, tzinfo=dt.UTC),  # the next day in Amsterdam
    dt.time(0, 0),
    dt.time(23, 7, 9),
]


def _outcome(function, value, fmt):
    try:
        return ("ok", function(template_localtime(value), fmt))
    except Exception as error:  # the same error is the same outcome
        return ("error", type(error))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_format_writes_what_djangos_filter_writes(language):
    formats = sorted(formats_in_templates() | set(EXTRA_FORMATS), key=str)
    assert ("date", "j F Y") in formats  # the scan found the templates' formats
    ours = {"date": kpa_dates.date, "time": kpa_dates.time}
    djangos = {"date": defaultfilters.date, "time": defaultfilters.time}
    with translation.override(language):
        for name, fmt in formats:
            for value in VALUES:
                assert _outcome(ours[name], value, fmt) == _outcome(djangos[name], value, fmt), (
                    name,
                    fmt,
                    value,
                )


def test_the_templates_use_these_filters():
    """The builtin comes after Django's, so a template's `date` and `time` are ours, with the local time
    conversion Django's filters have."""
    engine = Engine.get_default()
    template = engine.from_string('{{ when|date:"l j F Y, H:i" }} {{ when|time:"H:i" }}')
    nodes = [node for node in template.nodelist if hasattr(node, "filter_expression")]
    filters = [function for node in nodes for function, _args in node.filter_expression.filters]
    assert filters == [kpa_dates.date, kpa_dates.time]
    when = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    with translation.override("nl"):
        assert template.render(Context({"when": when})) == "zondag 25 oktober 2026, 02:30 02:30"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_short_date_of_every_month_is_written_out(language):
    """The Dutch SHORT_DATE_FORMAT ("j N Y", kpa/formats) is ours, not Django's: the roster writes 50 of
    them a page. N is the month as the AP writes it, in Dutch "jan.", "mrt.", "mei", "sep."."""
    with translation.override(language):
        fmt = str(get_format("SHORT_DATE_FORMAT"))
        assert kpa_dates._plan(fmt, kpa_dates._DATE_ONLY) is not None, fmt
        for month in range(1, 13):
            day = dt.date(2027, month, 9)
            for name in ("SHORT_DATE_FORMAT", "j N", "j N Y"):
                assert kpa_dates.date_text(day, name) == formats.date_format(day, name), (name, day)
    with translation.override("nl"):
        assert kpa_dates.date_text(dt.date(2027, 3, 9), "SHORT_DATE_FORMAT") == "9 mrt. 2027"


def test_a_format_is_split_once():
    kpa_dates._plan.cache_clear()
    for _ in range(3):
        kpa_dates.date(dt.date(2026, 12, 5), "j F Y")
    assert kpa_dates._plan.cache_info().misses == 1


@pytest.mark.parametrize("language", ["nl", "en"])
def test_date_text_writes_what_date_format_writes(language):
    """For Python code: a named format in the active language, a literal one, one that is not ours."""
    names = ["SHORT_DATE_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "j F Y", "l j F Y, H:i", "j N"]
    values = [v for v in VALUES if isinstance(v, dt.date)]
    with translation.override(language):
        for name in names:
            for value in values:
                ours = _outcome(kpa_dates.date_text, value, name)
                assert ours == _outcome(formats.date_format, value, name), (name, value)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_date_writer_writes_what_date_text_writes(language):
    """date_writer: the format of a page's many values looked up once, then each value written alike: a
    writer of dates for dates, one with the time for datetimes. A format that is not ours is left to
    Django's date_format."""
    names = ["SHORT_DATE_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "j F Y", "l j F Y, H:i", "j N"]
    values = [v for v in VALUES if isinstance(v, dt.date)]
    with translation.override(language):
        for name in names:
            writers = {t: kpa_dates.date_writer(name, with_time=t) for t in (False, True)}
            for value in values:
                write = writers[isinstance(value, dt.datetime)]
                ours = _outcome(lambda v, _fmt, write=write: write(v), value, None)
                assert ours == _outcome(kpa_dates.date_text, value, name), (name, value)


def test_a_date_writer_looks_its_format_up_once():
    write = kpa_dates.date_writer("SHORT_DATE_FORMAT", with_time=False)
    looked_up = kpa_dates._plan.cache_info()
    written = [write(dt.date(2027, month, 1)) for month in range(1, 13)]
    assert kpa_dates._plan.cache_info() == looked_up
    assert len(set(written)) == 12
