"""The admin page of the school holiday import: upload, check, confirm; and the holidays per region."""

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from schools.holiday_views import UPLOAD_SESSION_KEY
from schools.models import SchoolHoliday
from tests.helpers import AMS

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HOLIDAYS = DATA / "holidays_2025_2027.json"
ROWS = 24
URL = "/schools/holidays/import/"


def shown(message: str, /, **values) -> str:
    """`message` as a page shows it: Dutch once the catalogue has it, the English msgid until then."""
    with translation.override("nl"):
        text = gettext(message)
    return text % values if values else text


def upload(client, data: bytes, name: str = "schoolvakanties.json"):
    file = SimpleUploadedFile(name, data, content_type="application/json")
    return client.post(reverse("schools:holiday-import"), {"file": file})


def confirm(client, token: str):
    return client.post(reverse("schools:holiday-import"), {"action": "confirm", "token": token}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_has_its_address():
    assert reverse("schools:holiday-import") == URL


# --- access ---------------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client):
    for response in (client.get(URL), client.post(URL, {"action": "confirm", "token": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_refuses_everyone_but_admins(client, ib, partner, coordinator):
    for user in (ib, partner, coordinator):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert upload(client, HOLIDAYS.read_bytes()).status_code == 403
        assert client.post(URL, {"action": "confirm", "token": "x"}).status_code == 403
    assert not SchoolHoliday.objects.exists()


# --- upload, check, confirm -----------------------------------------------------------------------------


def test_it_imports_after_upload_check_and_confirm(client, admin_user):
    client.force_login(admin_user)

    checked = upload(client, HOLIDAYS.read_bytes())

    assert checked.status_code == 200
    report = checked.context["report"]
    assert report.summary_line() == f"created {ROWS}, updated 0, unchanged 0, rejected 0"
    token = checked.context["token"]
    assert client.session[UPLOAD_SESSION_KEY]["token"] == token
    body = checked.content.decode()
    assert f'name="token" value="{token}"' in body
    assert "Herfstvakantie" in body
    assert not SchoolHoliday.objects.exists()

    done = confirm(client, token)

    assert done.redirect_chain == [(URL, 302)]
    assert messages_of(done) == [
        shown(
            "The school holidays are imported: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(rejected)d rejected.",
            created=ROWS,
            updated=0,
            unchanged=0,
            rejected=0,
        )
    ]
    assert SchoolHoliday.objects.count() == ROWS
    assert UPLOAD_SESSION_KEY not in client.session
    assert confirm(client, token).status_code == 200  # used up: a second click imports nothing
    assert SchoolHoliday.objects.count() == ROWS


def test_a_second_import_of_the_same_file_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, HOLIDAYS.read_bytes()).context["token"])
    before = list(SchoolHoliday.objects.order_by("pk").values())

    checked = upload(client, HOLIDAYS.read_bytes())
    done = confirm(client, checked.context["token"])

    assert checked.context["report"].summary_line() == f"created 0, updated 0, unchanged {ROWS}, rejected 0"
    assert checked.context["report"].changes == []
    assert messages_of(done)[0].startswith(shown(
        "The school holidays are imported: %(created)d created, %(updated)d updated, "
        "%(unchanged)d unchanged, %(rejected)d rejected.",
        created=0, updated=0, unchanged=ROWS, rejected=0,
    ))  # fmt: skip
    assert list(SchoolHoliday.objects.order_by("pk").values()) == before


def test_the_check_shows_the_dates_a_corrected_file_moves(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, HOLIDAYS.read_bytes()).context["token"])
    corrected = json.loads(HOLIDAYS.read_text())
    corrected[0]["content"][0]["vacations"][0]["regions"][2]["startdate"] = "2025-10-03T22:00:00.000Z"

    checked = upload(client, json.dumps(corrected).encode())

    [change] = checked.context["report"].changes
    assert (change.region, change.start_date, change.old_start_date) == (
        "zuid",
        dt.date(2025, 10, 4),
        dt.date(2025, 10, 11),
    )
    body = checked.content.decode()
    assert "4 oktober 2025 – 19 oktober 2025" in body
    assert "11 oktober 2025 – 19 oktober 2025" in body
    assert SchoolHoliday.objects.get(
        school_year="2025-2026", name="Herfstvakantie", region="zuid"
    ).start_date == (dt.date(2025, 10, 11))


def test_it_shows_rejected_holidays_in_the_check(client, admin_user):
    client.force_login(admin_user)
    data = json.loads(HOLIDAYS.read_text())
    data[0]["content"][0]["vacations"][0]["regions"][0]["region"] = "oost"

    checked = upload(client, json.dumps(data).encode())

    reason = shown(
        "“%(region)s” is not a holiday region: the regions are noord, midden, zuid and heel Nederland.",
        region="oost",
    )
    assert f"<tr><td>2025-2026 · Herfstvakantie · oost</td><td>{escape(reason)}</td></tr>" in (
        checked.content.decode()
    )
    assert checked.context["report"].rejected == 1


def test_it_cancels_a_check(client, admin_user):
    client.force_login(admin_user)
    token = upload(client, HOLIDAYS.read_bytes()).context["token"]

    cancelled = client.post(URL, {"action": "cancel", "token": token}, follow=True)

    assert messages_of(cancelled) == [shown("The import is cancelled; nothing was changed.")]
    assert UPLOAD_SESSION_KEY not in client.session
    assert not SchoolHoliday.objects.exists()


def test_it_refuses_a_check_that_is_no_longer_current(client, admin_user):
    client.force_login(admin_user)
    old = upload(client, HOLIDAYS.read_bytes()).context["token"]
    new = upload(client, HOLIDAYS.read_bytes()).context["token"]

    refused = confirm(client, old)  # the page of the first upload, in another tab

    assert messages_of(refused) == [shown("This check is no longer current: upload the file again.")]
    assert not SchoolHoliday.objects.exists()
    assert client.session[UPLOAD_SESSION_KEY]["token"] == new  # the second one can still be confirmed
    confirm(client, new)
    assert SchoolHoliday.objects.count() == ROWS


NOT_JSON = (
    "This is not a JSON file. Download the school holidays from opendata.rijksoverheid.nl as JSON "
    "(output=json) and upload that file."
)
NOT_THE_FORMAT = (
    "This is not the file of school holidays of the Rijksoverheid: it has no school years with holidays "
    "(content, vacations, regions). Download the school holidays as JSON from opendata.rijksoverheid.nl "
    "and upload that file."
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"INSTELLINGSCODE;VESTIGINGSCODE\r\n16PA;00\r\n", NOT_JSON),
        (b"PK\x03\x04spreadsheet", NOT_JSON),
        (b'{"schoolholidays": []}', NOT_THE_FORMAT),
        (b'[{"content": [{"schoolyear": "2025-2026", "vacations": "none"}]}]', NOT_THE_FORMAT),
        (b"", "The submitted file is empty."),
    ],
)
def test_it_keeps_a_bad_file_on_the_form_with_a_clear_error(client, admin_user, data, message):
    client.force_login(admin_user)

    response = upload(client, data)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [shown(message)]
    assert escape(shown(message)) in response.content.decode()
    assert UPLOAD_SESSION_KEY not in client.session
    assert not SchoolHoliday.objects.exists()


