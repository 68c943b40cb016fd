"""The register of personal data (kpa.personal_data) misses no model: the walk of every installed model
finds each one with a relation to a person or a field marked personal, and a new model that is not
registered makes it fail (proved with throwaway models)."""

from __future__ import annotations

from django.db import models
from django.test.utils import isolate_apps

from kpa import personal_data
from kpa.models import User
from meetings.models import Invitee


def test_it_registers_every_installed_model_that_holds_personal_data():
    assert personal_data.unregistered() == []


def test_it_covers_the_third_party_models_and_the_audit_copies():
    registered = {p.model.lower() for p in personal_data.processings()}
    expected = {
        "kpa.user",
        "account.emailaddress",
        "mfa.authenticator",
        "usersessions.usersession",
        "sessions.session",
        "auditlog.logentry",
        "admin.logentry",
        "kpa.notification",
        "kpa.accesslog",
        "meetings.invitee",
    }
    assert expected <= registered


def test_a_free_text_name_is_marked_and_named():
    field = Invitee._meta.get_field("replaced_by")
    assert personal_data.is_marked_personal(field)
    assert "replaced_by" in personal_data.processing_for(Invitee).fields
    assert "replaced_by" in personal_data.processing_for(Invitee).free_text


@isolate_apps("kpa")
def test_the_walk_fails_for_a_new_model_linked_to_a_person():
    class Throwaway(models.Model):  # noqa: DJ008
        person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "kpa"

    assert personal_data.unregistered([Throwaway]) == ["kpa.Throwaway"]


@isolate_apps("kpa")
def test_the_walk_fails_for_a_new_model_with_a_field_marked_personal():
    class Guestbook(models.Model):  # noqa: DJ008
        visitor = personal_data.personal(models.CharField(max_length=100))

        class Meta:
            app_label = "kpa"

    assert personal_data.unregistered([Guestbook]) == ["kpa.Guestbook"]


@isolate_apps("kpa")
def test_the_walk_fails_for_a_registered_model_that_does_not_name_a_new_personal_field():
    class Visit(models.Model):  # noqa: DJ008
        host = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
        guest = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "kpa"

    entry = personal_data.Processing(
        model="kpa.Visit",
        group="g",
        fields=("host",),
        people=("host",),
        purpose="p",
        legal_basis="b",
        visible_to="v",
        retention="accounts",
        anonymisation="a",
    )
    personal_data.register(entry)
    try:
        assert personal_data.unregistered([Visit]) == ["kpa.Visit.guest"]
    finally:
        personal_data._processings.pop("kpa.visit")


def test_a_model_without_personal_data_needs_no_entry():
    from schools.models import Wijk

    assert personal_data.unregistered([Wijk]) == []
