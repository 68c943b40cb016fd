import pytest
import time_machine
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import override

from meetings.privacy import (
    ERROR_CODE,
    Finding,
    PrivacyCheckedFormMixin,
    find_identifiers,
    is_bsn,
    is_onderwijsnummer,
    validate_no_pupil_data,
)


@pytest.fixture(autouse=True)
def _pinned_today():
    """The birth-date heuristic depends on today's year: pin it so the examples stay true."""
    with time_machine.travel("2026-06-15 12:00 +02:00", tick=False):
        yield


def kinds(text, **kwargs):
    return [(f.kind, f.found) for f in find_identifiers(text, **kwargs)]


# --- the 11-proef helpers


@pytest.mark.parametrize("digits", ["111222333", "123456782", "12345611"])
def test_it_recognises_a_bsn(digits):
    assert is_bsn(digits)


@pytest.mark.parametrize(
    "digits", ["123456789", "000000000", "00000000", "1234567", "1234567820", "1234.56.782", ""]
)
def test_it_rejects_what_is_no_bsn(digits):
    assert not is_bsn(digits)


def test_it_recognises_an_onderwijsnummer():
    assert is_onderwijsnummer("101222331")
    assert not is_bsn("101222331")


@pytest.mark.parametrize("digits", ["111222333", "201222331", "10122233", "1012223310"])
def test_it_rejects_what_is_no_onderwijsnummer(digits):
    assert not is_onderwijsnummer(digits)


# --- numbers in text


@pytest.mark.parametrize("number", ["111222333", "123456782"])
def test_it_finds_a_bsn_in_text(number):
    text = f"Besproken: leerling met nummer {number}."
    [finding] = find_identifiers(text)
    assert finding.kind == "bsn"
    assert finding.found == number
    assert text[finding.start : finding.end] == number


def test_it_lets_a_number_failing_the_proef_pass():
    assert find_identifiers("Kenmerk 123456789") == []


@pytest.mark.parametrize(
    "written", ["1234.56.782", "123.456.782", "123-456-782", "123 456 782", "1234 56 782"]
)
def test_it_reads_a_bsn_written_with_separators(written):
    text = f"BSN {written} genoemd"
    [finding] = find_identifiers(text)
    assert (finding.kind, finding.found) == ("bsn", written)
    assert text[finding.start : finding.end] == written


def test_it_finds_a_bsn_whose_leading_zero_was_dropped():
    # 012345611 passes the proef; written without its leading zero it is 8 digits.
    assert kinds("BSN 12345611") == [("bsn", "12345611")]
    assert kinds("BSN 1234.56.11") == [("bsn", "1234.56.11")]


def test_it_finds_an_onderwijsnummer():
    assert kinds("Onderwijsnummer 101222331.") == [("onderwijsnummer", "101222331")]


def test_it_finds_a_bsn_next_to_another_number():
    assert kinds("Uit groep 8 123456782 besproken") == [("bsn", "123456782")]


@pytest.mark.parametrize(
    "text",
    [
        "Bel 0612345678",
        "Bel 06-12345678",
        "Bel 06 12345678",
        "Bel 030-1234567",
        "Bel +31 612345609",  # 612345609 alone would pass the proef
        "Bel 0031 612345609",
        "Bel +31612345609",
    ],
)
def test_it_lets_phone_numbers_pass(text):
    assert find_identifiers(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "Factuur 1123456782",  # 123456782 is a BSN, but not cut out of a longer run
        "Factuur 1234567820",
        "Factuur 11-123456782",
    ],
)
def test_it_does_not_cut_a_bsn_out_of_a_longer_run(text):
    assert find_identifiers(text) == []


@pytest.mark.parametrize("text", ["Postcode 3511 AB Utrecht", "Lange Nieuwstraat 12, 3512 PH Utrecht"])
def test_it_lets_postcodes_pass(text):
    assert find_identifiers(text) == []


@pytest.mark.parametrize("date", ["08-01-2015", "2015-01-06"])
def test_it_does_not_read_a_date_as_a_bsn(date):
    # Both dates give 8 digits that pass the proef.
    assert find_identifiers(f"Op {date} is het beleid vastgesteld.") == []


# --- dates of birth


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Jan de Vries 12-03-2015", "12-03-2015"),
        ("geboren 3 maart 2016 Sanne", "3 maart 2016"),
        ("Ahmed (12-3-2015)", "12-3-2015"),
        ("Ahmed 12.3.2015 besproken", "12.3.2015"),
        ("Sanne, geb. 2015-03-12", "2015-03-12"),
        ("geboortedatum: 12/03/2015", "12/03/2015"),
        ("Geboren op 3 mrt. 2016", "3 mrt. 2016"),
        ("de leerling is geboren op 1 januari 1990", "1 januari 1990"),  # keyword: any year
    ],
)
def test_it_finds_a_date_of_birth(text, found):
    [finding] = find_identifiers(text)
    assert (finding.kind, finding.found) == ("birth_date", found)
    assert text[finding.start : finding.end] == found


@pytest.mark.parametrize(
    "text",
    [
        "Volgende KPO op 12-03-2027",
        "Op 12-03-2015 is het beleid vastgesteld.",
        "Vergadering 3 maart 2016 in de aula",
        "KPO met Fatima op 12-03-2027",  # a name, but a future date is nobody's birthday
        "Evaluatie met Fatima 12-03-2025",  # too recent for a pupil's birthday
        "Jan heeft het verslag van de vergadering op 12-03-2015 gemaakt",  # name too far away
        "Ahmed 31-02-2015",  # no such date
    ],
)
def test_it_lets_dates_without_a_name_pass(text):
    assert find_identifiers(text) == []


