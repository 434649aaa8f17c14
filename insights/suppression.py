"""Small groups kept out of the public statistics, and kept out of reach of sums.

The public page shows the same figures as the officers' dashboard, except for groups of fewer
than five organisations: "färre än 5" instead of every figure of the group. That alone is not
enough, since the page also shows sums: the whole view's total beside its rows, every year
beside each year, the whole municipality beside each public body and each body beside its
programmes. A hidden row whose siblings and total are all shown is their difference.

The rule (secondary suppression, the hypercube rule of statistical offices): every published
figure belongs to lines, a sum and its parts (the rows of a table and their total; the years
and every year; the public bodies and the whole municipality; a body's programmes and the body).
Whenever a line has a hidden part, it must have at least two, together of at least five
organisations, or its sum must be hidden too. Otherwise the smallest shown part with any
organisations is hidden as well (or, with none left, the sum), and every line is looked at again
until none changes.

Lines hold together: a hidden figure may be worked out from several of them at once (this year's
total less the other groups gives a group's sum over two years; every year less the other years
gives the other part). So the lines are then solved as a system of equations, every shown figure
and every empty group (none of its organisations, so nothing) known: a hidden figure the system
fixes to one value (`determined`) gets one more figure of one of its lines hidden, and the rule
and the system are run again until no hidden figure has a single value. Hidden figures are left
out of the public data altogether, so that they are not in the page's source either.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

THRESHOLD = 5

Line = tuple[Hashable, Sequence[Hashable]]


def _unsafe(
    total: Hashable, parts: list[Hashable], hidden: set[Hashable], counts: Mapping[Hashable, int]
) -> bool:
    """Whether a line lets a hidden part be worked out: its sum is shown, and its hidden parts
    are one, or together fewer than THRESHOLD organisations."""
    if total in hidden:
        return False
    inside = [part for part in parts if part in hidden]
    if not inside:
        return False
    return len(inside) < 2 or sum(counts.get(part, 0) for part in inside) < THRESHOLD


def suppressed(counts: Mapping[Hashable, int], lines: Iterable[Line]) -> set[Hashable]:
    """The cells to hide: `counts` is the number of organisations behind each cell (a cell not
    named has none); each line is (its sum, its parts): the line rule, then the system of all
    lines (`determined`), until both hold."""
    table = [(total, list(parts)) for total, parts in lines]
    hidden = _line_rule(
        counts, table, {key for key, count in counts.items() if 0 < count < THRESHOLD}
    )
    for _round in range(1000):
        fixed = determined(counts, table, hidden)
        if not fixed:
            return hidden
        for cell in sorted(fixed, key=str):
            if cell in hidden:  # and still fixed: hide a figure of one of its lines
                hidden.add(_partner(cell, counts, table, hidden))
        hidden = _line_rule(counts, table, hidden)
    raise RuntimeError("The suppression of the public statistics did not settle.")


def _partner(
    cell: Hashable,
    counts: Mapping[Hashable, int],
    table: list[tuple[Hashable, list[Hashable]]],
    hidden: set[Hashable],
) -> Hashable:
    """The smallest shown figure with organisations in a line of `cell`."""
    candidates = [
        other
        for total, parts in table
        if cell == total or cell in parts
        for other in (total, *parts)
        if other not in hidden and counts.get(other, 0) > 0
    ]
    if not candidates:
        raise RuntimeError(f"No figure is left to hide beside {cell!r}.")
    return min(candidates, key=lambda other: (counts[other], str(other)))


PRIME = (1 << 61) - 1  # the equations are solved modulo a prime: exact, and fast in Python


def determined(
    counts: Mapping[Hashable, int],
    table: list[tuple[Hashable, list[Hashable]]],
    hidden: set[Hashable],
) -> set[Hashable]:
    """The hidden cells that the lines fix to one value, given every shown cell and every cell
    with no organisations (known to be nothing): those whose unit vector lies in the row space
    of the lines' equations over the unknown cells."""
    unknown = sorted((cell for cell in hidden if counts.get(cell, 0) > 0), key=str)
    index = {cell: number for number, cell in enumerate(unknown)}
    basis: dict[int, dict[int, int]] = {}  # pivot column -> row, with 1 at the pivot

    def reduce(row: dict[int, int]) -> dict[int, int]:
        row = dict(row)
        while row:
            column = min(row)
            pivot = basis.get(column)
            if pivot is None:
                return row
            factor = row[column]
            for other, value in pivot.items():
                updated = (row.get(other, 0) - factor * value) % PRIME
                if updated:
                    row[other] = updated
                else:
                    row.pop(other, None)
        return row

    for total, parts in table:
        equation: dict[int, int] = {}
        for cell, sign in ((total, 1), *((part, -1) for part in parts)):
            column = index.get(cell)
            if column is not None:
                equation[column] = (equation.get(column, 0) + sign) % PRIME
        row = reduce({column: value for column, value in equation.items() if value})
        if row:
            column = min(row)
            inverse = pow(row[column], PRIME - 2, PRIME)
            basis[column] = {other: value * inverse % PRIME for other, value in row.items()}
    return {cell for cell, column in index.items() if not reduce({column: 1})}


def _line_rule(
    counts: Mapping[Hashable, int],
    table: list[tuple[Hashable, list[Hashable]]],
    hidden: set[Hashable],
) -> set[Hashable]:
    """Of the parts that could be hidden to protect a line, the one that leaves the fewest
    other lines unsafe is chosen (then the smallest), so that one hidden group does not
    needlessly hide a whole year."""
    hidden = set(hidden)
    lines_of: dict[Hashable, list[int]] = {}
    for index, (_total, parts) in enumerate(table):
        for part in parts:
            lines_of.setdefault(part, []).append(index)

    def cost(candidate: Hashable) -> tuple[int, int, str]:
        hidden.add(candidate)
        unsafe = sum(_unsafe(*table[i], hidden, counts) for i in lines_of.get(candidate, ()))
        hidden.discard(candidate)
        return unsafe, counts[candidate], str(candidate)

    changed = bool(hidden)
    while changed:
        changed = False
        for total, parts in table:
            if not _unsafe(total, parts, hidden, counts):
                continue
            shown = [part for part in parts if part not in hidden and counts.get(part, 0) > 0]
            hidden.add(min(shown, key=cost) if shown else total)
            changed = True
    return hidden
