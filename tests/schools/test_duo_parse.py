"""The DUO locations parser: pure, no database. All codes and names below are synthetic."""

from pathlib import Path

import pytest
from django.utils import translation

from schools.duo import DuoFormatError, DuoSchool, ParseResult, RowError, parse_duo_csv

DATA = Path(__file__).parent / "data"
CAFE_NAME = "Cartesius Lyceum \u2013 Café Poëzie"  # en dash, é and ë all exist in cp1252

VO_HEADER = (
    "PROVINCIE;BEVOEGD GEZAG NUMMER;BEVOEGD GEZAG NAAM;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;"
    "STRAATNAAM;HUISNUMMER-TOEVOEGING;POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;"
    "TELEFOONNUMMER;INTERNETADRES;ONDERWIJSSTRUCTUUR;VAKANTIEREGIO"
)
PO_HEADER = (
    "PROVINCIE;BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;STRAATNAAM;"
    "HUISNUMMER-TOEVOEGING;POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;SOORT PRIMAIR ONDERWIJS"
)


def vo_row(brin="16PA", code="00", name="Test College", postcode="3512 AB", gemeente="344", **extra):
    cells = {
        "brin": brin,
        "code": code,
        "name": name,
        "postcode": postcode,
        "gemeente": gemeente,
        "gemeente_name": "UTRECHT",
        "structure": "VWO/HAVO",
        "region": "Midden",
    } | extra
    return (
        f"Utrecht;41234;Stichting VO Utrecht;{cells['brin']};{cells['code']};{cells['name']};Lange Gracht;"
        f"12;{cells['postcode']};UTRECHT;{cells['gemeente']};{cells['gemeente_name']};Openbaar;"
        f"030-1234567;www.example.nl;{cells['structure']};{cells['region']}"
    )


def vo_file(*rows: str) -> bytes:
    return "\r\n".join([VO_HEADER, *rows, ""]).encode("cp1252")


def english_reasons(result: ParseResult) -> list[tuple[int, str]]:
    return [(error.line, error.reason) for error in result.errors]


def test_it_parses_a_secondary_file_in_cp1252():
    data = vo_file(
        vo_row(name="Christelijk Gymnasium Utrechts Stedelijk", code="00"),
        vo_row(brin="04TX", code="04TX01", name=CAFE_NAME, region="Zuid"),
    )
    assert b"Caf\xe9 Po\xebzie" in data  # really cp1252, not valid UTF-8

    result = parse_duo_csv(data)

    assert result.errors == []
    assert result.rows[0] == DuoSchool(
        brin="16PA",
        vestiging="00",
        name="Christelijk Gymnasium Utrechts Stedelijk",
        sector="VO",
        street="Lange Gracht 12",
        postcode="3512 AB",
        city="UTRECHT",
        gemeente_code="0344",
        gemeente_name="UTRECHT",
        bestuur="Stichting VO Utrecht",
        phone="030-1234567",
        holiday_region="midden",
    )
    assert (result.rows[1].brin, result.rows[1].vestiging) == ("04TX", "01")
    assert result.rows[1].name == CAFE_NAME
    assert result.rows[1].holiday_region == "zuid"


