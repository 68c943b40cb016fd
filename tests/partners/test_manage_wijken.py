import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import Assignment, Role
from schools.models import Wijk
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory, WijkFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "name", ["manage:wijk-list", "manage:wijk-create", "manage:wijk-detail", "manage:wijk-update"]
)
def test_it_lets_only_admins_in(client, name, wijk, admin_user, partner, coordinator):
    url = reverse(name, args=[wijk.pk]) if name.endswith(("detail", "update")) else reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "X", "gemeente": wijk.gemeente_id}).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    assert Wijk.objects.filter(name="X").count() == 0


def test_it_lists_wijken_per_gemeente_with_school_counts(client, admin_user, school, other_school, wijk):
    SchoolFactory(wijk=wijk)
    SchoolFactory(wijk=wijk, is_active=False)
    client.force_login(admin_user)
    response = client.get(reverse("manage:wijk-list"))
    counts = {w.name: w.school_count for w in response.context["page"]}
    assert counts == {"West": 2, "Overvecht": 1}
    assert wijk.gemeente.name in response.content.decode()


def test_it_creates_a_wijk(client, admin_user, gemeente):
    client.force_login(admin_user)
    response = client.post(reverse("manage:wijk-create"), {"gemeente": gemeente.pk, "name": "Leidsche Rijn"})
    created = Wijk.objects.get(name="Leidsche Rijn")
    assert response["Location"] == reverse("manage:wijk-detail", args=[created.pk])
    assert created.gemeente == gemeente


def test_it_refuses_a_duplicate_wijk_and_keeps_the_input(client, admin_user, wijk):
    client.force_login(admin_user)
    response = client.post(reverse("manage:wijk-create"), {"gemeente": wijk.gemeente_id, "name": "West"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="West"' in response.content.decode()
    assert Wijk.objects.filter(name="West").count() == 1


def test_it_refuses_a_wijk_without_a_name(client, admin_user, gemeente):
    client.force_login(admin_user)
    response = client.post(reverse("manage:wijk-create"), {"gemeente": gemeente.pk, "name": ""})
    assert response.context["form"].has_error("name", code="required")
    assert not Wijk.objects.exists()


def test_it_renames_a_wijk(client, admin_user, wijk):
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:wijk-update", args=[wijk.pk]), {"gemeente": wijk.gemeente_id, "name": "Oost"}
    )
    assert response["Location"] == reverse("manage:wijk-detail", args=[wijk.pk])
    wijk.refresh_from_db()
    assert wijk.name == "Oost"


def test_it_answers_404_for_an_unknown_wijk(client, admin_user, db):
    client.force_login(admin_user)
    assert client.get(reverse("manage:wijk-detail", args=[999999])).status_code == 404
    assert client.get(reverse("manage:wijk-update", args=[999999])).status_code == 404


def test_it_shows_the_schools_of_a_wijk_with_their_coverage(
    client, admin_user, school, partner, other_school, wijk
):
    empty = SchoolFactory(wijk=wijk, name="Basisschool Leeg")
    for role in (Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT):
        AssignmentFactory(school=school, role=role)
    client.force_login(admin_user)
    response = client.get(reverse("manage:wijk-detail", args=[wijk.pk]))
    body = response.content.decode()
    rows = {row.school.pk: row for row in response.context["rows"]}
    assert set(rows) == {school.pk, empty.pk}
    assert rows[school.pk].team.is_complete
    assert not rows[empty.pk].team.is_complete
    assert response.context["complete"] == 1
    assert str(partner) in body
    assert reverse("manage:school-team", args=[school.pk]) in body
    assert other_school.name not in body


def test_it_assigns_one_person_to_all_schools_of_a_wijk_and_reports_the_skipped(
    client, admin_user, school, wijk
):
    second, third = (
        SchoolFactory(wijk=wijk, name="CBS De Regenboog"),
        SchoolFactory(wijk=wijk, name="OBS Oost"),
    )
    holder = AssignmentFactory(school=third, role=Role.LEERPLICHT)
    officer = UserFactory(first_name="Lea", last_name="Plicht")
    start = timezone.localdate()
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:wijk-detail", args=[wijk.pk]),
        {"person": officer.pk, "role": Role.LEERPLICHT, "start_date": start.isoformat()},
    )
    assert response["Location"] == reverse("manage:wijk-detail", args=[wijk.pk])
    assigned = set(Assignment.objects.filter(person=officer).values_list("school_id", flat=True))
    assert assigned == {school.pk, second.pk}
    holder.refresh_from_db()
    assert holder.end_date is None
    with translation.override("nl"):
        from django.utils.translation import ngettext

        created = ngettext("%(count)d assignment created.", "%(count)d assignments created.", 2) % {
            "count": 2
        }
    shown = messages_of(response)
    assert shown[0] == created
    assert len(shown) == 2
    assert third.name in shown[1]
    assert str(holder.person) in shown[1]  # the reason names who holds the role


