"""factory_boy factories for every model the tests build."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kpa.models import User, UserKind
from partners.models import Assignment, Organisation, OrganisationKind, Role
from schools.models import Gemeente, School, Sector, Wijk

PASSWORD = "correct-horse-battery"


class GemeenteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gemeente
        django_get_or_create = ("code",)

    code = "0344"
    name = "Utrecht"


class WijkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wijk

    gemeente = factory.SubFactory(GemeenteFactory)
    name = factory.Sequence(lambda n: f"Wijk {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    brin = factory.Sequence(lambda n: f"{n % 100:02d}{chr(65 + n // 100 % 26)}{chr(65 + n // 2600 % 26)}")
    vestiging = factory.Sequence(lambda n: f"{n // 67600 % 100:02d}")
    name = factory.Sequence(lambda n: f"School {n}")
    sector = Sector.PO
    wijk = factory.SubFactory(WijkFactory)
    gemeente = factory.SelfAttribute("wijk.gemeente")
    street = "Schoolstraat 1"
    postcode = "3511 AA"
    city = "Utrecht"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.BUURTTEAM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = "Achternaam"
    kind = UserKind.KERNPARTNER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_with_verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # Every real account comes from an accepted invitation, which verifies the address.
            from kpa.services import mark_email_verified

            mark_email_verified(obj)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.BUURTTEAM
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))
    end_date = None
