"""factory_boy factories for the programme's models (tests/factories.py holds those of the apps below)."""

from __future__ import annotations

import datetime as dt

import factory

from programme.models import (
    ActionLine,
    Activity,
    ActivityStatus,
    Indicator,
    PdcaPhase,
    Programme,
    ProgressUpdate,
    Speerpunt,
    TrafficLight,
)
from tests.factories import GemeenteFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("gemeente", "sector")

    gemeente = factory.SubFactory(GemeenteFactory)
    sector = "PO"
    title = "Doorontwikkeling KPA in het PO"


class ActionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionLine

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 10)
    title = factory.Sequence(lambda n: f"Actielijn {n}")


class SpeerpuntFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speerpunt

    line = factory.SubFactory(ActionLineFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Speerpunt {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    line = factory.SubFactory(ActionLineFactory)
    title = factory.Sequence(lambda n: f"Activiteit {n}")
    status = ActivityStatus.RUNNING
    citywide = True

    @factory.post_generation
    def wijken(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.wijken.set(extracted)

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.schools.set(extracted)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    activity = factory.SubFactory(ActivityFactory)
    date = dt.date(2026, 10, 1)
    text = "Eerste bijeenkomst gehouden."
    phase = PdcaPhase.DO
    light = TrafficLight.GREEN
