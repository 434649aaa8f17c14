"""The "To do" list at the top of a person's overview: what every registered source says waits
for them, merged and sorted by deadline (the overdue first, then the nearest; what has no
deadline last; the same deadline by the items' order, then the sources' order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.utils import timezone

from portal import registry


@dataclass(frozen=True)
class ShownTodo:
    """A to-do as the overview shows it: the item, and whether its deadline has passed."""

    todo: registry.Todo
    overdue: bool


def todos_for(request: HttpRequest, *, today: date | None = None) -> list[ShownTodo]:
    today = today or timezone.localdate()
    items = [todo for source in registry.todo_sources() for todo in source(request)]
    ordered = sorted(
        enumerate(items),
        key=lambda pair: (pair[1].due is None, pair[1].due or today, pair[1].order, pair[0]),
    )
    return [ShownTodo(todo, todo.is_overdue(today)) for _index, todo in ordered]
