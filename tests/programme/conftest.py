from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from kpa.models import UserKind
from programme.models import ActionLine
from programme.services import utrecht_programme_ensure
from tests.conftest import with_totp
from tests.factories import GemeenteFactory, UserFactory, WijkFactory

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:30 in Utrecht


@pytest.fixture
def clock():
    """The programme tests read the clock (update dates, stale activities): pinned."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def utrecht_po(clock, wijk, other_wijk):
    """Utrecht's PO programme with the five lines of seed 000 (the `wijk` fixture makes gemeente 0344)."""
    return utrecht_programme_ensure()


@pytest.fixture
def line4(utrecht_po) -> ActionLine:
    return utrecht_po.lines.get(number=4)


@pytest.fixture
def amsterdam(db):
    return GemeenteFactory(code="0363", name="Amsterdam")


@pytest.fixture
def amsterdam_coordinator(amsterdam):
    """A city-wide coordinator of another gemeente: never sees or changes Utrecht's programme."""
    WijkFactory(gemeente=amsterdam, name="Centrum")
    return with_totp(
        UserFactory(kind=UserKind.COORDINATOR, gemeente=amsterdam, email="coord@amsterdam.example")
    )
