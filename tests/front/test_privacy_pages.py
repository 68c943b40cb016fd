"""The privacy pages of front (front/views_privacy.py): the verwerkingsregister built from the registry of
personal data, with the controller and covenant of each gemeente in scope; the public privacy statement
and "Wat mag ik delen?"; the footer's links to them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import translation

from front import urls as front_urls
from front.views_privacy import GEMEENTEN_PER_PAGE
from kpa import personal_data
from kpa.models import User, UserKind
from kpa.personal_data import Processing, Retention
from partners.models import Role
from schools.models import Gemeente
from tests.factories import AssignmentFactory, GemeenteFactory, SchoolFactory, UserFactory, WijkFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("privacy:register")
STATEMENT = reverse("privacy:statement")
SHARING = reverse("privacy:sharing")
AMS = dt.timezone(dt.timedelta(hours=1))

PURPOSE = "Om te testen dat het register uit de registry komt (purpose 7f3a)."
RULE = "Weg na de bewaartermijn (rule 7f3a)."


def nl(msgid: str) -> str:
    """What a Dutch user reads for `msgid` (the English msgid until the catalogue has it)."""
    with translation.override("nl"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2027, 1, 12, 10, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def registered(monkeypatch):
    """A processing and its retention policy of our own in the registry, whatever the apps register."""
    retention = Retention(
        key="test_people",
        label="Testgegevens van mensen",
        setting="KPA_KEEP_TEST_PEOPLE_DAYS",
        default_days=123,
        rule=RULE,
        why="Omdat het een test is.",
        purge=lambda cutoff, dry_run: 0,
    )
    processing = Processing(
        model="kpa.User",
        group="Testverwerking 7f3a",
        fields=("email", "phone", "first_name"),
        people=("pk",),
        purpose=PURPOSE,
        legal_basis="Grondslag 7f3a",
        visible_to="Zichtbaar voor 7f3a",
        retention=retention.key,
        anonymisation="Pseudoniem 7f3a",
    )
    monkeypatch.setitem(personal_data._retentions, retention.key, retention)
    monkeypatch.setitem(personal_data._processings, "kpa.user", processing)
    return processing


@pytest.fixture
def facts(wijk):
    """The gemeente of `wijk` (and `school`) with its privacy facts recorded."""
    gemeente = wijk.gemeente
    gemeente.privacy_controller = "College van B en W van de gemeente Utrecht"
    gemeente.privacy_covenant = "Privacyconvenant Kernpartneraanpak Utrecht"
    gemeente.privacy_covenant_url = "https://www.utrecht.nl/"
    gemeente.privacy_covenant_since = dt.date(2025, 8, 1)
    gemeente.save()
    return gemeente


@pytest.fixture
def empty_gemeente(other_wijk):
    """Another gemeente, nothing recorded, with `other_school` in it."""
    gemeente = GemeenteFactory(code="0363", name="Amsterdam")
    other_wijk.gemeente = gemeente
    other_wijk.save()
    other_wijk.schools.update(gemeente=gemeente)
    return gemeente


# --- the register ----------------------------------------------------------------------------------------


def test_it_builds_the_register_from_the_registry(client, ib, registered, settings):
    settings.KPA_KEEP_TEST_PEOPLE_DAYS = 45
    client.force_login(ib)
    response = client.get(REGISTER)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Testverwerking 7f3a" in body  # the group, as a heading
    with translation.override("nl"):
        assert str(User._meta.verbose_name_plural).capitalize() in body
        for name in ("email", "phone", "first_name"):
            assert str(User._meta.get_field(name).verbose_name) in body.lower()
    for text in (PURPOSE, "Grondslag 7f3a", "Zichtbaar voor 7f3a", "Pseudoniem 7f3a", RULE):
        assert text in body
    assert "Testgegevens van mensen" in body
    assert "45" in body  # the policy's current number of days, from its setting


def test_it_says_when_a_processing_names_a_retention_nobody_registered(client, ib, registered, monkeypatch):
    monkeypatch.delitem(personal_data._retentions, "test_people")
    client.force_login(ib)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert nl("no retention period set yet") in response.content.decode()


def test_it_shows_each_gemeente_its_controller_and_covenant(client, admin_user, facts, empty_gemeente):
    client.force_login(admin_user)
    body = client.get(REGISTER).content.decode()
    assert "College van B en W van de gemeente Utrecht" in body
    assert '<a href="https://www.utrecht.nl/" rel="noopener noreferrer">Privacyconvenant' in body
    with translation.override("nl"):
        assert translation.gettext("not recorded yet") in body  # Amsterdam: nothing recorded
    assert "Amsterdam" in body
    assert "1 augustus 2025" in body
    assert reverse("admin:schools_gemeente_changelist") in body


def test_it_shows_a_coordinator_only_their_own_gemeente(client, coordinator, facts, empty_gemeente):
    client.force_login(coordinator)
    body = client.get(REGISTER).content.decode()
    assert "Privacyconvenant Kernpartneraanpak Utrecht" in body
    assert "Amsterdam" not in body
    assert reverse("admin:schools_gemeente_changelist") not in body


def test_it_shows_a_kernpartner_the_gemeenten_of_their_schools(client, outsider, facts, empty_gemeente):
    client.force_login(outsider)  # the JGZ kernpartner of other_school, in Amsterdam
    body = client.get(REGISTER).content.decode()
    assert "Amsterdam" in body
    assert nl("not recorded yet") in body
    assert "Privacyconvenant Kernpartneraanpak Utrecht" not in body


def test_it_tells_someone_without_a_gemeente_so(client, db):
    client.force_login(UserFactory(kind=UserKind.KERNPARTNER))
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert nl("You work for no municipality in KPA yet.") in response.content.decode()


def test_it_sends_an_anonymous_visitor_to_the_login(client, db):
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_answers_only_get(client, ib):
    client.force_login(ib)
    assert client.post(REGISTER).status_code == 405


def _many_gemeenten(n: int) -> None:
    Gemeente.objects.bulk_create(
        Gemeente(code=f"{1000 + i:04d}", name=f"Gemeente {i:03d}", privacy_controller=f"College {i}")
        for i in range(n)
    )


def test_its_queries_do_not_grow_with_the_gemeenten(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    _many_gemeenten(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(REGISTER).status_code == 200
    more = GEMEENTEN_PER_PAGE * 3
    Gemeente.objects.bulk_create(
        Gemeente(code=f"{5000 + i:04d}", name=f"Plaats {i:03d}") for i in range(more)
    )
    # session, user, the admin's authenticator (MFA check), the gemeenten counted, one page of them, and
    # the session saved again (savepoint, update, release: SESSION_SAVE_EVERY_REQUEST)
    with django_assert_max_num_queries(8):
        response = client.get(REGISTER)
    assert response.context["page"].paginator.count == 3 + more
    assert len(response.context["page"].object_list) == GEMEENTEN_PER_PAGE
    with CaptureQueriesContext(connection) as many:
        client.get(REGISTER)
    assert len(many) == len(few)


def test_it_pages_through_the_gemeenten(client, admin_user):
    _many_gemeenten(GEMEENTEN_PER_PAGE + 2)
    client.force_login(admin_user)
    body = client.get(REGISTER, {"page": 2}).content.decode()
    assert f"Gemeente {GEMEENTEN_PER_PAGE + 1:03d}" in body
    assert "Gemeente 000" not in body


# --- the public pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [STATEMENT, SHARING])
def test_the_public_pages_answer_an_anonymous_visitor(client, db, url):
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [STATEMENT, SHARING])
def test_the_public_pages_answer_a_signed_in_user(client, partner, url):
    client.force_login(partner)
    assert client.get(url).status_code == 200


def test_the_statement_gives_the_retention_periods_from_the_registry(client, db, registered, settings):
    settings.KPA_KEEP_TEST_PEOPLE_DAYS = 45
    body = client.get(STATEMENT).content.decode()
    assert "Testgegevens van mensen" in body
    assert RULE in body
    assert "45" in body
    assert REGISTER in body  # "the register (after signing in)"


def test_the_statement_says_what_kpa_never_stores(client, db):
    body = client.get(STATEMENT).content.decode()
    medical = (
        "Medical information. JGZ staff keep their medical professional secrecy: nothing that falls under "
        "it belongs in KPA."
    )
    assert nl(medical) in body
    assert SHARING in body


def _stand_in(request):
    return HttpResponse("inzage")


kpa_home = path("", include(([path("", _stand_in, name="home")], "kpa")))
without_inzage = [kpa_home, path("privacy/", include((front_urls.privacy_patterns, "privacy")))]
with_inzage = [
    kpa_home,
    path(
        "privacy/",
        include(([*front_urls.privacy_patterns, path("inzage/", _stand_in, name="inzage")], "privacy")),
    ),
]


class WithoutInzage:
    urlpatterns = without_inzage


class WithInzage:
    urlpatterns = with_inzage


def test_the_statement_works_without_the_inzage_page(client, db, settings):
    settings.ROOT_URLCONF = WithoutInzage
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert nl("Ask the administrator of KPA.") in response.content.decode()


def test_the_statement_links_to_inzage_when_there_is_one(client, db, settings):
    settings.ROOT_URLCONF = WithInzage
    body = client.get("/privacy/").content.decode()
    assert 'href="/privacy/inzage/"' in body


def test_the_sharing_help_names_what_the_guard_refuses(client, db):
    body = client.get(SHARING).content.decode()
    for msgid in (
        "a number that looks like an education number;",
        "the e-mail address of someone without a KPA account.",
    ):
        assert nl(msgid) in body


# --- the footer ------------------------------------------------------------------------------------------


def test_the_footer_links_the_public_pages_for_everyone(client, db):
    body = client.get(reverse("account_login")).content.decode()
    footer = body[body.index("<footer") :]
    assert f'href="{STATEMENT}"' in footer
    assert f'href="{SHARING}"' in footer
    assert f'href="{REGISTER}"' not in footer


def test_the_footer_links_the_register_once_signed_in(client, ib):
    client.force_login(ib)
    body = client.get(reverse("kpa:home")).content.decode()
    footer = body[body.index("<footer") :]
    assert f'href="{REGISTER}"' in footer
    assert f'href="{STATEMENT}"' in footer


def test_a_school_s_gemeente_counts_once(client, facts, school):
    """A kernpartner with two schools in the same gemeente sees that gemeente once."""
    person = UserFactory(kind=UserKind.KERNPARTNER)
    AssignmentFactory(person=person, school=school, role=Role.JGZ)
    AssignmentFactory(person=person, school=SchoolFactory(wijk=WijkFactory(gemeente=facts)), role=Role.JGZ)
    client.force_login(person)
    response = client.get(REGISTER)
    assert response.context["page"].paginator.count == 1


def test_the_statement_names_the_smallest_group_evaluation_results_are_shown_of(client, db, settings):
    settings.KPA_EVALUATION_MIN_GROUP = 5
    response = client.get(STATEMENT)
    assert response.context["min_group"] == 5
    assert "5" in response.content.decode()
