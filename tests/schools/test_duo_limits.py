"""Every value of a DUO row is checked against the model field that stores it (length, names on one line),
the same way in the parser, the command, the upload preview and the confirmed import: a row the database
would refuse is a row error, never a crash, and the preview never passes what the confirm refuses."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from schools.duo import parse_duo_csv
from schools.models import Gemeente, School
from tests.schools.test_duo_parse import VO_HEADER

LONG_GEMEENTE = "Gemeente " + "Lang" * 25  # 109 characters; Gemeente.name holds 100
LONG_NAME = "Scholengemeenschap " + "x" * 190  # 209; School.name holds 200
LONG_BESTUUR = "Stichting " + "y" * 195  # 205; School.bestuur holds 200


def row(brin, *, name="Test College", bestuur="Stichting VO Utrecht", gemeente_name="UTRECHT") -> str:
    return (
        f"Utrecht;41234;{bestuur};{brin};00;{name};Lange Gracht;12;3512 AB;UTRECHT;344;{gemeente_name};"
        "Openbaar;030-1234567;www.example.nl;VWO/HAVO;Midden"
    )


def hostile_file() -> bytes:
    rows = [
        row("16PA"),
        row("17PA", gemeente_name=LONG_GEMEENTE),
        row("18PA", name=LONG_NAME),
        row("19PA", bestuur=LONG_BESTUUR),
        row("20PA", name="Het \u202eegelloC"),  # a right-to-left override
        row("21PA", name="Het\u200bCollege"),  # a zero-width space
        row("22PA", name="Het College\x07"),  # a control character (bell)
    ]
    return "\r\n".join([VO_HEADER, *rows, ""]).encode("utf-8")


EXPECTED_ERRORS = [
    (3, "GEMEENTENAAM is longer than 100 characters."),
    (4, "VESTIGINGSNAAM is longer than 200 characters."),
    (5, "BEVOEGD GEZAG NAAM is longer than 200 characters."),
    (
        6,
        "VESTIGINGSNAAM: Remove the line break, tab or invisible character at position 5 (U+202E): "
        "write this on one line.",
    ),
    (
        7,
        "VESTIGINGSNAAM: Remove the line break, tab or invisible character at position 4 (U+200B): "
        "write this on one line.",
    ),
    (8, "The row contains a control character (such as NUL)."),
]


def test_it_refuses_each_value_its_model_field_would_refuse():
    with translation.override("en"):
        result = parse_duo_csv(hostile_file())

    assert [(error.line, error.reason) for error in result.errors] == EXPECTED_ERRORS
    assert [school.brin for school in result.rows] == ["16PA"]


def test_it_takes_the_limits_from_the_models(monkeypatch):
    monkeypatch.setattr(Gemeente._meta.get_field("name"), "max_length", 5)

    with translation.override("en"):
        result = parse_duo_csv("\r\n".join([VO_HEADER, row("16PA"), ""]).encode("utf-8"))

    assert [(error.line, error.reason) for error in result.errors] == [
        (2, "GEMEENTENAAM is longer than 5 characters.")
    ]


@pytest.mark.django_db
def test_it_lists_them_in_the_command_and_imports_the_rest(tmp_path):
    path = tmp_path / "vestigingen.csv"
    path.write_bytes(hostile_file())
    out = StringIO()

    with translation.override("en"):
        call_command("import_duo", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:6] == [f"line {line}: {reason}" for line, reason in EXPECTED_ERRORS]
    assert lines[-1] == "created 1, updated 0, unchanged 0, rejected 6"
    assert list(School.objects.values_list("brin", flat=True)) == ["16PA"]
    assert list(Gemeente.objects.values_list("name", flat=True)) == ["UTRECHT"]


@pytest.mark.django_db
def test_it_previews_exactly_what_the_confirm_imports(client, admin_user, confirm_import):
    client.force_login(admin_user)
    file = SimpleUploadedFile("vestigingen.csv", hostile_file(), content_type="text/csv")
    response = client.post(reverse("schools:import"), {"file": file})
    assert response.status_code == 302

    preview = client.get(response["Location"])
    report = preview.context["report"]
    assert report.summary_line() == "created 1, updated 0, unchanged 0, rejected 6"
    assert [error.line for error in report.errors] == [line for line, _reason in EXPECTED_ERRORS]
    assert "GEMEENTENAAM" in preview.content.decode()

    done = confirm_import(response["Location"], follow=True)
    assert done.status_code == 200
    assert School.objects.count() == report.created
    assert not Gemeente.objects.filter(name=LONG_GEMEENTE).exists()
