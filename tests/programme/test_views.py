"""The programme's pages: who reads and who writes, bad input, and the scope of another gemeente and a wijk.

Standing users: `coordinator` (Utrecht, city-wide: writes), `wijk_coordinator` (Utrecht, Overvecht only),
`amsterdam_coordinator` (another gemeente: 404 on everything of Utrecht's), `ib`/`partner` (school staff:
the programme is the coordinators', 403 on the list, 404 on a page of it), anonymous (to the login)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from programme.models import Activity, ActivityStatus, Indicator, IndicatorValue, Programme, ProgressUpdate
from tests.programme.factories import ActivityFactory, IndicatorFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

BSN = "123456782"  # passes the 11-proef


@pytest.fixture
def activity(line4, wijk):
    activity = ActivityFactory(
        line=line4,
        speerpunt=line4.speerpunten.get(order=2),
        title="Jazzsingel",
        citywide=False,
        wijken=[wijk],
    )
    IndicatorFactory(activity=activity, name="Scholen in het wijkgroepje")
    return activity


def pages(activity):
    line = activity.line
    return [
        reverse("programme:detail", args=[line.programme_id]),
        reverse("programme:line-create", args=[line.programme_id]),
        reverse("programme:line-detail", args=[line.pk]),
        reverse("programme:line-update", args=[line.pk]),
        reverse("programme:activity-create", args=[line.pk]),
        reverse("programme:activity-detail", args=[activity.pk]),
        reverse("programme:activity-update", args=[activity.pk]),
        reverse("programme:update-create", args=[activity.pk]),
    ]


def activity_data(**overrides) -> dict:
    data = {
        "title": "Lerend netwerk West",
        "description": "Scholen en kernpartners in West leren samen.",
        "status": "planned",
        "starts_on": "2026-11-01",
        "ends_on": "2027-06-30",
        "steps_taken": "Eerste verkenning met de IB-ers.",
        "steps_planned": "Drie bijeenkomsten.",
        "other_partners": "Jongerenwerk West",
        "intended_results": "Elke school kent zijn kernpartners.",
        "indicators": "Aantal bijeenkomsten\nDeelnemende scholen",
        "steering": "De wijkcoördinator.",
        "accountability": "Twee keer per jaar aan het OOGO.",
        "communication": "Nieuwsbrief.",
        "money": "Binnen bestaande uren.",
    }
    return data | overrides


def test_it_sends_anonymous_visitors_to_the_login(client, activity):
    for url in [reverse("programme:list"), reverse("programme:create"), *pages(activity)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url
    assert client.post(reverse("programme:update-create", args=[activity.pk]), {}).status_code == 302
    assert not ProgressUpdate.objects.exists()


def test_it_answers_404_to_a_coordinator_of_another_gemeente_reading_or_writing(
    client, activity, amsterdam_coordinator
):
    client.force_login(amsterdam_coordinator)
    for url in pages(activity):
        assert client.get(url).status_code == 404, url
        if url.endswith(("/new/", "/edit/")):
            assert client.post(url, activity_data()).status_code == 404, url
    before = Activity.objects.get(pk=activity.pk)
    assert (before.title, before.updated_at) == ("Jazzsingel", activity.updated_at)
    assert not ProgressUpdate.objects.exists()
    assert Activity.objects.count() == 1
    response = client.get(reverse("programme:list"))
    assert response.status_code == 200
    assert "Doorontwikkeling KPA in het PO" not in response.content.decode()


def test_it_keeps_school_staff_out_of_the_programme(client, activity, ib, partner):
    for user in (ib, partner):
        client.force_login(user)
        assert client.get(reverse("programme:list")).status_code == 403
        for url in pages(activity):
            assert client.get(url).status_code == 404, url


def test_it_lets_another_gemeente_make_its_own_programme_and_lines(client, utrecht_po, amsterdam_coordinator):
    client.force_login(amsterdam_coordinator)
    response = client.post(reverse("programme:create"), {"sector": "PO", "title": "KPA Amsterdam"})
    programme = Programme.objects.get(title="KPA Amsterdam")
    assert response["Location"] == reverse("programme:detail", args=[programme.pk])
    assert programme.gemeente == amsterdam_coordinator.gemeente
    response = client.post(
        reverse("programme:line-create", args=[programme.pk]),
        {"number": "1", "title": "Samen beginnen", "speerpunten": "Eerste punt\n\nTweede punt\n"},
    )
    line = programme.lines.get()
    assert response["Location"] == reverse("programme:line-detail", args=[line.pk])
    assert [s.text for s in line.speerpunten.all()] == ["Eerste punt", "Tweede punt"]
    # Number 1 is taken in Amsterdam's programme (Utrecht's line 1 is no obstacle).
    response = client.post(
        reverse("programme:line-create", args=[programme.pk]), {"number": "1", "title": "Nog een"}
    )
    assert "Dit programma heeft al een actielijn met dit nummer." in response.content.decode()
    assert programme.lines.count() == 1
    # A second PO programme for the same gemeente is refused.
    response = client.post(reverse("programme:create"), {"sector": "PO", "title": "Dubbel"})
    assert "Deze gemeente heeft al een programma voor deze sector." in response.content.decode()
    assert Programme.objects.filter(gemeente=amsterdam_coordinator.gemeente).count() == 1
    # And its lines are not Utrecht's business.
    assert utrecht_po.lines.count() == 5


def test_it_adds_an_activity_with_its_indicators(client, coordinator, line4, wijk, school):
    client.force_login(coordinator)
    speerpunt = line4.speerpunten.get(order=3)
    data = activity_data(
        speerpunt=str(speerpunt.pk),
        wijken=[str(wijk.pk)],
        schools=[str(school.pk)],
        trekker=str(coordinator.pk),
    )
    response = client.post(reverse("programme:activity-create", args=[line4.pk]), data)
    activity = Activity.objects.get()
    assert response["Location"] == reverse("programme:activity-detail", args=[activity.pk])
    assert (activity.line, activity.speerpunt, activity.trekker) == (line4, speerpunt, coordinator)
    assert list(activity.wijken.all()) == [wijk] and list(activity.schools.all()) == [school]
    assert activity.starts_on == dt.date(2026, 11, 1) and activity.money == "Binnen bestaande uren."
    assert sorted(activity.indicators.values_list("name", flat=True)) == [
        "Aantal bijeenkomsten",
        "Deelnemende scholen",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Lerend netwerk West" in page and "Deelnemende scholen" in page


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"title": ""}, "Dit veld is verplicht."),
        ({"ends_on": "2026-10-01"}, "Het einde kan niet voor het begin liggen."),
        ({"description": f"Leerling met BSN {BSN}"}, "lijkt op een BSN"),
        ({"steps_planned": f"Bespreken {BSN}"}, "lijkt op een BSN"),
        ({"wijken": []}, "Zeg waar de activiteit loopt: de hele gemeente, enkele wijken of enkele scholen."),
        ({"status": "bijna"}, "Selecteer een geldige keuze."),
    ],
)
def test_it_refuses_bad_activity_input_in_dutch_and_keeps_what_was_typed(
    client, coordinator, line4, wijk, overrides, field_error
):
    client.force_login(coordinator)
    data = activity_data(wijken=[str(wijk.pk)]) | overrides
    response = client.post(reverse("programme:activity-create", args=[line4.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert field_error in page
    assert "Scholen en kernpartners in West leren samen." in page or "description" in overrides
    assert "Drie bijeenkomsten." in page or "steps_planned" in overrides
    assert not Activity.objects.exists() and not Indicator.objects.exists()


def test_it_changes_an_activity_and_keeps_an_indicator_with_measured_values(
    client, coordinator, activity, wijk
):
    client.force_login(coordinator)
    indicator = activity.indicators.get()
    IndicatorValue.objects.create(indicator=indicator, date=dt.date(2026, 10, 1), value=3)
    url = reverse("programme:activity-update", args=[activity.pk])
    assert "Scholen in het wijkgroepje" in client.get(url).content.decode()
    data = activity_data(title="Jazzsingel en omgeving", wijken=[str(wijk.pk)], indicators="Iets anders")
    response = client.post(url, data)
    assert "Scholen in het wijkgroepje heeft gemeten waarden en kan niet weg." in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "Jazzsingel" and list(activity.indicators.all()) == [indicator]
    data["indicators"] = "Scholen in het wijkgroepje\nIets anders"
    response = client.post(url, data)
    assert response["Location"] == reverse("programme:activity-detail", args=[activity.pk])
    activity.refresh_from_db()
    assert activity.title == "Jazzsingel en omgeving"
    assert list(activity.indicators.order_by("pk").values_list("name", flat=True)) == [
        "Scholen in het wijkgroepje",
        "Iets anders",
    ]


def test_it_posts_a_progress_update_with_a_measured_value(client, coordinator, activity):
    client.force_login(coordinator)
    indicator = activity.indicators.get()
    url = reverse("programme:update-create", args=[activity.pk])
    response = client.post(
        url,
        {
            "date": "2026-10-30",
            "text": "Twee scholen sluiten aan.",
            "phase": "check",
            "light": "orange",
            "is_success": "on",
            "indicator": str(indicator.pk),
            "value": "2",
        },
    )
    assert response["Location"] == reverse("programme:activity-detail", args=[activity.pk])
    update = ProgressUpdate.objects.get()
    assert (update.date, update.phase, update.light, update.is_success, update.author) == (
        dt.date(2026, 10, 30),
        "check",
        "orange",
        True,
        coordinator,
    )
    value = IndicatorValue.objects.get()
    assert (value.indicator, value.date, value.value, value.update) == (indicator, update.date, 2, update)
    page = client.get(response["Location"]).content.decode()
    assert "Twee scholen sluiten aan." in page and "Risico" in page and "Succes" in page


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"text": f"Kind {BSN} besproken"}, "lijkt op een BSN"),
        ({"date": "2026-11-03"}, "de datum kan niet in de toekomst liggen"),
        ({"text": ""}, "Dit veld is verplicht."),
        ({"light": ""}, "Dit veld is verplicht."),
        ({"value": ""}, "Vul de gemeten waarde in, of kies geen indicator."),
        ({"indicator": "", "value": "4"}, "Kies de indicator waar deze waarde bij hoort."),
        ({"value": "veel"}, "Voer een getal in."),
    ],
)
def test_it_refuses_a_bad_progress_update_in_dutch_and_keeps_what_was_typed(
    client, coordinator, activity, overrides, error
):
    client.force_login(coordinator)
    data = {
        "date": "2026-11-02",
        "text": "Eerste bijeenkomst gehouden.",
        "phase": "do",
        "light": "green",
        "indicator": str(activity.indicators.get().pk),
        "value": "1",
    } | overrides
    response = client.post(reverse("programme:update-create", args=[activity.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert data["text"] in page
    assert not ProgressUpdate.objects.exists() and not IndicatorValue.objects.exists()


def test_a_wijk_coordinator_sees_the_city_and_their_wijk_and_changes_only_their_wijk(
    client, wijk_coordinator, line4, wijk, other_wijk, other_school
):
    """wijk_coordinator is Overvecht's (`other_wijk`); `wijk` is West."""
    citywide = ActivityFactory(line=line4, title="Stadsbreed", citywide=True)
    own = ActivityFactory(line=line4, title="In Overvecht", citywide=False, wijken=[other_wijk])
    at_school = ActivityFactory(line=line4, title="Op het Kompas", citywide=False, schools=[other_school])
    west = ActivityFactory(line=line4, title="Alleen West", citywide=False, wijken=[wijk])
    both = ActivityFactory(line=line4, title="West en Overvecht", citywide=False, wijken=[wijk, other_wijk])
    client.force_login(wijk_coordinator)

    page = client.get(reverse("programme:line-detail", args=[line4.pk])).content.decode()
    assert all(a.title in page for a in (citywide, own, at_school, both))
    assert "Alleen West" not in page
    assert client.get(reverse("programme:activity-detail", args=[west.pk])).status_code == 404
    assert client.get(reverse("programme:update-create", args=[west.pk])).status_code == 404
    for seen_not_theirs in (citywide, both):
        assert client.get(reverse("programme:activity-detail", args=[seen_not_theirs.pk])).status_code == 200
        assert client.get(reverse("programme:activity-update", args=[seen_not_theirs.pk])).status_code == 403
        assert client.get(reverse("programme:update-create", args=[seen_not_theirs.pk])).status_code == 403
    for theirs in (own, at_school):
        assert client.get(reverse("programme:activity-update", args=[theirs.pk])).status_code == 200
    # Lines are the city's: no new line from a wijk coordinator.
    assert client.get(reverse("programme:line-create", args=[line4.programme_id])).status_code == 403

    # A new activity: only their wijk and its schools are offered; West is refused.
    url = reverse("programme:activity-create", args=[line4.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["wijken"].queryset) == [other_wijk]
    assert list(form.fields["schools"].queryset) == [other_school]
    assert "citywide" not in form.fields
    response = client.post(url, activity_data(wijken=[str(wijk.pk)], citywide="on"))
    assert "Selecteer een geldige keuze" in response.content.decode()
    response = client.post(url, activity_data(citywide="on"))
    assert "Kies je wijk of scholen daarin waar de activiteit loopt." in response.content.decode()
    assert Activity.objects.count() == 5
    response = client.post(url, activity_data(wijken=[str(other_wijk.pk)]))
    made = Activity.objects.get(title="Lerend netwerk West")
    assert (made.citywide, list(made.wijken.all())) == (False, [other_wijk])
    assert client.get(reverse("programme:activity-update", args=[made.pk])).status_code == 200


def test_the_programme_page_counts_activities_by_status_per_line(client, coordinator, utrecht_po, line4):
    ActivityFactory(line=line4, status=ActivityStatus.RUNNING)
    ActivityFactory(line=line4, status=ActivityStatus.RUNNING)
    ActivityFactory(line=line4, status=ActivityStatus.IDEA)
    client.force_login(coordinator)
    response = client.get(reverse("programme:detail", args=[utrecht_po.pk]))
    rows = dict(response.context["rows"])
    assert [n for _label, n in rows[line4]] == [1, 0, 2, 0, 0]
    assert (
        response.context["rows"][0][0].title
        == "Commitment van alle organisaties over doelstelling en werkwijze KPA"
    )


def _fill(line, n, wijk, school):
    for i in range(n):
        activity = ActivityFactory(line=line, speerpunt=line.speerpunten.get(order=1 + i % 4), citywide=False)
        activity.wijken.set([wijk])
        activity.schools.set([school])
        IndicatorFactory(activity=activity)
        for day in (1, 2):
            ProgressUpdateFactory(activity=activity, date=dt.date(2026, 10, day))


def test_it_keeps_the_line_and_activity_pages_queries_flat(
    client, django_assert_max_num_queries, coordinator, line4, wijk, school
):
    client.force_login(coordinator)
    counts = []
    for n in (2, 30):
        _fill(line4, n, wijk, school)
        activity = Activity.objects.filter(line=line4).last()
        for more in range(n):
            update = ProgressUpdateFactory(
                activity=activity, date=dt.date(2026, 9, 1) + dt.timedelta(days=more)
            )
            IndicatorValue.objects.create(
                indicator=activity.indicators.get(), date=update.date, value=more, update=update
            )
        # The line page: session, user, MFA check, line, activities (with the last update's date and light),
        # their wijken, the speerpunten; the menu's and page's own few.
        with django_assert_max_num_queries(12) as line_queries:
            assert client.get(reverse("programme:line-detail", args=[line4.pk])).status_code == 200
        # The activity page: session, user, MFA, activity, updates, their values, indicators, their values,
        # wijken, schools, organisations, school count, who may edit (wijken, schools).
        with django_assert_max_num_queries(18) as activity_queries:
            assert client.get(reverse("programme:activity-detail", args=[activity.pk])).status_code == 200
        counts.append((len(line_queries), len(activity_queries)))
    assert counts[0] == counts[1]


def test_it_keeps_the_programme_page_queries_flat(
    client, django_assert_max_num_queries, coordinator, utrecht_po
):
    client.force_login(coordinator)
    lengths = []
    for n in (1, 25):
        for line in utrecht_po.lines.all():
            for _ in range(n):
                ActivityFactory(line=line)
        # Session, user, MFA check, programme, lines with their counts, speerpunten; the page's own few.
        with django_assert_max_num_queries(10) as queries:
            assert client.get(reverse("programme:detail", args=[utrecht_po.pk])).status_code == 200
        lengths.append(len(queries))
    assert lengths[0] == lengths[1]


def test_it_changes_a_line_and_its_speerpunten_keeping_those_with_activities(client, coordinator, line4):
    client.force_login(coordinator)
    first, second, third, fourth = line4.speerpunten.order_by("order")
    ActivityFactory(line=line4, speerpunt=fourth)
    url = reverse("programme:line-update", args=[line4.pk])
    assert first.text in client.get(url).content.decode()
    data = {"number": "4", "title": "Samenwerking in de wijk", "speerpunten": f"Nieuw eerste\n{second.text}"}
    response = client.post(url, data)
    assert f"“{third.text}” heeft activiteiten en kan niet weg." not in response.content.decode()
    assert f"“{fourth.text}” heeft activiteiten en kan niet weg." in response.content.decode()
    line4.refresh_from_db()
    assert line4.title == "Versterken van de kernpartnersamenwerking in de wijk"
    assert line4.speerpunten.count() == 4
    data["speerpunten"] = f"Nieuw eerste\n{second.text}\n\n{fourth.text}\nVijfde"
    response = client.post(url, data)
    assert response["Location"] == reverse("programme:line-detail", args=[line4.pk])
    line4.refresh_from_db()
    assert line4.title == "Samenwerking in de wijk"
    speerpunten = list(line4.speerpunten.order_by("order"))
    assert [s.text for s in speerpunten] == ["Nieuw eerste", second.text, fourth.text, "Vijfde"]
    assert [s.pk for s in speerpunten[:3]] == [first.pk, second.pk, third.pk]  # a place keeps its row
    # Number 5 is taken by another line of the programme.
    response = client.post(url, data | {"number": "5"})
    assert "Dit programma heeft al een actielijn met dit nummer." in response.content.decode()


def test_only_the_programme_s_editors_change_a_line(client, line4, wijk_coordinator, amsterdam_coordinator):
    url = reverse("programme:line-update", args=[line4.pk])
    client.force_login(wijk_coordinator)
    assert client.get(url).status_code == 403
    client.force_login(amsterdam_coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url, {"number": "4", "title": "Weg"}).status_code == 404
    line4.refresh_from_db()
    assert line4.title == "Versterken van de kernpartnersamenwerking in de wijk"


def test_the_line_page_links_to_what_schools_raise_under_it(client, coordinator, line4):
    client.force_login(coordinator)
    page = client.get(reverse("programme:line-detail", args=[line4.pk])).content.decode()
    link = f'href="{reverse("meetings:questions")}?action_line={line4.pk}"'
    assert link in page and "Wat scholen onder deze actielijn inbrengen" in page
    assert client.get(f"{reverse('meetings:questions')}?action_line={line4.pk}").status_code == 200
