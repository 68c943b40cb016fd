"""The admin screens of the DUO import and of placing schools in wijken."""

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from kpa.models import UserKind
from schools import import_jobs
from schools.models import DuoImport, DuoImportStatus, PostcodeArea, School
from tests.conftest import with_totp
from tests.factories import GemeenteFactory, SchoolFactory, UserFactory, WijkFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
LOCATIONS = DATA / "vo_locations_cp1252.csv"
UNKNOWN_ID = "01234567-89ab-cdef-0123-456789abcdef"


def shown(message: str, plural: str | None = None, n: int = 1, /, **values) -> str:
    """`message` as a page shows it: Dutch once the catalogue has it, the English msgid until then."""
    with translation.override("nl"):
        text = ngettext(message, plural, n) if plural else gettext(message)
    return text % values if values else text


def upload(client, data: bytes, **fields):
    file = SimpleUploadedFile("vestigingen.csv", data, content_type="text/csv")
    return client.post(reverse("schools:import"), {"file": file, **fields})


def stored_uploads() -> list[DuoImport]:
    """Uploads that still hold their file."""
    return [job for job in DuoImport.objects.all() if bytes(job.data)]


# --- access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["schools:import", "schools:postcode-areas", "schools:unplaced"])
def test_it_refuses_partners_and_coordinators(client, partner, coordinator, name):
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["schools:import-preview", "schools:import-progress"])
def test_it_refuses_an_import_to_a_coordinator(client, coordinator, name):
    client.force_login(coordinator)

    assert client.get(reverse(name, args=[UNKNOWN_ID])).status_code == 403


