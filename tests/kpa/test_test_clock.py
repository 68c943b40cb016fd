"""KPA_TEST_CLOCK (tests/conftest.py): the whole suite can run with every test starting at one moment, to
prove that no test depends on the hour or the date it happens to run at (CI does it at three moments)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import conftest

MOMENT = dt.datetime(2031, 3, 30, 0, 59, 59, 500000, tzinfo=dt.UTC)  # just before summer time begins


class Item:
    """What the hook reads of a test item."""

    def __init__(self, *marks: str):
        self.marks = marks

    def get_closest_marker(self, name: str):
        return name if name in self.marks else None


def run_protocol(monkeypatch, item: Item) -> tuple[dt.datetime, dt.datetime]:
    """Run the hook around a 'test' that reads the clock; returns what it read and the clock after."""
    monkeypatch.setattr(conftest, "TEST_CLOCK", MOMENT)
    protocol = conftest.pytest_runtest_protocol(item, None)
    next(protocol)  # the hook now waits for the test's setup, call and teardown
    during = timezone.now()
    with pytest.raises(StopIteration):
        protocol.send(True)
    return during, timezone.now()


def test_it_starts_a_test_at_the_moment_and_lets_the_clock_tick(monkeypatch):
    during, after = run_protocol(monkeypatch, Item())
    assert dt.timedelta(0) <= during - MOMENT < dt.timedelta(seconds=30)
    assert timezone.localtime(during).date() == dt.date(2031, 3, 30)
    assert abs(after - MOMENT) > dt.timedelta(days=365)  # back on the clock of before


def test_it_leaves_a_real_clock_test_on_the_real_clock(monkeypatch):
    during, _after = run_protocol(monkeypatch, Item("real_clock"))
    assert abs(during - MOMENT) > dt.timedelta(days=365)


@pytest.mark.parametrize(("value", "moment"), [("", None), ("2031-03-30T00:59:59.5Z", MOMENT)])
def test_it_reads_the_moment_from_the_environment(monkeypatch, value, moment):
    monkeypatch.setenv("KPA_TEST_CLOCK", value)
    assert conftest._test_clock() == moment


@pytest.mark.parametrize("value", ["2031-03-30T00:59:59", "tomorrow"])
def test_it_refuses_a_moment_without_an_offset(monkeypatch, value):
    monkeypatch.setenv("KPA_TEST_CLOCK", value)
    with pytest.raises(pytest.UsageError, match="KPA_TEST_CLOCK"):
        conftest._test_clock()
