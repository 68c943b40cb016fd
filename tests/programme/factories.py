"""The programme's factories, which live with every other model's in tests/factories.py (one home, checked
by tests/test_factories.py); named here too for the tests that import them from here."""

from tests.factories import (
    ActionLineFactory,
    ActivityFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgrammeFactory,
    ProgressUpdateFactory,
    SpeerpuntFactory,
)

__all__ = [
    "ActionLineFactory",
    "ActivityFactory",
    "IndicatorFactory",
    "IndicatorValueFactory",
    "ProgrammeFactory",
    "ProgressUpdateFactory",
    "SpeerpuntFactory",
]
