"""seed_demo loads Utrecht's programme: the seed's five lines, its pilots and initiatives as activities,
a few progress updates (one success, one stale activity); twice without changes; every page renders."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from programme import seed, selectors
from programme.models import Activity, Indicator, IndicatorValue, Programme, ProgressUpdate, Speerpunt

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count() for m in (Programme, Speerpunt, Activity, ProgressUpdate, Indicator, IndicatorValue)
    ]


def test_it_loads_the_programme_of_the_seed_twice_without_changes(clock):
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before
    programme = Programme.objects.get()
    assert (programme.gemeente.code, programme.sector) == ("0344", "PO")
    assert [(line.number, line.title) for line in programme.lines.all()] == [
        (line.number, line.title) for line in seed.ACTION_LINES
    ]
    titles = set(Activity.objects.values_list("title", flat=True))
    assert {a.title for a in seed.ACTIVITIES} <= titles
    assert ProgressUpdate.objects.filter(is_success=True).exists()
    stale = [a.title for a in selectors.with_last_update(Activity.objects.all()) if a.is_stale]
    assert stale == ["Jazzsingel"]


def test_it_renders_the_demo_programme_for_the_coordinators(client, clock):
    from kpa.models import User
    from tests.conftest import with_totp

    call_command("seed_demo")
    programme = Programme.objects.get()
    for email in ("coordinator@utrecht.example", "coordinator.west@utrecht.example"):
        client.force_login(with_totp(User.objects.get(email=email)))
        urls = [reverse("programme:list"), reverse("programme:detail", args=[programme.pk])]
        urls += [reverse("programme:line-detail", args=[line.pk]) for line in programme.lines.all()]
        user = User.objects.get(email=email)
        urls += [
            reverse("programme:activity-detail", args=[pk])
            for pk in selectors.activities_visible_to(user).values_list("pk", flat=True)
        ]
        for url in urls:
            assert client.get(url).status_code == 200, (email, url)