def test_it_names_the_word_next_to_the_date():
    with override("en"):
        [finding] = find_identifiers("Ahmed (12-3-2015)")
    assert '"12-3-2015"' in finding.message
    assert '"Ahmed"' in finding.message
    assert "date of birth" in finding.message


# --- e-mail addresses


def test_it_refuses_every_address_without_a_lookup():
    assert kinds("Mail ouder@example.org of ib@school.example") == [
        ("email", "ouder@example.org"),
        ("email", "ib@school.example"),
    ]


def test_it_lets_addresses_of_users_pass():
    asked = []

    def known_emails(addresses):
        asked.append(addresses)
        return {a for a in addresses if a.lower() == "ib@school.example"}

    found = kinds("Mail ouder@example.org of IB@School.example", known_emails=known_emails)
    assert found == [("email", "ouder@example.org")]
    assert asked == [{"ouder@example.org", "IB@School.example"}]


def test_it_compares_known_addresses_case_insensitively():
    assert kinds("Mail IB@School.example", known_emails=lambda addresses: {"ib@school.example"}) == []


def test_it_does_not_ask_for_known_addresses_without_an_address():
    def known_emails(addresses):
        raise AssertionError("not to be called")

    assert find_identifiers("Geen adres hier", known_emails=known_emails) == []


def test_it_judges_an_address_as_a_whole():
    assert kinds("Mail 123456782@school.example") == [("email", "123456782@school.example")]
    assert kinds("Mail 123456782@school.example", known_emails=lambda a: a) == []


# --- messages and the validator


def test_it_says_what_was_found():
    with override("en"):
        [bsn, onderwijsnummer, email] = find_identifiers("1234.56.782, 101222331 en ouder@example.org")
    assert bsn.message == (
        '"1234.56.782" looks like a BSN (citizen service number). Is this a BSN? Remove it: '
        "KPA stores nothing that identifies a pupil."
    )
    assert '"101222331"' in onderwijsnummer.message
    assert "education number" in onderwijsnummer.message
    assert '"ouder@example.org"' in email.message


def test_it_reports_findings_in_text_order():
    findings = find_identifiers("ouder@example.org, Ahmed 12-3-2015 en 123456782")
    assert [f.kind for f in findings] == ["email", "birth_date", "bsn"]
    assert all(isinstance(f, Finding) for f in findings)


def test_it_lets_clean_text_pass():
    text = "Collectieve vraag: meer verzuim in groep 7 en 8. Afspraak: JGZ plant een spreekuur op 12-03-2027."
    assert find_identifiers(text) == []
    assert find_identifiers("") == []
    validate_no_pupil_data(text)


def test_it_raises_one_message_per_finding():
    with override("en"), pytest.raises(ValidationError) as caught:
        validate_no_pupil_data("BSN 123456782 en Ahmed (12-3-2015)")
    assert [e.code for e in caught.value.error_list] == [ERROR_CODE, ERROR_CODE]
    assert '"123456782"' in caught.value.messages[0]
    assert '"12-3-2015"' in caught.value.messages[1]


def test_it_passes_the_lookup_on_in_the_validator():
    validate_no_pupil_data("Mail ib@school.example", known_emails=lambda addresses: addresses)
    with pytest.raises(ValidationError):
        validate_no_pupil_data("Mail ib@school.example")


# --- the form mixin


class NotesForm(PrivacyCheckedFormMixin, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(required=False, widget=forms.Textarea)
    remark = forms.CharField(required=False)

    privacy_checked_fields = ("notes",)


def test_it_adds_the_error_to_the_field_and_keeps_the_data():
    data = {
        "title": "KPO maart",
        "notes": "Besproken: 1234.56.782 en Ahmed (12-3-2015)",
        "remark": "123456782",
    }
    form = NotesForm(data=data)

    with override("en"):
        assert not form.is_valid()
    assert list(form.errors) == ["notes"]  # "remark" is not checked
    assert [e.code for e in form.errors.as_data()["notes"]] == [ERROR_CODE, ERROR_CODE]
    assert '"1234.56.782"' in form.errors["notes"][0]
    assert '"12-3-2015"' in form.errors["notes"][1]
    assert form["notes"].value() == data["notes"]
    assert "Besproken: 1234.56.782 en Ahmed (12-3-2015)</textarea>" in str(form["notes"])
    assert form.cleaned_data["title"] == "KPO maart"


def test_it_leaves_a_clean_form_valid():
    form = NotesForm(data={"title": "KPO", "notes": "Afspraak: spreekuur JGZ vanaf 12-03-2027"})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_it_lets_addresses_of_users_pass_in_the_form():
    get_user_model().objects.create_user(email="ib@school.example", password="x")
    form = NotesForm(data={"title": "KPO", "notes": "Contact: IB@School.example"})
    assert form.is_valid(), form.errors

    form = NotesForm(data={"title": "KPO", "notes": "Contact: IB@School.example, ouder@example.org"})
    assert not form.is_valid()
    assert len(form.errors["notes"]) == 1
    assert "ouder@example.org" in form.errors["notes"][0]


@pytest.mark.parametrize("text", ["BSN123456782", "leerling_123456782", "ON101222331", "nr.123456782x"])
def test_it_sees_numbers_glued_to_letters(text):
    """Found in review: gluing a BSN to a word must not get it past the guard."""
    assert find_identifiers(text)