def test_it_keeps_the_input_when_the_assign_all_form_is_incomplete(client, admin_user, school, wijk):
    officer = UserFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:wijk-detail", args=[wijk.pk]),
        {"person": officer.pk, "role": Role.LEERPLICHT, "start_date": "morgen"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("start_date", code="invalid")
    assert 'value="morgen"' in response.content.decode()
    assert not Assignment.objects.filter(person=officer).exists()


def test_it_offers_only_kernpartner_roles_and_active_kernpartners_for_a_whole_wijk(
    client, admin_user, wijk, ib
):
    blocked = UserFactory(is_active=False)
    client.force_login(admin_user)
    for person in (blocked, ib):
        response = client.post(
            reverse("manage:wijk-detail", args=[wijk.pk]),
            {"person": person.pk, "role": Role.IB, "start_date": "2026-01-01"},
        )
        form = response.context["form"]
        assert form.has_error("person", code="invalid_choice")
        assert form.has_error("role", code="invalid_choice")
    assert Assignment.objects.filter(role=Role.IB).count() == 1


@pytest.mark.parametrize("schools", [10, 300])
def test_it_keeps_the_wijk_page_queries_flat(
    client, django_assert_max_num_queries, admin_user, wijk, schools
):
    today = timezone.localdate()
    for n in range(schools):
        school = SchoolFactory(wijk=wijk)
        AssignmentFactory(school=school, role=Role.JGZ)
        AssignmentFactory(school=school, role=Role.BUURTTEAM, is_stand_in=True)
        AssignmentFactory(school=school, role=Role.LEERPLICHT, end_date=today - dt.timedelta(days=n % 90 + 1))
    client.force_login(admin_user)
    url = reverse("manage:wijk-detail", args=[wijk.pk])
    client.get(url)  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, wijk with gemeente, schools of the wijk,
    # today's assignments of all those schools (teams_for_schools), people for the person select,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["rows"]) == schools


@pytest.mark.parametrize("wijken", [10, 60])
def test_it_keeps_the_wijk_list_queries_flat(
    client, django_assert_max_num_queries, admin_user, gemeente, wijken
):
    for _ in range(wijken):
        SchoolFactory(wijk=WijkFactory(gemeente=gemeente))
    client.force_login(admin_user)
    client.get(reverse("manage:wijk-list"))  # warm up
    # session, user, MFA authenticator, count, page of wijken with gemeente, the school count of the
    # page's wijken, gemeenten for the create form, session save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("manage:wijk-list")).status_code == 200


# The wijken as the list's template wrote them before partners.templatetags.manage_lists.wijk_tables.
WIJK_TABLES_AS_TEMPLATE = """{% regroup wijken by gemeente as per_gemeente %}{% for group in per_gemeente %}
      <h2 class="h4">{{ group.grouper.name }}</h2>
      <div class="table-responsive">
      <table class="table">
        <thead><tr><th scope="col">{% translate "Wijk" %}</th><th scope="col" class="text-end">{% translate "Active schools" %}</th><th scope="col"><span class="visually-hidden">{% translate "Actions" %}</span></th></tr></thead>
        <tbody>
          {% for wijk in group.list %}
            <tr>
              <td><a href="{% url 'manage:wijk-detail' wijk.pk %}">{{ wijk.name }}</a></td>
              <td class="text-end">{{ wijk.school_count }}</td>
              <td class="text-end"><a href="{% url 'manage:wijk-update' wijk.pk %}">{% translate "Edit" %}<span class="visually-hidden"> {{ wijk.name }}</span></a></td>
            </tr>
          {% endfor %}
        </tbody>
      </table>
      </div>
    {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_wijk_tables_written_in_python_are_the_templates_tables(language):
    """Character for character, with awkward names (markup, quotes, an ampersand, a non-ASCII letter),
    counts (none, one, thousands), a gemeente of one wijk and one of two, a gemeente whose wijken are not
    next to each other (a table for each run, as regroup), and none at all."""
    from django.template import Context, Template

    from partners.templatetags.manage_lists import wijk_tables
    from schools.models import Gemeente

    amersfoort = Gemeente(pk=3, code="0307", name="<b>Amersfoort</b> & co")
    den_bosch = Gemeente(pk=4, code="0796", name="'s-Hertogenbosch")
    wijken = [
        Wijk(pk=7, gemeente=amersfoort, name='<script>"Noord"</script> & Oost'),
        Wijk(pk=80, gemeente=den_bosch, name="Öst 'Zuid'"),
        Wijk(pk=9999, gemeente=den_bosch, name="West"),
        Wijk(pk=12, gemeente=amersfoort, name="Vathorst"),
    ]
    for wijk, count in zip(wijken, (0, 1, 12345, 3), strict=True):
        wijk.school_count = count
    with translation.override(language):
        template = Template("{% load i18n %}" + WIJK_TABLES_AS_TEMPLATE)
        written = wijk_tables(Context(), wijken)
        assert written == template.render(Context({"wijken": wijken}))
        assert written.count("<table") == 3
        assert wijk_tables(Context(), []) == template.render(Context({"wijken": []})) == ""
    with translation.override("nl"):
        assert ">Bewerken<span" in wijk_tables(Context(), wijken)


def test_the_wijk_list_writes_each_wijk_with_its_links_and_count(client, admin_user, wijk, school):
    client.force_login(admin_user)
    body = client.get(reverse("manage:wijk-list")).content.decode()
    detail, update = (
        reverse("manage:wijk-detail", args=[wijk.pk]),
        reverse("manage:wijk-update", args=[wijk.pk]),
    )
    assert f'<td><a href="{detail}">West</a></td>\n              <td class="text-end">1</td>' in body
    assert f'<a href="{update}">' in body


def test_the_wijk_list_without_wijken_says_so(client, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("manage:wijk-list")).content.decode()
    assert "Nog geen wijken. Voeg de eerste toe." in body
    assert "<table" not in body


def test_the_wijk_list_keeps_each_gemeente_together_when_two_share_a_name(client, admin_user):
    """Gemeente names are not unique: sorted by name alone, the wijken of two gemeenten called Bergen
    took turns, and the list wrote a table (and a heading) for every turn."""
    from schools.models import Gemeente

    north, south = (
        Gemeente.objects.create(code="0373", name="Bergen"),
        Gemeente.objects.create(code="0893", name="Bergen"),
    )
    for gemeente, name in ((north, "Aal"), (south, "Bos"), (north, "Cirkel"), (south, "Duin")):
        WijkFactory(gemeente=gemeente, name=name)
    client.force_login(admin_user)
    body = client.get(reverse("manage:wijk-list")).content.decode()
    assert body.count('<h2 class="h4">Bergen</h2>') == 2
    assert body.index(">Aal<") < body.index(">Cirkel<") < body.index(">Bos<") < body.index(">Duin<")
