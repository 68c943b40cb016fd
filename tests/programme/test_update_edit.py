"""Correcting and removing a progress update: the same checks as adding one, the measured value kept in step,
the audit trail, and who may (as for changing the activity).

Standing users (tests/conftest.py, tests/programme/conftest.py): `coordinator` (Utrecht, city-wide: writes),
`wijk_coordinator` (Utrecht, Overvecht only), `amsterdam_coordinator` (another gemeente: 404), `ib` and
`partner` (school staff: 404 on a page of the programme), anonymous (to the login)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from programme.models import IndicatorValue, ProgressUpdate
from tests.programme.factories import ActivityFactory, IndicatorFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

BSN = "123456782"  # passes the 11-proef


@pytest.fixture
def activity(line4, wijk):
    activity = ActivityFactory(line=line4, title="Jazzsingel", citywide=False, wijken=[wijk])
    IndicatorFactory(activity=activity, name="Scholen in het wijkgroepje")
    IndicatorFactory(activity=activity, name="Bijeenkomsten")
    return activity


@pytest.fixture
def update(activity, coordinator):
    update = ProgressUpdateFactory(
        activity=activity,
        date=dt.date(2026, 10, 1),
        text="Eerste bijeenkomst gehouden.",
        phase="do",
        light="green",
        author=coordinator,
    )
    IndicatorValue.objects.create(
        indicator=activity.indicators.get(name="Scholen in het wijkgroepje"),
        date=update.date,
        value=2,
        update=update,
    )
    return update


def urls(update) -> list[str]:
    return [
        reverse("programme:update-update", args=[update.pk]),
        reverse("programme:update-delete", args=[update.pk]),
    ]


def data(activity, **overrides) -> dict:
    return {
        "date": "2026-10-02",
        "text": "Eerste bijeenkomst gehouden, drie scholen erbij.",
        "phase": "check",
        "light": "orange",
        "is_success": "on",
        "indicator": str(activity.indicators.get(name="Bijeenkomsten").pk),
        "value": "3",
    } | overrides


def unchanged(update) -> bool:
    fresh = ProgressUpdate.objects.get(pk=update.pk)
    values = list(IndicatorValue.objects.values_list("indicator__name", "date", "value", "update"))
    return (fresh.date, fresh.text, fresh.phase, fresh.light, fresh.is_success) == (
        dt.date(2026, 10, 1),
        "Eerste bijeenkomst gehouden.",
        "do",
        "green",
        False,
    ) and values == [("Scholen in het wijkgroepje", dt.date(2026, 10, 1), Decimal(2), update.pk)]


def test_it_changes_an_update_and_its_measured_value_and_keeps_it_in_the_audit_trail(
    client, coordinator, activity, update
):
    client.force_login(coordinator)
    url = reverse("programme:update-update", args=[update.pk])
    form = client.get(url).context["form"]
    assert form["text"].value() == "Eerste bijeenkomst gehouden."
    assert form["indicator"].value() == activity.indicators.get(name="Scholen in het wijkgroepje").pk
    assert form["value"].value() == Decimal(2)
    response = client.post(url, data(activity))
    assert response["Location"] == reverse("programme:activity-detail", args=[activity.pk])
    update.refresh_from_db()
    assert (update.date, update.text, update.phase, update.light, update.is_success, update.author) == (
        dt.date(2026, 10, 2),
        "Eerste bijeenkomst gehouden, drie scholen erbij.",
        "check",
        "orange",
        True,
        coordinator,
    )
    measured = IndicatorValue.objects.get()  # the same row, moved to the other indicator and the new date
    assert (measured.indicator.name, measured.date, measured.value, measured.update) == (
        "Bijeenkomsten",
        dt.date(2026, 10, 2),
        3,
        update,
    )
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ProgressUpdate), object_id=update.pk
    ).order_by("pk")
    assert entries.last().changes_dict["light"] == ["green", "orange"]
    assert entries.last().actor == coordinator
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(IndicatorValue), object_id=measured.pk
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "De voortgangsupdate is gewijzigd." in page and "drie scholen erbij" in page


def test_it_removes_the_measured_value_when_it_is_cleared_and_adds_one_when_given(
    client, coordinator, activity, update
):
    client.force_login(coordinator)
    url = reverse("programme:update-update", args=[update.pk])
    client.post(url, data(activity, indicator="", value=""))
    assert not IndicatorValue.objects.exists()
    assert ProgressUpdate.objects.get().light == "orange"
    client.post(url, data(activity, value="5"))
    measured = IndicatorValue.objects.get()
    assert (measured.indicator.name, measured.value, measured.update) == ("Bijeenkomsten", 5, update)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"text": f"Kind {BSN} besproken"}, "lijkt op een BSN"),
        ({"date": "2026-11-03"}, "de datum kan niet in de toekomst liggen"),
        ({"date": "31-02-2026"}, "Voer een geldige datum in."),
        ({"light": "paars"}, "Selecteer een geldige keuze."),
        ({"light": ""}, "Dit veld is verplicht."),
        ({"value": ""}, "Vul de gemeten waarde in, of kies geen indicator."),
        ({"indicator": "", "value": "4"}, "Kies de indicator waar deze waarde bij hoort."),
    ],
)
def test_it_refuses_a_bad_correction_in_dutch_keeps_what_was_typed_and_changes_nothing(
    client, coordinator, activity, update, overrides, error
):
    client.force_login(coordinator)
    posted = data(activity, **overrides)
    response = client.post(reverse("programme:update-update", args=[update.pk]), posted)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert posted["text"] in page
    assert unchanged(update)


def test_it_asks_before_removing_an_update_and_its_measured_value(client, coordinator, activity, update):
    client.force_login(coordinator)
    url = reverse("programme:update-delete", args=[update.pk])
    page = client.get(url).content.decode()
    assert "Voortgangsupdate verwijderen" in page and "Eerste bijeenkomst gehouden." in page
    assert "Scholen in het wijkgroepje: 2" in page
    assert unchanged(update)
    measured = IndicatorValue.objects.get()
    response = client.post(url)
    assert response["Location"] == reverse("programme:activity-detail", args=[activity.pk])
    assert not ProgressUpdate.objects.exists() and not IndicatorValue.objects.exists()
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE)
    assert {(e.content_type.model, int(e.object_id)) for e in deleted} == {
        ("progressupdate", update.pk),
        ("indicatorvalue", measured.pk),
    }
    assert activity.indicators.count() == 2  # the indicators stay
    page = client.get(response["Location"]).content.decode()
    assert "De voortgangsupdate is verwijderd." in page and "Nog geen voortgangsupdates." in page


def test_the_timeline_links_to_change_and_remove_for_those_who_may(client, coordinator, activity, update):
    client.force_login(coordinator)
    page = client.get(reverse("programme:activity-detail", args=[activity.pk])).content.decode()
    for url in urls(update):
        assert f'href="{url}"' in page
    assert "Wijzigen" in page and "Verwijderen" in page


def test_it_sends_anonymous_visitors_to_the_login(client, update):
    for url in urls(update):
        for response in (client.get(url), client.post(url, {"text": "Weg"})):
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert unchanged(update)


def test_it_answers_404_to_another_gemeente_and_to_school_staff(
    client, activity, update, amsterdam_coordinator, ib, partner
):
    for user in (amsterdam_coordinator, ib, partner):
        client.force_login(user)
        for url in urls(update):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, data(activity)).status_code == 404, (user, url)
    assert unchanged(update)
    assert client.get(reverse("programme:update-update", args=[update.pk + 1000])).status_code == 404


def test_a_wijk_coordinator_changes_the_updates_of_their_wijk_s_activities_only(
    client, wijk_coordinator, line4, wijk, other_wijk
):
    """wijk_coordinator is Overvecht's (`other_wijk`); `wijk` is West."""
    own = ProgressUpdateFactory(
        activity=ActivityFactory(line=line4, citywide=False, wijken=[other_wijk]), text="In Overvecht"
    )
    citywide = ProgressUpdateFactory(activity=ActivityFactory(line=line4, citywide=True), text="Stadsbreed")
    both = ProgressUpdateFactory(
        activity=ActivityFactory(line=line4, citywide=False, wijken=[wijk, other_wijk]), text="Beide"
    )
    west = ProgressUpdateFactory(
        activity=ActivityFactory(line=line4, citywide=False, wijken=[wijk]), text="Alleen West"
    )
    client.force_login(wijk_coordinator)
    for seen_not_theirs in (citywide, both):
        for url in urls(seen_not_theirs):
            assert client.get(url).status_code == 403, url
            assert client.post(url, {"text": "Weg"}).status_code == 403, url
        page = client.get(reverse("programme:activity-detail", args=[seen_not_theirs.activity_id])).content
        assert reverse("programme:update-update", args=[seen_not_theirs.pk]) not in page.decode()
    for url in urls(west):
        assert client.get(url).status_code == 404, url
    assert ProgressUpdate.objects.count() == 4
    assert client.get(reverse("programme:update-update", args=[own.pk])).status_code == 200
    response = client.post(
        reverse("programme:update-update", args=[own.pk]),
        {"date": "2026-10-05", "text": "Bijgesteld", "phase": "act", "light": "red"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.text, own.light) == ("Bijgesteld", "red")
    assert client.post(reverse("programme:update-delete", args=[own.pk])).status_code == 302
    assert set(ProgressUpdate.objects.values_list("text", flat=True)) == {
        "Stadsbreed",
        "Beide",
        "Alleen West",
    }


def test_the_activity_page_with_its_links_keeps_its_queries_flat(
    client, django_assert_max_num_queries, coordinator, activity
):
    client.force_login(coordinator)
    indicator = activity.indicators.first()
    counts = []
    for n in (2, 30):
        for day in range(n):
            update = ProgressUpdateFactory(
                activity=activity, date=dt.date(2026, 9, 1) + dt.timedelta(days=day)
            )
            IndicatorValue.objects.create(indicator=indicator, date=update.date, value=day, update=update)
        # Session, user, MFA, activity, updates, their values, indicators, their values, wijken, schools,
        # organisations, school count, who may edit (wijken, schools); the links add none.
        with django_assert_max_num_queries(18) as queries:
            page = client.get(reverse("programme:activity-detail", args=[activity.pk])).content.decode()
        assert page.count("/delete/") == ProgressUpdate.objects.count()
        counts.append(len(queries))
    assert counts[0] == counts[1]
