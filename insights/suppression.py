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
until none changes. Hidden figures are left out of the public data altogether, so that they are
not in the page's source either.
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
    named has none); each line is (its sum, its parts). Of the parts that could be hidden to
    protect a line, the one that leaves the fewest other lines unsafe is chosen (then the
    smallest), so that one hidden group does not needlessly hide a whole year."""
    hidden = {key for key, count in counts.items() if 0 < count < THRESHOLD}
    table = [(total, list(parts)) for total, parts in lines]
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
