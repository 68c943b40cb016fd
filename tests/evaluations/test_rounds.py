"""Questionnaire versions and rounds (issue 13): the default installed by migration, versioning (a round
keeps its questions), and the automatic yearly round on the gemeente's evaluation moment."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import environ
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from evaluations import services
from evaluations.default_questionnaire import DEFAULT_ITEMS
from evaluations.models import EvaluationMoment, Item, QuestionnaireVersion, Round
from schools.models import School
from tests.factories import GemeenteFactory, SchoolFactory, WijkFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def at(y, m, d, hour=10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=AMS)


@pytest.fixture
def utrecht(wijk, school, other_school):
    """Utrecht (the `wijk` fixture's gemeente) with two active schools and a closed one."""
    SchoolFactory(name="Gesloten school", wijk=wijk, is_active=False)
    return wijk.gemeente


def test_the_default_questionnaire_is_installed_once():
    """By migration 0002, or again by default_version() when a flush emptied the table (a transactional
    test before this one, seed_scale --flush)."""
    version = services.default_version()
    assert version == QuestionnaireVersion.objects.get(gemeente=None)
    assert version.number == 1
    items = list(version.items.order_by("order"))
    assert [i.key for i in items] == [i.key for i in DEFAULT_ITEMS]
    assert [i.text for i in items] == [i.text for i in DEFAULT_ITEMS]
    assert services.install_default() is False  # never twice


def test_a_round_keeps_the_questions_it_was_answered_on(utrecht, coordinator):
    first = services.open_round(
        utrecht, 2026, School.objects.all(), dt.date(2026, 10, 1), dt.date(2026, 10, 28), user=coordinator
    )
    assert first.version == services.default_version()
    # A used version cannot change.
    item = first.version.items.order_by("order").first()
    with pytest.raises(ValidationError, match="Maak een nieuwe versie"):
        services.update_item(item, text="Iets anders")
    # The coordinator's own version: a copy to change; the round opened before keeps the default.
    own = services.new_version(first.version, utrecht, coordinator)
    assert (own.gemeente, own.number, own.based_on) == (utrecht, 1, first.version)
    copied = own.items.get(key=item.key)
    services.update_item(copied, text="Onze eigen vraag")
    item.refresh_from_db()
    assert item.text != "Onze eigen vraag"
    assert first.version.items.filter(text="Onze eigen vraag").count() == 0
    second = services.open_round(
        utrecht, 2026, School.objects.all(), dt.date(2027, 3, 1), dt.date(2027, 3, 14)
    )
    assert second.version == own
    assert list(second.version.items.values_list("key", flat=True)) == list(
        first.version.items.values_list("key", flat=True)
    )


def test_versions_are_numbered_per_gemeente(utrecht, coordinator):
    base = services.default_version()
    other = GemeenteFactory(code="0363", name="Amsterdam")
    assert [services.new_version(base, utrecht).number for _ in range(2)] == [1, 2]
    assert services.new_version(base, other).number == 1
    assert services.current_version(utrecht).number == 2
    assert services.current_version(GemeenteFactory(code="0307")) == base


def test_a_round_asks_only_active_schools_of_its_gemeente(utrecht, school, other_school):
    elsewhere = SchoolFactory(name="Elders", wijk=WijkFactory(gemeente=GemeenteFactory(code="0363")))
    round_ = services.open_round(
        utrecht, 2026, School.objects.all(), dt.date(2026, 10, 1), dt.date(2026, 10, 1)
    )
    assert set(round_.schools.all()) == {school, other_school}
    assert elsewhere not in round_.schools.all()
    with pytest.raises(ValidationError, match="sluiten voordat"):
        services.open_round(utrecht, 2026, School.objects.all(), dt.date(2026, 10, 2), dt.date(2026, 10, 1))


def test_the_yearly_round_opens_by_itself_on_the_moment(utrecht, school, other_school, settings):
    settings.KPA_EVALUATION_MOMENT, settings.KPA_EVALUATION_WEEKS = "10-01", 4
    assert services.open_due_rounds(at(2026, 9, 30, 23)) == {"evaluation_rounds": 0}
    # 00:30 in Amsterdam on 1 October is still 30 September in UTC: the Amsterdam day counts.
    assert services.open_due_rounds(dt.datetime(2026, 9, 30, 22, 30, tzinfo=dt.UTC)) == {
        "evaluation_rounds": 1
    }
    round_ = Round.objects.get()
    assert (round_.school_year, round_.automatic, round_.opened_by) == (2026, True, None)
    assert (round_.opens_on, round_.closes_on) == (dt.date(2026, 10, 1), dt.date(2026, 10, 28))
    assert set(round_.schools.all()) == {school, other_school}
    # Every later sweep of the school year opens nothing more.
    for now in (at(2026, 10, 1, 11), at(2026, 10, 20), at(2027, 7, 31)):
        assert services.open_due_rounds(now) == {"evaluation_rounds": 0}
    # The next school year has its own.
    assert services.open_due_rounds(at(2027, 10, 1)) == {"evaluation_rounds": 1}
    assert list(Round.objects.order_by("school_year").values_list("school_year", flat=True)) == [2026, 2027]


def test_a_moment_long_past_opens_nothing(utrecht, settings):
    """KPA put in use in November: the moment of 1 October (open four weeks) has passed this year."""
    settings.KPA_EVALUATION_MOMENT = "10-01"
    assert services.open_due_rounds(at(2026, 10, 29)) == {"evaluation_rounds": 0}
    assert services.open_due_rounds(at(2026, 10, 28, 23)) == {"evaluation_rounds": 1}


def test_a_gemeente_sets_its_own_moment(utrecht, settings):
    """A moment in spring belongs to the school year that started the August before."""
    settings.KPA_EVALUATION_MOMENT = "10-01"
    EvaluationMoment.objects.create(gemeente=utrecht, month=3, day=15, weeks_open=2)
    assert services.moment_of(utrecht, 2026) == (dt.date(2027, 3, 15), dt.date(2027, 3, 28))
    assert services.open_due_rounds(at(2026, 10, 1)) == {"evaluation_rounds": 0}
    assert services.open_due_rounds(at(2027, 3, 15)) == {"evaluation_rounds": 1}
    assert Round.objects.get().school_year == 2026


def test_a_gemeente_without_active_schools_gets_no_round(db, settings):
    settings.KPA_EVALUATION_MOMENT = "10-01"
    SchoolFactory(is_active=False)
    assert services.open_due_rounds(at(2026, 10, 1)) == {"evaluation_rounds": 0}


def test_the_database_refuses_a_second_automatic_round(utrecht):
    version = services.default_version()
    fields = {"gemeente": utrecht, "school_year": 2026, "version": version, "automatic": True}
    Round.objects.create(opens_on=dt.date(2026, 10, 1), closes_on=dt.date(2026, 10, 28), **fields)
    with pytest.raises(IntegrityError):
        Round.objects.create(opens_on=dt.date(2026, 10, 2), closes_on=dt.date(2026, 10, 28), **fields)


def test_the_outbox_sweep_runs_the_opening():
    from kpa.outbox.registry import planners

    assert services.open_due_rounds in planners()


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_the_sweep_task_opens_the_round(utrecht, settings):
    from kpa.outbox.sender import sweep

    settings.KPA_EVALUATION_MOMENT = "10-01"
    result = sweep()
    assert result["evaluation_rounds"] == 1
    assert Round.objects.filter(automatic=True, school_year=2026).count() == 1


@pytest.mark.parametrize("value", ["13-01", "02-30", "1001", "10-01-2026", "x"])
def test_a_bad_evaluation_moment_stops_the_start(monkeypatch, value):
    import kpa.settings

    monkeypatch.setenv("KPA_EVALUATION_MOMENT", value)
    try:
        with pytest.raises(environ.ImproperlyConfigured, match="KPA_EVALUATION_MOMENT"):
            importlib.reload(kpa.settings)
    finally:
        monkeypatch.undo()
        importlib.reload(kpa.settings)


def test_items_say_who_is_asked():
    item = Item(roles=["jgz"])
    assert item.is_asked_of("jgz") and not item.is_asked_of("ib")
    assert Item(roles=[]).is_asked_of("ib")


def test_seed_scales_flush_keeps_the_default_questionnaire(utrecht):
    from demo.scale.bulk import clear

    services.open_round(utrecht, 2026, School.objects.all(), dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    clear()
    assert not Round.objects.exists()
    assert services.default_version().items.count() == len(DEFAULT_ITEMS)
