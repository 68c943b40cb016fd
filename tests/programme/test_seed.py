"""The action lines and their speerpunten are seed 000's text, verbatim: the constant (programme.seed), the
rows the data migration leaves (programme 0003) and Utrecht's programme once the gemeente exists."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from programme import seed
from programme.models import ActionLine, Programme, Speerpunt
from programme.services import utrecht_programme_ensure
from tests.factories import GemeenteFactory

# Seed 000 as the product's sources give it (../shared/seeds, or where KPA_SEEDS says), and a copy of it in
# tests/programme/data, so the comparison runs on every machine, CI's fresh clone included: where the
# sources are at hand, the copy must be the same file (test_the_copy_is_the_seed).
SEEDS = Path(os.environ.get("KPA_SEEDS") or Path(__file__).resolve().parents[3] / "shared" / "seeds")
COPY = Path(__file__).resolve().parent / "data" / "000_604b4e921ffd76de.txt"
# The invitation written after line 2's one bullet is an activity (seed.ACTIVITIES), not part of it.
INVITATION = " Uitnodiging 11/20 okt"


def seed_text() -> str:
    return COPY.read_text(encoding="utf-8")


def test_the_copy_is_the_seed():
    found = sorted(SEEDS.glob("000_*.txt"))
    if not found:  # a machine without the sources: the copy stands for them (it was checked where they are)
        assert COPY.is_file()
        return
    (path,) = found
    assert path.name == COPY.name
    assert path.read_bytes() == COPY.read_bytes()


def one_space(text: str) -> str:
    return " ".join(text.split())


def bullets(block: str) -> list[str]:
    """The • bullets of a block of the seed, with a continuation line (the next, not blank) joined."""
    found: list[str] = []
    continuing = False
    for raw in block.splitlines():
        line = raw.strip()
        if line.startswith("•"):
            found.append(line[1:])
            continuing = True
        elif line and continuing and not line.startswith(("➢", "Actielijn")) and not line[0].isdigit():
            found[-1] += " " + line
        else:
            continuing = False
    return [one_space(b) for b in found]


def seed_lines() -> dict[int, tuple[str, list[str]]]:
    """number -> (title, speerpunten) as seed 000 writes them."""
    text = seed_text()
    summary = text.split("5 Actielijnen Doorontwikkeling KPA in het PO", 1)[1].split("Actielijn 3 ", 1)[0]
    parts = re.split(r"^\s*(\d) ?\) ", summary, flags=re.MULTILINE)[1:]
    lines = {}
    for number, body in zip(parts[::2], parts[1::2], strict=True):
        title, _newline, rest = body.partition("\n")
        lines[int(number)] = (one_space(title), bullets(rest))
    for number in (3, 4, 5):
        section = text.split(f"\nActielijn {number} ", 1)[1].split("\nActielijn ", 1)[0]
        lines[number] = (lines[number][0], bullets(section))
    return lines


def test_it_reads_five_lines_from_the_seed():
    lines = seed_lines()
    assert sorted(lines) == [1, 2, 3, 4, 5]
    assert [len(speerpunten) for _title, speerpunten in lines.values()] == [2, 1, 4, 4, 4]


def test_it_holds_the_seed_text_verbatim_in_the_constant():
    expected = seed_lines()
    for line in seed.ACTION_LINES:
        title, speerpunten = expected[line.number]
        assert line.title == title
        got = list(line.speerpunten)
        if line.number == 2:
            got = [got[0] + INVITATION]
        assert got == speerpunten


@pytest.mark.django_db
def test_it_leaves_the_seed_titles_and_speerpunten_in_the_database_after_migrating():
    expected = seed_lines()
    lines = ActionLine.objects.filter(number__in=expected).prefetch_related("speerpunten")
    assert {line.number: line.title for line in lines} == {n: t for n, (t, _s) in expected.items()}
    for line in lines:
        speerpunten = [s.text for s in line.speerpunten.all()]
        if line.number == 2:
            speerpunten = [speerpunten[0] + INVITATION]
        assert speerpunten == expected[line.number][1]
        assert line.description == ""  # the merged text of meetings 0002 is gone: the speerpunten say it


@pytest.mark.django_db
def test_it_puts_the_five_lines_in_utrecht_po_once_the_gemeente_exists():
    assert ActionLine.objects.filter(programme=None).count() == 5  # no gemeente 0344 when migrating
    utrecht = GemeenteFactory(code="0344", name="Utrecht")
    programme = utrecht_programme_ensure()
    assert (programme.gemeente, programme.sector) == (utrecht, "PO")
    assert list(programme.lines.values_list("number", "title")) == [
        (line.number, line.title) for line in seed.ACTION_LINES
    ]
    assert not ActionLine.objects.filter(programme=None).exists()
    # Again: nothing doubles.
    assert utrecht_programme_ensure() == programme
    assert Programme.objects.count() == 1
    assert Speerpunt.objects.filter(line__programme=programme).count() == 15


@pytest.mark.django_db
def test_it_makes_utrecht_po_from_the_seed_when_the_old_lines_are_gone():
    ActionLine.objects.all().delete()
    GemeenteFactory(code="0344", name="Utrecht")
    programme = utrecht_programme_ensure()
    assert [str(line) for line in programme.lines.all()] == [
        f"{line.number}. {line.title}" for line in seed.ACTION_LINES
    ]
    assert Speerpunt.objects.filter(line__programme=programme).count() == 15


@pytest.mark.django_db
def test_it_has_no_utrecht_programme_without_the_gemeente():
    assert utrecht_programme_ensure() is None
