"""Passwords: at least 12 characters (ASVS 2.1.1), and not little more than common Dutch words or names
that go with KPA, the person's gemeente, school or organisation."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpa.models import Invitation, User, UserKind, hash_token
from kpa.services import invitation_send
from partners.models import Role
from tests.factories import PASSWORD, AssignmentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
GUESSABLE = "te makkelijk te raden"


def refusal(password, user=None) -> str:
    """The Dutch reasons a password is refused, or "" when it is accepted."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@pytest.fixture
def person(school):
    """A partner at OBS De Zonnewijzer (wijk West, gemeente Utrecht) working for Lokalis."""
    user = UserFactory(
        kind=UserKind.KERNPARTNER,
        email="fatima.elamrani@lokalis.example",
        first_name="Fatima",
        last_name="El Amrani",
        organisation=OrganisationFactory(name="Lokalis Buurtteams"),
    )
    AssignmentFactory(person=user, school=school, role=Role.BUURTTEAM)
    return user


def test_it_wants_at_least_twelve_characters(person):
    assert "12 tekens" in refusal("tulp-zon-27", person)  # 11
    assert refusal("tulp-zonne-27", person) == ""  # 13


@pytest.mark.parametrize(
    "password",
    [
        "Welkom2026!!",
        "wachtwoord-2026",
        "W3lk0m-8888!",  # letters written as digits
        "Kernpartner-2026!",
        "KPA-kpa-kpa-2026",
        "Utrecht-welkom-1",
        "Maandag-januari-1",
        "WELKOM welkom 99",
    ],
)
def test_it_refuses_common_dutch_words_and_the_product(person, password):
    assert GUESSABLE in refusal(password, person)


@pytest.mark.parametrize(
    "password",
    [
        "Zonnewijzer2026!",  # the person's school
        "ObsDeZonnewijzer-1",
        "Lokalis-Buurtteams-1",  # their organisation
        "Amrani-Fatima-2026",  # their own name
        "West-West-West-2026",  # their school's wijk
    ],
)
def test_it_refuses_names_that_go_with_the_person_s_work(person, password):
    assert GUESSABLE in refusal(password, person)


def test_it_refuses_every_gemeente_in_kpa(person, gemeente):
    from tests.factories import GemeenteFactory

    GemeenteFactory(code="0363", name="Amersfoort-Zuid")
    assert GUESSABLE in refusal("Amersfoortzuid!2026", person)
    assert GUESSABLE in refusal("Amersfoort-2026!!", person)


def test_it_accepts_unrelated_words(person):
    for password in ("zonnebloem-tulp-2027", PASSWORD, "paraplu kameel oranje", "Welkom-bij-de-Tulpenboot"):
        assert refusal(password, person) == "", password


def test_it_judges_a_new_person_without_assignments_too(db):
    user = User(email="nieuw@example.org", first_name="Noor")  # not saved yet, as in the admin's add form
    assert GUESSABLE in refusal("Noor-welkom-2026", user)
    assert GUESSABLE in refusal("Utrecht-welkom-1")  # no user at all


def test_it_explains_the_rule_in_dutch():
    from django.contrib.auth.password_validation import password_validators_help_texts

    texts = " ".join(password_validators_help_texts())
    assert "veelgebruikte woorden" in texts
    assert "12 tekens" in texts


def test_it_refuses_a_guessable_password_when_accepting_an_invitation(client, admin_user, school):
    invitee = UserFactory(kind=UserKind.SCHOOL, email="ib2@zonnewijzer.example", password=None)
    AssignmentFactory(person=invitee, school=school, role=Role.IB)
    invitation_send(user=invitee, invited_by=admin_user)
    Invitation.objects.filter(user=invitee).update(token_hash=hash_token("t"))
    url = reverse("kpa:invitation-accept", kwargs={"token": "t"})
    response = client.post(url, {"new_password1": "Zonnewijzer2026!", "new_password2": "Zonnewijzer2026!"})
    assert response.status_code == 200
    assert GUESSABLE in response.text
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()
    assert Invitation.objects.get(user=invitee).accepted_at is None


def test_it_refuses_a_guessable_password_on_the_change_page(client, partner):
    client.force_login(partner)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Welkom-2026!!", "password2": "Welkom-2026!!"},
    )
    assert response.status_code == 200
    assert GUESSABLE in response.text
    partner.refresh_from_db()
    assert partner.check_password(PASSWORD)
