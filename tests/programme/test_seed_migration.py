"""programme 0003 on a database made before it: the reworded titles of meetings 0002 become the seed's, by
number; the merged descriptions give way to speerpunten (a description someone wrote stays); the lines
join Utrecht's PO programme because gemeente 0344 exists; agreements keep their line."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from meetings.models import Agreement
from programme import seed
from programme.models import ActionLine, Programme
from tests.celery_worker import _keep_migration_data  # noqa: F401  (a fixture of this module)

BEFORE = [("programme", "0002_programme_activities")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_it_fixes_the_titles_by_number_and_puts_the_lines_in_utrecht_po():
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldLine = old.get_model("programme", "ActionLine")
    old_lines = importlib.import_module("meetings.migrations.0002_action_lines").ACTION_LINES
    OldLine.objects.all().delete()
    for number, title, description in old_lines:
        OldLine.objects.create(number=number, title=title, description=description)
    OldLine.objects.filter(number=4).update(description="Door de coördinator zelf geschreven.")
    utrecht = old.get_model("schools", "Gemeente").objects.create(code="0344", name="Utrecht")
    school = old.get_model("schools", "School").objects.create(
        brin="99ZX", vestiging="00", name="De Lijn", gemeente=utrecht
    )
    owner = old.get_model("kpa", "User").objects.create(email="eigenaar@team.example")
    meeting = old.get_model("meetings", "Meeting").objects.create(
        school=school, starts_at=dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC), rescheduled_at=timezone.now()
    )
    agreement = old.get_model("meetings", "Agreement").objects.create(
        school=school,
        meeting=meeting,
        owner=owner,
        description="Scholing plannen",
        due_date=dt.date(2026, 11, 1),
        action_line_id=OldLine.objects.get(number=2).pk,
    )
    pks = dict(OldLine.objects.values_list("number", "pk"))

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    programme = Programme.objects.get()
    assert (programme.gemeente_id, programme.sector, programme.title) == (
        utrecht.pk,
        "PO",
        "Doorontwikkeling KPA in het PO",
    )
    lines = list(ActionLine.objects.order_by("number").prefetch_related("speerpunten"))
    assert [(line.pk, line.number, line.title) for line in lines] == [
        (pks[line.number], line.number, line.title) for line in seed.ACTION_LINES
    ]
    assert {line.programme_id for line in lines} == {programme.pk}
    assert [line.description for line in lines] == ["", "", "", "Door de coördinator zelf geschreven.", ""]
    assert [tuple(s.text for s in line.speerpunten.all()) for line in lines] == [
        line.speerpunten for line in seed.ACTION_LINES
    ]
    assert Agreement.objects.get(pk=agreement.pk).action_line_id == pks[2]
