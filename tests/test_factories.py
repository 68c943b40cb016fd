"""A factory for every model of our apps (STYLE.md: a factory per model), and each builds a valid row.

The walk takes the models the apps have at the commit under test, so a new model without a factory in
tests/factories.py fails here until one is added."""

from __future__ import annotations

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

OUR_APPS = ("kpa", "schools", "partners", "programme", "meetings", "evaluations")

FACTORIES = {
    cls._meta.model: cls
    for _name, cls in inspect.getmembers(factories, inspect.isclass)
    if issubclass(cls, factory.django.DjangoModelFactory) and cls._meta.model is not None
}

MODELS = sorted(
    (model for label in OUR_APPS for model in apps.get_app_config(label).get_models()),
    key=lambda model: model._meta.label,
)


def test_it_walks_the_models_of_every_app_of_ours():
    walked = {model._meta.app_label for model in MODELS}
    assert walked >= {"kpa", "schools", "partners", "programme", "meetings"}
    assert len(MODELS) >= 19


def test_it_has_a_factory_for_every_model_of_our_apps():
    missing = [model._meta.label for model in MODELS if model not in FACTORIES]
    assert missing == [], f"Add a factory to tests/factories.py for: {', '.join(missing)}"


def test_it_has_no_two_factories_for_one_model():
    models = [
        cls._meta.model
        for _name, cls in inspect.getmembers(factories, inspect.isclass)
        if issubclass(cls, factory.django.DjangoModelFactory) and cls._meta.model is not None
    ]
    assert len(models) == len(set(models))


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_it_builds_two_valid_saved_rows(model):
    """Two in a row: sequences keep unique fields unique, so a test can ask for as many as it needs (a
    get-or-create factory, such as Gemeente's one Utrecht, gives the same row twice by design)."""
    factory_class = FACTORIES.get(model)
    if factory_class is None:
        pytest.fail(f"No factory for {model._meta.label}")
    rows = [factory_class(), factory_class()]
    for row in rows:
        assert isinstance(row, model)
        row.refresh_from_db()  # it is saved
        row.full_clean()  # and valid as the model sees it: fields, choices, constraints, clean()
    if factory_class._meta.django_get_or_create:
        assert rows[0].pk == rows[1].pk
    else:
        assert rows[0].pk != rows[1].pk
