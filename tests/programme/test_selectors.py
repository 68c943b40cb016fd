"""programme.selectors beyond the pages: the lines a school's agreements may name, and the audit trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from programme.models import Activity
from programme.selectors import lines_for_school
from tests.programme.factories import ActionLineFactory, ActivityFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_a_school_names_only_the_lines_of_its_own_gemeente(utrecht_po, school, amsterdam):
    amsterdam_line = ActionLineFactory(
        programme=ProgrammeFactory(gemeente=amsterdam), number=1, title="Eigen lijn"
    )
    utrecht_lines = list(lines_for_school(school.gemeente_id))
    assert [line.number for line in utrecht_lines] == [1, 2, 3, 4, 5]
    assert amsterdam_line not in utrecht_lines
    assert list(lines_for_school(amsterdam.pk)) == [amsterdam_line]


def test_it_keeps_who_changed_an_activity_in_the_audit_trail(line4):
    activity = ActivityFactory(line=line4, title="Jazzsingel")
    activity.title = "Jazzsingel en omgeving"
    activity.save()
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Activity), object_id=activity.pk
    )
    assert entries.count() == 2
    assert entries.order_by("pk").last().changes_dict["title"] == ["Jazzsingel", "Jazzsingel en omgeving"]
