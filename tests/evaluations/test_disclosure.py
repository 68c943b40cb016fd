"""The rule of which evaluation figures are shown (evaluations.disclosure), checked against an auditor that
knows nothing of the rule: it writes every shown figure, in every state the figures went through, as an
equation over the single answers and asks, by exact linear algebra, whether any combination of them tells
something about one or two people's answers alone. No database: plain data."""

from __future__ import annotations

import datetime as dt
import random
from itertools import combinations

import pytest

from evaluations.disclosure import ALL, COMPLEMENT, FEW, Group, shown_cells

ROLES = ("ib", "buurtteam", "jgz", "po", "leerplicht")
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


PRIME = 2**61 - 1


def rank(rows: list[list[int]]) -> int:
    """The rank of a 0/1 matrix by elimination modulo a large prime (exact integers, no rounding): the
    rank over the rationals unless the prime happens to divide one of the matrix's minors, a coincidence
    of odds near 1 in 2**61."""
    matrix = [list(row) for row in rows if any(row)]
    found = 0
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((r for r in range(found, len(matrix)) if matrix[r][col] % PRIME), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        inverse = pow(matrix[found][col], PRIME - 2, PRIME)
        top = [v * inverse % PRIME for v in matrix[found]]
        matrix[found] = top
        for r in range(found + 1, len(matrix)):
            factor = matrix[r][col] % PRIME
            if factor:
                matrix[r] = [(a - factor * b) % PRIME for a, b in zip(matrix[r], top, strict=True)]
        found += 1
    return found


def published_rows(groups: list[Group], minimum: int, decide=shown_cells) -> tuple[list, list[list[int]]]:
    """Every answer as one unknown; every figure shown in every state (after each closing day) as the
    row of the answers it adds up."""
    units = [(g, person) for g in groups for person in sorted(g.people)]
    rows = []
    days = sorted({g.closed for g in groups})
    for day in days:
        present = [g for g in groups if g.closed <= day]
        shown = decide(present, minimum).shown
        for cell in sorted(shown, key=repr):
            rows.append([int(g.closed <= day and cell in g.cells()) for g, _person in units])
    return units, rows


def leaks(groups: list[Group], minimum: int, decide=shown_cells) -> list[tuple[int, ...]]:
    """The sets of fewer than `minimum` people about whose answers alone some combination of shown figures
    says something: removing their answers' columns lowers the rank."""
    units, rows = published_rows(groups, minimum, decide)
    if not rows:
        return []
    full = rank(rows)
    people = sorted({person for _g, person in units})
    found = []
    for size in range(1, minimum):
        for chosen in combinations(people, size):
            keep = [i for i, (_g, person) in enumerate(units) if person not in chosen]
            if rank([[row[i] for i in keep] for row in rows]) < full:
                found.append(chosen)
    return found


def naive(groups, minimum):
    """Only the threshold, no complementary withholding: what the rule must do better than."""
    from evaluations.disclosure import Decision

    people = {}
    for g in groups:
        for cell in g.cells():
            people.setdefault(cell, set()).update(g.people)
    return Decision(frozenset(c for c, p in people.items() if len(p) >= minimum), {}, {})


def team(school, wijk, first_person, *, roles=ROLES, closed=NOV):
    return [Group(school, wijk, role, closed, frozenset({first_person + i})) for i, role in enumerate(roles)]


def test_it_shows_a_school_of_three_and_withholds_a_school_of_two():
    groups = team(1, 10, 100, roles=ROLES[:3]) + team(2, 10, 200, roles=ROLES[:2])
    decision = shown_cells(groups, 3)
    assert ("school", 1) in decision.shown
    assert decision.withheld[("school", 2)] == FEW
    assert decision.withheld[("wijk", 10, "ib")] == FEW  # two IB-ers


def test_it_withholds_a_second_school_when_a_wijk_minus_its_schools_would_give_the_first():
    """Wijk 10: three full teams and one school of two. The naive rule shows the wijk's total and the
    three schools, so total minus the three is the two people's answers."""
    groups = team(1, 10, 100) + team(2, 10, 200) + team(3, 10, 300) + team(4, 10, 400, roles=ROLES[:2])
    assert leaks(groups, 3, naive)  # the auditor sees it
    decision = shown_cells(groups, 3)
    assert decision.withheld[("school", 4)] == FEW
    assert COMPLEMENT in decision.withheld.values()
    assert leaks(groups, 3) == []


def test_it_withholds_a_role_when_the_total_minus_the_other_roles_would_give_it():
    """Three schools; leerplicht answered at only two: the city's leerplicht figure is withheld, and with
    the total and the other four roles shown it would be the total minus those."""
    groups = team(1, 10, 100) + team(2, 10, 200) + team(3, 10, 300, roles=ROLES[:4])
    assert leaks(groups, 3, naive)
    decision = shown_cells(groups, 3)
    assert decision.withheld[("city", "leerplicht")] == FEW
    assert leaks(groups, 3) == []


def test_it_keeps_a_later_round_apart_from_the_earlier_state():
    """Two rounds of one school year: three schools closed in November, a fourth school's round of two
    people in December. Before and after December the city's figures differ by those two people."""
    groups = team(1, 10, 100) + team(2, 10, 200) + team(3, 11, 300)
    groups += team(4, 11, 400, roles=ROLES[:2], closed=DEC)
    assert leaks(groups, 3, naive)
    assert leaks(groups, 3) == []


def test_a_person_on_several_schools_counts_once():
    """One JGZ nurse answers for three schools: the wijk's JGZ figure is one person's."""
    groups = [Group(s, 10, "jgz", NOV, frozenset({7})) for s in (1, 2, 3)]
    groups += [Group(s, 10, "ib", NOV, frozenset({10 + s})) for s in (1, 2, 3)]
    decision = shown_cells(groups, 3)
    assert decision.withheld[("wijk", 10, "jgz")] == FEW
    assert ("wijk", 10, "ib") in decision.shown
    assert leaks(groups, 3) == []


def test_nothing_is_shown_of_nobody():
    assert shown_cells([], 3).shown == frozenset()


def random_gemeente(seed: int) -> list[Group]:
    """Two or three wijken of one to four schools and a school without a wijk; kernpartners serve one to
    three schools; some seats did not answer (or said "weet niet"); some schools' round closed later."""
    rng = random.Random(seed)
    groups: list[Group] = []
    school = 0
    partners: dict[str, list[int]] = {role: [] for role in ROLES[1:]}
    next_person = 1000
    for wijk in [*range(rng.randint(2, 3)), None]:
        for _ in range(rng.randint(1, 4) if wijk is not None else 1):
            school += 1
            closed = DEC if rng.random() < 0.25 else NOV
            for role in ROLES:
                if rng.random() < 0.2:
                    continue
                pool = partners.get(role)
                if pool is not None and pool and rng.random() < 0.5:
                    person = rng.choice(pool)
                else:
                    next_person += 1
                    person = next_person
                    if pool is not None:
                        pool.append(person)
                groups.append(Group(school, wijk, role, closed, frozenset({person})))
    return groups


@pytest.mark.parametrize("seed", range(100))
def test_no_combination_of_shown_figures_tells_about_fewer_than_three(seed):
    groups = random_gemeente(seed)
    assert leaks(groups, 3) == []


@pytest.mark.parametrize("seed", range(100, 115))
def test_a_higher_minimum_holds_too(seed):
    """KPA_EVALUATION_MIN_GROUP may be set above 3: nothing about fewer than 4 people then."""
    groups = random_gemeente(seed)
    assert leaks(groups, 4) == []


def test_the_random_gemeenten_would_leak_without_the_rule():
    """The auditor has teeth: with only the threshold, some of the same gemeenten leak."""
    assert sum(bool(leaks(random_gemeente(seed), 3, naive)) for seed in range(40)) >= 5


def test_it_still_shows_most_of_a_real_sized_gemeente():
    """Withholding is not all or nothing: three wijken of five full teams show every school and role."""
    groups = []
    for wijk in range(3):
        for s in range(5):
            school = wijk * 10 + s
            groups += team(school, wijk, school * 10)
    decision = shown_cells(groups, 3)
    assert decision.withheld == {}
    assert ("city", ALL) in decision.shown
