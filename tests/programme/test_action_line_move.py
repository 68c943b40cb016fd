"""ActionLine moved from meetings to programme with its table and rows (meetings 0006, programme 0001): a
database made before the move migrates with every action line and every agreement's action line kept."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from meetings.models import Agreement
from programme import seed
from programme.models import ActionLine
from tests.celery_worker import _keep_migration_data  # noqa: F401  (a fixture of this module)

BEFORE = [("meetings", "0005_notification_moves_to_kpa"), ("programme", None)]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_action_line_and_the_agreements_on_them_across_the_move():
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[:1]).apps
    assert ("programme", "ActionLine") not in {(m._meta.app_label, m.__name__) for m in old.get_models()}
    User = old.get_model("kpa", "User")
    Gemeente = old.get_model("schools", "Gemeente")
    School = old.get_model("schools", "School")
    Meeting = old.get_model("meetings", "Meeting")
    OldAgreement = old.get_model("meetings", "Agreement")
    OldActionLine = old.get_model("meetings", "ActionLine")
    # The five lines come from migration 0002; a transactional test that ran earlier flushed them.
    for number, title, description in importlib.import_module(
        "meetings.migrations.0002_action_lines"
    ).ACTION_LINES:
        OldActionLine.objects.get_or_create(
            number=number, defaults={"title": title, "description": description}
        )

    extra = OldActionLine.objects.create(number=9, title="Negende lijn", description="Alleen in deze test.")
    before = {line.pk: (line.number, line.title, line.description) for line in OldActionLine.objects.all()}
    assert len(before) == 6  # the five of migration 0002 and this one
    owner = User.objects.create(email="eigenaar@team.example", first_name="Eigen", last_name="Aar")
    gemeente = Gemeente.objects.create(code="9999", name="Migratiestad")
    school = School.objects.create(brin="99ZY", vestiging="00", name="De Lijn", gemeente=gemeente)
    meeting = Meeting.objects.create(
        school=school, starts_at=dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC), rescheduled_at=timezone.now()
    )
    third = OldActionLine.objects.get(number=3)
    on_line = {}
    for line in (third, extra, None):
        agreement = OldAgreement.objects.create(
            school=school,
            meeting=meeting,
            owner=owner,
            description=f"Afspraak {line.number if line else 'zonder lijn'}",
            due_date=dt.date(2026, 11, 1),
            action_line=line,
        )
        on_line[agreement.pk] = line.pk if line else None

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert ActionLine._meta.db_table == "meetings_actionline"
    after = {line.pk: (line.number, line.title, line.description) for line in ActionLine.objects.all()}
    # Every row is kept, with its number; programme 0003, which runs after the move, then gives lines 1-5
    # their verbatim title and clears a description that is still meetings 0002's merged text. Whichever
    # titles the lines had before (0002's, or the seed's when 0003 ran before this test), that is the end.
    titles = {line.number: line.title for line in seed.ACTION_LINES}
    expected = {
        pk: (
            number,
            titles.get(number, title),
            "" if description == seed.MERGED_DESCRIPTIONS.get(number) else description,
        )
        for pk, (number, title, description) in before.items()
    }
    assert after == expected
    moved = Agreement.objects.filter(pk__in=on_line).select_related("action_line")
    assert {a.pk: a.action_line_id for a in moved} == on_line
    assert {str(a.action_line) for a in moved if a.action_line} == {
        f"{third.number}. {titles[third.number]}",
        "9. Negende lijn",
    }
    assert ActionLine.objects.get(number=9).agreements.get().description == "Afspraak 9"