def test_it_refuses_a_file_without_one_importable_holiday_and_says_why(client, admin_user):
    client.force_login(admin_user)
    data = {"content": [{"schoolyear": "2025-2026", "vacations": [{"type": "Herfstvakantie", "regions": [
        {"region": "oost", "startdate": "2025-10-11", "enddate": "2025-10-19"}
    ]}]}]}  # fmt: skip

    response = upload(client, json.dumps(data).encode())

    assert response.context["form"].errors["file"] == [
        shown("The file has no school holidays that can be imported."),
        "2025-2026 · Herfstvakantie · oost: "
        + shown(
            "“%(region)s” is not a holiday region: the regions are noord, midden, zuid and heel Nederland.",
            region="oost",
        ),
    ]
    assert not SchoolHoliday.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client, admin_user, monkeypatch):
    monkeypatch.setattr("schools.holiday_forms.MAX_UPLOAD_SIZE", 100)
    client.force_login(admin_user)

    response = upload(client, HOLIDAYS.read_bytes())

    assert response.context["form"].errors["file"] == [
        shown(
            "The file is %(size)s; a file of school holidays is at most %(limit)s.",
            size=filesizeformat(HOLIDAYS.stat().st_size),
            limit=filesizeformat(100),
        )
    ]
    assert not SchoolHoliday.objects.exists()


# --- the holidays per region ----------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 1, 15, 12, tzinfo=AMS), tick=False)
def test_it_lists_the_holidays_per_school_year_and_region(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    confirm(client, upload(client, HOLIDAYS.read_bytes()).context["token"])
    SchoolHoliday.objects.create(
        region="midden", name="Studiedag", start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 2)
    )
    SchoolHoliday.objects.create(  # a school year that is over
        region="midden", name="Zomervakantie", start_date=dt.date(2025, 7, 12), end_date=dt.date(2025, 7, 31)
    )

    # session, user, the admin's MFA check, the holidays (one query, however many), the session saved
    # (update between a savepoint and its release)
    with django_assert_max_num_queries(7):
        response = client.get(URL)

    years = response.context["years"]
    assert [year for year, _lines in years] == ["2025-2026", "2026-2027"]
    lines = {line.name: line for line in years[0][1]}
    assert list(lines) == [
        "Herfstvakantie",
        "Kerstvakantie",
        "Voorjaarsvakantie",
        "Studiedag",
        "Meivakantie",
        "Zomervakantie",
    ]
    noord, _midden, zuid = lines["Herfstvakantie"].cells
    assert (zuid.start_date, noord.end_date) == (dt.date(2025, 10, 11), dt.date(2025, 10, 26))
    assert lines["Studiedag"].cells[0] is None and lines["Studiedag"].cells[1].school_year == ""
    body = response.content.decode()
    assert escape(shown("typed by hand")) in body
    assert "18 oktober 2025 – 26 oktober 2025" in body