@pytest.mark.parametrize("name", ["schools:import", "schools:postcode-areas", "schools:unplaced"])
def test_it_sends_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["schools:import-preview", "schools:import-progress"])
def test_it_sends_anonymous_visitors_of_an_import_to_login(client, name):
    response = client.get(reverse(name, args=[UNKNOWN_ID]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_answers_404_for_an_unknown_or_malformed_upload(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("schools:import-preview", args=[UNKNOWN_ID])).status_code == 404
    assert client.get(reverse("schools:import-progress", args=[UNKNOWN_ID])).status_code == 404
    for bad in ("..", "0123456789abcdef0123456789abcdeg", "x" * 32):
        assert client.get(f"/schools/import/{bad}/").status_code == 404


def test_it_keeps_an_unconfirmed_upload_from_other_admins(client, admin_user, confirm_import):
    client.force_login(admin_user)
    url = upload(client, LOCATIONS.read_bytes())["Location"]
    other = with_totp(UserFactory(kind=UserKind.ADMIN))

    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    assert DuoImport.objects.get().status == DuoImportStatus.UPLOADED

    client.force_login(admin_user)  # a new session of the uploader: the upload is in the database
    confirm_import(url)
    client.force_login(other)  # once confirmed, every admin reads how it went
    assert client.get(url).status_code == 200


# --- upload, preview, confirm ---------------------------------------------------------------------------


def test_it_imports_after_upload_preview_and_confirm(client, admin_user, wijk, confirm_import):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    client.force_login(admin_user)

    response = upload(client, LOCATIONS.read_bytes(), gemeente="Utrecht")

    job = DuoImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:import-preview", args=[job.pk])
    assert (job.gemeente, job.sector, job.file_name, job.created_by) == (
        "Utrecht",
        "",
        "vestigingen.csv",
        admin_user,
    )
    assert bytes(job.data) == LOCATIONS.read_bytes()
    assert not School.objects.exists()

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.context["report"].summary_line() == "created 4, updated 0, unchanged 0, rejected 0"
    assert preview.context["unplaced_count"] == 2
    assert escape(shown("Only municipality: %(gemeente)s", gemeente="Utrecht")) in preview.content.decode()
    assert not School.objects.exists()

    done = confirm_import(response["Location"], follow=True)
    assert done.redirect_chain[-1][0] == response["Location"]
    body = done.content.decode()
    imported = shown(
        "The school register is imported: %(created)s created, %(updated)s updated, "
        "%(unchanged)s unchanged, %(rejected)s rejected.",
        created=4,
        updated=0,
        unchanged=0,
        rejected=0,
    )
    assert escape(imported) in body
    assert reverse("schools:unplaced") in body
    assert School.objects.count() == 4
    assert School.objects.filter(wijk=wijk).count() == 2
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.unplaced_count) == (DuoImportStatus.DONE, 4, 4, 2)
    assert stored_uploads() == []  # the file goes once imported; the figures stay
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 302  # used up
    assert School.objects.count() == 4


def test_it_shows_the_progress_of_a_running_import(client, admin_user, monkeypatch, confirm_import):
    monkeypatch.setattr(import_jobs, "_enqueue", lambda pk: None)  # no worker yet
    client.force_login(admin_user)
    url = upload(client, LOCATIONS.read_bytes())["Location"]
    confirm_import(url)
    DuoImport.objects.update(status=DuoImportStatus.RUNNING, rows_total=4, rows_done=1)
    job = DuoImport.objects.get()

    page = client.get(url).content.decode()
    progress = client.get(reverse("schools:import-progress", args=[job.pk])).json()

    assert 'value="25"' in page and "js/import-progress.js" in page
    assert progress == {
        "status": "running",
        "label": shown("Importing"),
        "rows_done": 1,
        "rows_total": 4,
        "percent": 25,
        "finished": False,
    }
    assert (
        escape(
            shown(
                "The import runs in the background: you may leave this page and come back later; "
                "the result stays here."
            )
        )
        in page
    )


def test_it_lists_recent_imports_on_the_upload_page(client, admin_user, confirm_import):
    client.force_login(admin_user)
    url = upload(client, LOCATIONS.read_bytes())["Location"]
    confirm_import(url)
    upload(client, LOCATIONS.read_bytes())  # not confirmed: not listed

    page = client.get(reverse("schools:import"))

    assert [job.status for job in page.context["recent"]] == [DuoImportStatus.DONE]
    assert url in page.content.decode()


def test_it_shows_rejected_rows_in_the_preview(client, admin_user):
    client.force_login(admin_user)
    response = upload(client, (DATA / "vo_bad_rows_cp1252.csv").read_bytes())

    body = client.get(response["Location"]).content.decode()

    assert f"<tr><td>4</td><td>{escape(shown('The location has no postcode.'))}</td></tr>" in body


def test_it_cancels_an_upload(client, admin_user, confirm_import):
    client.force_login(admin_user)
    response = upload(client, LOCATIONS.read_bytes())

    cancelled = client.post(response["Location"], {"action": "cancel"})

    assert cancelled["Location"] == reverse("schools:import")
    assert stored_uploads() == []
    assert DuoImport.objects.get().status == DuoImportStatus.CANCELLED
    confirm_import(response["Location"])  # too late
    assert not School.objects.exists()


def test_it_takes_the_sector_for_a_file_without_one(client, admin_user, confirm_import):
    client.force_login(admin_user)
    data = (
        "INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER;GEMEENTENAAM\r\n"
        "11AA;00;Speciale school;3511 AA;0344;Utrecht\r\n"
    ).encode("cp1252")

    refused = upload(client, data)
    response = upload(client, data, sector="SO")
    confirm_import(response["Location"])

    assert refused.context["form"].errors["file"] == [
        shown("The file does not say which kind of school each location is.")
    ]
    assert set(School.objects.values_list("sector", flat=True)) == {"SO"}


def test_it_imports_the_older_primary_file_as_primary_education(client, admin_user, confirm_import):
    client.force_login(admin_user)
    response = upload(client, (DATA / "po_old_header_utf8_bom.csv").read_bytes())
    confirm_import(response["Location"])
    assert set(School.objects.values_list("sector", flat=True)) == {"PO"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b"INSTELLINGSCODE;VESTIGINGSCODE\r\n16PA;00\r\n",
            shown(
                "The file has no column %(columns)s.",
                "The file has no columns %(columns)s.",
                3,
                columns="VESTIGINGSNAAM, POSTCODE, GEMEENTENUMMER",
            ),
        ),
        (
            b"PK\x03\x04spreadsheet",
            shown(
                "This is not a CSV file. Download the school locations from DUO as CSV, or save the "
                "spreadsheet as CSV, and upload that file."
            ),
        ),
        (b"", shown("The submitted file is empty.")),
    ],
)
def test_it_keeps_a_bad_file_on_the_form_with_a_clear_error(client, admin_user, settings, data, error):
    client.force_login(admin_user)

    response = upload(client, data)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [error]
    assert escape(error) in response.content.decode()
    assert not DuoImport.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client, admin_user, settings, monkeypatch):
    monkeypatch.setattr("schools.import_forms.MAX_UPLOAD_SIZE", 100)
    client.force_login(admin_user)

    response = upload(client, LOCATIONS.read_bytes())

    assert response.context["form"].errors["file"] == [
        shown(
            "The file is %(size)s; a DUO file of school locations is at most %(limit)s.",
            size=filesizeformat(LOCATIONS.stat().st_size),
            limit=filesizeformat(100),
        )
    ]
    assert not DuoImport.objects.exists()


