"""Names are one line (kpa.validators): refused on every model field that holds a name, in forms and the
admin, and a name stored before (or around) the check still gives a mail with a one-line subject."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from kpa.models import User, UserKind
from kpa.outbox import sender
from kpa.validators import one_line, validate_one_line
from meetings import services
from partners.manage_forms import OrganisationForm, WijkForm
from partners.models import Organisation
from partners.people_forms import InviteForm
from schools.models import Gemeente, School, SchoolHoliday, Wijk
from tests.factories import AssignmentFactory, GemeenteFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
HIDDEN = {
    "line feed": "\n",
    "carriage return": "\r",
    "tab": "\t",
    "NUL": "\x00",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "next line": "\x85",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "soft hyphen": "\u00ad",
    "byte order mark": "\ufeff",
}
DUTCH_ERROR = "Haal het regeleinde, de tab of het onzichtbare teken op positie"


@pytest.mark.parametrize("character", HIDDEN.values(), ids=HIDDEN.keys())
def test_it_refuses_a_name_that_is_not_one_line(character):
    with override("nl"), pytest.raises(ValidationError) as caught:
        validate_one_line(f"OBS De{character}Zonnewijzer")
    assert caught.value.code == "not_one_line"
    assert caught.value.messages == [
        f"{DUTCH_ERROR} 7 (U+{ord(character):04X}) weg: schrijf dit op één regel."
    ]


@pytest.mark.parametrize(
    "name",
    ["OBS De Zonnewijzer", "Stichting PCOU Willibrord", "Zoë O’Brien-Çelik", "'t Klokhuis", "Ümit 😀", ""],
)
def test_it_lets_ordinary_names_pass(name):
    validate_one_line(name)


def test_it_makes_one_line_of_any_text():
    assert one_line("  OBS De\r\nZonnewijzer\t\u2028\u200b(West)\x00 \n") == "OBS De Zonnewijzer (West)"
    assert one_line("") == ""


# --- every model field that holds a name


NAME_FIELDS = [
    (School, "name"),
    (School, "bestuur"),
    (School, "street"),
    (School, "city"),
    (Gemeente, "name"),
    (Wijk, "name"),
    (SchoolHoliday, "name"),
    (Organisation, "name"),
    (User, "first_name"),
    (User, "last_name"),
]


@pytest.mark.parametrize(("model", "field"), NAME_FIELDS, ids=[f"{m.__name__}.{f}" for m, f in NAME_FIELDS])
def test_it_refuses_a_line_break_in_every_name_field(model, field):
    with pytest.raises(ValidationError) as caught:
        model._meta.get_field(field).clean("De\nNaam", None)
    assert [error.code for error in caught.value.error_list] == ["not_one_line"]


@pytest.mark.django_db
def test_it_refuses_it_in_full_clean(school):
    school.name = "OBS De\nZonnewijzer"
    with pytest.raises(ValidationError) as caught:
        school.full_clean()
    assert list(caught.value.error_dict) == ["name"]


@pytest.mark.django_db
def test_it_refuses_it_in_the_admin_in_dutch(client, admin_user, school):
    client.force_login(admin_user)
    url = reverse("admin:schools_school_change", args=[school.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"name": "OBS De\r\nZonnewijzer", "wijk": school.wijk_id, "gemeente": school.gemeente_id}

    with override("nl"):
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200
    assert DUTCH_ERROR in str(response.context["adminform"].form.errors["name"])
    school.refresh_from_db()
    assert school.name == "OBS De Zonnewijzer"


@pytest.mark.django_db
def test_it_refuses_it_in_the_management_forms_and_the_invitation():
    gemeente = GemeenteFactory()
    with override("nl"):
        wijk = WijkForm(data={"gemeente": gemeente.pk, "name": "West\u202eNoord"})
        organisation = OrganisationForm(data={"name": "Buurt\u200bteam", "kind": "buurtteam"})
        invite = InviteForm(
            data={
                "email": "nieuw@example.org",
                "first_name": "Ilse\t",
                "last_name": "Bak\nker",
                "kind": "school",
            }
        )
        assert not wijk.is_valid()
        assert not organisation.is_valid()
        assert not invite.is_valid()
    assert DUTCH_ERROR in wijk.errors["name"][0]
    assert DUTCH_ERROR in organisation.errors["name"][0]
    assert list(invite.errors) == ["last_name"]  # the tab at the end is stripped like any white space
    assert not Wijk.objects.filter(name__startswith="West").exists()
    assert not Organisation.objects.exists()


# --- a name stored around the check still gives a deliverable mail


@pytest.mark.django_db
def test_it_keeps_the_subject_on_one_line_whatever_the_name(school):
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, 0, tzinfo=AMS), tick=False):
        ib = UserFactory(kind=UserKind.SCHOOL, email="ib@school.example")
        AssignmentFactory(person=ib, school=school, role="ib", start_date=dt.date(2020, 8, 1))
        # As a name could be stored before the check existed, or by a path that skips it.
        School.objects.filter(pk=school.pk).update(name="OBS De\r\nZonnewijzer\u2028\t(West)\u200b")
        school.refresh_from_db()
        services.meeting_schedule(
            school=school, starts_at=dt.datetime(2026, 10, 26, 9, 0, tzinfo=AMS), location="Teamkamer"
        )

        assert sender.send_due() == 1

    [message] = mail.outbox
    assert "OBS De Zonnewijzer (West)" in message.subject
    assert not any(c in message.subject for c in "\r\n\t\u2028\u200b")
    assert "\nSubject:" in message.message().as_string()
