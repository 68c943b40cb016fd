"""Which evaluation figures may be shown (issue 13) so that nobody's answers can be read from them, not
even by adding up and subtracting shown figures.

A figure is a sum over a set of sent responses (*units*: one person's response for one school): of the
scores of one statement (a "weet niet" adds 0), of their squares, and of how many scored. The sets are the
*cells*:

    ("school", school_id)        the team of one school (the school's results page)
    ("wijk", wijk_id, role)      one role's responses in a wijk; role ALL: all of the wijk's
    ("city", role)               the same for the whole gemeente

The cells shown are decided once per gemeente and school year, on the responses, not per statement: every
statement's figures are sums over the same cells, so what holds for one holds for all.

**The rule.** Whatever can be worked out from shown figures is a combination of them: a total minus the
other groups, a wijk minus its schools, the city minus its wijken, this state minus the one before. Such a
combination is a weighting of the units. `shown_cells` withholds figures until no weighting that can be
made from the shown cells is zero outside the units of fewer than `minimum` people: then no sum about
fewer than `minimum` people (their scores, how many of them scored) can be worked out, in any way. That is
checked exactly by linear algebra (`_leak`), not by a list of known tricks, and tested against a
brute-force auditor on random gemeenten (tests/evaluations/test_disclosure.py).

A cell of fewer than `minimum` people is withheld (FEW). When the check finds a group that could be worked
out, the smallest shown cell with that group's responses in it is withheld too (COMPLEMENT), and the check
runs again. Each pass withholds a cell, so it ends; nothing shown is the last resort and is safe.

**Over time.** Figures of a school year change when one of its rounds closes (only closed rounds count),
so someone who looked before and after could subtract the two. Each closing day is a state of its own: the
cells shown in the earlier states stay in the check (they were seen), and only the new state's cells can
still be withheld. A state is recomputed from the same responses, so it comes out as it was first shown.

What this does not cover (said where results are shown): a school that moves to another wijk after its
round closed changes the wijk sets; a respondent knows their own answers, so in a group of exactly
`minimum` they learn the sum of the others'.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ALL = "all"
FEW = "few"  # fewer than the minimum number of people
COMPLEMENT = "complement"  # would let a withheld group be worked out from the shown figures

type Cell = tuple[object, ...]
TOLERANCE = 1e-9  # of the largest eigenvalue of the Gram matrix: below it, a dependency


@dataclass(frozen=True)
class Group:
    """Responses that lie in the same cells: one school, role and closing day; `people` who sent them."""

    school: int
    wijk: int | None
    role: str
    closed: dt.date
    people: frozenset[int]

    def cells(self) -> tuple[Cell, ...]:
        found: list[Cell] = [("school", self.school), ("city", self.role), ("city", ALL)]
        if self.wijk is not None:
            found += [("wijk", self.wijk, self.role), ("wijk", self.wijk, ALL)]
        return tuple(found)


@dataclass(frozen=True)
class Decision:
    shown: frozenset[Cell]
    withheld: dict[Cell, str]  # the reason: FEW or COMPLEMENT
    people: dict[Cell, int]  # how many people a cell holds (in the latest state)


def _order(cell: Cell) -> tuple[tuple[int, int, str], ...]:
    """Cells in a fixed order, ids as numbers (school 9 before school 10): ties between figures to withhold
    go to the lowest id, whatever the ids' lengths."""
    return tuple((0, x, "") if isinstance(x, int) else (1, 0, str(x)) for x in cell)


def shown_cells(groups: Sequence[Group], minimum: int) -> Decision:
    """The cells of the latest state (every group's round has closed) that may be shown, and why each
    other cell is withheld. Deterministic: the same groups give the same decision."""
    table = _Table(groups)
    history: list[tuple[int, frozenset[Cell]]] = []
    withheld: dict[Cell, str] = {}
    counts: dict[Cell, int] = {}
    for state in range(len(table.days)):
        counts = table.people(state)
        shown = {cell for cell, n in counts.items() if n >= minimum}
        withheld = {cell: FEW for cell in counts if cell not in shown}
        for cell in _remainders(table, state, shown, counts, minimum):
            withheld[cell] = COMPLEMENT
        while True:
            found = table.leak(history, state, shown, minimum)
            if found is None:
                break
            people, essential = found
            covering = [cell for cell in shown if table.holds(cell, state, people)]
            # Withhold a figure the group cannot be worked out without (one is found whenever the group
            # is, short of rounding); failing that, one with the group's responses in it; failing that
            # (only an earlier state's figures hold them), any of this state's.
            cell = min(essential or covering or shown, key=lambda c: _cost(c, counts))
            shown.discard(cell)
            withheld[cell] = COMPLEMENT
        history.append((state, frozenset(shown)))
    return Decision(history[-1][1] if history else frozenset(), withheld, counts)


