"""The programme's pages for the accessibility walk (test_pages_a11y.py): Utrecht's PO programme of the
world, line 4 with an activity that has an indicator and a progress update, and the forms."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from programme.models import Activity, ActivityStatus, PdcaPhase, TrafficLight
from programme.services import utrecht_programme_ensure
from tests.factories import IndicatorFactory, ProgressUpdateFactory


def programme_pages(world) -> list[str]:
    programme = utrecht_programme_ensure()
    assert programme is not None  # the world's gemeente is Utrecht, 0344
    line = programme.lines.get(number=4)
    activity = Activity.objects.filter(line=line).first()
    if activity is None:
        activity = Activity.objects.create(
            line=line,
            speerpunt=line.speerpunten.order_by("order").first(),
            title="Lerend netwerk West",
            description="Scholen en kernpartners in West leren samen.",
            status=ActivityStatus.RUNNING,
            trekker=world.coordinator,
        )
        activity.wijken.set([world.school.wijk])
        indicator = IndicatorFactory(activity=activity, name="Deelnemende scholen")
        update = ProgressUpdateFactory(
            activity=activity,
            date=timezone.localdate() - dt.timedelta(days=3),
            phase=PdcaPhase.CHECK,
            light=TrafficLight.ORANGE,
            is_success=True,
        )
        indicator.values.create(date=update.date, value=3, update=update)
    return [
        reverse("programme:list"),
        reverse("programme:detail", args=[programme.pk]),
        reverse("programme:line-detail", args=[line.pk]),
        reverse("programme:line-update", args=[line.pk]),
        reverse("programme:activity-create", args=[line.pk]),
        reverse("programme:activity-detail", args=[activity.pk]),
        reverse("programme:activity-update", args=[activity.pk]),
        reverse("programme:update-create", args=[activity.pk]),
        *[
            reverse(name, args=[update.pk])
            for update in activity.updates.order_by("pk")[:1]
            for name in ("programme:update-update", "programme:update-delete")
        ],
    ]


def report_page() -> str:
    """The voortgangsrapportage of Utrecht's PO programme (for the coordinator's and the admin's walks)."""
    programme = utrecht_programme_ensure()
    assert programme is not None
    return reverse("programme:report", args=[programme.pk])