def test_it_parses_the_older_primary_header_in_utf8_with_bom_and_crlf():
    data = (DATA / "po_old_header_utf8_bom.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"BRIN NUMMER," in data

    result = parse_duo_csv(data, default_sector="PO")

    assert result.errors == []
    assert [(s.brin, s.vestiging, s.name, s.sector) for s in result.rows] == [
        ("23XY", "00", "Basisschool De Kleine Prins", "PO"),
        ("23XY", "01", "Basisschool De Kleine Prins, dependance", "PO"),
        ("30AB", "00", "Montessorischool Zuilen \u2013 \u2019t Hoekje", "PO"),
    ]
    assert result.rows[0].street == "Marnixlaan 1-A"
    assert result.rows[0].postcode == "3552 HA"
    assert result.rows[0].bestuur == ""  # no BEVOEGD GEZAG NAAM column in this file
    assert result.rows[1].phone == ""


def test_it_takes_the_older_primary_file_as_primary_education_without_being_told():
    """Found in review: `import_duo FILE` must import the older primary file as DUO publishes it."""
    data = (DATA / "po_old_header_utf8_bom.csv").read_bytes()
    assert {s.sector for s in parse_duo_csv(data).rows} == {"PO"}


def test_it_needs_a_sector_when_the_file_does_not_say_it():
    data = (
        "INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER\r\n"
        "11AA;00;School zonder soort;3511 AA;0344\r\n"
    ).encode("cp1252")

    with pytest.raises(DuoFormatError), translation.override("en"):
        parse_duo_csv(data)


@pytest.mark.parametrize(("kind", "sector"), [("SBAO", "SBO"), ("SO/VSO", "SO"), ("(V)SO", "SO")])
def test_it_knows_the_combined_and_older_type_spellings(kind, sector):
    data = (
        "INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER;SOORT PRIMAIR ONDERWIJS\r\n"
        f"11AA;00;School;3511 AA;0344;{kind}\r\n"
    ).encode("cp1252")
    assert [r.sector for r in parse_duo_csv(data).rows] == [sector]


def test_it_reads_the_sector_from_the_primary_type_column():
    rows = [
        f"Utrecht;1;{brin};00;School {kind};Laan;1;3511 AA;Utrecht;0344;Utrecht;{kind}"
        for brin, kind in [
            ("11AA", "Bao"),
            ("12AA", "SBO"),
            ("13AA", "SO"),
            ("14AA", "VSO"),
            ("15AA", "(V)SO"),
        ]
    ]
    rows.append("Utrecht;1;16AA;00;School X;Laan;1;3511 AA;Utrecht;0344;Utrecht;Kinderopvang")
    data = "\n".join([PO_HEADER, *rows]).encode("cp1252")

    with translation.override("en"):
        result = parse_duo_csv(data)

    assert [school.sector for school in result.rows] == ["PO", "SBO", "SO", "VSO", "SO"]
    assert english_reasons(result) == [(7, "Unknown school type “Kinderopvang”.")]


def test_it_reads_vso_and_praktijkonderwijs_in_a_secondary_file():
    data = vo_file(
        vo_row(brin="11AA", structure="VSO"),
        vo_row(brin="12AA", structure="PRO"),
        vo_row(brin="13AA", structure=" "),
    )

    assert [school.sector for school in parse_duo_csv(data).rows] == ["VSO", "VO", "VO"]


def test_it_reads_quoted_fields_with_doubled_quotes_and_separators_inside():
    semicolons = vo_row(name='"De ""Vrije"" School; bovenbouw"')
    commas = (
        "INSTELLINGSCODE,VESTIGINGSCODE,VESTIGINGSNAAM,STRAATNAAM,HUISNUMMER-TOEVOEGING,POSTCODE,GEMEENTENUMMER\r\n"
        '"16PA","00","Het ""Baken"", locatie Noord","Kanaalweg, hoek Vleutenseweg","2","3526KL","0344"\r\n'
    )

    first = parse_duo_csv(vo_file(semicolons)).rows[0]
    second = parse_duo_csv(commas.encode("cp1252"), default_sector="PO").rows[0]

    assert first.name == 'De "Vrije" School; bovenbouw'
    assert (second.name, second.street) == ('Het "Baken", locatie Noord', "Kanaalweg, hoek Vleutenseweg 2")
    assert second.postcode == "3526 KL"


def test_it_strips_single_space_empties_and_padding():
    row = (
        "Utrecht ;   ;  ;  16pa ; 0 ;   Padded Name  ;  Laan ; ;  3511aa ; Utrecht ; 344 ; UTRECHT ;"
        " ; ; ; VWO ; "
    )

    school = parse_duo_csv(vo_file(row)).rows[0]

    assert (school.brin, school.vestiging, school.name) == ("16PA", "00", "Padded Name")
    assert (school.street, school.postcode, school.city) == ("Laan", "3511 AA", "Utrecht")
    assert (school.bestuur, school.phone, school.holiday_region) == ("", "", "")


def test_it_restores_the_leading_zero_of_the_gemeentenummer():
    data = vo_file(vo_row(brin="11AA", gemeente="344"), vo_row(brin="12AA", gemeente="14"))

    assert [school.gemeente_code for school in parse_duo_csv(data).rows] == ["0344", "0014"]


def test_it_reads_a_whole_or_a_suffix_vestigingscode():
    data = vo_file(
        vo_row(brin="16PA", code="16PA02"),
        vo_row(brin="", code="17PB03"),
        vo_row(brin="18PC", code="4"),
        vo_row(brin="19PD", code="20PD00"),
        vo_row(brin="21PE", code="ABC"),
    )

    with translation.override("en"):
        result = parse_duo_csv(data)

    assert [(school.brin, school.vestiging) for school in result.rows] == [
        ("16PA", "02"),
        ("17PB", "03"),
        ("18PC", "04"),
    ]
    assert english_reasons(result) == [
        (5, "Location code 20PD00 does not belong to BRIN code 19PD."),
        (6, "“ABC” is not a valid location code."),
    ]


@pytest.mark.parametrize("column", ["POSTCODE", "GEMEENTENUMMER", "VESTIGINGSCODE", "INSTELLINGSCODE"])
def test_it_refuses_a_file_without_a_required_column(column):
    header = VO_HEADER.replace(column, "SOMETHING ELSE")
    data = f"{header}\r\n{vo_row()}\r\n".encode("cp1252")

    with pytest.raises(DuoFormatError, match=f"has no column {column}\\.$"), translation.override("en"):
        parse_duo_csv(data)


def test_it_names_every_missing_column():
    data = b"INSTELLINGSCODE;VESTIGINGSCODE;PLAATSNAAM\r\n16PA;00;Utrecht\r\n"

    with translation.override("en"), pytest.raises(DuoFormatError) as error:
        parse_duo_csv(data, default_sector="VO")

    assert str(error.value) == "The file has no columns VESTIGINGSNAAM, POSTCODE, GEMEENTENUMMER."


def test_it_refuses_an_empty_file():
    with pytest.raises(DuoFormatError):
        parse_duo_csv(b"")


def test_it_reports_bad_rows_with_their_line_and_keeps_the_good_ones():
    data = vo_file(
        vo_row(brin="11AA", name='"Twee\r\nregels"'),  # lines 2-3
        vo_row(brin="1AA"),  # line 4
        vo_row(brin="12AA", name=" "),  # line 5
        vo_row(brin="13AA", postcode="351 AB"),  # line 6
        "16PA;00;Te weinig kolommen",  # line 7
        "",  # line 8: blank, ignored
        vo_row(brin="14AA", gemeente="Utrecht"),  # line 9
        vo_row(brin="15AA", postcode=""),  # line 10
        vo_row(brin="11AA"),  # line 11
        vo_row(brin="16AA", name="Nul\x00byte"),  # line 12
        vo_row(brin="17AA", name="Dubbele  spatie"),  # line 13
    )

    with translation.override("en"):
        result = parse_duo_csv(data)

    assert [school.brin for school in result.rows] == ["11AA", "17AA"]
    assert [school.name for school in result.rows] == ["Twee regels", "Dubbele spatie"]
    assert english_reasons(result) == [
        (4, "“1AA” is not a valid BRIN code."),
        (5, "The location has no name."),
        (6, "“351 AB” is not a valid postcode."),
        (7, "The row has 3 columns instead of 17."),
        (9, "“Utrecht” is not a valid municipality code."),
        (10, "The location has no postcode."),
        (11, "Location 11AA00 already appears on line 2."),
        (12, "The row contains a control character (such as NUL)."),
    ]


def test_it_accepts_a_trailing_separator_but_not_an_extra_value():
    data = vo_file(vo_row(brin="11AA") + ";", vo_row(brin="12AA") + ";extra")

    result = parse_duo_csv(data)

    assert [school.brin for school in result.rows] == ["11AA"]
    assert [error.line for error in result.errors] == [3]


@pytest.mark.parametrize("gemeente", ["Utrecht", "UTRECHT", " utrecht ", "344", "0344", "GM0344"])
def test_it_keeps_only_the_requested_gemeente(gemeente):
    data = vo_file(
        vo_row(brin="11AA"),
        vo_row(brin="12AA", gemeente="0363", gemeente_name="AMSTERDAM"),
        vo_row(brin="1XX", gemeente="0363", gemeente_name="AMSTERDAM"),  # bad, but not ours
        vo_row(brin="13AA", gemeente="0344"),
    )

    result = parse_duo_csv(data, gemeente=gemeente)

    assert [school.brin for school in result.rows] == ["11AA", "13AA"]
    assert result.errors == []


@pytest.mark.parametrize(
    ("value", "region"),
    [("Noord", "noord"), ("MIDDEN", "midden"), ("Regio zuid", "zuid"), ("zuid ", "zuid"), (" ", "")],
)
def test_it_maps_the_holiday_region(value, region):
    assert parse_duo_csv(vo_file(vo_row(region=value))).rows[0].holiday_region == region


def test_it_leaves_the_holiday_region_blank_without_the_column():
    header = VO_HEADER.replace(";VAKANTIEREGIO", "")
    data = f"{header}\r\n{vo_row().rsplit(';', 1)[0]}\r\n".encode("cp1252")

    assert parse_duo_csv(data).rows[0].holiday_region == ""


def test_it_is_deterministic():
    data = vo_file(*(vo_row(brin=f"{n:02d}AA") for n in range(10, 30)), vo_row(brin="bad"))

    first, second = parse_duo_csv(data), parse_duo_csv(data)

    assert first == second
    assert [school.brin for school in first.rows] == [f"{n:02d}AA" for n in range(10, 30)]
    assert first.errors == [RowError(line=22, reason=first.errors[0].reason)]
