"""The programme's audit trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from programme.models import Activity
from tests.programme.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def test_it_keeps_who_changed_an_activity_in_the_audit_trail(line4):
    activity = ActivityFactory(line=line4, title="Jazzsingel")
    activity.title = "Jazzsingel en omgeving"
    activity.save()
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Activity), object_id=activity.pk
    )
    assert entries.count() == 2
    assert entries.order_by("pk").last().changes_dict["title"] == ["Jazzsingel", "Jazzsingel en omgeving"]