def _cost(cell: Cell, counts: dict[Cell, int]) -> tuple:
    """Which figure to withhold first: an area's total (everyone together), then an area's role (comparing
    the roles is what those figures are for), then a school's (what its team talks about); of these, the
    one of the fewest people."""
    rank = 2 if cell[0] == "school" else 0 if cell[-1] == ALL else 1
    return (rank, counts[cell], _order(cell))


def _remainders(
    table: _Table, state: int, shown: set[Cell], counts: dict[Cell, int], minimum: int
) -> list[Cell]:
    """The quick part of the rule, before the exact check: where a shown total is the sum of parts (a
    wijk of its schools and of its roles, the city of its roles, a role in the city of the wijken), the
    withheld parts together must hold no one or `minimum` people or more, else the cheapest shown part is
    withheld too. Returns the cells it withheld. (The exact check would find the same; this is faster.)"""
    done: list[Cell] = []
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations(state):
            if total not in shown:
                continue
            hidden = [p for p in parts if p not in shown]
            people = table.people_of(hidden, state)
            if 0 < people < minimum:
                visible = [p for p in parts if p in shown]
                cell = min([*visible, total], key=lambda c: _cost(c, counts))
                shown.discard(cell)
                done.append(cell)
                changed = True
    return done


class _Table:
    """The responses (one column each: a person's response for a school) against the cells."""

    def __init__(self, groups: Sequence[Group]) -> None:
        units = sorted({(g, person) for g in groups for person in g.people}, key=_unit_order)
        self.days = sorted({g.closed for g in groups})
        self.persons = [person for _g, person in units]
        self.state_of = np.array([self.days.index(g.closed) for g, _p in units], dtype=int)
        cells = sorted({cell for g, _p in units for cell in g.cells()}, key=_order)
        self.index = {cell: i for i, cell in enumerate(cells)}
        self.incidence = np.zeros((len(cells), len(units)), dtype=float)
        for column, (g, _p) in enumerate(units):
            for cell in g.cells():
                self.incidence[self.index[cell], column] = 1.0
        self.wijk_of = {g.school: g.wijk for g, _p in units}
        for g, _p in units:  # the never-shown responses per role of the schools without a wijk
            if g.wijk is None:
                cell = ("nowijk", g.role)
                if cell not in self.index:
                    self.index[cell] = len(self.index)
        extra = len(self.index) - len(cells)
        if extra:
            self.incidence = np.vstack([self.incidence, np.zeros((extra, len(units)))])
            for column, (g, _p) in enumerate(units):
                if g.wijk is None:
                    self.incidence[self.index[("nowijk", g.role)], column] = 1.0
        self.columns: dict[int, list[int]] = defaultdict(list)
        for column, person in enumerate(self.persons):
            self.columns[person].append(column)

    def people(self, state: int) -> dict[Cell, int]:
        present = self.state_of <= state
        found: dict[Cell, int] = {}
        for cell, i in self.index.items():
            if cell[0] == "nowijk":
                continue
            persons = {self.persons[c] for c in np.flatnonzero((self.incidence[i] > 0) & present)}
            if persons:
                found[cell] = len(persons)
        return found

    def people_of(self, cells: Sequence[Cell], state: int) -> int:
        """How many people the cells hold together (responses of rounds closed by `state`)."""
        present = self.state_of <= state
        persons: set[int] = set()
        for cell in cells:
            row = self.incidence[self.index[cell]]
            persons.update(self.persons[c] for c in np.flatnonzero((row > 0) & present))
        return len(persons)

    def relations(self, state: int) -> list[tuple[Cell, list[Cell]]]:
        """Each total with the parts it is the sum of. A part with no responses is left out; the schools
        without a wijk are parts (as their school cells) of the city's total, and their responses per role
        a part of the city's role that is never shown (the pseudo-cell ("nowijk", role))."""
        present = self.state_of <= state
        live = {cell for cell, i in self.index.items() if ((self.incidence[i] > 0) & present).any()}
        found: list[tuple[Cell, list[Cell]]] = []
        wijken = sorted({c[1] for c in live if c[0] == "wijk"}, key=repr)
        roles = sorted({c[1] for c in live if c[0] == "city" and c[1] != ALL}, key=repr)
        for wijk in wijken:
            schools = [c for c in live if c[0] == "school" and self.wijk_of[c[1]] == wijk]
            found.append((("wijk", wijk, ALL), schools))
            found.append(
                (("wijk", wijk, ALL), [("wijk", wijk, r) for r in roles if ("wijk", wijk, r) in live])
            )
        loose = [c for c in live if c[0] == "school" and self.wijk_of[c[1]] is None]
        found.append((("city", ALL), [("wijk", w, ALL) for w in wijken] + loose))
        found.append((("city", ALL), [("city", r) for r in roles]))
        for role in roles:
            parts = [("wijk", w, role) for w in wijken if ("wijk", w, role) in live]
            if ("nowijk", role) in live:
                parts.append(("nowijk", role))
            found.append((("city", role), parts))
        return [(total, sorted(parts, key=_order)) for total, parts in found]

    def holds(self, cell: Cell, state: int, people: frozenset[int]) -> bool:
        row = self.incidence[self.index[cell]]
        return any(row[c] and self.state_of[c] <= state for p in people for c in self.columns[p])

    def rows(
        self, history: Sequence[tuple[int, frozenset[Cell]]], state: int, shown: set[Cell]
    ) -> tuple[np.ndarray, list[Cell | None]]:
        """One row per figure shown so far (earlier states, then this one): 1 for each response it adds
        up. With the row's cell when it is one of this state's (the ones that can still be withheld)."""
        rows, labels = [], []
        for earlier, cells in history:
            mask = self.state_of <= earlier
            for cell in sorted(cells, key=_order):
                rows.append(self.incidence[self.index[cell]] * mask)
                labels.append(None)
        mask = self.state_of <= state
        for cell in sorted(shown, key=_order):
            rows.append(self.incidence[self.index[cell]] * mask)
            labels.append(cell)
        return np.array(rows).reshape(len(rows), len(self.persons)), labels

    def leak(
        self, history: Sequence[tuple[int, frozenset[Cell]]], state: int, shown: set[Cell], minimum: int
    ) -> tuple[frozenset[int], list[Cell]] | None:
        """A set of fewer than `minimum` people whose responses alone carry some combination of the shown
        figures (a weighting of the responses that is zero on everyone else's), with the cells of this
        state that combination cannot do without; or None.

        With B an orthonormal basis of the combinations (the row space of the figures), a set of
        responses T carries one exactly when the largest eigenvalue of B_T B_T' is 1 (a unit vector on T
        lies in the row space). That eigenvalue is at most the sum of the people's own, so only sets whose
        people's values can add up to 1 are tried."""
        rows, labels = self.rows(history, state, shown)
        if rows.size == 0:
            return None
        # The rows' Gram matrix is small (figures x figures): its eigenvectors give the row space (the
        # singular vectors, as an SVD would, but cheaper with far more responses than figures) and the
        # rows' dependencies (eigenvalue 0).
        eigenvalues, eigenvectors = np.linalg.eigh(rows @ rows.T)
        independent = eigenvalues > TOLERANCE * max(1.0, float(eigenvalues[-1]))
        rank = int(independent.sum())
        if rank == 0:
            return None
        singular = np.sqrt(eigenvalues[independent])
        left = eigenvectors[:, independent]
        dependencies = eigenvectors[:, ~independent]
        basis = (left.T @ rows).T / singular  # responses x rank, orthonormal columns

        def carried(people: tuple[int, ...]) -> tuple[float, np.ndarray]:
            index = [c for person in people for c in self.columns[person]]
            block = basis[index]
            values, vectors = np.linalg.eigh(block @ block.T)
            return float(values[-1]), block.T @ vectors[:, -1]

        own = sorted(((carried((p,))[0], p) for p in self.columns), reverse=True)
        threshold = 1 - 1e-7

        def search(
            start: int, chosen: tuple[int, ...], bound: float
        ) -> tuple[tuple[int, ...], np.ndarray] | None:
            if chosen and bound >= threshold:
                value, direction = carried(chosen)
                if value >= threshold:
                    return chosen, direction
            if len(chosen) == minimum - 1:
                return None
            for k in range(start, len(own)):
                value, person = own[k]
                # The rest are no larger: if even this one cannot bring the set to 1, none can.
                if bound + value * (minimum - 1 - len(chosen)) < threshold:
                    break
                found = search(k + 1, (*chosen, person), bound + value)
                if found is not None:
                    return found
            return None

        found = search(0, (), 0.0)
        if found is None:
            return None
        chosen, direction = found
        # The combination as rows: coefficients u_i / s_i on the basis direction, then through the rows.
        # A row is needed by every way of writing it when the rows' dependencies (the left null space)
        # leave its coefficient alone.
        coefficients = left @ (direction / singular)
        essential = [
            label
            for i, label in enumerate(labels)
            if label is not None
            and abs(coefficients[i]) > 1e-6
            and (dependencies.shape[1] == 0 or np.abs(dependencies[i]).max() < 1e-9)
        ]
        return frozenset(chosen), essential


def _unit_order(unit: tuple[Group, int]) -> tuple:
    g, person = unit
    return (g.closed, g.school, g.role, person)