def test_it_says_when_the_municipality_is_not_in_the_file(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, LOCATIONS.read_bytes(), gemeente="Rotterdam")

    assert response.context["form"].errors["gemeente"] == [
        shown("The file has no school locations in “%(gemeente)s”.", gemeente="Rotterdam")
    ]


# --- postcode areas -------------------------------------------------------------------------------------


def test_it_lists_the_postcode_areas_per_wijk(client, admin_user, wijk, other_wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    client.force_login(admin_user)

    response = client.get(reverse("schools:postcode-areas"))

    assert response.status_code == 200
    assert response.context["gemeente"] == wijk.gemeente
    assert [w.name for w in response.context["wijken"]] == ["Overvecht", "West"]
    assert "3531" in response.content.decode()


def test_it_adds_and_moves_postcode_areas_in_bulk(client, admin_user, wijk, other_wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3562", wijk=wijk)
    client.force_login(admin_user)
    url = f"{reverse('schools:postcode-areas')}?gemeente={wijk.gemeente.pk}"

    lines = "3531 West\r\n3532,west\r\n\r\n3562 ; Overvecht\r\n"
    response = client.post(url, {"action": "save", "lines": lines}, follow=True)

    saved = shown(
        "Postcode areas saved: %(added)d added, %(moved)d moved, %(unchanged)d unchanged.",
        added=2,
        moved=1,
        unchanged=0,
    )
    assert escape(saved) in response.content.decode()
    assert dict(PostcodeArea.objects.values_list("postcode4", "wijk__name")) == {
        "3531": "West",
        "3532": "West",
        "3562": "Overvecht",
    }
    moved = LogEntry.objects.get_for_object(PostcodeArea.objects.get(postcode4="3562")).latest("timestamp")
    assert moved.changes_dict["wijk"] == [str(wijk.pk), str(other_wijk.pk)]


def test_it_saves_no_postcode_area_when_a_line_is_bad(client, admin_user, wijk, other_wijk):
    client.force_login(admin_user)
    lines = "3531 West\n353 West\n3562 Oostwest\n3531 Overvecht\nWest"

    response = client.post(reverse("schools:postcode-areas"), {"action": "save", "lines": lines})

    def line(number, reason, **values):
        return shown("Line %(line)d: %(reason)s", line=number, reason=shown(reason, **values))

    assert response.status_code == 200
    assert response.context["form"].errors["lines"] == [
        line(2, "“%(value)s” is not a postcode area of four digits.", value="353"),
        line(3, "%(gemeente)s has no wijk “%(wijk)s”.", gemeente="Utrecht", wijk="Oostwest"),
        line(4, "postcode area %(code)s already has another wijk on line %(line)d.", code="3531", line=1),
        line(5, "give a postcode area and a wijk, e.g. “3531 West”."),
    ]
    assert "3562 Oostwest" in response.content.decode()  # what was typed stays
    assert not PostcodeArea.objects.exists()


def test_it_places_schools_by_postcode_area(client, admin_user, wijk, other_wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    matching = SchoolFactory(wijk=None, gemeente=wijk.gemeente, postcode="3531 AB")
    elsewhere = SchoolFactory(wijk=None, gemeente=wijk.gemeente, postcode="3999 ZZ")
    placed = SchoolFactory(wijk=other_wijk, postcode="3531 CD")
    client.force_login(admin_user)
    assert client.get(reverse("schools:postcode-areas")).context["placeable"] == 1

    response = client.post(reverse("schools:postcode-areas"), {"action": "place"}, follow=True)

    placed_message = shown(
        "%(count)d school is placed in the wijk of its postcode area.",
        "%(count)d schools are placed in the wijk of their postcode area.",
        1,
        count=1,
    )
    assert escape(placed_message) in response.content.decode()
    for school in (matching, elsewhere, placed):
        school.refresh_from_db()
    assert (matching.wijk, elsewhere.wijk, placed.wijk) == (wijk, None, other_wijk)


def test_it_removes_a_postcode_area(client, admin_user, wijk):
    PostcodeArea.objects.create(gemeente=wijk.gemeente, postcode4="3531", wijk=wijk)
    client.force_login(admin_user)

    client.post(reverse("schools:postcode-areas"), {"action": "remove", "postcode4": "3531"})

    assert not PostcodeArea.objects.exists()
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, object_repr__startswith="3531").exists()


def test_it_shows_the_chosen_municipality(client, admin_user, wijk):
    other = WijkFactory(name="Centrum", gemeente=GemeenteFactory(code="0363", name="Amsterdam"))
    client.force_login(admin_user)

    response = client.get(reverse("schools:postcode-areas"), {"gemeente": other.gemeente.pk})

    assert response.context["gemeente"] == other.gemeente
    assert [w.name for w in response.context["wijken"]] == ["Centrum"]
    assert client.get(reverse("schools:postcode-areas"), {"gemeente": "999999"}).status_code == 404


# --- unplaced schools -----------------------------------------------------------------------------------


def test_it_places_an_unplaced_school(client, admin_user, wijk, school):
    unplaced = SchoolFactory(name="IKC Nergens", wijk=None, gemeente=wijk.gemeente)
    client.force_login(admin_user)
    page = client.get(reverse("schools:unplaced"))
    assert [row[0] for row in page.context["rows"]] == [unplaced]
    assert school.name not in page.content.decode()

    response = client.post(reverse("schools:unplaced"), {"school": unplaced.pk, "wijk": wijk.pk}, follow=True)

    placed = shown("%(school)s is placed in wijk %(wijk)s.", school="IKC Nergens", wijk="West")
    assert escape(placed) in response.content.decode()
    unplaced.refresh_from_db()
    assert unplaced.wijk == wijk
    assert LogEntry.objects.get_for_object(unplaced).latest("timestamp").changes_dict["wijk"][1] == str(
        wijk.pk
    )


def test_it_refuses_a_wijk_of_another_municipality(client, admin_user, wijk):
    unplaced = SchoolFactory(wijk=None, gemeente=GemeenteFactory(code="0363", name="Amsterdam"))
    client.force_login(admin_user)

    response = client.post(reverse("schools:unplaced"), {"school": unplaced.pk, "wijk": wijk.pk}, follow=True)

    assert escape(shown("Choose a wijk of %(gemeente)s.", gemeente="Amsterdam")) in response.content.decode()
    unplaced.refresh_from_db()
    assert unplaced.wijk is None


@pytest.mark.parametrize("count", [10, 60])
def test_it_keeps_the_unplaced_list_queries_flat(
    client, admin_user, django_assert_max_num_queries, count, wijk
):
    amsterdam = GemeenteFactory(code="0363", name="Amsterdam")
    WijkFactory(gemeente=amsterdam, name="Centrum")
    for n in range(count):
        SchoolFactory(wijk=None, gemeente=amsterdam if n % 2 else wijk.gemeente)
    client.force_login(admin_user)
    client.get(reverse("schools:unplaced"))  # warm up: the first request of a session does one-off work

    # session, user, MFA authenticator, gemeenten, count, page of schools with their gemeente,
    # wijken of the gemeenten on the page, session save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("schools:unplaced"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 50)
